import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { MockFault, S3Po } from "s3po"
import { bytesEqual, randomBody, uniqueBucket } from "../utils/fixtures.js"
import { liveLayer } from "../utils/live.js"

/** Where two bodies of one length differ. */
const differences = (left: Uint8Array, right: Uint8Array) => {
  assert.strictEqual(left.length, right.length)
  return Array.from(left.keys()).filter((index) => left[index] !== right[index])
}

describe("MockFault.corruptedBody in front of S3PoLive", () => {
  it.live("changes one byte of what a real server sent, in download and downloadStream, and nothing the server holds", () =>
    Effect.gen(function*() {
      const body = randomBody(3 * 1024 * 1024 + 5)
      const bucket = uniqueBucket("corrupted")
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        yield* s3.upload(bucket, "k", body)
      }).pipe(Effect.provide(liveLayer()))
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const read = yield* s3.download(bucket, "k", { verify: false })
        assert.deepStrictEqual(differences(read, body), [1000])
        const streamed = yield* Stream.runCollect(s3.downloadStream(bucket, "k", { verify: false }))
        assert.deepStrictEqual(differences(Buffer.concat(Chunk.toArray(streamed)), body), [1000])
      }).pipe(
        Effect.provide(
          liveLayer({ faults: [{ operation: "GetObject", fault: MockFault.corruptedBody({ at: 1000 }) }] })
        )
      )
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "k", { verify: false }), body))
        yield* s3.emptyBucket(bucket)
        yield* s3.deleteBucket(bucket)
      }).pipe(Effect.provide(liveLayer()))
    }))
})
