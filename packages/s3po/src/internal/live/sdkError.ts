import * as Duration from "effect/Duration"
import { ChecksumMismatch, type S3PoError, TransportError } from "../../S3PoError.js"
import { fromErrorAnswer, type RequestContext } from "../core/classify.js"

export type { RequestContext }

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
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  // A body that ended short of its Content-Length (the connection closed early).
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "ERR_STREAM_PREMATURE_CLOSE"
])

/** Timeouts, by the codes of Node and of `undici` (s3po's own transport). */
const timeoutCodes = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT"
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

/** A `Retry-After` header's wait: seconds, or an HTTP date. */
export const retryAfterFrom = (header: string | undefined): Duration.Duration | undefined => {
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

/**
 * The SDK's own check of a GET body against the `x-amz-checksum-*` header it was answered with
 * (checksum mode): a plain `Error` with this message, in the SDK's order of the two values.
 */
const sdkChecksumMismatch =
  /^Checksum mismatch: expected "([^"]*)" but received "([^"]*)" in response header "x-amz-checksum-([a-z0-9]+)"/

/** What the SDK names an answer that carried no S3 error code (a HEAD answer has no body). */
const noCode = new Set(["Unknown", "UnknownError", "NotFound", "Forbidden", "BadRequest"])

/**
 * Maps anything the AWS SDK throws to one of s3po's tagged errors: the only place that knows the
 * SDK's error shapes. Raw SDK objects are not kept, so no request detail (headers, signatures)
 * reaches an error. An answer from S3 is classified by its status and error code only
 * (`fromErrorAnswer`); messages are read only for failures that never got an answer.
 */
export const fromSdkError = (context: RequestContext, error: unknown): S3PoError => {
  const shape = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkErrorShape
  const where = { operation: context.operation, bucket: context.bucket, key: context.key }
  const status = shape.$metadata?.httpStatusCode
  const requestId = shape.$metadata?.requestId
  const given = text(shape.Code) ?? text(shape.name) ?? "UnknownError"
  const message = text(shape.message) ?? given

  const mismatch = sdkChecksumMismatch.exec(message)
  if (mismatch !== null && context.key !== undefined) {
    return new ChecksumMismatch({
      ...where,
      key: context.key,
      algorithm: mismatch[3]!.toUpperCase(),
      expected: mismatch[1]!,
      actual: mismatch[2]!
    })
  }

  if (status === undefined || given === "TimeoutError" || given === "AbortError") {
    const code = networkCode(error)
    const timedOut = given === "TimeoutError" || (code !== undefined && timeoutCodes.has(code))
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
  return fromErrorAnswer(context, {
    status,
    code: coded ? given : undefined,
    message: coded && message !== "UnknownError" ? message : undefined,
    requestId,
    retryAfter: retryAfterFrom(shape.$response?.headers?.["retry-after"]),
    etag: text(shape.$response?.headers?.["etag"])
  })
}
