import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Backend, GetObjectResponse } from "./backend.js"
import { mapBackend } from "./backend.js"

/** Takes bytes out of a budget that refills at a steady rate, waiting on Effect's `Clock` when it is spent. */
export interface ByteBudget {
  readonly take: (bytes: number) => Effect.Effect<void>
}

/**
 * A token bucket over bytes, holding at most `burst`, refilled at `bytesPerSecond`. A take may leave
 * it in debt: the taker waits until the debt is paid back, and the next taker waits for that debt
 * and its own, so that takers go in the order they came and share the rate. A take interrupted
 * while it waits gives its bytes back.
 */
export const makeByteBudget = (bytesPerSecond: number, burst: number = bytesPerSecond): ByteBudget => {
  let tokens = burst
  let updatedAt: number | undefined
  const reserve = (now: number, bytes: number): number => {
    if (updatedAt !== undefined && now > updatedAt) {
      tokens = Math.min(burst, tokens + (now - updatedAt) * bytesPerSecond / 1000)
    }
    updatedAt = Math.max(now, updatedAt ?? now)
    tokens -= bytes
    return tokens >= 0 ? 0 : -tokens * 1000 / bytesPerSecond
  }
  const giveBack = (bytes: number) =>
    Effect.sync(() => {
      tokens = Math.min(burst, tokens + bytes)
    })
  return {
    take: (bytes) =>
      bytes <= 0 ? Effect.void : Effect.clockWith((clock) => {
        const wait = reserve(clock.unsafeCurrentTimeMillis(), bytes)
        return wait <= 0 ? Effect.void : Effect.onInterrupt(Effect.sleep(Duration.millis(wait)), () => giveBack(bytes))
      })
  }
}

const bytesIn = (chunk: Chunk.Chunk<Uint8Array>): number => {
  let total = 0
  for (const bytes of chunk) total += bytes.length
  return total
}

/**
 * A GetObject answer whose body is handed on only as the budget allows: each chunk received is paid
 * for before the reader gets it, so a reader held back reads no further and the connection, full,
 * slows the sender down.
 */
const meteredResponse = (response: GetObjectResponse, budget: ByteBudget): GetObjectResponse => {
  const body = Stream.mapChunksEffect(
    response.body,
    (chunk) => Effect.as(budget.take(bytesIn(chunk)), chunk)
  )
  return {
    ...response,
    body,
    forEachChunk: (f) => Stream.runForEachChunk(body, (chunk) => Effect.sync(() => Chunk.forEach(chunk, f)))
  }
}

/**
 * A backend whose uploads and downloads share one budget of `bytesPerSecond`, over every fiber that
 * uses it. The body of a PutObject or UploadPart is paid for before it is sent (a part goes out
 * once its bytes' time has come); a GetObject's body as it is read.
 */
export const withBandwidthLimit = (backend: Backend, bytesPerSecond: number, burst?: number): Backend => {
  const budget = makeByteBudget(bytesPerSecond, burst)
  return {
    ...mapBackend(backend, (_, primitive) => primitive),
    putObject: (request) => Effect.zipRight(budget.take(request.body.length), backend.putObject(request)),
    uploadPart: (request) => Effect.zipRight(budget.take(request.body.length), backend.uploadPart(request)),
    getObject: (request) => Effect.map(backend.getObject(request), (response) => meteredResponse(response, budget))
  }
}
