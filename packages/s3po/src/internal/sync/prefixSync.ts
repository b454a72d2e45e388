import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { MultipartOptions, ObjectAttributes, ObjectLocation } from "../../S3Po.js"
import { S3Po } from "../../S3Po.js"
import { type S3PoError, S3ServiceError, ValidationError } from "../../S3PoError.js"
import { maxKeysPerDelete } from "../core/limits.js"
import * as Validate from "../core/validation.js"
import { type FilterOptions, filterProblem, makeFilter } from "./filters.js"
import { inKeyOrder, mergeByKey, type Paired } from "./merge.js"
import type { SyncLocation, SyncProgress } from "./model.js"
import { deleteFailure, Tally } from "./tally.js"

/**
 * One step of a sync between two prefixes, for a key below both (`relative`): a server-side copy,
 * a deletion under the destination, or a key the destination already holds.
 */
export type PrefixSyncAction =
  | {
    readonly _tag: "Copy"
    readonly relative: string
    readonly from: ObjectLocation
    readonly to: ObjectLocation
    readonly size: number
  }
  | { readonly _tag: "DeleteObject"; readonly relative: string; readonly to: ObjectLocation }
  | { readonly _tag: "Skip"; readonly relative: string; readonly from: ObjectLocation; readonly to: ObjectLocation }

/** One object of a sync between prefixes that failed, and why. */
export interface PrefixSyncFailure {
  readonly action: PrefixSyncAction
  readonly error: S3PoError
}

/** What a sync between prefixes did (or, in a dry run, would do). One failed object never stops the others. */
export interface PrefixSyncSummary {
  readonly copied: number
  readonly copiedBytes: number
  readonly skipped: number
  readonly deleted: number
  readonly failed: ReadonlyArray<PrefixSyncFailure>
  readonly dryRun: boolean
}

export interface PrefixSyncOptions extends FilterOptions, MultipartOptions, ObjectAttributes {
  /**
   * When the destination's object is the source's: `"size-and-time"` (default, as `aws s3 sync`
   * decides between two buckets) when it has the same size and is not older than the source's, to
   * the second; `"size-only"` (`--size-only`) when it has the same size; `"etag"` when it has the
   * same size and ETag (a multipart object copied with other part sizes has another ETag, and is
   * copied again); `"none"` copies every object.
   */
  readonly compare?: "size-and-time" | "size-only" | "etag" | "none" | undefined
  /** Delete under the destination what the source lacks (within the filters). */
  readonly delete?: boolean | undefined
  /** Objects copied at once. Default 16. */
  readonly concurrency?: number | undefined
  /** Compares and reports, copies and deletes nothing: the summary counts what would be done. */
  readonly dryRun?: boolean | undefined
  readonly onProgress?: ((progress: SyncProgress) => Effect.Effect<void>) | undefined
  /** Called with each action once it is done (or, in a dry run, decided), failed ones included. */
  readonly onAction?: ((action: PrefixSyncAction, error: S3PoError | undefined) => Effect.Effect<void>) | undefined
}

interface Listed {
  readonly relative: string
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
}

const defaultConcurrency = 16

/** A prefix as a folder: `photos` and `photos/` both hold `photos/...`; the empty prefix, the bucket. */
const folderOf = (location: SyncLocation): string => {
  const prefix = location.prefix ?? ""
  return prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`
}

const problemOf = (
  operation: string,
  source: SyncLocation,
  destination: SyncLocation,
  options: PrefixSyncOptions
): ValidationError | undefined => {
  const problem = Validate.bucket(operation, source.bucket) ??
    Validate.bucket(operation, destination.bucket) ??
    Validate.text(operation, "source.prefix", source.prefix) ??
    Validate.text(operation, "destination.prefix", destination.prefix) ??
    Validate.concurrency(operation, "concurrency", options.concurrency) ??
    Validate.multipart(operation, options) ??
    Validate.objectAttributes(operation, options)
  if (problem !== undefined) return problem
  if ((options.concurrency as unknown) === "unbounded") {
    return new ValidationError({ operation, field: "concurrency", reason: "must be a whole number of at least 1" })
  }
  const compare: unknown = options.compare
  if (compare !== undefined && !["size-and-time", "size-only", "etag", "none"].includes(compare as string)) {
    return new ValidationError({
      operation,
      field: "compare",
      reason: `must be "size-and-time", "size-only", "etag" or "none", got ${Validate.shown(compare)}`
    })
  }
  const filters = filterProblem(options)
  if (filters !== undefined) return new ValidationError({ operation, ...filters })
  const from = folderOf(source)
  const to = folderOf(destination)
  if (source.bucket === destination.bucket && (from.startsWith(to) || to.startsWith(from))) {
    return new ValidationError({
      operation,
      field: "destination",
      reason: from === to
        ? "is the source"
        : `overlaps the source in bucket ${source.bucket}: ${JSON.stringify(from)} and ${
          JSON.stringify(to)
        } hold each other's keys`
    })
  }
  return undefined
}

