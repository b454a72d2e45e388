import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { batchStream, type DeleteResult, S3Po, S3PoMock, S3ServiceError } from "s3po"
import type { Backend } from "../../src/internal/core/backend.js"
import { streamingBatchesSuite } from "../contract/streamingBatches.js"
import { instrument, layerOver, mockBackend } from "../utils/backends.js"

streamingBatchesSuite("S3PoMock streaming batches", S3PoMock)

/** Keys `k000000`, `k000001`, ..., with a count of how many the consumer has pulled. */
const countedKeys = (count: number) => {
  const pulled = { count: 0 }
  function* keys() {
    for (let i = 0; i < count; i++) {
      pulled.count++
      yield `k${String(i).padStart(6, "0")}`
    }
  }
  return { pulled, keys: Stream.fromIterable(keys()) }
}

/** A backend whose DeleteObjects requests take `millis` each, with the most seen in flight at once. */
const slowDeletes = (backend: Backend, millis: number) => {
  const inFlight = { now: 0, most: 0 }
  const slowed: Backend = {
    ...backend,
    deleteObjects: (request) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          inFlight.now++
          inFlight.most = Math.max(inFlight.most, inFlight.now)
        }),
        () => Effect.zipRight(Effect.sleep(millis), backend.deleteObjects(request)),
        () => Effect.sync(() => inFlight.now--)
      )
  }
  return { backend: slowed, inFlight }
}

const deleteStream = (backend: Backend, keys: Stream.Stream<string> | Iterable<string>) =>
  Effect.flatMap(S3Po, (s3) => Effect.succeed(s3.deleteManyStream("bkt", keys))).pipe(
    Effect.provide(layerOver(backend, "off"))
  )

