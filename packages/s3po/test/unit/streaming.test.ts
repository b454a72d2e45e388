import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { streamingSuite } from "s3po/testing"
import type { Backend } from "../../src/internal/core/backend.js"
import { maxBytesInMemory } from "../../src/internal/core/limits.js"
import { exponential } from "../../src/internal/core/retry.js"
import { planPartSize } from "../../src/internal/core/upload.js"
import { chunked } from "../../src/internal/testing/streaming.js"
import { S3Po } from "../../src/S3Po.js"
import { instrument, layerOver, mockBackend } from "../utils/backends.js"
import { bytesEqual, randomBody, tempDir } from "../utils/fixtures.js"

const MiB = 1024 * 1024
const quickRetry = exponential({ base: "2 millis", maxDelay: "20 millis", maxRetries: 5 })

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
            ...(request.range === undefined || "suffix" in request.range
              ? {}
              : { range: `${request.range.start}-${request.range.end ?? ""}` }),
            ...(request.ifMatch === undefined ? {} : { ifMatch: request.ifMatch })
          })
          const response = yield* base.getObject(request)
          if (left === 0) return response
          left--
          yield* Effect.orDie(beforeCut(base))
          const half = Math.floor(response.contentLength! / 2)
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
      // An object said to be 8 GiB: streaming must not try to hold it. Gathering one larger than a
      // single Buffer can hold in this Node.js (4 GiB on Node 20, 2^53 - 1 bytes from Node 22) is refused.
      const base = mockBackend()
      const first = randomBody(1000)
      const saidToBe = (size: number): Backend => ({
        ...base,
        headObject: (request) => Effect.map(base.headObject(request), (info) => ({ ...info, size })),
        // Whole: the first 1000 bytes under the large length. Ranged: the first range holds them, later ones never end.
        getObject: (request) =>
          request.range === undefined
            ? Effect.map(base.getObject(request), (response) => ({ ...response, contentLength: size }))
            : "start" in request.range && request.range.start === 0
            ? base.getObject(request)
            : Effect.never
      })
      yield* Effect.provide(
        Effect.flatMap(S3Po, (s3) => Effect.zipRight(s3.createBucket("huge"), s3.upload("huge", "k", first))),
        layerOver(base)
      )
      const chunks = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const streamed = yield* Stream.runCollect(Stream.take(s3.downloadStream("huge", "k"), 1))
        const ranged = yield* Stream.runCollect(Stream.take(s3.downloadStream("huge", "k", { concurrency: 4 }), 1))
        return [...streamed, ...ranged]
      }).pipe(Effect.provide(layerOver(saidToBe(8 * 1024 * MiB), quickRetry)))
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        // Gathering it into one array is refused with a typed error that says what to use instead.
        for (const options of [{}, { concurrency: 4 }]) {
          const error = yield* Effect.flip(s3.download("huge", "k", options))
          assert.strictEqual(error._tag, "ValidationError")
          assert.include(error.message, "use downloadStream or downloadFile")
        }
      }).pipe(Effect.provide(layerOver(saidToBe(maxBytesInMemory + 1), quickRetry)))
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

streamingSuite("streaming on S3PoMock", Effect.sync(mockBackend))

describe("ranges on a server that ignores them", () => {
  it.live("a range answered with the whole object fails instead of passing the wrong bytes off as the range", () =>
    Effect.gen(function*() {
      const base = mockBackend()
      // A server that drops the Range header: 200 and the whole body, no Content-Range.
      const backend: Backend = { ...base, getObject: (request) => base.getObject({ ...request, range: undefined }) }
      const s3 = yield* Effect.provide(S3Po, layerOver(backend, quickRetry))
      yield* s3.createBucket("bkt")
      yield* s3.upload("bkt", "digits", "0123456789")
      const error = yield* Effect.flip(s3.downloadString("bkt", "digits", { range: { start: 2, end: 5 } }))
      assert.strictEqual(error._tag, "TransportError")
      assert.include(error.message, "sent the whole object")
      assert.strictEqual(yield* s3.downloadString("bkt", "digits"), "0123456789")
    }))
})

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
