import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { layerLive, layerMock, MockFault, S3Po } from "s3po"
import { bytesEqual, randomBody } from "../utils/fixtures.js"
import { ownsItsMemory, secretIn } from "../utils/ownedBuffers.js"

/**
 * Every `Uint8Array` s3po hands out owns its memory: a view into Node's shared buffer pool would
 * carry, in its `buffer`, whatever else the process put there, such as the `"AWS4" + secret` that
 * signing derives its key from.
 */

const secret = "ownedBuffersTestSecret0123456789abcdefXYZ"

/** A live layer that only signs (no request is sent): presigning with it puts the secret into Node's pool. */
const signing = layerLive({
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDOWNEDBUFFERS", secretAccessKey: Redacted.make(secret) }
})

/** Presigns a POST, which derives its key from `"AWS4" + secret` each time. */
const sign = Effect.provide(
  Effect.flatMap(S3Po, (s3) => s3.presignPost("signing", { key: "k", maxBytes: 10 })),
  signing
)

const sizes = [2, 7, 100, 333, 1000, 2048]

describe("downloads on the mock own their memory", () => {
  const onMock = <A, E>(effect: Effect.Effect<A, E, S3Po>, options?: Parameters<typeof layerMock>[0]) =>
    Effect.provide(effect, Layer.orDie(layerMock(options)))

  it.effect("download: no result is a view, and none reaches the secret a signature just put in the pool", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("owned")
      const bodies = sizes.map(randomBody)
      yield* Effect.forEach(bodies, (body, index) => s3.upload("owned", `k${index}`, body))
      for (let round = 0; round < 20; round++) {
        yield* sign
        for (const [index, body] of bodies.entries()) {
          const bytes = yield* s3.download("owned", `k${index}`)
          assert.isTrue(bytesEqual(bytes, body))
          assert.isTrue(ownsItsMemory(bytes), `download of ${body.length} bytes, round ${round}`)
          assert.isFalse(secretIn(bytes, secret))
        }
      }
    })))

  it.effect("ranged download (concurrency > 1) and downloadStream: every result and chunk owns its memory", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("owned")
      const bodies = sizes.map(randomBody)
      yield* Effect.forEach(bodies, (body, index) => s3.upload("owned", `k${index}`, body))
      for (let round = 0; round < 5; round++) {
        yield* sign
        for (const [index, body] of bodies.entries()) {
          const ranged = yield* s3.download("owned", `k${index}`, { concurrency: 3, partSize: 64 })
          assert.isTrue(bytesEqual(ranged, body))
          assert.isTrue(ownsItsMemory(ranged), `ranged download of ${body.length} bytes`)
          assert.isFalse(secretIn(ranged, secret))
          for (const options of [{}, { concurrency: 3, partSize: 64 }, { range: { start: 1 } }]) {
            const chunks = Chunk.toArray(yield* Stream.runCollect(s3.downloadStream("owned", `k${index}`, options)))
            assert.isTrue(bytesEqual(Buffer.concat(chunks), body.subarray(options.range?.start ?? 0)))
            for (const chunk of chunks) {
              assert.isTrue(ownsItsMemory(chunk), `a chunk of ${body.length} bytes, ${JSON.stringify(options)}`)
              assert.isFalse(secretIn(chunk, secret))
            }
          }
        }
      }
    })))

  // Live: the resumed GET waits for the retry's delay.
  it.live("a body cut short and resumed: every chunk owns its memory", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("owned")
        const body = randomBody(3000)
        yield* s3.upload("owned", "k", body)
        const chunks = Chunk.toArray(yield* Stream.runCollect(s3.downloadStream("owned", "k")))
        assert.isTrue(bytesEqual(Buffer.concat(chunks), body))
        assert.isAbove(chunks.length, 1)
        for (const chunk of chunks) assert.isTrue(ownsItsMemory(chunk))
      }),
      {
        faults: [{ operation: "GetObject", match: (request) => request.attempt === 1, fault: MockFault.truncatedBody }]
      }
    ))
})
