import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Backend } from "./backend.js"
import { mapBackend } from "./backend.js"

/**
 * A backend with at most `limit` requests in flight, over every fiber that uses it: one semaphore,
 * made with the backend, each request holding a permit until its answer. A GetObject's permit is
 * returned when its answer arrives: its body is read after.
 */
export const withConcurrencyLimit = (backend: Backend, limit: number): Backend => {
  const semaphore = Effect.unsafeMakeSemaphore(limit)
  return mapBackend(backend, (_, primitive) => (request) => semaphore.withPermits(1)(primitive(request)))
}

/**
 * A backend that starts at most `limit` requests in any `interval`, over every fiber that uses it.
 * The start of each of the last `limit` requests is kept: a request waits, on Effect's `Clock`,
 * until the one `limit` requests before it started an `interval` ago. A slot is taken when the
 * request asks for it, so that waiting requests start in the order they came.
 */
export const withRateLimit = (backend: Backend, limit: number, interval: Duration.Duration): Backend => {
  const intervalMillis = Duration.toMillis(interval)
  const starts: Array<number> = Array.from({ length: limit }, () => Number.NEGATIVE_INFINITY)
  let oldest = 0
  const delayAt = (now: number): number => {
    const start = Math.max(now, starts[oldest]! + intervalMillis)
    starts[oldest] = start
    oldest = (oldest + 1) % limit
    return start - now
  }
  return mapBackend(backend, (_, primitive) => (request) =>
    Effect.clockWith((clock) => {
      const delay = delayAt(clock.unsafeCurrentTimeMillis())
      return delay <= 0 ? primitive(request) : Effect.zipRight(Effect.sleep(Duration.millis(delay)), primitive(request))
    }))
}
