import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Stream from "effect/Stream"
import type { ExponentialRetryOptions, RetryPolicy } from "../../Retry.js"
import { isRetryable, type S3PoError } from "../../S3PoError.js"
import * as ArgumentShapes from "./argumentShapes.js"

const exponentialOf = (options: ExponentialRetryOptions): Schedule.Schedule<unknown, S3PoError> => {
  const maxDelay = Duration.decode(options.maxDelay ?? "20 seconds")
  return Schedule.exponential(options.base ?? "100 millis", options.factor ?? 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? 5)),
    Schedule.intersect(Schedule.identity<S3PoError>()),
    // A server's Retry-After wins over a shorter computed delay; no delay exceeds the cap.
    Schedule.modifyDelay(([, error], delay) => {
      const retryAfter = error._tag === "Throttled" && error.retryAfter !== undefined ? error.retryAfter : Duration.zero
      return Duration.min(Duration.max(delay, retryAfter), maxDelay)
    })
  )
}

/** A policy from options checked first: ones it cannot take make a policy every layer refuses. */
export const exponential = (options: ExponentialRetryOptions = {}): Schedule.Schedule<unknown, S3PoError> => {
  const problem = ArgumentShapes.options("Retry.exponential", options)
  return problem === undefined
    ? exponentialOf(options)
    : ArgumentShapes.withInvalidInput(Schedule.recurs(0), problem)
}

export const defaultPolicy: Schedule.Schedule<unknown, S3PoError> = exponentialOf({})

/**
 * The schedule an operation retries with: `policy`, only while the failure is retryable, logging
 * each retry at warning level. `undefined` when retries are off.
 */
export const scheduleFor = (
  policy: RetryPolicy,
  operation: string
): Schedule.Schedule<unknown, S3PoError> | undefined =>
  policy === "off" ? undefined : policy.pipe(
    Schedule.intersect(Schedule.identity<S3PoError>()),
    Schedule.whileInput(isRetryable),
    Schedule.intersect(Schedule.count),
    Schedule.onDecision(([[, error], retries], decision) =>
      ScheduleDecision.isContinue(decision)
        ? Effect.logWarning(
          `s3po: retrying ${operation} (attempt ${retries + 2}) after ${error._tag}: ${error.message}`
        )
          .pipe(Effect.annotateLogs({ operation, attempt: retries + 2, cause: error._tag }))
        : Effect.void
    )
  )

/** Which attempt at a request the fiber is making: 1, then 2, 3, ... as it is retried or resumed. */
export const currentAttempt: FiberRef.FiberRef<number> = FiberRef.unsafeMake(1)

/**
 * Runs an effect again on retryable failures (those of them `retryWhile` picks), as `policy`
 * allows. The schedule is only started after a first retryable failure, so an attempt that
 * succeeds costs nothing extra.
 */
export const retrying = (
  policy: RetryPolicy,
  operation: string,
  retryWhile: (error: S3PoError) => boolean = isRetryable
): <A, E extends S3PoError, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> => {
  const schedule = scheduleFor(policy, operation)
  if (schedule === undefined) return (effect) => effect
  const retried = (error: S3PoError) => isRetryable(error) && retryWhile(error)
  return <A, E extends S3PoError, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.catchIf(effect, retried, (first) =>
      Effect.flatMap(Schedule.driver(schedule), (driver) => {
        let attempt = 1
        const retryAfter = (error: E): Effect.Effect<A, E, R> =>
          Effect.matchEffect(driver.next(error), {
            onFailure: () => Effect.fail(error),
            onSuccess: () => Effect.catchIf(Effect.locally(effect, currentAttempt, ++attempt), retried, retryAfter)
          })
        return retryAfter(first)
      }))
}

/** Runs a stream again on retryable failures, as `policy` allows; the stream resumes where it stopped. */
export const retryingStream = (
  policy: RetryPolicy,
  operation: string
): <A, E extends S3PoError, R>(stream: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R> => {
  const schedule = scheduleFor(policy, operation)
  return schedule === undefined ? (stream) => stream : (stream) => Stream.retry(stream, schedule)
}