/** The objects below a folder, in key order (checked: a merge of a listing out of order pairs nothing right). */
const objectsBelow = (s3: S3Po.Service, bucket: string, prefix: string): Stream.Stream<Listed, S3PoError> =>
  inKeyOrder(
    Stream.filterMap(s3.listObjects(bucket, { prefix }), (entry) =>
      entry._tag === "Object" && entry.key.length > prefix.length
        ? Option.some({
          relative: entry.key.slice(prefix.length),
          key: entry.key,
          size: entry.size,
          etag: entry.etag,
          lastModified: entry.lastModified
        })
        : Option.none()),
    (object) =>
      object.key,
    (previous, next) =>
      new S3ServiceError({
        operation: "ListObjectsV2",
        bucket,
        status: 200,
        code: "UnorderedListing",
        detail: `the listing gave ${JSON.stringify(next)} after ${
          JSON.stringify(previous)
        }: a sync merges listings in key order (UTF-8 bytes), as S3's general purpose buckets give them`,
        retryable: false
      })
  )

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

const sameObject = (compare: PrefixSyncOptions["compare"], source: Listed, destination: Listed): boolean => {
  switch (compare ?? "size-and-time") {
    case "none":
      return false
    case "size-only":
      return source.size === destination.size
    case "etag":
      return source.size === destination.size && source.etag === destination.etag
    default:
      return source.size === destination.size && seconds(destination.lastModified) >= seconds(source.lastModified)
  }
}

/**
 * The plan: the two listings merged by key below their prefixes, as they stream in, the filters
 * applied to both sides.
 */
export const planWith = (
  s3: S3Po.Service,
  source: SyncLocation,
  destination: SyncLocation,
  options: PrefixSyncOptions
): Stream.Stream<PrefixSyncAction, S3PoError> => {
  const taken = makeFilter(options)
  const fromPrefix = folderOf(source)
  const toPrefix = folderOf(destination)
  const from = (relative: string): ObjectLocation => ({ bucket: source.bucket, key: fromPrefix + relative })
  const to = (relative: string): ObjectLocation => ({ bucket: destination.bucket, key: toPrefix + relative })
  const decide = ({ left, right }: Paired<Listed, Listed>): Option.Option<PrefixSyncAction> => {
    if (left === undefined) {
      return options.delete === true
        ? Option.some({ _tag: "DeleteObject", relative: right.relative, to: to(right.relative) })
        : Option.none()
    }
    const relative = left.relative
    return Option.some(
      right !== undefined && sameObject(options.compare, left, right)
        ? { _tag: "Skip", relative, from: from(relative), to: to(relative) }
        : { _tag: "Copy", relative, from: from(relative), to: to(relative), size: left.size }
    )
  }
  return Stream.filterMap(
    mergeByKey(
      Stream.filter(objectsBelow(s3, source.bucket, fromPrefix), (object) => taken(object.relative)),
      Stream.filter(objectsBelow(s3, destination.bucket, toPrefix), (object) => taken(object.relative)),
      (object) => object.relative,
      (object) => object.relative
    ),
    decide
  )
}

const sizeOf = (action: PrefixSyncAction) => action._tag === "Copy" ? action.size : 0

/** A run's counts, each action settled as it is done. */
class PrefixTally extends Tally<PrefixSyncFailure> {
  settle(action: PrefixSyncAction, error: S3PoError | undefined) {
    this.filesDone++
    this.bytesDone += sizeOf(action)
    if (error !== undefined) this.failed.push({ action, error })
    else if (action._tag === "Copy") {
      this.copied++
      this.copiedBytes += action.size
    } else if (action._tag === "Skip") this.skipped++
    else this.deleted++
  }
}

