import type * as Duration from "effect/Duration"
import type { Checksum } from "../../S3Po.js"
import {
  AccessDenied,
  BucketNotEmpty,
  ChecksumMismatch,
  NoSuchBucket,
  NoSuchKey,
  NotModified,
  PreconditionFailed,
  type S3PoError,
  S3ServiceError,
  Throttled
} from "../../S3PoError.js"

/** Where a request was going, to name it in the error. */
export interface RequestContext {
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  /** The ETag the request required (If-Match, or a copy source's pin). */
  readonly ifMatch?: string | undefined
  /** The ETag the request sent with If-None-Match, for a 304 whose answer omits it. */
  readonly ifNoneMatch?: string | undefined
  /** The request's conditions as their headers, for a 412 to name. */
  readonly condition?: string | undefined
  /** The checksum a write sent, for a `BadDigest` to name. */
  readonly checksum?: Checksum | undefined
}

/** An error answer from S3: its status, and its code and message when it had a body. */
export interface ErrorAnswer {
  readonly status: number
  readonly code?: string | undefined
  readonly message?: string | undefined
  readonly requestId?: string | undefined
  readonly retryAfter?: Duration.Duration | undefined
  /** The ETag header of the answer (a 304 may carry one). */
  readonly etag?: string | undefined
}

const throttlingCodes = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "PriorRequestNotComplete",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException"
])

const transientCodes = new Set([
  "InternalError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ServiceUnavailable",
  // A conditional write raced by another write to the same key: S3 asks for it to be sent again.
  "ConditionalRequestConflict",
  // An upload whose bytes do not match its signed SHA-256 was altered on the way; the bytes are
  // still held, and sent again they usually arrive whole (a `BadDigest` is a `ChecksumMismatch`).
  "XAmzContentSHA256Mismatch"
])

/** An S3 error code for an answer without one, and what it means to the user, by its status. */
const fromStatus = (status: number): { readonly code: string; readonly detail: string } => {
  switch (status) {
    case 301:
      return { code: "PermanentRedirect", detail: "the bucket is in another region: set the region it is in" }
    case 400:
      return { code: "BadRequest", detail: "the server refused the request as malformed" }
    case 403:
      return { code: "Forbidden", detail: "access denied" }
    case 404:
      return { code: "NotFound", detail: "not found" }
    case 405:
      return { code: "MethodNotAllowed", detail: "the server does not allow this request here" }
    case 304:
      return { code: "NotModified", detail: "not modified" }
    case 409:
      return { code: "Conflict", detail: "the request conflicts with the state of the bucket or object" }
    case 412:
      return { code: "PreconditionFailed", detail: "a precondition of the request did not hold" }
    default:
      return {
        code: `Http${status}`,
        detail: status >= 500 ? "the server failed to answer the request" : `the server answered HTTP ${status}`
      }
  }
}

/**
 * The typed error for an error answer from S3, judged by its status and code only: its message is
 * free text (a 404 `NoSuchUpload` says the upload "may have been aborted"), kept as detail.
 */
export const fromErrorAnswer = (context: RequestContext, answer: ErrorAnswer): S3PoError => {
  const where = { operation: context.operation, bucket: context.bucket, key: context.key }
  const { requestId, status } = answer
  const { code, detail } = answer.code === undefined
    ? fromStatus(status)
    : { code: answer.code, detail: answer.message ?? answer.code }
  if (code === "NoSuchKey" || (status === 404 && code === "NotFound" && context.key !== undefined)) {
    return new NoSuchKey({ ...where, key: context.key ?? "", requestId })
  }
  // A bucket request's bare 404 (HEAD has no body) can only mean the bucket.
  if (code === "NoSuchBucket" || (status === 404 && code === "NotFound")) {
    return new NoSuchBucket({ ...where, requestId })
  }
  if (code === "BucketNotEmpty") {
    return new BucketNotEmpty({ operation: where.operation, bucket: where.bucket, requestId })
  }
  if (status === 403 || code === "AccessDenied") return new AccessDenied({ ...where, code, requestId })
  if (status === 304 && context.key !== undefined) {
    return new NotModified({ ...where, key: context.key, etag: answer.etag ?? context.ifNoneMatch, requestId })
  }
  if (status === 412 && context.key !== undefined) {
    return new PreconditionFailed({
      ...where,
      key: context.key,
      expectedETag: context.ifMatch,
      condition: context.condition,
      requestId
    })
  }
  // The server's checksum of the bytes it received is not the one sent; S3 does not say its own.
  if (code === "BadDigest" && context.key !== undefined) {
    return new ChecksumMismatch({
      ...where,
      key: context.key,
      algorithm: context.checksum?.algorithm ?? "Content-MD5",
      expected: context.checksum?.value ?? "the Content-MD5 sent",
      actual: "another (the server does not say which)",
      requestId
    })
  }
  if (status === 429 || throttlingCodes.has(code)) {
    return new Throttled({ ...where, status, code, retryAfter: answer.retryAfter, requestId })
  }
  return new S3ServiceError({
    ...where,
    status,
    code,
    detail,
    // A 409 on Complete asks for a new upload, not the same Complete again.
    retryable: status >= 500 || status === 408 ||
      (transientCodes.has(code) &&
        !(code === "ConditionalRequestConflict" && context.operation === "CompleteMultipartUpload")),
    requestId
  })
}
