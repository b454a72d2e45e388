import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { S3Po } from "s3po"
import { freshBucket, randomBody } from "../utils/fixtures.js"
import { liveLayer } from "../utils/live.js"

const MiB = 1024 * 1024

/** The effect's answer and how long it took, in real milliseconds. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const started = Date.now()
    const result = yield* effect
    return { result, millis: Date.now() - started }
  })

// Real time here: the lower bounds are what the limit guarantees, with a little slack for timers.
const limited = () =>
  liveLayer({ bandwidthLimit: { bytesPerSecond: MiB }, rateLimit: { limit: 20, interval: "1 second" } })

describe("S3PoLive with bandwidthLimit and rateLimit", () => {
  it.live("3 MiB up and 3 MiB down through 1 MiB/s take 2 seconds each at least, the bytes intact", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("bandwidth-limit")
      const body = randomBody(3 * MiB)
      const up = yield* timed(s3.upload(bucket, "three", body))
      const down = yield* timed(s3.download(bucket, "three"))
      assert.isAtLeast(up.millis, 1900)
      assert.isAtLeast(down.millis, 1900)
      assert.deepStrictEqual(down.result, body)
    }).pipe(Effect.provide(limited())))

  it.live("concurrent transfers share the budget: 4 x 1 MiB down take 3 seconds at least", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("bandwidth-shared")
      const body = randomBody(MiB)
      yield* s3.upload(bucket, "one", body)
      // Let the bucket refill after the upload, so that the downloads start with a full second's worth.
      yield* Effect.sleep("1100 millis")
      const { millis, result } = yield* timed(
        Effect.all(Array.from({ length: 4 }, () => s3.download(bucket, "one")), { concurrency: "unbounded" })
      )
      assert.isAtLeast(millis, 2900)
      assert.isTrue(result.every((bytes) => bytes.length === MiB))
    }).pipe(Effect.provide(limited())))

  it.live("40 PUTs at 20 a second take a second at least", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("rate-limit")
      yield* Effect.sleep("1100 millis")
      const { millis } = yield* timed(
        Effect.forEach(Array.from({ length: 40 }, (_, index) => `k${index}`), (key) => s3.upload(bucket, key, key), {
          concurrency: 16
        })
      )
      // The first 20 start at once, the next 20 a second after.
      assert.isAtLeast(millis, 950)
      assert.strictEqual(Chunk.size(yield* Stream.runCollect(s3.list(bucket))), 40)
    }).pipe(Effect.provide(limited())))
})
