import * as Effect from "effect/Effect"
import { isRetryable, NoSuchBucket, type S3PoError } from "../../S3PoError.js"
import type { Backend, Primitive } from "./backend.js"

/**
 * HEAD of an object answers a missing key and a missing bucket alike: 404 without a body, so
 * without the error code that tells them apart (a GET's answer has one; the mock answers HEAD as S3
 * does, so this runs in front of every backend, before the retries). On that answer only, one
 * HeadBucket asks: a missing bucket fails as `NoSuchBucket`, so that a typo in a bucket name never
 * reads as "not there yet". A bucket that is there keeps the `NoSuchKey`; a HeadBucket that could
 * not answer for now (throttled, a server error) fails with its own error, which the retry policy
 * retries with the HEAD; any other failure of it (access denied to HeadBucket) keeps the
 * `NoSuchKey`. A found object costs nothing more; a missing one costs one request more.
 */
export const tellingMissingBucket = (
  headObject: Primitive<"headObject">,
  headBucket: Primitive<"headBucket">
): Primitive<"headObject"> =>
(request) =>
  Effect.catchTag(
    headObject(request),
    "NoSuchKey",
    (missingKey) =>
      Effect.matchEffect(headBucket({ bucket: request.bucket }), {
        onSuccess: () => Effect.fail(missingKey),
        onFailure: (error): Effect.Effect<never, S3PoError> =>
          error._tag === "NoSuchBucket"
            ? Effect.fail(
              new NoSuchBucket({
                operation: missingKey.operation,
                bucket: request.bucket,
                key: request.key,
                requestId: error.requestId
              })
            )
            : Effect.fail(isRetryable(error) ? error : missingKey)
      })
  )

/** The backend with its HEAD's 404 told apart (`tellingMissingBucket`). */
export const withBucketCheck = (backend: Backend): Backend => ({
  ...backend,
  headObject: tellingMissingBucket(backend.headObject, backend.headBucket)
})
