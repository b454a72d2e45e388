import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { BucketInfo, DurationOption, EmptyBucketResult, ObjectVersionRef, PendingUpload } from "../../S3Po.js"
import { type S3PoError, S3ServiceError, ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import * as DeleteMany from "./deleteMany.js"
import { maxKeysPerDelete } from "./limits.js"
import * as Listing from "./listing.js"
import { lockOf } from "./locks.js"
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

/**
 * Whether the bucket has had versioning (it may hold versions and delete markers that a listing of
 * objects does not show). A backend without versions (`501`) has none.
 */
const hasVersions = (retried: Backend, bucket: string): Effect.Effect<boolean, S3PoError> =>
  retried.getBucketVersioning({ bucket }).pipe(
    Effect.map((status) => status !== "Unversioned"),
    Effect.catchIf(
      (error) => error._tag === "S3ServiceError" && error.status === 501,
      () => Effect.succeed(false)
    )
  )

type Failure = EmptyBucketResult["failed"][number]

/** A version the server refused to delete, as `ObjectLocked` with the lock when its lock is why. */
const lockedFailure = (retried: Backend, bucket: string, failure: Failure): Effect.Effect<Failure> =>
  failure.code !== "AccessDenied" || failure.versionId === undefined ? Effect.succeed(failure) : Effect.map(
    lockOf(retried, bucket, failure.key, failure.versionId, false),
    Option.match({
      onNone: () => failure,
      onSome: (reason) => ({ ...failure, code: "ObjectLocked", message: reason })
    })
  )

/**
 * Each element once the one after it has been pulled (the last at the end): a listing's next page is
 * asked for before the last entry of the page before is acted on, so that the markers it is asked
 * with name an entry that still exists (a server may not find its place after a version deleted).
 */
const behindByOne = <A, E, R>(stream: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    let held: Option.Option<A> = Option.none()
    const passed = Stream.mapChunks(stream, (chunk) => {
      if (Chunk.isEmpty(chunk)) return chunk
      const out = Chunk.appendAll(
        Option.match(held, { onNone: Chunk.empty<A>, onSome: Chunk.of }),
        Chunk.dropRight(chunk, 1)
      )
      held = Chunk.last(chunk)
      return out
    })
    return Stream.concat(passed, Stream.suspend(() => Stream.fromIterable(Option.toArray(held))))
  })

/**
 * Deletes every version and delete marker of the bucket, a listed page (1000) at a time, each once:
 * a version the server refuses (a locked one) is reported, never tried again.
 */
const deleteVersions = (
  retried: Backend,
  bucket: string
): Effect.Effect<{ readonly deleted: number; readonly failed: ReadonlyArray<Failure> }, S3PoError> => {
  const deleteMany = DeleteMany.make(retried)
  const versions = Stream.filterMap(
    Listing.versions(retried, "emptyBucket", bucket, {}),
    (entry): Option.Option<ObjectVersionRef> =>
      entry._tag === "CommonPrefix" ? Option.none() : Option.some({ key: entry.key, versionId: entry.versionId })
  )
  return Stream.runFoldEffect(
    Stream.grouped(behindByOne(versions), maxKeysPerDelete),
    { deleted: 0, failed: [] as ReadonlyArray<Failure> },
    (done, refs) =>
      Effect.flatMap(deleteMany(bucket, Chunk.toReadonlyArray(refs)), (result) =>
        Effect.map(
          Effect.forEach(result.failed, (failure) => lockedFailure(retried, bucket, failure), { concurrency: 4 }),
          (failed) => ({ deleted: done.deleted + result.deleted.length, failed: [...done.failed, ...failed] })
        ))
  )
}

/**
 * Deletes every object and aborts every pending upload: what `deleteBucket` needs first. In a bucket
 * that has had versioning, every version and delete marker; those it could not delete are reported.
 */
export const emptyBucket = (retried: Backend, bucket: string): Effect.Effect<EmptyBucketResult, S3PoError> =>
  Validate.guard(
    Validate.bucket("emptyBucket", bucket),
    Effect.gen(function*() {
      const objects = (yield* hasVersions(retried, bucket))
        ? deleteVersions(retried, bucket)
        : Effect.map(deletePrefix(retried, bucket, ""), (deleted) => ({ deleted, failed: [] }))
      const [removed, aborted] = yield* Effect.all([objects, abortPendingUploads(retried, bucket)])
      return { deleted: removed.deleted, aborted, failed: removed.failed }
    })
  )
