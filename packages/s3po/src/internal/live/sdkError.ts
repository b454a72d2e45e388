import * as Duration from "effect/Duration"
import {
  AccessDenied,
  NoSuchBucket,
  NoSuchKey,
  PreconditionFailed,
  type S3PoError,
  S3ServiceError,
  Throttled,
  TransportError
} from "../../S3PoError.js"

/** Where a request was going, to name it in the error. */
export interface RequestContext {
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  readonly ifMatch?: string | undefined
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

const transientCodes = new Set(["InternalError", "RequestTimeout", "RequestTimeoutException", "ServiceUnavailable"])

const transientNetworkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ERR_STREAM_PREMATURE_CLOSE"
])

interface SdkErrorShape {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly Code?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly $response?: { readonly headers?: Record<string, string | undefined> }
  readonly cause?: unknown
}

const text = (value: unknown): string | undefined => typeof value === "string" && value.length > 0 ? value : undefined

const retryAfterOf = (error: SdkErrorShape): Duration.Duration | undefined => {
  const header = error.$response?.headers?.["retry-after"]
  if (header === undefined) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return Duration.seconds(seconds)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Duration.millis(Math.max(0, date - Date.now()))
}

/** Whether a failure is a transient network fault: the code of the error or of any error it wraps. */
const networkCode = (error: unknown, depth = 0): string | undefined => {
  if (typeof error !== "object" || error === null || depth > 4) return undefined
  const shape = error as SdkErrorShape
  const code = text(shape.code)
  if (code !== undefined && transientNetworkCodes.has(code)) return code
  const message = text(shape.message) ?? ""
  if (/socket hang up|aborted|premature close|other side closed/i.test(message) && shape.name !== "AbortError") {
    return code ?? "ECONNRESET"
  }
  return networkCode(shape.cause, depth + 1)
}

/** What the SDK names an answer that carried no S3 error code (a HEAD answer has no body). */
const noCode = new Set(["Unknown", "UnknownError", "NotFound", "Forbidden", "BadRequest"])

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
 * Maps anything the AWS SDK throws to one of s3po's tagged errors: the only place that knows the
 * SDK's error shapes. Raw SDK objects are not kept, so no request detail (headers, signatures)
 * reaches an error. An answer from S3 is classified by its status and error code only: its message
 * is free text (a 404 `NoSuchUpload` says the upload "may have been aborted"); messages are read
 * only for failures that never got an answer.
 */
export const fromSdkError = (context: RequestContext, error: unknown): S3PoError => {
  const shape = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkErrorShape
  const where = { operation: context.operation, bucket: context.bucket, key: context.key }
  const status = shape.$metadata?.httpStatusCode
  const requestId = shape.$metadata?.requestId
  const given = text(shape.Code) ?? text(shape.name) ?? "UnknownError"
  const message = text(shape.message) ?? given

  if (status === undefined || given === "TimeoutError" || given === "AbortError") {
    const code = networkCode(error)
    const timedOut = given === "TimeoutError" || code === "ETIMEDOUT"
    return new TransportError({
      ...where,
      reason: code === undefined ? `${given}: ${message}` : `${code}: ${message}`,
      retryable: timedOut || code !== undefined
    })
  }
  if (status >= 200 && status < 300) {
    // A success status whose body could not be read: the response was cut short or garbled in transit.
    return new TransportError({ ...where, reason: `unreadable ${status} response: ${message}`, retryable: true })
  }
  const coded = !noCode.has(given) && !/^\d+$/.test(given)
  const { code, detail } = coded
    ? { code: given, detail: message === "UnknownError" ? given : message }
    : fromStatus(status)
  if (code === "NoSuchKey" || (status === 404 && code === "NotFound" && context.key !== undefined)) {
    return new NoSuchKey({ ...where, key: context.key ?? "", requestId })
  }
  if (code === "NoSuchBucket") return new NoSuchBucket({ ...where, requestId })
  if (status === 403 || code === "AccessDenied") return new AccessDenied({ ...where, code, requestId })
  if (status === 412 && context.ifMatch !== undefined && context.key !== undefined) {
    return new PreconditionFailed({ ...where, key: context.key, expectedETag: context.ifMatch, requestId })
  }
  if (status === 429 || throttlingCodes.has(code)) {
    return new Throttled({ ...where, status, code, retryAfter: retryAfterOf(shape), requestId })
  }
  return new S3ServiceError({
    ...where,
    status,
    code,
    detail,
    retryable: status >= 500 || status === 408 || transientCodes.has(code),
    requestId
  })
}
