import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Ref from "effect/Ref"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend, GovernanceOperation } from "../core/backend.js"
import { md5Hex } from "../core/etag.js"
import * as State from "./state.js"
import { detailsOf, Slabs, StoredObject } from "./storedObject.js"

/**
 * The request primitives over an in-memory store in a `Ref`, with S3's rules (`state.ts`). Reads
 * see one state; writes go from one state to the next atomically. Bodies are copied into the store's
 * own memory before the step, so the caller may change theirs.
 */
export const make = (state: Ref.Ref<State.MockState>, slabs: Slabs): Backend => {
  const read = <A>(f: (current: State.MockState) => State.Read<A>): Effect.Effect<A, S3PoError> =>
    Effect.flatMap(Ref.get(state), f)

  const write = <A>(f: (current: State.MockState) => State.Write<A>): Effect.Effect<A, S3PoError> =>
    Effect.flatten(Ref.modify(state, (current): readonly [State.Read<A>, State.MockState] => {
      const outcome = f(current)
      return Either.isLeft(outcome)
        ? [Either.left(outcome.left), current]
        : [Either.right(outcome.right[0]), outcome.right[1]]
    }))

  /** Runs `f` with the time from the fiber's `Clock`, in whole seconds as S3 keeps it, in one step. */
  const atNow = <A, E>(f: (now: number) => Effect.Effect<A, E>) =>
    Effect.clockWith((clock) => f(Math.floor(clock.unsafeCurrentTimeMillis() / 1000) * 1000))

  return {
    listBuckets: () => read(State.listBuckets),
    headBucket: (request) => read((current) => State.headBucket(current, request)),
    createBucket: (request) => atNow((now) => write((current) => State.createBucket(current, request, now))),
    deleteBucket: (request) => write((current) => State.deleteBucket(current, request)),
    putObject: (request) =>
      atNow((now) => {
        const details = detailsOf(request)
        return write((current) =>
          State.putObject(current, request, (checksum) =>
            StoredObject.copyOf(
              slabs,
              request.body,
              request.contentType ?? State.storedContentTypeWhenNoneSent,
              State.lowerCaseNames(request.metadata),
              now,
              details,
              checksum
            ), now)
        )
      }),
    getObject: (request) => read((current) => State.getObject(current, request)),
    headObject: (request) => read((current) => State.headObject(current, request)),
    listPage: (request) => read((current) => State.listPage(current, request)),
    deleteObject: (request) => atNow((now) => write((current) => State.deleteObject(current, request, now))),
    deleteObjects: (request) => atNow((now) => write((current) => State.deleteObjects(current, request, now))),
    createMultipartUpload: (request) =>
      atNow((now) => write((current) => State.createMultipartUpload(current, request, detailsOf(request), now))),
    uploadPart: (request) => {
      const part = { etag: `"${md5Hex(request.body)}"`, body: request.body.slice() }
      return write((current) => State.uploadPart(current, request, part))
    },
    copyObject: (request) =>
      atNow((now) =>
        write((current) =>
          State.copyObject(
            current,
            request,
            (body, contentType, metadata, details, checksum) =>
              StoredObject.copyOf(slabs, body, contentType, metadata, now, details, checksum),
            detailsOf,
            now
          )
        )
      ),
    uploadPartCopy: (request) => write((current) => State.uploadPartCopy(current, request)),
    completeMultipartUpload: (request) =>
      atNow((now) => write((current) => State.completeMultipartUpload(current, request, now))),
    abortMultipartUpload: (request) => write((current) => State.abortMultipartUpload(current, request)),
    listMultipartUploads: (request) => read((current) => State.listMultipartUploads(current, request)),
    getObjectTagging: (request) => read((current) => State.getObjectTagging(current, request)),
    putObjectTagging: (request) => write((current) => State.putObjectTagging(current, request)),
    ...governance(read, write, atNow)
  }
}

/** The primitives of versions, object lock and lifecycle rules, over the same steps as the rest. */
const governance = (
  read: <A>(f: (current: State.MockState) => State.Read<A>) => Effect.Effect<A, S3PoError>,
  write: <A>(f: (current: State.MockState) => State.Write<A>) => Effect.Effect<A, S3PoError>,
  atNow: <A, E>(f: (now: number) => Effect.Effect<A, E>) => Effect.Effect<A, E>
): Pick<Backend, GovernanceOperation> => ({
  getBucketVersioning: (request) => read((current) => State.getBucketVersioning(current, request)),
  putBucketVersioning: (request) => write((current) => State.putBucketVersioning(current, request)),
  listVersionsPage: (request) => read((current) => State.listVersionsPage(current, request)),
  getObjectLockConfiguration: (request) => read((current) => State.getObjectLockConfiguration(current, request)),
  putObjectLockConfiguration: (request) => write((current) => State.putObjectLockConfiguration(current, request)),
  getObjectRetention: (request) => read((current) => State.getObjectRetention(current, request)),
  putObjectRetention: (request) => atNow((now) => write((current) => State.putObjectRetention(current, request, now))),
  getObjectLegalHold: (request) => read((current) => State.getObjectLegalHold(current, request)),
  putObjectLegalHold: (request) => write((current) => State.putObjectLegalHold(current, request)),
  getBucketLifecycle: (request) => read((current) => State.getBucketLifecycle(current, request)),
  putBucketLifecycle: (request) => write((current) => State.putBucketLifecycle(current, request)),
  deleteBucketLifecycle: (request) => write((current) => State.deleteBucketLifecycle(current, request))
})

/** A backend over a new, empty store. */
export const makeEmpty: Effect.Effect<Backend> = Effect.map(
  Ref.make(State.emptyState),
  (state) => make(state, new Slabs())
)
