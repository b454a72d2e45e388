import { assert, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { S3Po, type UploadProgress } from "../../S3Po.js"
import { S3ServiceError } from "../../S3PoError.js"
import type { Backend } from "../core/backend.js"
import { type BackendSource, instrument, layerOver as serviceOver, quickRetry } from "./backends.js"
import { bytesEqual, randomBody, uniqueBucket } from "./fixtures.js"

const MiB = 1024 * 1024
const layerOver = (backend: Backend) => serviceOver(backend, { retry: quickRetry(5) })

class SourceBroke extends Data.TaggedError("SourceBroke")<{ readonly at: number }> {}

const transient = (operation: string) =>
  new S3ServiceError({ operation, bucket: "b", status: 503, code: "SlowDown", detail: "injected", retryable: true })

const refused = (operation: string, code: string) =>
  new S3ServiceError({ operation, bucket: "b", status: 400, code, detail: "injected", retryable: false })

/** Splits bytes into uneven chunks, as a network or file stream would deliver them. */
export const chunked = (bytes: Uint8Array, size = 1_000_003) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
  )

const multipartUploads = (acquire: BackendSource) => {
  it.scopedLive("uploads a 64 MiB stream with failing parts: byte-identical, one Complete, nothing pending", () =>
    Effect.gen(function*() {
      const failedParts = new Set<number>()
      const { backend, calls } = instrument(yield* acquire, (operation, _call, args) => {
        if (operation !== "uploadPart") return undefined
        const { partNumber } = args[0] as { partNumber: number }
        // The first attempt of every third part fails.
        if (partNumber % 3 === 0 && !failedParts.has(partNumber)) {
          failedParts.add(partNumber)
          return transient("UploadPart")
        }
        return undefined
      })
      const body = randomBody(64 * MiB)
      const progress: Array<UploadProgress> = []
      const result = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("mpu64")
        yield* s3.createBucket(bucket)
        const uploaded = yield* s3.upload(bucket, "big", chunked(body), {
          onProgress: (event) => Effect.sync(() => progress.push(event))
        })
        const back = yield* s3.download(bucket, "big")
        const pending = (yield* backend.listMultipartUploads({ bucket: bucket })).uploads
        return { uploaded, back, pending }
      }).pipe(Effect.provide(layerOver(backend)))

      assert.isTrue(bytesEqual(result.back, body))
      assert.strictEqual(result.uploaded.parts, 8)
      assert.strictEqual(failedParts.size, 2)
      assert.strictEqual(calls("uploadPart"), 10)
      assert.strictEqual(calls("completeMultipartUpload"), 1)
      assert.strictEqual(calls("abortMultipartUpload"), 0)
      assert.deepStrictEqual(result.pending, [])
      assert.deepStrictEqual(progress.map((event) => event.parts), [1, 2, 3, 4, 5, 6, 7, 8])
      assert.strictEqual(progress.at(-1)!.bytes, body.length)
      assert.isTrue(progress.every((event, i) => i === 0 || event.bytes > progress[i - 1]!.bytes))
    }))

  it.scopedLive("interrupting a multipart upload halfway aborts it: nothing pending", () =>
    Effect.gen(function*() {
      const backend = yield* acquire
      const bucket = uniqueBucket("mpu-interrupt")
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        const slow = chunked(randomBody(40 * MiB), 1 * MiB).pipe(Stream.tap(() => Effect.sleep("20 millis")))
        let acknowledged = 0
        const fiber = yield* Effect.fork(s3.upload(bucket, "half", slow, {
          partSize: 5 * MiB,
          onProgress: (event) => Effect.sync(() => acknowledged = event.parts)
        }))
        while (acknowledged < 2) yield* Effect.sleep("10 millis")
        assert.strictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).uploads.length, 1)
        yield* Fiber.interrupt(fiber)
        assert.deepStrictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).uploads, [])
        assert.isFalse(yield* s3.exists(bucket, "half"))
      }).pipe(Effect.provide(layerOver(backend)))
    }))

  it.scopedLive("the body stream's own error reaches the caller, typed, and the upload is aborted", () =>
    Effect.gen(function*() {
      const backend = yield* acquire
      const bucket = uniqueBucket("mpu-source")
      const error = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        const broken = Stream.concat(chunked(randomBody(12 * MiB)), Stream.fail(new SourceBroke({ at: 12 })))
        return yield* Effect.flip(s3.upload(bucket, "broken", broken, { partSize: 5 * MiB }))
      }).pipe(Effect.provide(layerOver(backend)))
      assert.strictEqual(error._tag, "SourceBroke")
      assert.deepStrictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).uploads, [])
    }))
}

