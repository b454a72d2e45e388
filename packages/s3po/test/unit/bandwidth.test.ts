import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { makeByteBudget } from "../../src/internal/core/bandwidth.js"

/** The clock's time when `take` is done, forked and the clock moved 100 ms at a time. */
const doneAt = (take: Effect.Effect<void>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(take)
    yield* Effect.yieldNow()
    for (let steps = 0; (yield* Fiber.poll(fiber))._tag === "None" && steps < 1000; steps++) {
      yield* TestClock.adjust("100 millis")
    }
    yield* Fiber.join(fiber)
    return yield* Clock.currentTimeMillis
  })

describe("byte budget", () => {
  it.effect("takers wait for the debt before them, in turn", () =>
    Effect.gen(function*() {
      const budget = makeByteBudget(1000, 1000)
      assert.strictEqual(yield* doneAt(budget.take(1000)), 0)
      assert.strictEqual(yield* doneAt(budget.take(2000)), 2000)
      assert.strictEqual(yield* doneAt(budget.take(500)), 2500)
    }))

  it.effect("a take interrupted while it waits gives its bytes back: the next taker does not wait for them", () =>
    Effect.gen(function*() {
      const budget = makeByteBudget(1000, 1000)
      yield* budget.take(1000)
      const big = yield* Effect.fork(budget.take(3000))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.poll(big))._tag, "None")
      yield* Fiber.interrupt(big)
      // One second refilled 1000 bytes, none of them sent: they go at once.
      assert.strictEqual(yield* doneAt(budget.take(1000)), 1000)
      assert.strictEqual(yield* doneAt(budget.take(1000)), 2000)
    }))

  it.effect("a take that is done keeps what it took", () =>
    Effect.gen(function*() {
      const budget = makeByteBudget(1000, 1000)
      yield* budget.take(1000)
      yield* doneAt(budget.take(1000))
      assert.strictEqual(yield* doneAt(budget.take(1000)), 2000)
    }))
})