/**
 * How each action is done: a copy at once, a deletion gathered into DeleteObjects requests of up
 * to 1000 keys (`flushDeletes` sends what is left), each counted and reported once settled.
 */
const makeExecute = (s3: S3Po.Service, bucket: string, options: PrefixSyncOptions, tally: PrefixTally) => {
  const {
    compare: _compare,
    concurrency: _concurrency,
    delete: _delete,
    dryRun,
    exclude: _exclude,
    filters: _filters,
    include: _include,
    onAction,
    onProgress,
    ...copyOptions
  } = options
  const settled = (action: PrefixSyncAction, error: S3PoError | undefined) =>
    Effect.suspend(() => {
      tally.settle(action, error)
      const reported = onAction === undefined ? Effect.void : onAction(action, error)
      return onProgress === undefined ? reported : Effect.zipRight(reported, onProgress(tally.progress()))
    })
  const pendingDeletes: Array<Extract<PrefixSyncAction, { _tag: "DeleteObject" }>> = []
  const flushDeletes = Effect.suspend(() => {
    const batch = pendingDeletes.splice(0, pendingDeletes.length)
    if (batch.length === 0) return Effect.void
    return Effect.matchEffect(s3.deleteMany(bucket, batch.map((action) => action.to.key)), {
      onFailure: (error) => Effect.forEach(batch, (action) => settled(action, error), { discard: true }),
      onSuccess: (result) => {
        const failures = new Map(result.failed.map((failed) => [failed.key, failed]))
        return Effect.forEach(batch, (action) => {
          const failed = failures.get(action.to.key)
          return settled(action, failed === undefined ? undefined : deleteFailure(bucket, failed))
        }, { discard: true })
      }
    })
  })
  const execute = (action: PrefixSyncAction): Effect.Effect<void> => {
    if (dryRun === true || action._tag === "Skip") return settled(action, undefined)
    if (action._tag === "DeleteObject") {
      pendingDeletes.push(action)
      return pendingDeletes.length >= maxKeysPerDelete ? flushDeletes : Effect.void
    }
    return Effect.matchEffect(s3.copy(action.from, action.to, copyOptions), {
      onFailure: (error) => settled(action, error),
      onSuccess: () => settled(action, undefined)
    })
  }
  return { execute, flushDeletes }
}

/**
 * Plans and runs a sync between prefixes: actions are taken as the plan finds them, `concurrency`
 * at once.
 */
export const syncPrefixes = (
  source: SyncLocation,
  destination: SyncLocation,
  options: PrefixSyncOptions = {}
): Effect.Effect<PrefixSyncSummary, S3PoError, S3Po> =>
  Validate.guard(
    problemOf("syncCopy", source, destination, options),
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const tally = new PrefixTally()
      const { execute, flushDeletes } = makeExecute(s3, destination.bucket, options, tally)
      yield* planWith(s3, source, destination, options).pipe(
        Stream.tap((action) =>
          Effect.sync(() => {
            tally.filesTotal++
            tally.bytesTotal += sizeOf(action)
          })
        ),
        Stream.onEnd(Effect.sync(() => {
          tally.planned = true
        })),
        Stream.mapEffect(execute, { concurrency: options.concurrency ?? defaultConcurrency, unordered: true }),
        Stream.runDrain
      )
      yield* flushDeletes
      if (options.onProgress !== undefined) yield* options.onProgress(tally.progress())
      return tally.summary(options.dryRun === true)
    }).pipe(
      Effect.withSpan("S3Po.syncCopy", {
        attributes: {
          sourceBucket: source.bucket,
          sourcePrefix: source.prefix ?? "",
          destinationBucket: destination.bucket,
          destinationPrefix: destination.prefix ?? ""
        }
      })
    )
  )

/** The plan of `syncPrefixes`, as a stream of actions in key order: nothing is done. */
export const planPrefixes = (
  source: SyncLocation,
  destination: SyncLocation,
  options: PrefixSyncOptions = {}
): Stream.Stream<PrefixSyncAction, S3PoError, S3Po> => {
  const problem = problemOf("planCopy", source, destination, options)
  return problem !== undefined
    ? Stream.fail(problem)
    : Stream.unwrap(Effect.map(S3Po, (s3) => planWith(s3, source, destination, options)))
}
