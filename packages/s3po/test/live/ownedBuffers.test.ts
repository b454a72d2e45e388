import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { type DownloadOptions, S3Po } from "s3po"
import { bytesEqual, freshBucket, randomBody } from "../utils/fixtures.js"
import { liveLayer, server } from "../utils/live.js"
import { ownsItsMemory, secretIn } from "../utils/ownedBuffers.js"

/**
 * Every `Uint8Array` s3po hands out owns its memory, on the live layer too: the requests it signs
 * put `"AWS4" + secret` into Node's shared buffer pool, and a result that is a view into the pool
 * would carry that in its `buffer`. Both transports; small objects (read whole before they are
 * handed over) and one large enough to be streamed.
 */

const sizes = [2, 7, 100, 333, 1000, 2048]

/** Ranges of a third of the body: three GETs at once, whatever its size. */
const rangedOf = (body: Uint8Array): DownloadOptions => ({ concurrency: 3, partSize: Math.ceil(body.length / 3) })

for (const transport of ["s3po", "sdk"] as const) {
  describe(`downloads on S3PoLive (${transport} transport) own their memory`, () => {
    it.live("download, ranged download and downloadStream: no result is a view, none reaches the secret", () =>
      Effect.gen(function*() {
        const secret = server().secretAccessKey
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("owned")
        const bodies = [...sizes.map(randomBody), randomBody(300_000)]
        yield* Effect.forEach(bodies, (body, index) => s3.upload(bucket, `k${index}`, body))
        for (let round = 0; round < 3; round++) {
          for (const [index, body] of bodies.entries()) {
            // Each presigned POST derives its key from "AWS4" + secret, which lands in the pool.
            yield* s3.presignPost(bucket, { key: "any", maxBytes: 10 })
            const whole = yield* s3.download(bucket, `k${index}`)
            const ranged = yield* s3.download(bucket, `k${index}`, rangedOf(body))
            for (const bytes of [whole, ranged]) {
              assert.isTrue(bytesEqual(bytes, body))
              assert.isTrue(ownsItsMemory(bytes), `a download of ${body.length} bytes`)
              assert.isFalse(secretIn(bytes, secret))
            }
            for (const options of [{}, rangedOf(body), { range: { start: 1 } }]) {
              const chunks = Chunk.toArray(yield* Stream.runCollect(s3.downloadStream(bucket, `k${index}`, options)))
              assert.isTrue(bytesEqual(Buffer.concat(chunks), body.subarray("range" in options ? 1 : 0)))
              for (const chunk of chunks) {
                assert.isTrue(ownsItsMemory(chunk), `a chunk of ${body.length} bytes, ${JSON.stringify(options)}`)
                assert.isFalse(secretIn(chunk, secret))
              }
            }
          }
        }
      }).pipe(Effect.provide(liveLayer({ transport }))))
  })
}
