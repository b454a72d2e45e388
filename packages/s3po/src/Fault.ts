/**
 * Faults to inject into requests, on any layer: `S3PoMock.layer({ faults })` in front of the
 * in-memory store, `S3PoLive.layer({ faults })` in front of a real server. S3 error responses,
 * dropped connections, timeouts, bodies cut short and bodies with a byte changed, on the requests a
 * `Rule` picks. An injected fault becomes the same typed error the real failure would, and goes
 * through the same retry policy.
 *
 * Every fault is made by a function: `Fault.internalError()`, `Fault.throttled({ retryAfter: "2 seconds" })`.
 *
 * @example
 * ```ts
 * import { Fault, S3Po, S3PoMock } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * // The first two PUTs of report.csv answer 503 SlowDown; the retry policy gets past them.
 * const flaky = S3PoMock.layer({
 *   seed: { reports: {} },
 *   faults: [{ fault: Fault.throttled(), operation: "PutObject", key: "report.csv", times: 2 }]
 * })
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   yield* s3.upload("reports", "report.csv", "a,b\n1,2\n")
 *   return (yield* S3PoMock.Control.pipe(Effect.flatMap((control) => control.callCounts))).total
 * })
 *
 * Effect.runPromise(Effect.provide(program, flaky)).then(console.log) // 3
 * ```
 *
 * @since 0.5.0
 */
import type * as Duration from "effect/Duration"
import * as ArgumentShapes from "./internal/core/argumentShapes.js"
import * as Validate from "./internal/core/validation.js"
import type { DurationOption, S3Operation } from "./S3Po.js"
import { ValidationError } from "./S3PoError.js"

/**
 * What an injected request fails with.
 *
 * @since 0.5.0
 * @category models
 */
export type Fault = ErrorResponse | ConnectionReset | Timeout | TruncatedBody | CorruptedBody

/**
 * An S3 error response: a status and an S3 error code, such as `503 SlowDown`.
 *
 * @since 0.5.0
 * @category models
 */
export interface ErrorResponse {
  readonly _tag: "ErrorResponse"
  readonly status: number
  readonly code: string
  readonly message: string
  readonly retryAfter?: Duration.Duration | undefined
}

/**
 * The connection drops before a response arrives: a retryable `TransportError`.
 *
 * @since 0.5.0
 * @category models
 */
export interface ConnectionReset {
  readonly _tag: "ConnectionReset"
}

/**
 * No response within the request timeout: a retryable `TransportError`.
 *
 * @since 0.5.0
 * @category models
 */
export interface Timeout {
  readonly _tag: "Timeout"
}

/**
 * A GetObject response whose body ends after half of its bytes; downloads resume from the first
 * missing byte. Rules with this fault match GetObject requests only.
 *
 * @since 0.5.0
 * @category models
 */
export interface TruncatedBody {
  readonly _tag: "TruncatedBody"
}

/**
 * A GetObject response with one byte of its body changed (every bit of it flipped), and its status,
 * headers and length as they were: what a faulty proxy, NIC or store does unnoticed unless the
 * reader verifies. Rules with this fault match GetObject requests only.
 *
 * @since 0.5.0
 * @category models
 */
export interface CorruptedBody {
  readonly _tag: "CorruptedBody"
  /** Which byte of the body answered (of the range, for a ranged GET): default its middle one; past the end, the last. */
  readonly at?: number | undefined
}

