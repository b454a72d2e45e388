import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import {
  type BatchProgress,
  batchStream,
  type DeleteResult,
  type ListedObject,
  S3Po,
  S3PoMock,
  S3ServiceError
} from "s3po"
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

describe("batchStream in input order", () => {
  it.effect("yields outcomes in input order, a worker waiting while `concurrency` items are taken and not yielded", () =>
    Effect.gen(function*() {
      const first = yield* Deferred.make<void>()
      const started: Array<number> = []
      const yielded: Array<number> = []
      const running = yield* batchStream(
        Stream.range(0, 99),
        (n) =>
          Effect.suspend(() => {
            started.push(n)
            return n === 0 ? Effect.as(Deferred.await(first), n) : Effect.succeed(n)
          }),
        { concurrency: 4, ordered: true }
      ).pipe(
        Stream.runForEach((outcome) => Effect.sync(() => yielded.push(outcome.index))),
        Effect.fork
      )
      yield* Effect.yieldNow({ priority: 1_000_000 })
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow()
      // Item 0 holds the window: items 1 to 3 are done and held, no fifth item is taken.
      assert.deepStrictEqual(started, [0, 1, 2, 3])
      assert.deepStrictEqual(yielded, [])
      yield* Deferred.succeed(first, undefined)
      yield* Fiber.join(running)
      assert.deepStrictEqual(yielded, Array.from({ length: 100 }, (_, i) => i))
      assert.deepStrictEqual([...started].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i))
    }))

  it.effect("in order whatever order items complete in, failures kept, progress counted", () =>
    Effect.gen(function*() {
      const reports: Array<BatchProgress> = []
      // Later items complete sooner: each waits fewer turns of the scheduler.
      const outcomes = yield* batchStream(
        Array.from({ length: 200 }, (_, i) => i),
        (n) =>
          Effect.zipRight(
            Effect.forEach(Array.from({ length: 7 - (n % 8) }), () => Effect.yieldNow(), { discard: true }),
            n % 5 === 0 ? Effect.fail(`five ${n}`) : Effect.succeed(n * 2)
          ),
        { concurrency: 8, ordered: true, onProgress: (progress) => Effect.sync(() => reports.push(progress)) }
      ).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
      assert.deepStrictEqual(outcomes.map((outcome) => outcome.index), Array.from({ length: 200 }, (_, i) => i))
      assert.isTrue(outcomes.every((outcome) =>
        outcome.item === outcome.index &&
        Either.getOrElse(Either.flip(outcome.result), () => String(outcome.item * 2)) ===
          (outcome.item % 5 === 0 ? `five ${outcome.item}` : String(outcome.item * 2))
      ))
      assert.deepStrictEqual(reports.at(-1), { completed: 200, succeeded: 160, failed: 40, total: 200 })
      // The order of completion was not the order of the input: holding back was needed.
      const completedOrder = reports.map((progress) => progress.completed)
      assert.strictEqual(completedOrder.length, 200)
    }))

  it.effect(
    "listObjects feeds it a million keys in bounded memory: a page or two listed ahead, results in key order",
    () =>
      Effect.gen(function*() {
        const count = 1_000_000
        const pageSize = 1000
        const listed = { keys: 0, pages: 0 }
        const keyOf = (i: number) => `k${String(i).padStart(7, "0")}`
        // A bucket of a million keys, as ListObjectsV2 pages of 1000, made as they are asked for.
        const base = mockBackend()
        const backend: Backend = {
          ...base,
          listPage: (request) =>
            Effect.sync(() => {
              const from = request.continuationToken === undefined ? 0 : Number(request.continuationToken)
              const size = Math.min(pageSize, count - from)
              listed.keys += size
              listed.pages++
              const objects = Array.from({ length: size }, (_, i): ListedObject => ({
                _tag: "Object",
                key: keyOf(from + i),
                size: 1,
                etag: "\"e\"",
                lastModified: new Date(0),
                storageClass: "STANDARD"
              }))
              const next = from + size
              return {
                objects,
                commonPrefixes: [],
                isTruncated: next < count,
                nextContinuationToken: next < count ? String(next) : undefined
              }
            })
        }
        const concurrency = 16
        let read = 0
        let mostUnread = 0
        let outOfOrder = 0
        yield* Effect.flatMap(S3Po, (s3) =>
          batchStream(
            s3.listObjects("bkt"),
            (entry) => Effect.succeed(entry),
            { concurrency, ordered: true }
          ).pipe(
            Stream.runForEach((outcome) =>
              Effect.sync(() => {
                const entry = Either.getOrThrow(outcome.result)
                if (entry._tag !== "Object" || entry.key !== keyOf(read)) outOfOrder++
                read++
                mostUnread = Math.max(mostUnread, listed.keys - read)
              })
            )
          )).pipe(Effect.provide(layerOver(backend, "off")))
        assert.strictEqual(read, count)
        assert.strictEqual(outOfOrder, 0)
        assert.strictEqual(listed.pages, count / pageSize)
        // Keys listed and not yet read: the page in hand, the page listed ahead, and the window.
        assert.isAtMost(mostUnread, 2 * pageSize + 3 * concurrency)
      }),
    120_000
  )
})