describe("deleteManyStream", () => {
  it.effect("deletes 100,000 keys of a stream, emitting results before the stream is pulled to its end", () =>
    Effect.gen(function*() {
      const base = mockBackend()
      yield* base.createBucket({ bucket: "bkt" })
      const body = new Uint8Array(0)
      for (let i = 0; i < 100_000; i++) {
        yield* base.putObject({ bucket: "bkt", key: `k${String(i).padStart(6, "0")}`, body })
      }
      yield* base.putObject({ bucket: "bkt", key: "other", body })
      const { keys, pulled } = countedKeys(100_000)
      let pulledAtFirstResult = -1
      let results = 0
      let outOfOrder = 0
      yield* Stream.runForEach(yield* deleteStream(base, keys), (result) =>
        Effect.sync(() => {
          if (results === 0) pulledAtFirstResult = pulled.count
          if (result.key !== `k${String(results).padStart(6, "0")}` || !result.deleted) outOfOrder++
          results++
        }))
      assert.strictEqual(results, 100_000)
      assert.strictEqual(outOfOrder, 0)
      // The first 1000 keys were deleted while most of the stream was still unread.
      assert.isAbove(pulledAtFirstResult, 999)
      assert.isBelow(pulledAtFirstResult, 20_000)
      assert.deepStrictEqual((yield* base.listPage({ bucket: "bkt" })).objects.map((object) => object.key), ["other"])
    }))

  it.effect("over an endless stream, stops pulling and sending when the consumer stops reading", () =>
    Effect.gen(function*() {
      const { backend, calls } = instrument(mockBackend())
      yield* backend.createBucket({ bucket: "bkt" })
      const endless = Stream.map(Stream.iterate(0, (n) => n + 1), (n) => `key-${n}`)
      const taken = yield* Stream.runCollect(Stream.take(yield* deleteStream(backend, endless), 3500))
      assert.deepStrictEqual(
        Chunk.toArray(taken),
        Array.from({ length: 3500 }, (_, i): DeleteResult => ({ key: `key-${i}`, deleted: true }))
      )
      assert.isBelow(calls("deleteObjects"), 40)
    }))

  it.live("sends four requests at once, never more", () =>
    Effect.gen(function*() {
      const { backend, inFlight } = slowDeletes(mockBackend(), 20)
      yield* backend.createBucket({ bucket: "bkt" })
      const { keys } = countedKeys(20_000)
      const results = yield* Stream.runCount(yield* deleteStream(backend, keys))
      assert.strictEqual(results, 20_000)
      assert.strictEqual(inFlight.most, 4)
    }))

  it.effect("sends a key given twice within 1000 keys once, further apart again, and a key XML cannot carry alone", () =>
    Effect.gen(function*() {
      const sent: Array<ReadonlyArray<string>> = []
      const alone: Array<string> = []
      const { backend } = instrument(mockBackend(), (operation, _call, args) => {
        if (operation === "deleteObjects") sent.push((args[0] as { readonly keys: ReadonlyArray<string> }).keys)
        if (operation === "deleteObject") alone.push((args[0] as { readonly key: string }).key)
        return undefined
      })
      yield* backend.createBucket({ bucket: "bkt" })
      const fill = (from: number, count: number) => Array.from({ length: count }, (_, i) => `f${from + i}`)
      const given = ["a", "a", ...fill(0, 998), "a", "bell\u0007", "bell\u0007", ...fill(998, 10)]
      const results = yield* Stream.runCollect(yield* deleteStream(backend, given))
      assert.deepStrictEqual(Chunk.toArray(results), given.map((key) => ({ key, deleted: true })))
      assert.deepStrictEqual(sent.map((keys) => keys.length), [999, 11])
      assert.deepStrictEqual(sent.map((keys) => keys.filter((key) => key === "a").length), [1, 1])
      assert.deepStrictEqual(alone, ["bell\u0007"])
    }))

  it.effect("a failed request fails the stream with one typed error, after results of keys before it only", () =>
    Effect.gen(function*() {
      const { backend } = instrument(mockBackend(), (operation, call) =>
        operation === "deleteObjects" && call === 3
          ? new S3ServiceError({
            operation: "DeleteObjects",
            bucket: "bkt",
            status: 400,
            code: "MalformedXML",
            detail: "refused",
            retryable: false
          })
          : undefined)
      yield* backend.createBucket({ bucket: "bkt" })
      const { keys } = countedKeys(6000)
      const emitted: Array<string> = []
      const exit = yield* Effect.exit(
        Stream.runForEach(yield* deleteStream(backend, keys), (result) => Effect.sync(() => emitted.push(result.key)))
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        assert.strictEqual(exit.cause._tag, "Fail")
        assert.deepStrictEqual(Cause.failures(exit.cause).pipe(Chunk.map((error) => error._tag), Chunk.toArray), [
          "S3ServiceError"
        ])
      }
      assert.isAtMost(emitted.length, 2000)
      assert.deepStrictEqual(
        emitted,
        Array.from({ length: emitted.length }, (_, i) => `k${String(i).padStart(6, "0")}`)
      )
    }))

  it.effect("a bad key fails the stream with ValidationError, and its 1000 keys are not sent", () =>
    Effect.gen(function*() {
      const sent: Array<string> = []
      const { backend } = instrument(mockBackend(), (operation, _call, args) => {
        if (operation === "deleteObjects") sent.push(...(args[0] as { readonly keys: ReadonlyArray<string> }).keys)
        return undefined
      })
      yield* backend.createBucket({ bucket: "bkt" })
      const given = Array.from({ length: 1500 }, (_, i) => i === 1200 ? "" : `k${i}`)
      const error = yield* Effect.flip(Stream.runDrain(yield* deleteStream(backend, given)))
      assert.strictEqual(error._tag, "ValidationError")
      assert.isTrue(sent.every((key) => Number(key.slice(1)) < 1000))
      const badBucket = yield* Effect.flatMap(
        S3Po,
        (s3) => Effect.flip(Stream.runDrain(s3.deleteManyStream("", ["k"])))
      )
        .pipe(Effect.provide(layerOver(backend)))
      assert.strictEqual(badBucket._tag, "ValidationError")
    }))
})

