import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { batch } from "s3po"

/**
 * Runs `batch` over `count` items that each take 2 ms of the test clock, and reports the most in
 * flight at once. On the test clock no item ends before every item that can start has started.
 */
const mostInFlight = (count: number, concurrency: number | "unbounded") =>
  Effect.gen(function*() {
    let inFlight = 0
    let most = 0
    const running = yield* Effect.fork(batch(
      Array.from({ length: count }, (_, i) => i),
      (item) =>
        Effect.gen(function*() {
          inFlight += 1
          most = Math.max(most, inFlight)
          yield* Effect.sleep("2 millis")
          inFlight -= 1
          return item
        }),
      { concurrency }
    ))
    yield* TestClock.adjust("100 millis")
    const { results } = yield* Fiber.join(running)
    assert.deepStrictEqual(results, Array.from({ length: count }, (_, i) => Either.right(i)))
    return most
  })

describe("batch", () => {
  it.effect("runs exactly `concurrency` items at once", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* mostInFlight(100, 8), 8)
      assert.strictEqual(yield* mostInFlight(5, 8), 5)
      assert.strictEqual(yield* mostInFlight(60, "unbounded"), 60)
    }))

  it.effect("an empty list is an empty, successful result", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* batch([], () => Effect.void), { results: [], success: true })
    }))

  it.effect("a concurrency under 1 is a ValidationError, and no item runs", () =>
    Effect.gen(function*() {
      let ran = 0
      const error = yield* Effect.flip(batch([1, 2], () => Effect.sync(() => ran++), { concurrency: 0 }))
      assert.strictEqual(error._tag, "ValidationError")
      assert.strictEqual(ran, 0)
    }))

  it.effect("a defect is not an item's outcome: it fails the batch and stops the other items", () =>
    Effect.gen(function*() {
      const started: Array<number> = []
      const exit = yield* Effect.exit(batch(
        Array.from({ length: 10 }, (_, i) => i),
        (item) =>
          Effect.suspend(() => {
            started.push(item)
            return item === 2 ? Effect.die("boom") : Effect.never
          }),
        { concurrency: 3 }
      ))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(started, [0, 1, 2])
    }))
})