/**
 * Any S3 error response. Classified as `S3PoLive` classifies real ones: 429 and throttling codes
 * are `Throttled`, 5xx are retryable `S3ServiceError`s, `NoSuchKey` is `NoSuchKey`, 403 is
 * `AccessDenied`, and so on. Options it cannot take (a `retryAfter` that is a bare number) make a
 * fault that a layer given it refuses with a `ValidationError`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const quotaExceeded = Fault.errorResponse({ status: 403, code: "QuotaExceeded", message: "Over quota" })
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const errorResponse = (options: {
  readonly status: number
  readonly code: string
  readonly message?: string | undefined
  readonly retryAfter?: DurationOption | undefined
}): Fault => {
  // A fault cannot fail: one made from input it cannot take is refused by the layer given it.
  const operation = "Fault.errorResponse"
  const shapes = ArgumentShapes.argumentsProblem(operation, [["options", "requiredOptions"]], [options])
  if (shapes !== undefined) return ArgumentShapes.withInvalidInput({ _tag: "ConnectionReset" }, shapes)
  const retryAfter = options.retryAfter === undefined
    ? undefined
    : Validate.durationOf(operation, "retryAfter", options.retryAfter)
  const fault: ErrorResponse = {
    _tag: "ErrorResponse",
    status: options.status,
    code: options.code,
    message: options.message ?? `${Validate.shown(options.code)} (injected by s3po)`,
    retryAfter: retryAfter instanceof ValidationError ? undefined : retryAfter
  }
  return retryAfter instanceof ValidationError ? ArgumentShapes.withInvalidInput(fault, retryAfter) : fault
}

/**
 * `503 SlowDown`, S3's answer to too many requests, optionally with a `Retry-After`
 * (`Fault.throttled({ retryAfter: "2 seconds" })`).
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const slowDown = Fault.throttled({ retryAfter: "2 seconds" })
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const throttled = (options: { readonly retryAfter?: DurationOption | undefined } = {}): Fault =>
  errorResponse({ status: 503, code: "SlowDown", message: "Please reduce your request rate.", ...options })

/**
 * `500 InternalError`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.internalError(), operation: "GetObject" as const, nth: 1 }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const internalError = (): Fault =>
  errorResponse({ status: 500, code: "InternalError", message: "We encountered an internal error. Please try again." })

/**
 * `503 ServiceUnavailable`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.serviceUnavailable(), rate: 0.1 }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const serviceUnavailable = (): Fault =>
  errorResponse({ status: 503, code: "ServiceUnavailable", message: "Service is unable to handle request." })

/**
 * `404 NoSuchKey`, as if the object were missing.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.noSuchKey(), key: "config.json" }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const noSuchKey = (): Fault =>
  errorResponse({ status: 404, code: "NoSuchKey", message: "The specified key does not exist." })

/**
 * `403 AccessDenied`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.accessDenied(), operation: "DeleteObject" as const }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const accessDenied = (): Fault => errorResponse({ status: 403, code: "AccessDenied", message: "Access Denied" })

/**
 * The connection drops before an answer arrives (`ECONNRESET`): a retryable `TransportError`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * // The upload takes effect and only its answer is lost: the retry finds it done.
 * const rule = { fault: Fault.connectionReset(), operation: "PutObject" as const, nth: 1, takesEffect: true }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const connectionReset = (): Fault => ({ _tag: "ConnectionReset" })

/**
 * No answer in time (`TimeoutError`): a retryable `TransportError`.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.timeout(), operation: "HeadObject" as const, times: 1 }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const timeout = (): Fault => ({ _tag: "Timeout" })

/**
 * A GetObject whose body ends after half of its bytes; the download resumes from there.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.truncatedBody(), nth: 1 }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const truncatedBody = (): Fault => ({ _tag: "TruncatedBody" })

/**
 * A GetObject whose body has one byte changed and keeps its length: by default the middle byte of
 * the body answered, or the one `at` says (the last, for an `at` past the end). An empty body is
 * answered as it is. To test what code does with bytes that do not match the object's checksum.
 *
 * @example
 * ```ts
 * import { Fault } from "s3po"
 *
 * const rule = { fault: Fault.corruptedBody({ at: 0 }), key: "data.bin", times: 1 }
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const corruptedBody = (options: { readonly at?: number | undefined } = {}): Fault => {
  const operation = "Fault.corruptedBody"
  const fault: CorruptedBody = { _tag: "CorruptedBody", at: undefined }
  const shapes = ArgumentShapes.argumentsProblem(operation, [["options", "options"]], [options])
  if (shapes !== undefined) return ArgumentShapes.withInvalidInput(fault, shapes)
  const at: unknown = options.at
  return at === undefined || (Number.isSafeInteger(at) && (at as number) >= 0)
    ? { ...fault, at: at as number | undefined }
    : ArgumentShapes.withInvalidInput(
      fault,
      new ValidationError({
        operation,
        field: "at",
        reason: `must be a whole number of at least 0, got ${Validate.shown(at)}`
      })
    )
}

/**
 * One request as rules and the call log see it. Every attempt is a request of its own.
 *
 * @since 0.5.0
 * @category models
 */
export interface Request {
  readonly operation: S3Operation
  readonly bucket: string
  readonly key?: string | undefined
  /** For UploadPart. */
  readonly partNumber?: number | undefined
  /** 1 for a first try, then 2, 3, ... as s3po retries the request (or resumes a download). */
  readonly attempt: number
}

/**
 * Which requests fail, and how. A rule matches the requests that pass all of its filters; of
 * those, it fails the ones `nth` and `rate` pick, at most `times` in all. Rules are tried in the
 * order given, and the first that fires fails the request; every rule counts every request it
 * matches.
 *
 * @since 0.5.0
 * @category models
 */
export interface Rule {
  readonly fault: Fault
  readonly operation?: S3Operation | ReadonlyArray<S3Operation> | undefined
  readonly bucket?: string | undefined
  readonly key?: string | ((key: string) => boolean) | undefined
  /** Any other condition on the request, e.g. `(request) => request.partNumber === 37`. */
  readonly match?: ((request: Request) => boolean) | undefined
  /** Fail only the nth matching request(s), counting from 1. */
  readonly nth?: number | ReadonlyArray<number> | undefined
  /** Fail this fraction of matching requests, drawn from the layer's seeded random numbers. */
  readonly rate?: number | undefined
  /** Fail at most this many requests. */
  readonly times?: number | undefined
  /**
   * When true, the request reaches S3 and takes effect, and only its response is lost to the fault:
   * what a connection dropped on the way back looks like. Default false: the request never arrives.
   */
  readonly takesEffect?: boolean | undefined
}
