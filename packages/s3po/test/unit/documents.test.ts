import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { Retry, S3Po, S3PoMock } from "s3po"

const Counter = Schema.Struct({ visits: Schema.Number })

const increment = (current: Option.Option<{ readonly visits: number }>) => ({
  visits: Option.match(current, { onNone: () => 1, onSome: ({ visits }) => visits + 1 })
})

/** `increment`, with another writer replacing the document between the read and the write, the first `times` times. */
const racedBy = (times: number) => {
  let left = times
  return (current: Option.Option<{ readonly visits: number }>) =>
    Effect.gen(function*() {
      if (left > 0) {
        left--
        yield* (yield* S3Po).putJson("app", "visits.json", Counter, { visits: 100 + left })
      }
      return increment(current)
    })
}

describe("updateJson spaces its attempts by the layer's retry policy", () => {
  it.effect("with the default policy, the attempt after a lost race waits for the clock", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const fiber = yield* Effect.fork(s3.updateJson("app", "visits.json", Counter, racedBy(1)))
      yield* TestClock.adjust("50 millis")
      // The default policy's first delay is 100 ms, jittered by at most a fifth.
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const update = yield* Fiber.join(fiber)
      assert.strictEqual(update.attempts, 2)
      assert.deepStrictEqual(update.value, { visits: 101 })
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} } }))))

  it.effect("with retries off, it reads again at once", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const update = yield* s3.updateJson("app", "visits.json", Counter, racedBy(3))
      assert.strictEqual(update.attempts, 4)
      assert.deepStrictEqual(update.value, { visits: 101 })
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} }, retry: "off" }))))

  it.effect("a policy that ends before maxAttempts starts over: its delays again, not a give-up", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const fiber = yield* Effect.fork(s3.updateJson("app", "visits.json", Counter, racedBy(3)))
      // One retry of 1 second, then the policy ends: each further attempt waits 1 second again.
      for (let second = 1; second <= 2; second++) {
        yield* TestClock.adjust("1 second")
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), `after ${second} s`)
      }
      yield* TestClock.adjust("1 second")
      const update = yield* Fiber.join(fiber)
      assert.strictEqual(update.attempts, 4)
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: { app: {} },
      retry: Retry.exponential({ base: "1 second", factor: 1, maxRetries: 1, maxDelay: "1 second" })
    }))))

  it.effect("the conflict after maxAttempts lost races is an UpdateConflict; nothing of the update is written", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const conflict = yield* Effect.flip(
        s3.updateJson("app", "visits.json", Counter, racedBy(5), { maxAttempts: 3 })
      )
      assert.strictEqual(conflict._tag, "UpdateConflict")
      if (conflict._tag === "UpdateConflict") {
        assert.strictEqual(conflict.attempts, 3)
        assert.include(conflict.message, "3 attempts")
      }
      // The last of the other writer's values stands.
      assert.deepStrictEqual((yield* s3.getJson("app", "visits.json", Counter)).value, { visits: 102 })
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} }, retry: "off" }))))
})

describe("getStream", () => {
  it.effect("opens one GET, whose info is known before the stream is run", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      yield* Effect.scoped(Effect.gen(function*() {
        const { info, stream } = yield* s3.getStream("app", "doc")
        assert.strictEqual(info.size, 5)
        assert.strictEqual((yield* control.callCounts).total, 1)
        assert.strictEqual(Buffer.concat([...yield* Stream.runCollect(stream)]).toString(), "hello")
      }))
      // One request for the info and the bytes; `get` too.
      assert.strictEqual((yield* control.callCounts).total, 1)
      yield* s3.get("app", "doc")
      assert.strictEqual((yield* control.callCounts).total, 2)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: { doc: "hello" } } }))))
})
