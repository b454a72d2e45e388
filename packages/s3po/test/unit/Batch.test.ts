import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { batch, type BatchProgress } from "s3po"

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
      assert.deepStrictEqual(yield* batch([], () => Effect.void), { results: [], outcomes: [], success: true })
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

describe("batch over a stream, with items and progress", () => {
  it.effect("takes a Stream: each outcome with its item, in input order, failures kept", () =>
    Effect.gen(function*() {
      const { outcomes, results, success } = yield* batch(
        Stream.make("a", "bb", "", "dddd"),
        (word, index) => word === "" ? Effect.fail(`empty at ${index}`) : Effect.succeed(word.length),
        { concurrency: 3 }
      )
      assert.isFalse(success)
      assert.deepStrictEqual(outcomes, [
        { index: 0, item: "a", result: Either.right(1) },
        { index: 1, item: "bb", result: Either.right(2) },
        { index: 2, item: "", result: Either.left("empty at 2") },
        { index: 3, item: "dddd", result: Either.right(4) }
      ])
      assert.deepStrictEqual(results, outcomes.map((outcome) => outcome.result))
    }))

  it.effect("a failing input stream fails the batch with its error; a non-iterable is a ValidationError", () =>
    Effect.gen(function*() {
      const broken = Stream.concat(Stream.make(1, 2), Stream.fail("listing broke" as const))
      assert.strictEqual(yield* Effect.flip(batch(broken, (n) => Effect.succeed(n))), "listing broke")
      const notItems = yield* Effect.flip(batch(42 as unknown as Array<number>, (n) => Effect.succeed(n)))
      assert.strictEqual(notItems._tag, "ValidationError")
    }))

  it.effect("progress: the total of an array from the first report; of a stream once it has ended", () =>
    Effect.gen(function*() {
      const reports = (input: Stream.Stream<number> | ReadonlyArray<number> | Set<number>) =>
        Effect.gen(function*() {
          const seen: Array<BatchProgress> = []
          yield* batch(input, (n) => n % 3 === 0 ? Effect.fail(n) : Effect.succeed(n), {
            concurrency: 2,
            onProgress: (progress) => Effect.sync(() => seen.push(progress))
          })
          return seen
        })
      const fromArray = yield* reports([1, 2, 3, 4, 5, 6])
      assert.strictEqual(fromArray.length, 6)
      assert.isTrue(fromArray.every((progress) => progress.total === 6))
      assert.deepStrictEqual(fromArray.at(-1), { completed: 6, succeeded: 4, failed: 2, total: 6 })
      assert.isTrue((yield* reports(new Set([1, 2, 3]))).every((progress) => progress.total === 3))

      // Pulled in chunks of 2: the input's end is seen only once the last items are taken.
      const fromStream = yield* reports(Stream.rechunk(Stream.range(1, 6), 2))
      assert.strictEqual(fromStream[0]!.total, undefined)
      assert.deepStrictEqual(fromStream.at(-1), { completed: 6, succeeded: 4, failed: 2, total: 6 })
      // One report per item, and one more if the end is found after the last item completed.
      assert.deepStrictEqual(fromStream.map((progress) => progress.completed).slice(0, 6), [1, 2, 3, 4, 5, 6])
      assert.isAtMost(fromStream.length, 7)
    }))
})
