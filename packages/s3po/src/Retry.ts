/**
 * The retry policy every s3po layer applies to transient failures.
 *
 * @since 0.1.0
 */
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/core/retry.js"
import type { DurationOption } from "./S3Po.js"
import type { S3PoError } from "./S3PoError.js"

/**
 * A `Schedule` fed with each retryable failure, or `"off"`. Only transient failures (throttling,
 * 5xx, timeouts, dropped connections, truncated bodies) are ever retried, whatever the schedule.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = Schedule.Schedule<unknown, S3PoError> | "off"

/**
 * @since 0.1.0
 * @category options
 */
export interface ExponentialRetryOptions {
  /** The first delay, e.g. `"200 millis"`. Default 100 ms. */
  readonly base?: DurationOption
  /** Each delay is the previous one times this. Default 2. */
  readonly factor?: number
  /** No delay is longer, e.g. `"30 seconds"`. Default 20 s. */
  readonly maxDelay?: DurationOption
  /** Default 5. */
  readonly maxRetries?: number
}

/**
 * Exponential backoff with jitter: `base × factor^n` (default 100 ms × 2^n), each delay capped at
 * `maxDelay` (default 20 s) and stretched to a server's `Retry-After`, at most `maxRetries`
 * (default 5) retries. Options it cannot take (a delay that is a bare number, or no duration)
 * make a policy that a layer given it refuses, failing with a `ValidationError` that names the
 * option.
 *
 * @example
 * ```ts
 * import { Retry, S3PoMock } from "s3po"
 *
 * const patient = Retry.exponential({ base: "200 millis", maxDelay: "30 seconds", maxRetries: 8 })
 * const layer = S3PoMock.layer({ retry: patient })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const exponential: (options?: ExponentialRetryOptions) => Schedule.Schedule<unknown, S3PoError> =
  internal.exponential

/**
 * The default policy: `exponential()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPolicy: Schedule.Schedule<unknown, S3PoError> = internal.defaultPolicy
