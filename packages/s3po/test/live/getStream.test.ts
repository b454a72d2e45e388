import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { S3Po } from "s3po"
import { freshBucket, randomBody } from "../utils/fixtures.js"
import { liveLayer } from "../utils/live.js"

const MiB = 1024 * 1024

// One connection: a body left holding it starves the next request.
layer(liveLayer({ maxSockets: 1, retry: "off" }), {
  timeout: "60 seconds",
  excludeTestServices: true
})("getStream on S3PoLive", (it) => {
  it.effect("a stream never run frees its connection when the scope closes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-stream-scope")
      // Large enough to be streamed as it arrives, not read whole before the answer is handed over.
      const body = randomBody(16 * MiB)
      yield* s3.upload(bucket, "big", body)
      for (let round = 0; round < 3; round++) {
        const info = yield* Effect.scoped(Effect.map(s3.getStream(bucket, "big"), ({ info }) => info))
        assert.strictEqual(info.size, body.length)
        // The one connection is free again: this HEAD gets it (a held one would make it wait, past the timeout).
        assert.strictEqual((yield* Effect.timeout(s3.head(bucket, "big"), "10 seconds")).size, body.length)
      }
      // A stream read to its end in its scope frees it too.
      const read = yield* Effect.scoped(
        Effect.flatMap(
          s3.getStream(bucket, "big"),
          ({ stream }) => Stream.runFold(stream, 0, (bytes, chunk) => bytes + chunk.length)
        )
      )
      assert.strictEqual(read, body.length)
      assert.strictEqual((yield* Effect.timeout(s3.head(bucket, "big"), "10 seconds")).size, body.length)
    }))
})
