import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  CopyOptions,
  ListedObject,
  ObjectLocation,
  PrefixCopyFailure,
  PrefixCopyOptions,
  PrefixCopyProgress,
  PrefixCopySummary,
  PrefixLocation,
  S3Po,
  UploadResult
} from "../../S3Po.js"
import { AccessDenied, type S3PoError, S3ServiceError, ValidationError } from "../../S3PoError.js"
import { filterError, makeFilter } from "../sync/filters.js"
import type { Backend } from "./backend.js"
import * as Batch from "./batch.js"
import * as DeleteMany from "./deleteMany.js"
import { maxKeysPerDelete } from "./limits.js"
import * as Listing from "./listing.js"
import { asErrorOf } from "./operationErrors.js"
import * as Validate from "./validation.js"

/** Objects copied at once unless the caller says otherwise. */
export const defaultPrefixCopyConcurrency = 16

/** Windows of deletions (one DeleteObjects each) of a move sent at once. */
const concurrentDeletes = 2

type Copy = (
  operation: string,
  from: ObjectLocation,
  to: ObjectLocation,
  options?: CopyOptions
) => Effect.Effect<UploadResult, S3PoError>

/** An object's error as a copy's: any other (which a copy does not make) in its generic form. */
const asCopyError = (error: S3PoError): S3Po.CopyError => asErrorOf("copy", error)

const problemOf = (
  operation: string,
  from: PrefixLocation,
  to: PrefixLocation,
  options: PrefixCopyOptions
): ValidationError | undefined => {
  const problem = Validate.bucket(operation, from.bucket) ??
    Validate.bucket(operation, to.bucket) ??
    Validate.text(operation, "from.prefix", from.prefix) ??
    Validate.text(operation, "to.prefix", to.prefix) ??
    Validate.concurrency(operation, "concurrency", options.concurrency) ??
    Validate.multipart(operation, options) ??
    Validate.objectAttributes(operation, options) ??
    Validate.conditionalWrite(operation, { ifNoneMatch: options.ifNoneMatch, metadata: options.metadata }) ??
    filterError(operation, options)
  if (problem !== undefined) return problem
  if ((options.concurrency as unknown) === "unbounded") {
    return new ValidationError({ operation, field: "concurrency", reason: "must be a whole number of at least 1" })
  }
  const fromPrefix = from.prefix ?? ""
  const toPrefix = to.prefix ?? ""
  if (from.bucket === to.bucket && (toPrefix.startsWith(fromPrefix) || fromPrefix.startsWith(toPrefix))) {
    return new ValidationError({
      operation,
      field: "to",
      reason: fromPrefix === toPrefix
        ? "is the source: each object would be copied onto itself"
        : `overlaps the source in bucket ${from.bucket}: ${JSON.stringify(fromPrefix)} and ${
          JSON.stringify(toPrefix)
        } hold each other's keys, so copies would be listed and copied again (or overwrite sources not yet copied)`
    })
  }
  return undefined
}

/** A key's failure as one key of a DeleteObjects answer says it: its code, typed when it is one s3po knows. */
const deleteFailure = (bucket: string, key: string, code: string, message: string): S3Po.CopyError =>
  code === "AccessDenied"
    ? new AccessDenied({ operation: "DeleteObjects", bucket, key, code })
    : new S3ServiceError({
      operation: "DeleteObjects",
      bucket,
      key,
      status: 200,
      code,
      detail: message,
      retryable: false
    })

/** Counts and failures of a run, kept as they happen, and its progress reports. */
const tally = (from: PrefixLocation, to: PrefixLocation, options: PrefixCopyOptions) => {
  const fromPrefix = from.prefix ?? ""
  const toPrefix = to.prefix ?? ""
  const progress = { listed: 0, listedBytes: 0, copied: 0, copiedBytes: 0, deleted: 0, failed: 0, listingDone: false }
  const failed: Array<PrefixCopyFailure> = []
  const onProgress = options.onProgress
  const onObject = options.onObject
  const source = (key: string): ObjectLocation => ({ bucket: from.bucket, key })
  const target = (key: string): ObjectLocation => ({ bucket: to.bucket, key: toPrefix + key.slice(fromPrefix.length) })
  const takenBelow = makeFilter(options)
  return {
    fromPrefix,
    /** Whether the filters take a listed key, by its part below the source prefix. */
    taken: (key: string) => takenBelow(key.slice(fromPrefix.length)),
    progress,
    source,
    target,
    report: onProgress === undefined
      ? Effect.void
      : Effect.suspend(() => onProgress({ ...progress } satisfies PrefixCopyProgress)),
    fail: (key: string, step: PrefixCopyFailure["step"], error: S3Po.CopyError): PrefixCopyFailure => {
      progress.failed++
      const failure: PrefixCopyFailure = { from: source(key), to: target(key), step, error }
      failed.push(failure)
      return failure
    },
    /** An object done, handed to `onObject`. */
    done: (key: string, size: number, failure?: PrefixCopyFailure): Effect.Effect<void> =>
      onObject === undefined ? Effect.void : onObject({ from: source(key), to: target(key), size }, failure),
    summary: (): PrefixCopySummary => ({
      copied: progress.copied,
      copiedBytes: progress.copiedBytes,
      deleted: progress.deleted,
      failed
    })
  }
}

