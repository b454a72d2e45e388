import { assert, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { Backend } from "../src/internal/core/backend.js"
import { exponential } from "../src/internal/core/retry.js"
import { planPartSize } from "../src/internal/core/upload.js"
import { S3Po, type UploadProgress } from "../src/S3Po.js"
import { S3ServiceError } from "../src/S3PoError.js"
import { instrument, layerOver, liveBackend, mockBackend } from "./utils/backends.js"
import { bytesEqual, randomBody, tempDir, uniqueBucket } from "./utils/fixtures.js"

const MiB = 1024 * 1024
const quickRetry = exponential({ base: "2 millis", maxDelay: "20 millis", maxRetries: 5 })

class SourceBroke extends Data.TaggedError("SourceBroke")<{ readonly at: number }> {}

const transient = (operation: string) =>
  new S3ServiceError({ operation, bucket: "b", status: 503, code: "SlowDown", detail: "injected", retryable: true })

const refused = (operation: string, code: string) =>
  new S3ServiceError({ operation, bucket: "b", status: 400, code, detail: "injected", retryable: false })

/** Splits bytes into uneven chunks, as a network or file stream would deliver them. */
const chunked = (bytes: Uint8Array, size = 1_000_003) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
  )

const streamingSuite = (name: string, makeBackend: () => Backend) =>
  describe(name, () => {
    it.live("uploads a 64 MiB stream with failing parts: byte-identical, one Complete, nothing pending", () =>
      Effect.gen(function*() {
        const failedParts = new Set<number>()
        const { backend, calls } = instrument(makeBackend(), (operation, _call, args) => {
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
          const pending = yield* backend.listMultipartUploads({ bucket: bucket })
          return { uploaded, back, pending }
        }).pipe(Effect.provide(layerOver(backend, quickRetry)))

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

    it.live("interrupting a multipart upload halfway aborts it: nothing pending", () =>
      Effect.gen(function*() {
        const backend = makeBackend()
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
          assert.strictEqual((yield* backend.listMultipartUploads({ bucket: bucket })).length, 1)
          yield* Fiber.interrupt(fiber)
          assert.deepStrictEqual(yield* backend.listMultipartUploads({ bucket: bucket }), [])
          assert.isFalse(yield* s3.exists(bucket, "half"))
        }).pipe(Effect.provide(layerOver(backend, quickRetry)))
      }))

    it.live("the body stream's own error reaches the caller, typed, and the upload is aborted", () =>
      Effect.gen(function*() {
        const backend = makeBackend()
        const bucket = uniqueBucket("mpu-source")
        const error = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket(bucket)
          const broken = Stream.concat(chunked(randomBody(12 * MiB)), Stream.fail(new SourceBroke({ at: 12 })))
          return yield* Effect.flip(s3.upload(bucket, "broken", broken, { partSize: 5 * MiB }))
        }).pipe(Effect.provide(layerOver(backend, quickRetry)))
        assert.strictEqual(error._tag, "SourceBroke")
        assert.deepStrictEqual(yield* backend.listMultipartUploads({ bucket: bucket }), [])
      }))

    it.live("a part refused for good fails the upload with its error, without Complete, and aborts", () =>
      Effect.gen(function*() {
        // Part 2 of 3 fails while its neighbours succeed: the upload must not be completed with a hole.
        const { backend, calls } = instrument(makeBackend(), (operation, _call, args) =>
          operation === "uploadPart" && (args[0] as { partNumber: number }).partNumber === 2
            ? refused("UploadPart", "InvalidArgument")
            : undefined)
        const bucket = uniqueBucket("mpu-refused")
        const error = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket(bucket)
          return yield* Effect.flip(s3.upload(bucket, "k", chunked(randomBody(12 * MiB)), { partSize: 5 * MiB }))
        }).pipe(Effect.provide(layerOver(backend, quickRetry)))
        assert.strictEqual(error._tag, "S3ServiceError")
        assert.strictEqual(calls("uploadPart"), 3)
        assert.strictEqual(calls("completeMultipartUpload"), 0)
        assert.strictEqual(calls("abortMultipartUpload"), 1)
        assert.deepStrictEqual(yield* backend.listMultipartUploads({ bucket: bucket }), [])
      }))

    it.live("a failed Complete is a typed error, and the upload is aborted", () =>
      Effect.gen(function*() {
        const { backend, calls } = instrument(makeBackend(), (operation) =>
          operation === "completeMultipartUpload"
            ? refused("CompleteMultipartUpload", "InvalidPart")
            : undefined)
        const bucket = uniqueBucket("mpu-complete")
        const error = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket(bucket)
          return yield* Effect.flip(s3.upload(bucket, "k", randomBody(9 * MiB)))
        }).pipe(Effect.provide(layerOver(backend, quickRetry)))
        assert.strictEqual(error._tag, "S3ServiceError")
        assert.strictEqual(calls("abortMultipartUpload"), 1)
        assert.deepStrictEqual(yield* backend.listMultipartUploads({ bucket: bucket }), [])
      }))
  })

