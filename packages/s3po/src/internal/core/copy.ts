import * as Effect from "effect/Effect"
import type { CopyOptions, ObjectLocation, UploadResult } from "../../S3Po.js"
import { PreconditionFailed, type S3PoError, ValidationError } from "../../S3PoError.js"
import type { Backend, CopySource } from "./backend.js"
import { firstFailure } from "./firstFailure.js"
import { maxSinglePutBytes } from "./limits.js"
import { type MultipartDefaults, multipartUpload, planPartSize } from "./upload.js"
import * as Validate from "./validation.js"

const problemOf = (operation: string, from: ObjectLocation, to: ObjectLocation, options: CopyOptions) => {
  const problem = Validate.location(operation, from.bucket, from.key) ??
    Validate.location(operation, to.bucket, to.key) ??
    Validate.multipart(operation, options) ??
    Validate.objectHeaders(operation, options)
  if (problem !== undefined) return problem
  const sameObject = from.bucket === to.bucket && from.key === to.key
  if (sameObject && (operation === "move" || (options.contentType === undefined && options.metadata === undefined))) {
    return new ValidationError({
      operation,
      field: "to",
      reason: operation === "move"
        ? "is the source: a move onto itself would delete it"
        : "is the source: a copy onto itself must change its content type or metadata"
    })
  }
  return undefined
}

/** The ranges of `partSize` bytes that cover `size` bytes, as parts numbered from 1. */
const partRanges = (size: number, partSize: number) =>
  Array.from({ length: Math.ceil(size / partSize) }, (_, index) => ({
    partNumber: index + 1,
    range: { start: index * partSize, end: Math.min((index + 1) * partSize, size) - 1 }
  }))

/**
 * A server-side copy: one CopyObject up to the multipart threshold (at most 5 GiB, CopyObject's
 * limit), else a multipart copy of `partSize` ranges, `partConcurrency` at once, each retried alone.
 * Every request is pinned to the source's ETag, and the source's ETag is checked again before the
 * parts are joined, so a source replaced mid-copy fails with `PreconditionFailed` instead of mixing
 * versions. Content type and metadata are each kept unless
 * given: giving one replaces only that one (S3's `REPLACE` resets both, so the other is carried
 * over from the source).
 */
export const copy = (retried: Backend, defaults: MultipartDefaults) =>
(
  operation: string,
  from: ObjectLocation,
  to: ObjectLocation,
  options: CopyOptions = {}
): Effect.Effect<UploadResult, S3PoError> =>
  Validate.guard(
    problemOf(operation, from, to, options),
    Effect.gen(function*() {
      const info = yield* retried.headObject(from)
      const source: CopySource = { bucket: from.bucket, key: from.key, ifMatch: info.etag }
      const replaced = options.contentType === undefined && options.metadata === undefined ? undefined : {
        contentType: options.contentType ?? info.contentType,
        metadata: options.metadata ?? info.metadata
      }
      const threshold = Math.min(options.multipartThreshold ?? maxSinglePutBytes, maxSinglePutBytes)
      if (info.size <= threshold) {
        const { etag } = yield* retried.copyObject({ ...to, source, replace: replaced })
        return { etag, size: info.size, parts: 0 }
      }
      const partSize = planPartSize(options.partSize ?? defaults.partSize, info.size)
      const sourceChanged = new PreconditionFailed({
        operation: "UploadPartCopy",
        bucket: from.bucket,
        key: from.key,
        expectedETag: info.etag
      })
      const headers = replaced ?? { contentType: info.contentType, metadata: info.metadata }
      return yield* multipartUpload(retried, { ...to, ...headers }, (ref) =>
        Effect.map(
          Effect.forEach(
            partRanges(info.size, partSize),
            ({ partNumber, range }) =>
              retried.uploadPartCopy({ ...ref, partNumber, source, range }).pipe(
                Effect.map(({ etag }) => ({ partNumber, etag })),
                // The ranges come from the source's size: one out of range means the source changed
                // (Ceph RGW checks the range before the ETag).
                Effect.catchIf(
                  (error) => error._tag === "S3ServiceError" && error.status === 416,
                  () => Effect.fail(sourceChanged)
                )
              ),
            { concurrency: options.partConcurrency ?? defaults.partConcurrency }
          ).pipe(
            firstFailure,
            // Where a server ignores the pin (Ceph RGW 16 does), the source must still be the one
            // the parts were copied from when they are joined.
            Effect.zipLeft(
              Effect.flatMap(
                retried.headObject(from),
                (now) => now.etag === info.etag ? Effect.void : Effect.fail(sourceChanged)
              )
            )
          ),
          (parts) => ({ parts, size: info.size })
        ))
    })
  )
