import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Fault from "../../Fault.js"
import { S3Po } from "../../S3Po.js"
import { tagOf, uniqueBucket } from "./fixtures.js"

const MiB = 1024 * 1024

/** Bucket management, as one suite over any layer. */
export const bucketsSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
    it.effect("lists, checks and deletes buckets; a bucket with objects is BucketNotEmpty until emptied", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("buckets")
        assert.isFalse(yield* s3.bucketExists(bucket))
        yield* s3.createBucket(bucket)
        assert.isTrue(yield* s3.bucketExists(bucket))
        const listed = (yield* s3.listBuckets()).find((info) => info.name === bucket)
        assert.isDefined(listed)
        assert.isTrue(Math.abs(listed!.creationDate.getTime() - Date.now()) < 5 * 60_000)

        yield* Effect.forEach(["a", "b/1", "b/2"], (key) => s3.upload(bucket, key, key))
        assert.strictEqual(yield* tagOf(s3.deleteBucket(bucket)), "BucketNotEmpty")
        assert.deepStrictEqual(yield* s3.emptyBucket(bucket), { deleted: 3, aborted: 0, failed: [] })
        yield* s3.deleteBucket(bucket)
        assert.isFalse(yield* s3.bucketExists(bucket))
        assert.strictEqual(yield* tagOf(s3.deleteBucket(bucket)), "NoSuchBucket")
        assert.strictEqual(yield* tagOf(s3.bucketExists("")), "ValidationError")
      }))

    it.effect("deletePrefix deletes every key under the prefix, page by page, and only those", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("prefix")
        yield* s3.createBucket(bucket)
        const logs = Array.from({ length: 1010 }, (_, i) => `logs/${String(i).padStart(4, "0")}`)
        yield* Effect.forEach([...logs, "logs", "logsx/1", "other"], (key) => s3.upload(bucket, key, ""), {
          concurrency: 32
        })
        assert.strictEqual(yield* s3.deletePrefix(bucket, "logs/"), 1010)
        assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), ["logs", "logsx/1", "other"])
        assert.strictEqual(yield* s3.deletePrefix(bucket, "logs/"), 0)
      }))

    it.effect("pending uploads of a bucket without any: none listed, none aborted; a future olderThan is refused", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("no-pending")
        yield* s3.createBucket(bucket)
        assert.strictEqual(Chunk.size(yield* Stream.runCollect(s3.listPendingUploads(bucket))), 0)
        assert.strictEqual(yield* s3.abortPendingUploads(bucket), 0)
        // @ts-expect-error: a bare number is no duration (seconds or milliseconds?), refused at run time too
        assert.strictEqual(yield* tagOf(s3.abortPendingUploads(bucket, { olderThan: -1000 })), "ValidationError")
      }))
  })

/**
 * The faults that leave two uploads pending: their parts refused, then their aborts too. Given to
 * the layer `pendingUploadsSuite` runs on.
 */
export const strandingFaults: ReadonlyArray<Fault.Rule> = [
  { operation: "UploadPart", key: (key) => key.startsWith("stuck/"), fault: Fault.accessDenied() },
  { operation: "AbortMultipartUpload", times: 2, fault: Fault.accessDenied() }
]

/** Uploads left pending, listed and aborted: on a layer with `strandingFaults`. */
export const pendingUploadsSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
    it.effect("uploads left pending are listed, and aborted by prefix and age", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("pending")
        yield* s3.createBucket(bucket)
        const body = new Uint8Array(6 * MiB)
        for (const key of ["stuck/a", "stuck/b"]) {
          assert.strictEqual(
            yield* tagOf(s3.upload(bucket, key, body, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })),
            "AccessDenied"
          )
        }
        yield* s3.upload(bucket, "done", "x")
        const pendingKeys = (prefix?: string) =>
          Effect.map(
            Stream.runCollect(s3.listPendingUploads(bucket, prefix === undefined ? {} : { prefix })),
            (uploads) => Chunk.toArray(uploads).map((upload) => upload.key)
          )
        const pending = Chunk.toArray(yield* Stream.runCollect(s3.listPendingUploads(bucket)))
        assert.deepStrictEqual(pending.map((upload) => upload.key), ["stuck/a", "stuck/b"])
        for (const upload of pending) {
          assert.isTrue(Math.abs(upload.initiated.getTime() - Date.now()) < 5 * 60_000)
        }
        assert.deepStrictEqual(yield* pendingKeys("stuck/b"), ["stuck/b"])
        assert.strictEqual(yield* s3.abortPendingUploads(bucket, { olderThan: "1 hour" }), 0)
        assert.strictEqual(yield* s3.abortPendingUploads(bucket, { prefix: "stuck/a" }), 1)
        assert.deepStrictEqual(yield* pendingKeys(), ["stuck/b"])
        assert.deepStrictEqual(yield* s3.emptyBucket(bucket), { deleted: 1, aborted: 1, failed: [] })
        assert.deepStrictEqual(yield* pendingKeys(), [])
        yield* s3.deleteBucket(bucket)
      }))
  })
