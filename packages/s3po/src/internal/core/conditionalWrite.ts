import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { randomBytes } from "node:crypto"
import type { ObjectLocation, WriteConditions } from "../../S3Po.js"
import { NoSuchKey, PreconditionFailed, type S3PoError } from "../../S3PoError.js"
import type { Backend, Primitive } from "./backend.js"
import { describeWrite, isConditional, writeHolds } from "./conditions.js"
import { writeIdLength, writeIdName } from "./internalMetadata.js"
import { currentAttempt } from "./retry.js"

export const preconditionFailed = (operation: string, location: ObjectLocation, conditions: WriteConditions) =>
  new PreconditionFailed({
    operation,
    ...location,
    expectedETag: conditions.ifMatch,
    condition: describeWrite(conditions)
  })

/**
 * A conditional write's failure as one error on every server: `ifMatch` over a missing key is
 * `PreconditionFailed` (Ceph RGW answers 412; AWS S3 may answer 404 `NoSuchKey`).
 */
export const conditionFailure = (operation: string, location: ObjectLocation, conditions: WriteConditions) =>
<E>(
  error: E
): E | PreconditionFailed =>
  error instanceof NoSuchKey && conditions.ifMatch !== undefined
    ? preconditionFailed(operation, location, conditions)
    : error

/**
 * Checks a write's conditions against the object the key holds now (HEAD), before a multipart
 * upload or a copy starts: S3 checks them again when the write completes, and servers that ignore
 * them there (Ceph RGW 16 on CompleteMultipartUpload) at least fail before any byte is sent.
 */
export const checkBeforeWriting = (
  backend: Backend,
  operation: string,
  location: ObjectLocation,
  conditions: WriteConditions
): Effect.Effect<void, S3PoError> =>
  isConditional(conditions)
    ? backend.headObject({ bucket: location.bucket, key: location.key }).pipe(
      Effect.map((info): string | undefined => info.etag),
      Effect.catchTag("NoSuchKey", () => Effect.succeed(undefined)),
      Effect.flatMap((current) =>
        writeHolds(conditions, current)
          ? Effect.void
          : Effect.fail(preconditionFailed(operation, location, conditions))
      )
    )
    : Effect.void

/** A 412 on a retry: the condition may have been broken by this very write, stored by an attempt whose answer was lost. */
const onRetry = <A>(
  effect: Effect.Effect<A, S3PoError>,
  ownWrite: (conflict: PreconditionFailed) => Effect.Effect<A, S3PoError>
): Effect.Effect<A, S3PoError> =>
  Effect.catchTag(effect, "PreconditionFailed", (conflict) =>
    Effect.flatMap(
      FiberRef.get(currentAttempt),
      (attempt) =>
        attempt === 1 ? Effect.fail(conflict) : Effect.orElse(ownWrite(conflict), () => Effect.fail(conflict))
    ))

/**
 * A conditional PUT that knows its own object. It carries a write id in its metadata; when the
 * answer of an attempt that stored the object is lost, the retry finds the condition broken (412),
 * and the object under the key carries this write's id: that is this PUT's success. Any other 412
 * is a conflict, even over an object of the very same bytes; the object's checksum is then read
 * with it. `head` is retried.
 */
export const knowingOwnWrite = (
  put: Primitive<"putObject">,
  head: Primitive<"headObject">
): Primitive<"putObject"> =>
(request) => {
  if (!isConditional(request)) return put(request)
  const writeId = randomBytes(writeIdLength / 2).toString("hex")
  const location = { bucket: request.bucket, key: request.key }
  return onRetry(
    put({ ...request, metadata: { ...request.metadata, [writeIdName]: writeId } }),
    (conflict) =>
      Effect.flatMap(
        head({ ...location, checksumMode: true, customerKey: request.customerKey }),
        (info) =>
          info.metadata[writeIdName] !== writeId
            ? Effect.fail(conflict)
            : Effect.succeed(
              info.checksum === undefined ? { etag: info.etag } : { etag: info.etag, checksum: info.checksum }
            )
      )
  ).pipe(Effect.mapError(conditionFailure("PutObject", location, request)))
}

/**
 * A conditional CopyObject whose stored copy's answer was lost: on a retry, a 412 while the
 * destination has the source's ETag (the one the copy is pinned to) is taken for the copy's own.
 * Only a copy of the same source version could be there, so the destination holds what was asked.
 */
export const knowingOwnCopy = (
  copy: Primitive<"copyObject">,
  head: Primitive<"headObject">
): Primitive<"copyObject"> =>
(request) =>
  isConditional(request)
    ? onRetry(copy(request), (conflict) =>
      Effect.flatMap(
        head({ bucket: request.bucket, key: request.key, customerKey: request.customerKey }),
        (info) => info.etag === request.source.ifMatch ? Effect.succeed({ etag: info.etag }) : Effect.fail(conflict)
      ))
    : copy(request)
