import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { ObjectLocation, WriteConditions } from "../../S3Po.js"
import { PreconditionFailed, type S3PoError } from "../../S3PoError.js"
import type { Backend, Primitive } from "./backend.js"
import { describeWrite, isConditional, sameETag, writeHolds } from "./conditions.js"
import { md5Hex } from "./etag.js"
import { currentAttempt } from "./retry.js"

export const preconditionFailed = (operation: string, location: ObjectLocation, conditions: WriteConditions) =>
  new PreconditionFailed({
    operation,
    ...location,
    expectedETag: conditions.ifMatch,
    condition: describeWrite(conditions)
  })

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

/**
 * A conditional PUT that knows its own write. When an attempt's answer is lost after S3 stored the
 * object, the retry finds the condition broken by that very write: a 412 on a later attempt,
 * while the key holds an object whose ETag is this body's MD5, is this PUT's success. A 412 on the
 * first attempt is always a conflict. (Objects encrypted with SSE-KMS have other ETags: for them
 * the 412 stands.)
 */
export const knowingOwnWrite = (
  put: Primitive<"putObject">,
  head: Primitive<"headObject">
): Primitive<"putObject"> =>
(request) =>
  isConditional(request)
    ? Effect.catchTag(put(request), "PreconditionFailed", (conflict) =>
      Effect.flatMap(FiberRef.get(currentAttempt), (attempt) =>
        attempt === 1 ? Effect.fail(conflict) : head({ bucket: request.bucket, key: request.key }).pipe(
          Effect.flatMap((info) =>
            sameETag(info.etag, md5Hex(request.body)) ? Effect.succeed({ etag: info.etag }) : Effect.fail(conflict)
          ),
          Effect.orElse(() =>
            Effect.fail(conflict)
          )
        )))
    : put(request)