describe("resumed downloads on S3PoMock", () => {
  /** A backend whose GET bodies end halfway, cleanly, `cuts` times; `beforeCut` runs before each cut answer. */
  const cutting = (cuts: number, beforeCut: (backend: Backend) => Effect.Effect<void, unknown> = () => Effect.void) => {
    const base = mockBackend()
    const requests: Array<{ readonly range?: string; readonly ifMatch?: string }> = []
    let left = cuts
    const backend: Backend = {
      ...base,
      getObject: (request) =>
        Effect.gen(function*() {
          requests.push({
            ...(request.range === undefined ? {} : { range: `${request.range.start}-${request.range.end ?? ""}` }),
            ...(request.ifMatch === undefined ? {} : { ifMatch: request.ifMatch })
          })
          const response = yield* base.getObject(request)
          if (left === 0) return response
          left--
          yield* Effect.orDie(beforeCut(base))
          const half = Math.floor(response.contentLength / 2)
          const bytes = yield* Effect.orDie(Stream.runCollect(response.body))
          const cut = Buffer.concat([...bytes]).subarray(0, half)
          return { ...response, body: Stream.succeed(cut), forEachChunk: (f) => Effect.sync(() => f(cut)) }
        })
    }
    return { backend, requests }
  }

  it.live("a download cut short several times resumes from the first missing byte, pinned to its ETag", () =>
    Effect.gen(function*() {
      const { backend, requests } = cutting(3)
      const body = randomBody(4 * MiB)
      const etag = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("resume")
        const { etag } = yield* s3.upload("resume", "k", body)
        assert.isTrue(bytesEqual(yield* s3.download("resume", "k"), body))
        const streamed = yield* Stream.runCollect(s3.downloadStream("resume", "k"))
        assert.isTrue(bytesEqual(Buffer.concat([...streamed]), body))
        return etag
      }).pipe(Effect.provide(layerOver(backend, quickRetry)))
      assert.deepStrictEqual(requests.slice(0, 4), [
        {},
        { range: `${2 * MiB}-${4 * MiB - 1}`, ifMatch: etag },
        { range: `${3 * MiB}-${4 * MiB - 1}`, ifMatch: etag },
        { range: `${3.5 * MiB}-${4 * MiB - 1}`, ifMatch: etag }
      ])
    }))

  it.live("streaming a download reserves no memory for the object's size; gathering a huge one is refused", () =>
    Effect.gen(function*() {
      // An object said to be 8 GiB, more than one Buffer can hold: streaming must not try to hold it.
      const base = mockBackend()
      const first = randomBody(1000)
      const size = 8 * 1024 * MiB
      const huge: Backend = {
        ...base,
        headObject: (request) => Effect.map(base.headObject(request), (info) => ({ ...info, size })),
        // Whole: the first 1000 bytes under an 8 GiB length. Ranged: the first range holds them, later ones never end.
        getObject: (request) =>
          request.range === undefined
            ? Effect.map(base.getObject(request), (response) => ({ ...response, contentLength: size }))
            : request.range.start === 0
            ? base.getObject(request)
            : Effect.never
      }
      const chunks = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("huge")
        yield* s3.upload("huge", "k", first)
        const streamed = yield* Stream.runCollect(Stream.take(s3.downloadStream("huge", "k"), 1))
        const ranged = yield* Stream.runCollect(Stream.take(s3.downloadStream("huge", "k", { concurrency: 4 }), 1))
        // Gathering it into one array is refused with a typed error that says what to use instead.
        for (const options of [{}, { concurrency: 4 }]) {
          const error = yield* Effect.flip(s3.download("huge", "k", options))
          assert.strictEqual(error._tag, "ValidationError")
          assert.include(error.message, "use downloadStream or downloadFile")
        }
        return [...streamed, ...ranged]
      }).pipe(Effect.provide(layerOver(huge, quickRetry)))
      assert.strictEqual(chunks.length, 2)
      assert.isTrue(chunks.every((chunk) => bytesEqual(chunk, first)))
    }))

  it.live("a download whose object is replaced midway fails with PreconditionFailed", () =>
    Effect.gen(function*() {
      const { backend } = cutting(1, (base) => base.putObject({ bucket: "replaced", key: "k", body: randomBody(1000) }))
      const error = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("replaced")
        yield* s3.upload("replaced", "k", randomBody(2 * MiB))
        return yield* Effect.flip(s3.download("replaced", "k"))
      }).pipe(Effect.provide(layerOver(backend, quickRetry)))
      assert.strictEqual(error._tag, "PreconditionFailed")
    }))
})