describe("batchStream", () => {
  it.effect("runs 100,000 items of a stream, `concurrency` at once, yielding outcomes before the input is read", () =>
    Effect.gen(function*() {
      const { keys, pulled } = countedKeys(100_000)
      const inFlight = { now: 0, most: 0 }
      let pulledAtFirstOutcome = -1
      const seen = new Uint8Array(100_000)
      let failures = 0
      let mismatches = 0
      yield* batchStream(keys, (key, index) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            inFlight.now++
            inFlight.most = Math.max(inFlight.most, inFlight.now)
          }),
          () => Effect.zipRight(Effect.yieldNow(), index % 2 === 1 ? Effect.fail(`odd ${key}`) : Effect.succeed(index)),
          () => Effect.sync(() => inFlight.now--)
        ), { concurrency: 8 }).pipe(
          Stream.runForEach((outcome) =>
            Effect.sync(() => {
              if (pulledAtFirstOutcome === -1) pulledAtFirstOutcome = pulled.count
              seen[outcome.index]++
              if (outcome.item !== `k${String(outcome.index).padStart(6, "0")}`) mismatches++
              if (Either.isLeft(outcome.result)) {
                failures++
                if (outcome.result.left !== `odd ${outcome.item}`) mismatches++
              } else if (outcome.result.right !== outcome.index) {
                mismatches++
              }
            })
          )
        )
      assert.isTrue(seen.every((times) => times === 1))
      assert.strictEqual(mismatches, 0)
      assert.strictEqual(failures, 50_000)
      assert.strictEqual(inFlight.most, 8)
      assert.isAbove(pulledAtFirstOutcome, 0)
      assert.isBelow(pulledAtFirstOutcome, 20_000)
    }))

  it.effect("over an endless iterable, stops taking items when the consumer stops reading", () =>
    Effect.gen(function*() {
      let started = 0
      function* naturals() {
        for (let n = 0;; n++) yield n
      }
      const outcomes = yield* batchStream(naturals(), (n) => Effect.sync(() => (started++, n * 2)), {
        concurrency: 4
      }).pipe(Stream.take(100), Stream.runCollect)
      assert.strictEqual(outcomes.length, 100)
      assert.isTrue(Chunk.every(outcomes, (outcome) => Either.getOrThrow(outcome.result) === outcome.item * 2))
      // At most the items running and the outcomes waiting to be read beyond those taken.
      assert.isAtMost(started, 100 + 4 + 4)
    }))

  it.effect("reports progress after each item; \"unbounded\" runs every item", () =>
    Effect.gen(function*() {
      const reports: Array<string> = []
      const outcomes = yield* batchStream(
        Stream.range(1, 5),
        (n) => n === 3 ? Effect.fail("three") : Effect.succeed(n),
        {
          concurrency: "unbounded",
          onProgress: (progress) =>
            Effect.sync(() => reports.push(`${progress.completed}:${progress.succeeded}:${progress.failed}`))
        }
      ).pipe(Stream.runCollect)
      assert.deepStrictEqual(Chunk.toArray(outcomes).map((outcome) => outcome.item).sort(), [1, 2, 3, 4, 5])
      assert.strictEqual(reports.length, 5)
      assert.strictEqual(reports.at(-1), "5:4:1")
    }))

  it.effect("the input's failure or a defect ends the stream; a bad concurrency is a ValidationError", () =>
    Effect.gen(function*() {
      const input = Stream.concat(Stream.make(1, 2), Stream.fail("input broke" as const))
      assert.strictEqual(
        yield* Effect.flip(Stream.runDrain(batchStream(input, (n) => Effect.succeed(n), { concurrency: 2 }))),
        "input broke"
      )
      const died = yield* Effect.exit(Stream.runDrain(batchStream([1, 2, 3], () => Effect.die("defect"))))
      assert.isTrue(Exit.isFailure(died) && Cause.isDie(died.cause))
      const invalid = yield* Effect.flip(Stream.runDrain(batchStream([1], Effect.succeed, { concurrency: 0 })))
      assert.strictEqual(invalid._tag, "ValidationError")
    }))
})
