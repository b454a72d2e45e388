import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { BucketInfo, DurationOption, PendingUpload } from "../../S3Po.js"
import { type S3PoError, S3ServiceError, ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import * as DeleteMany from "./deleteMany.js"
import { maxKeysPerDelete } from "./limits.js"
import * as Listing from "./listing.js"
import * as Validate from "./validation.js"

/** Bucket management: what a bucket holds as a whole, and the uploads left pending in it. */

export const listBuckets = (retried: Backend): Effect.Effect<ReadonlyArray<BucketInfo>, S3PoError> =>
  Effect.map(Stream.runCollect(Listing.buckets(retried)), Chunk.toReadonlyArray)

export const bucketExists = (retried: Backend, bucket: string): Effect.Effect<boolean, S3PoError> =>
  Validate.guard(
    Validate.bucket("bucketExists", bucket),
    retried.headBucket({ bucket }).pipe(
      Effect.as(true),
      Effect.catchTag("NoSuchBucket", () => Effect.succeed(false))
    )
  )

export const deleteBucket = (retried: Backend, bucket: string): Effect.Effect<void, S3PoError> =>
  Validate.guard(Validate.bucket("deleteBucket", bucket), retried.deleteBucket({ bucket }))

/**
 * Deletes every key under `prefix`, a listed page (1000 keys) at a time, so memory stays flat
 * however many there are. Fails with the first key the server would not delete, and with
 * `BrokenListing` when the listing breaks off: only listed keys are deleted, and none is reported
 * gone that was not.
 */
export const deletePrefix = (retried: Backend, bucket: string, prefix: string): Effect.Effect<number, S3PoError> => {
  const deleteMany = DeleteMany.make(retried)
  const objects = Stream.filterMap(
    Listing.entries(retried, "deletePrefix", bucket, { prefix }),
    (entry) => entry._tag === "Object" ? Option.some(entry.key) : Option.none()
  )
  return Stream.runFoldEffect(
    Stream.grouped(objects, maxKeysPerDelete),
    0,
    (deleted, keys) =>
      Effect.flatMap(deleteMany(bucket, Chunk.toReadonlyArray(keys)), (result) => {
        const failure = result.failed[0]
        return failure === undefined ? Effect.succeed(deleted + result.deleted.length) : Effect.fail(
          new S3ServiceError({
            operation: "deletePrefix",
            bucket,
            key: failure.key,
            status: 200,
            code: failure.code,
            detail: failure.message,
            retryable: false
          })
        )
      })
  )
}

export interface PendingUploadsOptions {
  readonly prefix?: string | undefined
  readonly olderThan?: DurationOption | undefined
}

export const listPendingUploads = (
  retried: Backend,
  bucket: string,
  options: PendingUploadsOptions = {}
): Stream.Stream<PendingUpload, S3PoError> =>
  Stream.unwrap(Validate.guard(
    Validate.bucket("listPendingUploads", bucket) ?? Validate.text("listPendingUploads", "prefix", options.prefix),
    Effect.succeed(Listing.pendingUploads(retried, bucket, options.prefix))
  ))

const olderThanProblem = (olderThan: DurationOption | undefined) => {
  if (olderThan === undefined) return undefined
  const decoded = Validate.durationOf("abortPendingUploads", "olderThan", olderThan)
  if (decoded instanceof ValidationError) return decoded
  return Duration.toMillis(decoded) >= 0 ? undefined : new ValidationError({
    operation: "abortPendingUploads",
    field: "olderThan",
    reason: `must not be negative (a time in the future), got ${Validate.shown(olderThan)}`
  })
}

/**
 * Aborts the pending uploads under `prefix` started at least `olderThan` ago by Effect's `Clock`
 * (all of them without it), a listed page at a time. Returns how many it aborted; one already gone
 * counts as aborted.
 */
export const abortPendingUploads = (
  retried: Backend,
  bucket: string,
  options: PendingUploadsOptions = {}
): Effect.Effect<number, S3PoError> =>
  Validate.guard(
    olderThanProblem(options.olderThan),
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const cutoff = options.olderThan === undefined ? Infinity : now - Duration.toMillis(options.olderThan)
      return yield* listPendingUploads(retried, bucket, options).pipe(
        Stream.filter((upload) => upload.initiated.getTime() <= cutoff),
        Stream.mapEffect((upload) =>
          retried.abortMultipartUpload({ bucket, key: upload.key, uploadId: upload.uploadId }).pipe(
            Effect.catchIf(
              (error) => error._tag === "S3ServiceError" && error.code === "NoSuchUpload",
              () => Effect.void
            )
          ), { concurrency: 4 }),
        Stream.runCount
      )
    })
  )

/** Deletes every object and aborts every pending upload: what `deleteBucket` needs first. */
export const emptyBucket = (
  retried: Backend,
  bucket: string
): Effect.Effect<{ readonly deleted: number; readonly aborted: number }, S3PoError> =>
  Effect.map(
    Effect.all([deletePrefix(retried, bucket, ""), abortPendingUploads(retried, bucket)]),
    ([deleted, aborted]) => ({ deleted, aborted })
  )
