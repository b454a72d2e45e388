import * as Duration from "effect/Duration"
import type { BandwidthLimit, RateLimit } from "../../S3PoBackend.js"
import { ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import * as Bandwidth from "./bandwidth.js"
import * as Throttling from "./throttling.js"
import * as Validate from "./validation.js"

/** The limits a layer puts in front of its backend, as `S3PoLive.layer` and `S3PoMock.layer` take them. */
export interface TransferLimits {
  readonly rateLimit?: RateLimit | undefined
  readonly bandwidthLimit?: BandwidthLimit | undefined
}

const isPositive = (value: unknown, whole: boolean): value is number =>
  typeof value === "number" && Number.isFinite(value) && value >= 1 && (!whole || Number.isSafeInteger(value))

/** A request rate as `withRateLimit` takes it, its interval decoded, or what is wrong with it. */
export const rateLimitOf = (operation: string, field: string, rate: unknown):
  | RateLimit & {
    readonly interval: Duration.Duration
  }
  | ValidationError =>
{
  if (typeof rate !== "object" || rate === null) {
    return new ValidationError({
      operation,
      field,
      reason: `must be { limit, interval? }, got ${Validate.shown(rate)}`
    })
  }
  const { interval, limit } = rate as RateLimit
  if (!isPositive(limit, true)) {
    return new ValidationError({
      operation,
      field: `${field}.limit`,
      reason: `must be a whole number of at least 1, got ${Validate.shown(limit)}`
    })
  }
  const decoded = interval === undefined
    ? Duration.seconds(1)
    : Validate.durationOf(operation, `${field}.interval`, interval)
  return decoded instanceof ValidationError ? decoded : { limit, interval: decoded }
}

/** A bandwidth as `withBandwidthLimit` takes it, its burst filled in, or what is wrong with it. */
export const bandwidthLimitOf = (
  operation: string,
  field: string,
  bandwidth: unknown
): Required<BandwidthLimit> | ValidationError => {
  if (typeof bandwidth !== "object" || bandwidth === null) {
    return new ValidationError({
      operation,
      field,
      reason: `must be { bytesPerSecond, burst? }, got ${Validate.shown(bandwidth)}`
    })
  }
  const { burst, bytesPerSecond } = bandwidth as BandwidthLimit
  if (!isPositive(bytesPerSecond, false)) {
    return new ValidationError({
      operation,
      field: `${field}.bytesPerSecond`,
      reason: `must be a number of at least 1, got ${Validate.shown(bytesPerSecond)}`
    })
  }
  if (burst !== undefined && !isPositive(burst, true)) {
    return new ValidationError({
      operation,
      field: `${field}.burst`,
      reason: `must be a whole number of at least 1, got ${Validate.shown(burst)}`
    })
  }
  return { bytesPerSecond, burst: burst ?? Math.max(1, Math.round(bytesPerSecond)) }
}

/** The backend behind the limits the options ask for, or what is wrong with them, before any request. */
export const withLimits = (operation: string, backend: Backend, limits: TransferLimits): Backend | ValidationError => {
  let limited = backend
  if (limits.bandwidthLimit !== undefined) {
    const bandwidth = bandwidthLimitOf(operation, "bandwidthLimit", limits.bandwidthLimit)
    if (bandwidth instanceof ValidationError) return bandwidth
    limited = Bandwidth.withBandwidthLimit(limited, bandwidth.bytesPerSecond, bandwidth.burst)
  }
  if (limits.rateLimit !== undefined) {
    const rate = rateLimitOf(operation, "rateLimit", limits.rateLimit)
    if (rate instanceof ValidationError) return rate
    limited = Throttling.withRateLimit(limited, rate.limit, rate.interval)
  }
  return limited
}

/** What is wrong with the limits the options ask for, if anything. */
export const limitsProblem = (operation: string, limits: TransferLimits): Validate.Problem => {
  const bandwidth = limits.bandwidthLimit === undefined
    ? undefined
    : bandwidthLimitOf(operation, "bandwidthLimit", limits.bandwidthLimit)
  if (bandwidth instanceof ValidationError) return bandwidth
  const rate = limits.rateLimit === undefined ? undefined : rateLimitOf(operation, "rateLimit", limits.rateLimit)
  return rate instanceof ValidationError ? rate : undefined
}