type Tally = ReturnType<typeof tally>

/** The objects under the source prefix, counted as they are listed, the listing's end noted. */
const listed = (retried: Backend, operation: string, bucket: string, counts: Tally) =>
  Stream.concat(
    Stream.filterMap(
      Listing.entries(retried, operation, bucket, { prefix: counts.fromPrefix }),
      (entry) => {
        if (entry._tag !== "Object" || !counts.taken(entry.key)) return Option.none()
        counts.progress.listed++
        counts.progress.listedBytes += entry.size
        return Option.some(entry)
      }
    ),
    Stream.execute(Effect.sync(() => {
      counts.progress.listingDone = true
    }))
  )

/**
 * Deletes the sources of one window of copies (at most 1000: one DeleteObjects, and a DeleteObject
 * per key XML cannot carry), each key that is not deleted reported; a failed request reports them all.
 */
const deleteSources = (retried: Backend, bucket: string, counts: Tally) => {
  const deleteMany = DeleteMany.make(retried)
  return (copied: ReadonlyArray<ListedObject>) =>
    deleteMany(bucket, copied.map((object) => object.key)).pipe(
      Effect.match({
        onSuccess: (answer) => {
          counts.progress.deleted += answer.deleted.length
          const failures = new Map<string, PrefixCopyFailure>()
          for (const { code, key, message } of answer.failed) {
            failures.set(key, counts.fail(key, "delete", deleteFailure(bucket, key, code, message)))
          }
          return failures
        },
        onFailure: (error) =>
          new Map(copied.map((object) => [object.key, counts.fail(object.key, "delete", asCopyError(error))]))
      }),
      Effect.tap(() => counts.report),
      Effect.flatMap((failures) =>
        Effect.forEach(copied, (object) => counts.done(object.key, object.size, failures.get(object.key)), {
          discard: true
        })
      )
    )
}

/**
 * `copyPrefix` and `movePrefix`: the source's listing streamed into `Batch.stream`, `concurrency`
 * copies at once, and for a move the keys whose copy succeeded deleted 1000 to a request as they
 * come. Counts and failures are kept as they happen; the listing's failure fails the call.
 */
export const make = (retried: Backend, copy: Copy) =>
(
  operation: "copyPrefix" | "movePrefix",
  from: PrefixLocation,
  to: PrefixLocation,
  options: PrefixCopyOptions = {}
): Effect.Effect<PrefixCopySummary, S3PoError> =>
  Validate.guard(
    problemOf(operation, from, to, options),
    Effect.suspend(() => {
      const { concurrency, filters: _filters, onObject: _onObject, onProgress: _onProgress, ...copyOptions } = options
      const counts = tally(from, to, options)
      // Each outcome counted as it completes; the key of a successful copy goes on, for a move.
      const copied = Stream.mapEffect(
        Batch.stream(
          listed(retried, operation, from.bucket, counts),
          (object: ListedObject) => copy(operation, counts.source(object.key), counts.target(object.key), copyOptions),
          { concurrency: concurrency ?? defaultPrefixCopyConcurrency }
        ),
        ({ item, result }) => {
          if (Either.isLeft(result)) {
            const failure = counts.fail(item.key, "copy", asCopyError(result.left))
            return counts.report.pipe(
              Effect.zipRight(counts.done(item.key, item.size, failure)),
              Effect.as(Option.none())
            )
          }
          counts.progress.copied++
          counts.progress.copiedBytes += result.right.size
          // A move's object is done once its source is deleted.
          const done = operation === "copyPrefix" ? counts.done(item.key, result.right.size) : Effect.void
          return counts.report.pipe(Effect.zipRight(done), Effect.as(Option.some(item)))
        }
      )
      const run = operation === "copyPrefix"
        ? Stream.runDrain(copied)
        : copied.pipe(
          Stream.filterMap((key) => key),
          Stream.grouped(maxKeysPerDelete),
          Stream.mapEffect((keys) => deleteSources(retried, from.bucket, counts)(Chunk.toReadonlyArray(keys)), {
            concurrency: concurrentDeletes
          }),
          Stream.runDrain
        )
      return Effect.map(run, counts.summary)
    })
  )