streamingSuite("streaming on S3PoMock", mockBackend)
streamingSuite("streaming on S3PoLive", () => liveBackend())

describe("multipart limits", () => {
  it.live("a stream that would need a 10,001st part fails before uploading it", () =>
    Effect.gen(function*() {
      // A backend that acknowledges parts without keeping them, so 10,000 × 5 MiB costs no memory.
      const base = mockBackend()
      const { backend, calls } = instrument({
        ...base,
        uploadPart: (request) => Effect.succeed({ etag: `"part-${request.partNumber}"` })
      })
      const part = randomBody(5 * MiB)
      const error = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("limits")
        return yield* Effect.flip(
          s3.upload("limits", "huge", Stream.repeatValue(part).pipe(Stream.take(10_001)), {
            partSize: 5 * MiB,
            partConcurrency: 16
          })
        )
      }).pipe(Effect.provide(layerOver(backend, "off")))
      assert.strictEqual(error._tag, "ValidationError")
      assert.include(error.message, "10000 parts")
      assert.strictEqual(calls("uploadPart"), 10_000)
      assert.strictEqual(calls("completeMultipartUpload"), 0)
      assert.strictEqual(calls("abortMultipartUpload"), 1)
    }), { timeout: 120_000 })

  it.live("a body of known size grows its parts to fit in 10,000", () =>
    Effect.sync(() => {
      assert.strictEqual(planPartSize(8 * MiB, 8 * MiB * 10_000), 8 * MiB)
      assert.strictEqual(planPartSize(8 * MiB, 8 * MiB * 10_000 + 1), 9 * MiB)
      assert.isAtMost(Math.ceil(5 * 1024 * 1024 * MiB / planPartSize(8 * MiB, 5 * 1024 * 1024 * MiB)), 10_000)
      assert.strictEqual(planPartSize(8 * MiB, undefined), 8 * MiB)
    }))

  it.live("parts stream in order and in parts of exactly partSize", () =>
    Effect.gen(function*() {
      const sizes: Array<number> = []
      const { backend } = instrument(mockBackend(), (operation, _call, args) => {
        if (operation === "uploadPart") {
          sizes[(args[0] as { partNumber: number }).partNumber - 1] = (args[0] as { body: Uint8Array }).body.length
        }
        return undefined
      })
      const body = randomBody(23 * MiB + 11)
      const back = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("sizes")
        yield* s3.upload("sizes", "k", chunked(body, 333_333), { partSize: 5 * MiB, partConcurrency: 3 })
        return yield* s3.download("sizes", "k")
      }).pipe(Effect.provide(layerOver(backend)))
      assert.deepStrictEqual(sizes, [5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 3 * MiB + 11])
      assert.isTrue(bytesEqual(back, body))
    }))
})

describe("uploadFile", () => {
  it.scopedLive("reads a file as parts of exactly partSize, straight into a few reused shared buffers", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const parts: Array<{ readonly key: string; readonly size: number; readonly buffer: ArrayBufferLike }> = []
      const { backend } = instrument(mockBackend(), (operation, _call, args) => {
        if (operation === "uploadPart") {
          const request = args[0] as { readonly key: string; readonly body: Uint8Array }
          parts.push({ key: request.key, size: request.body.length, buffer: request.body.buffer })
        }
        return undefined
      })
      const uneven = randomBody(23 * MiB + 11)
      const even = randomBody(10 * MiB)
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "uneven.bin"), uneven))
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "even.bin"), even))
      const options = { partSize: 5 * MiB, multipartThreshold: 5 * MiB, partConcurrency: 2 }
      const back = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("files")
        const first = yield* s3.uploadFile("files", "uneven", path.join(dir, "uneven.bin"), options)
        const second = yield* s3.uploadFile("files", "even", path.join(dir, "even.bin"), options)
        assert.deepStrictEqual([first.parts, first.size, second.parts, second.size], [5, uneven.length, 2, even.length])
        return [yield* s3.download("files", "uneven"), yield* s3.download("files", "even")] as const
      }).pipe(Effect.provide(layerOver(backend)))

      const sizesOf = (key: string) => parts.filter((part) => part.key === key).map((part) => part.size)
      assert.deepStrictEqual(sizesOf("uneven"), [5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 3 * MiB + 11])
      assert.deepStrictEqual(sizesOf("even"), [5 * MiB, 5 * MiB])
      const buffers = new Set(parts.filter((part) => part.key === "uneven").map((part) => part.buffer))
      assert.isAtMost(buffers.size, options.partConcurrency + 1)
      for (const buffer of buffers) assert.instanceOf(buffer, SharedArrayBuffer)
      assert.isTrue(bytesEqual(back[0], uneven))
      assert.isTrue(bytesEqual(back[1], even))
    }))
})
