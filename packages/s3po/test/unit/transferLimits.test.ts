import { S3Client } from "@aws-sdk/client-s3"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, S3PoBackend, S3PoLive, S3PoMock, Sync } from "s3po"
import { tempDir } from "../utils/fixtures.js"

const MiB = 1024 * 1024
const bytesOf = (size: number, seed = 1) => Uint8Array.from({ length: size }, (_, index) => (index * seed) & 0xff)

/** When `effect`, forked, is done: the clock is moved in steps of `step` until it is. */
const finishedAt = <A, E, R>(effect: Effect.Effect<A, E, R>, step: Duration.DurationInput = "100 millis") =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const fiber = yield* Effect.fork(effect)
    let done = yield* Fiber.poll(fiber)
    for (let steps = 0; done._tag === "None" && steps < 1000; steps++) {
      yield* TestClock.adjust(step)
      done = yield* Fiber.poll(fiber)
    }
    const result = yield* Fiber.join(fiber)
    return { result, millis: (yield* Clock.currentTimeMillis) - start }
  })

describe("bandwidthLimit", () => {
  it.effect("3 MiB uploaded through 1 MiB/s takes 2 seconds of the clock (the first second's worth goes at once)", () =>
    Effect.gen(function*() {
      const { millis } = yield* finishedAt(Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "big", bytesOf(3 * MiB))))
      assert.strictEqual(millis, 2000)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: {} }, bandwidthLimit: { bytesPerSecond: MiB } }))))

  it.effect("3 MiB downloaded through 1 MiB/s takes 2 seconds of the clock, the bytes intact", () =>
    Effect.gen(function*() {
      const { millis, result } = yield* finishedAt(Effect.flatMap(S3Po, (s3) => s3.download("bkt", "big")))
      assert.strictEqual(millis, 2000)
      assert.deepStrictEqual(result, bytesOf(3 * MiB, 7))
    }).pipe(
      Effect.provide(
        S3PoMock.layer({ seed: { bkt: { big: bytesOf(3 * MiB, 7) } }, bandwidthLimit: { bytesPerSecond: MiB } })
      )
    ))

  it.effect("concurrent uploads and downloads share one budget", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const transfers = Effect.all([
        s3.upload("bkt", "a", bytesOf(2 * MiB)),
        s3.upload("bkt", "b", bytesOf(2 * MiB)),
        s3.download("bkt", "seeded")
      ], { concurrency: "unbounded" })
      const { millis } = yield* finishedAt(transfers)
      // 6 MiB at 1 MiB/s, one second's worth at once: 5 seconds, however they interleave.
      assert.strictEqual(millis, 5000)
    }).pipe(
      Effect.provide(
        S3PoMock.layer({ seed: { bkt: { seeded: bytesOf(2 * MiB) } }, bandwidthLimit: { bytesPerSecond: MiB } })
      )
    ))

  it.effect("a multipart upload pays for each part as it is sent", () =>
    Effect.gen(function*() {
      const { millis } = yield* finishedAt(
        Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "parts", bytesOf(12 * MiB), { partSize: 5 * MiB })),
        "250 millis"
      )
      // 12 MiB at 4 MiB/s, with a burst of 1 MiB: (12 - 1) / 4 seconds.
      assert.strictEqual(millis, 2750)
    }).pipe(
      Effect.provide(
        S3PoMock.layer({
          seed: { bkt: {} },
          multipart: { multipartThreshold: 8 * MiB, partSize: 5 * MiB },
          bandwidthLimit: { bytesPerSecond: 4 * MiB, burst: MiB }
        })
      )
    ))

  it.effect("withBandwidthLimit meters a backend's GetObject body as it is read", () =>
    Effect.gen(function*() {
      const { backend } = yield* S3PoMock.backend({ seed: { bkt: { k: bytesOf(2 * MiB) } } })
      const limited = backend.pipe(S3PoBackend.withBandwidthLimit({ bytesPerSecond: MiB / 2, burst: MiB / 2 }))
      const response = yield* limited.getObject({ bucket: "bkt", key: "k" })
      const { millis, result } = yield* finishedAt(Stream.runCollect(response.body))
      assert.strictEqual(millis, 3000)
      assert.strictEqual([...result].reduce((total, chunk) => total + chunk.length, 0), 2 * MiB)
    }))

  it.effect("a limit it cannot take fails the layer, or every request of a wrapped backend, with ValidationError", () =>
    Effect.gen(function*() {
      const program = Effect.flatMap(S3Po, (s3) => s3.exists("bkt", "k"))
      const mockZero = yield* Effect.flip(
        Effect.provide(program, S3PoMock.layer({ bandwidthLimit: { bytesPerSecond: 0 } }))
      )
      const mockRate = yield* Effect.flip(Effect.provide(program, S3PoMock.layer({ rateLimit: { limit: 1.5 } })))
      const live = yield* Effect.flip(
        Effect.provide(
          program,
          S3PoLive.layer({ endpoint: "http://127.0.0.1:9", bandwidthLimit: { bytesPerSecond: Number.NaN } })
        )
      )
      const fromClient = yield* Effect.flip(
        Effect.provide(
          program,
          S3PoLive.layerFromClient(new S3Client({ region: "us-east-1" }), {
            rateLimit: { limit: 2, interval: 5 as never }
          })
        )
      )
      const { backend } = yield* S3PoMock.backend()
      const wrapped = yield* Effect.flip(
        backend.pipe(S3PoBackend.withBandwidthLimit({ bytesPerSecond: 10, burst: 0 })).headBucket({ bucket: "bkt" })
      )
      assert.deepStrictEqual(
        [mockZero, mockRate, live, fromClient, wrapped].map((
          error
        ) => [error._tag, "field" in error ? error.field : undefined]),
        [
          ["ValidationError", "bandwidthLimit.bytesPerSecond"],
          ["ValidationError", "rateLimit.limit"],
          ["ValidationError", "bandwidthLimit.bytesPerSecond"],
          ["ValidationError", "rateLimit.interval"],
          ["ValidationError", "bandwidth.burst"]
        ]
      )
    }))
})

