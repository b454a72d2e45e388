import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Schema from "effect/Schema"
import { BucketNotEmpty, layerLive, NoSuchBucket, NoSuchKey, S3Po, S3PoError, S3ServiceError } from "s3po"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

/** Through JSON text, as a worker or an RPC boundary carries it. */
const overTheWire = (error: S3PoError): S3PoError =>
  Schema.decodeUnknownSync(S3PoError)(JSON.parse(JSON.stringify(Schema.encodeSync(S3PoError)(error))))

for (const transport of ["s3po", "sdk"] as const) {
  describe(`errors from RGW (${transport} transport)`, () => {
    it.live("carry the server's request id, with a body (GET) and without (HEAD), and survive JSON", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket(`errors-${transport}`)
        yield* s3.createBucket(bucket)
        yield* s3.upload(bucket, "kept", "x")
        const errors = [
          yield* Effect.flip(s3.download(bucket, "missing")),
          yield* Effect.flip(s3.head(bucket, "missing")),
          yield* Effect.flip(s3.download(`${bucket}-absent`, "k")),
          yield* Effect.flip(s3.deleteBucket(bucket))
        ]
        assert.deepStrictEqual(errors.map((error) => error.constructor), [
          NoSuchKey,
          NoSuchKey,
          NoSuchBucket,
          BucketNotEmpty
        ])
        for (const error of errors) {
          const requestId = "requestId" in error ? error.requestId : undefined
          assert.isString(requestId, error.message)
          assert.isAbove(requestId!.length, 0)
          const decoded = overTheWire(error)
          assert.isTrue(Equal.equals(decoded, error), error.message)
          assert.strictEqual(decoded.message, error.message)
        }
        yield* s3.emptyBucket(bucket)
        yield* s3.deleteBucket(bucket)
      }).pipe(Effect.provide(layerLive(liveOptions({ transport })))))

    it.live("an answer outside an operation's errors (412 to a GetObjectTagging) is an S3ServiceError", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket(`errors-412-${transport}`)
        yield* s3.createBucket(bucket)
        proxy.setPlan((request) =>
          request.method === "GET" && request.path.endsWith("/k") && request.query.includes("tagging")
            ? "preconditionFailed412"
            : "pass"
        )
        const error = yield* Effect.flip(s3.getTags(bucket, "k")).pipe(
          Effect.ensuring(Effect.sync(() => proxy.setPlan(() => "pass")))
        )
        assert.instanceOf(error, S3ServiceError)
        if (!(error instanceof S3ServiceError)) return
        assert.strictEqual(error.status, 412)
        assert.strictEqual(error.code, "PreconditionFailed")
        assert.strictEqual(error.key, "k")
        yield* s3.deleteBucket(bucket)
      }).pipe(Effect.provide(layerLive(liveOptions({ endpoint: proxy.url, transport, retry: "off" })))))
  })
}