const failuresAndCopies = (acquire: BackendSource) => {
  it.scopedLive("a part refused for good fails the upload with its error, without Complete, and aborts", () =>
    Effect.gen(function*() {
      // Part 2 of 3 fails while its neighbours succeed: the upload must not be completed with a hole.
      const { backend, calls } = instrument(
        yield* acquire,
        (operation, _call, args) =>
          operation === "uploadPart" && (args[0] as { partNumber: number }).partNumber === 2
            ? refused("UploadPart", "InvalidArgument")
            : undefined
      )
      const bucket = uniqueBucket("mpu-refused")
      const error = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        return yield* Effect.flip(s3.upload(bucket, "k", chunked(randomBody(12 * MiB)), { partSize: 5 * MiB }))
      }).pipe(Effect.provide(layerOver(backend)))
      assert.strictEqual(error._tag, "S3ServiceError")
      assert.strictEqual(calls("uploadPart"), 3)
      assert.strictEqual(calls("completeMultipartUpload"), 0)
      assert.strictEqual(calls("abortMultipartUpload"), 1)
      assert.deepStrictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).uploads, [])
    }))

  it.scopedLive("a failed Complete is a typed error, and the upload is aborted", () =>
    Effect.gen(function*() {
      const { backend, calls } = instrument(yield* acquire, (operation) =>
        operation === "completeMultipartUpload"
          ? refused("CompleteMultipartUpload", "InvalidPart")
          : undefined)
      const bucket = uniqueBucket("mpu-complete")
      const error = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        return yield* Effect.flip(s3.upload(bucket, "k", randomBody(9 * MiB)))
      }).pipe(Effect.provide(layerOver(backend)))
      assert.strictEqual(error._tag, "S3ServiceError")
      assert.strictEqual(calls("abortMultipartUpload"), 1)
      assert.deepStrictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).uploads, [])
    }))

  it.scopedLive("a multipart copy sends no object bytes through the client", () =>
    Effect.gen(function*() {
      const base = yield* acquire
      const { backend, calls } = instrument(base)
      const bucket = uniqueBucket("copy-bytes")
      const body = randomBody(11 * MiB)
      const before = (operation: Parameters<typeof calls>[0]) => calls(operation)
      const result = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        yield* s3.upload(bucket, "source", body, { multipartThreshold: 16 * MiB })
        const counted = { put: before("putObject"), get: before("getObject"), part: before("uploadPart") }
        const copied = yield* s3.copy({ bucket, key: "source" }, { bucket, key: "copy" }, {
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB
        })
        assert.deepStrictEqual(
          [calls("putObject") - counted.put, calls("getObject") - counted.get, calls("uploadPart") - counted.part],
          [0, 0, 0]
        )
        assert.strictEqual(calls("uploadPartCopy"), 3)
        return [copied, yield* s3.download(bucket, "copy")] as const
      }).pipe(Effect.provide(layerOver(backend)))
      assert.strictEqual(result[0].parts, 3)
      assert.isTrue(bytesEqual(result[1], body))
    }))
}

const replacedSources = (acquire: BackendSource) => {
  it.scopedLive("a source replaced during a multipart copy fails with PreconditionFailed and leaves nothing pending", () =>
    Effect.forEach([11 * MiB, 1000], (replacementSize) =>
      Effect.gen(function*() {
        const base = yield* acquire
        const bucket = uniqueBucket("copy-replaced")
        const replacing: Backend = {
          ...base,
          uploadPartCopy: (request) =>
            request.partNumber === 2
              ? Effect.zipRight(
                base.putObject({ bucket, key: "source", body: randomBody(replacementSize) }),
                base.uploadPartCopy(request)
              )
              : base.uploadPartCopy(request)
        }
        const error = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket(bucket)
          yield* s3.upload(bucket, "source", randomBody(11 * MiB))
          return yield* Effect.flip(s3.copy({ bucket, key: "source" }, { bucket, key: "copy" }, {
            multipartThreshold: 5 * MiB,
            partSize: 5 * MiB,
            partConcurrency: 1
          }))
        }).pipe(Effect.provide(layerOver(replacing)))
        assert.strictEqual(error._tag, "PreconditionFailed", String(error))
        assert.deepStrictEqual((yield* base.listMultipartUploads({ bucket })).uploads, [])
        assert.strictEqual((yield* Effect.flip(base.headObject({ bucket, key: "copy" })))._tag, "NoSuchKey")
      })))
}

/**
 * Multipart uploads and copies over a backend: one suite, run on the mock and on a real server.
 */
export const streamingSuite = (name: string, acquire: BackendSource) =>
  describe(name, () => {
    multipartUploads(acquire)
    failuresAndCopies(acquire)
    replacedSources(acquire)
  })