describe("rateLimit", () => {
  it.effect("requests start no closer than the interval allows, each attempt counted", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      yield* finishedAt(
        Effect.forEach(["a", "b", "c", "d", "e"], (key) => s3.exists("bkt", key), { concurrency: "unbounded" }),
        "50 millis"
      )
      // Each `exists` of a missing key is a HeadObject and a HeadBucket: 10 requests, one every 250 ms.
      const starts = (yield* control.calls).map((call) => call.startedAt)
      assert.deepStrictEqual(
        starts.map((start) => start - starts[0]!),
        Array.from({ length: 10 }, (_, index) => index * 250)
      )
    }).pipe(
      Effect.provide(S3PoMock.layer({ seed: { bkt: {} }, rateLimit: { limit: 1, interval: "250 millis" } }))
    ))
})

/** The mock with GetObject bodies in chunks of `chunkSize`, as a server's arrive. */
const chunkedMock = (chunkSize: number, seed: S3PoMock.Seed) =>
  Layer.unwrapEffect(Effect.map(S3PoMock.backend({ seed }), ({ backend }) =>
    S3PoBackend.layer(
      S3PoBackend.make({
        ...backend,
        getObject: (request) =>
          Effect.map(backend.getObject(request), (response) => {
            const body = Stream.flatMap(response.body, (bytes) =>
              Stream.fromIterable(
                Array.from(
                  { length: Math.ceil(bytes.length / chunkSize) },
                  (_, index) => bytes.subarray(index * chunkSize, (index + 1) * chunkSize)
                )
              ).pipe(Stream.rechunk(1)))
            return {
              ...response,
              body,
              forEachChunk: (f: (chunk: Uint8Array) => void) =>
                Stream.runForEach(body, (chunk) => Effect.sync(() => f(chunk)))
            }
          })
      })
    )))

describe("download progress by bytes", () => {
  it.scoped("downloadFile reports its bytes as they arrive, in order, ending at the size", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const root = yield* tempDir
      const reports: Array<{ bytes: number; totalBytes?: number | undefined }> = []
      const file = path.join(root, "big.bin")
      const result = yield* s3.downloadFile("bkt", "big", file, {
        onProgress: (progress) => Effect.sync(() => reports.push(progress))
      })
      assert.strictEqual(result.size, 3 * MiB)
      // One report at least for each of the 12 chunks the answer came in.
      assert.isAtLeast(reports.length, 12)
      assert.isTrue(reports.every((report, index) => index === 0 || report.bytes >= reports[index - 1]!.bytes))
      assert.isAtMost(reports[0]!.bytes, 256 * 1024)
      assert.deepStrictEqual(reports.at(-1), { bytes: 3 * MiB, totalBytes: 3 * MiB })
      assert.deepStrictEqual(new Uint8Array(yield* Effect.promise(() => fs.readFile(file))), bytesOf(3 * MiB, 3))
    }).pipe(Effect.provide(chunkedMock(256 * 1024, { bkt: { big: bytesOf(3 * MiB, 3) } }))))

  it.scoped("an empty object's download reports 0 once", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const root = yield* tempDir
      const reports: Array<number> = []
      yield* s3.downloadFile("bkt", "empty", path.join(root, "empty"), {
        onProgress: (progress) => Effect.sync(() => reports.push(progress.bytes))
      })
      assert.deepStrictEqual(reports, [0])
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: { empty: "" } } }))))

  it.scoped("a sync's download moves its progress within the file, not only when it is done", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const seen: Array<{ bytesDone: number; filesDone: number }> = []
      const summary = yield* Sync.syncDown({ bucket: "bkt" }, root, {
        onProgress: (progress) => Effect.sync(() => seen.push(progress))
      })
      assert.strictEqual(summary.copied, 1)
      const within = seen.filter((progress) => progress.filesDone === 0 && progress.bytesDone > 0)
      assert.isAtLeast(within.length, 2)
      assert.isTrue(within.some((progress) => progress.bytesDone < 2 * MiB))
      assert.isTrue(seen.every((progress, index) => index === 0 || progress.bytesDone >= seen[index - 1]!.bytesDone))
      assert.strictEqual(seen.at(-1)!.bytesDone, 2 * MiB)
    }).pipe(Effect.provide(chunkedMock(512 * 1024, { bkt: { "big.bin": bytesOf(2 * MiB) } }))))
})
