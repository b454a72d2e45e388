import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { createHash } from "node:crypto"
import { Fault, NoSuchKey, Retry, S3Po, S3PoBackend, S3PoMock, S3ServiceError } from "s3po"

const quickRetry = Retry.exponential({ base: "1 millis", maxDelay: "5 millis" })
const encoder = new TextEncoder()

interface Stored {
  readonly body: Uint8Array
  readonly etag: string
  readonly lastModified: Date
  readonly contentType: string
}

/**
 * A store of one bucket, "bkt", written here as a user would write a backend: objects in a map,
 * listings in key order, one page each; no multipart, copies or tags.
 */
const memoryBackend = () => {
  const objects = new Map<string, Stored>()
  const missing = (operation: string, key: string) => new NoSuchKey({ operation, bucket: "bkt", key })
  const noBucket = (operation: string, bucket: string) =>
    new S3ServiceError({
      operation,
      bucket,
      status: 404,
      code: "NoSuchBucket",
      detail: "no such bucket",
      retryable: false
    })
  const infoOf = (key: string, object: Stored) => ({
    key,
    size: object.body.length,
    etag: object.etag,
    lastModified: object.lastModified,
    contentType: object.contentType,
    metadata: {}
  })
  const backend = S3PoBackend.make({
    headBucket: ({ bucket }) => bucket === "bkt" ? Effect.void : Effect.fail(noBucket("HeadBucket", bucket)),
    putObject: (request) =>
      Effect.sync(() => {
        const etag = `"${createHash("md5").update(request.body).digest("hex")}"`
        objects.set(request.key, {
          body: request.body.slice(),
          etag,
          lastModified: new Date(0),
          contentType: request.contentType ?? "application/octet-stream"
        })
        return { etag }
      }),
    headObject: (request) =>
      Effect.suspend(() => {
        const object = objects.get(request.key)
        return object === undefined
          ? Effect.fail(missing("HeadObject", request.key))
          : Effect.succeed(infoOf(request.key, object))
      }),
    getObject: (request) =>
      Effect.suspend(() => {
        const object = objects.get(request.key)
        if (object === undefined) return Effect.fail(missing("GetObject", request.key))
        const range = request.range
        const start = range === undefined ? 0 : "suffix" in range ? object.body.length - range.suffix : range.start
        const end = range === undefined || "suffix" in range
          ? object.body.length - 1
          : range.end ?? object.body.length - 1
        const body = object.body.subarray(start, Math.min(end, object.body.length - 1) + 1)
        return Effect.succeed({
          info: infoOf(request.key, object),
          contentLength: body.length,
          partial: range !== undefined,
          offset: start,
          body: Stream.succeed(body.slice()),
          forEachChunk: (f: (chunk: Uint8Array) => void) => Effect.sync(() => f(body)),
          discard: Effect.void
        })
      }),
    listPage: (request) =>
      Effect.sync(() => ({
        objects: [...objects.keys()].filter((key) => key.startsWith(request.prefix ?? "")).sort().flatMap((key) =>
          request.startAfter !== undefined && key <= request.startAfter ? [] : [{
            _tag: "Object" as const,
            key,
            size: objects.get(key)!.body.length,
            etag: objects.get(key)!.etag,
            lastModified: objects.get(key)!.lastModified,
            storageClass: "STANDARD"
          }]
        ),
        commonPrefixes: [],
        isTruncated: false
      })),
    deleteObject: (request) => Effect.sync(() => void objects.delete(request.key))
  })
  return { backend, objects }
}

/** The backend with each request counted while it runs, taking `millis` of Effect's clock. */
const counting = (backend: S3PoBackend.Backend, millis: number) => {
  const counts = { inFlight: 0, most: 0, starts: [] as Array<number> }
  const slow = S3PoBackend.make({
    headBucket: (request) =>
      Effect.gen(function*() {
        counts.starts.push(yield* Clock.currentTimeMillis)
        counts.inFlight++
        counts.most = Math.max(counts.most, counts.inFlight)
        yield* Effect.sleep(`${millis} millis`)
        counts.inFlight--
        return yield* backend.headBucket(request)
      })
  })
  return { backend: slow, counts }
}

describe("S3PoBackend", () => {
  describe("layer", () => {
    it.effect("serves the S3Po service over a backend a user wrote", () =>
      Effect.gen(function*() {
        const { backend, objects } = memoryBackend()
        const result = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.upload("bkt", "b.txt", "bee")
          yield* s3.upload("bkt", "a.txt", "ay", { contentType: "text/plain" })
          const text = yield* s3.downloadString("bkt", "a.txt")
          const keys = yield* s3.list("bkt").pipe(Stream.runCollect)
          const head = yield* s3.head("bkt", "a.txt")
          yield* s3.delete("bkt", "b.txt")
          const exists = yield* s3.exists("bkt", "b.txt")
          return { text, keys: [...keys], contentType: head.contentType, exists }
        }).pipe(Effect.provide(S3PoBackend.layer(backend, { retry: "off" })))
        assert.deepStrictEqual(result, {
          text: "ay",
          keys: ["a.txt", "b.txt"],
          contentType: "text/plain",
          exists: false
        })
        assert.deepStrictEqual([...objects.keys()], ["a.txt"])
      }))

    it.effect("a primitive left out answers 501 NotImplemented, and so does presign without a presigner", () =>
      Effect.gen(function*() {
        const { backend } = memoryBackend()
        const [tags, url] = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          return yield* Effect.all([Effect.flip(s3.getTags("bkt", "a.txt")), Effect.flip(s3.presign("bkt", "a.txt"))])
        }).pipe(Effect.provide(S3PoBackend.layer(backend, { retry: quickRetry })))
        assert.strictEqual(tags._tag, "S3ServiceError")
        assert.strictEqual(url._tag, "S3ServiceError")
        if (tags._tag === "S3ServiceError" && url._tag === "S3ServiceError") {
          assert.deepStrictEqual([tags.status, tags.code, tags.retryable], [501, "NotImplemented", false])
          assert.strictEqual(tags.operation, "GetObjectTagging")
          assert.deepStrictEqual([url.status, url.code], [501, "NotImplemented"])
        }
      }))

    it.effect("a primitive that is no function fails its requests with ValidationError", () =>
      Effect.gen(function*() {
        const backend = S3PoBackend.make({ headBucket: "yes" as never })
        const error = yield* Effect.flip(backend.headBucket({ bucket: "bkt" }))
        assert.strictEqual(error._tag, "ValidationError")
        assert.include(error.message, "headBucket")
      }))

    it.effect("an effect acquiring a backend is run when the layer is built; bad options fail it", () =>
      Effect.gen(function*() {
        let built = 0
        const acquire = Effect.sync(() => {
          built++
          return memoryBackend().backend
        })
        const layer = S3PoBackend.layer(acquire)
        assert.strictEqual(built, 0)
        yield* Effect.flatMap(S3Po, (s3) => s3.bucketExists("bkt")).pipe(Effect.provide(layer))
        assert.strictEqual(built, 1)
        const error = yield* Effect.flip(
          Effect.flatMap(S3Po, (s3) => s3.bucketExists("bkt")).pipe(
            Effect.provide(S3PoBackend.layer(acquire, { multipart: { partSize: 1 } }))
          )
        )
        assert.strictEqual(error._tag, "ValidationError")
      }))
  })

  describe("withPrefix", () => {
    it.effect("joins the prefix to every key given and strips it from every key answered", () =>
      Effect.gen(function*() {
        const { backend, objects } = memoryBackend()
        yield* backend.putObject({ bucket: "bkt", key: "outside.txt", body: encoder.encode("x") })
        const scoped = backend.pipe(S3PoBackend.withPrefix("tenant/"))
        const result = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.upload("bkt", "dir/a.txt", "ay")
          const keys = yield* s3.list("bkt").pipe(Stream.runCollect)
          const head = yield* s3.head("bkt", "dir/a.txt")
          const text = yield* s3.downloadString("bkt", "dir/a.txt")
          return { keys: [...keys], key: head.key, text }
        }).pipe(Effect.provide(S3PoBackend.layer(scoped, { retry: "off" })))
        assert.deepStrictEqual(result, { keys: ["dir/a.txt"], key: "dir/a.txt", text: "ay" })
        assert.deepStrictEqual([...objects.keys()].sort(), ["outside.txt", "tenant/dir/a.txt"])
      }))

    it.effect("over the mock's backend: multipart uploads, copies, pending uploads and presigned URLs stay under the prefix", () =>
      Effect.gen(function*() {
        const { backend, control } = yield* S3PoMock.backend({ seed: { bkt: { "elsewhere/x": "x" } } })
        const scoped = backend.pipe(S3PoBackend.withPrefix("p/"))
        yield* scoped.createMultipartUpload({ bucket: "bkt", key: "pending.bin" })
        const result = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          const pending = yield* s3.listPendingUploads("bkt").pipe(Stream.runCollect)
          const big = new Uint8Array(6 * 1024 * 1024).fill(7)
          yield* s3.upload("bkt", "big.bin", big, { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 })
          yield* s3.copy({ bucket: "bkt", key: "big.bin" }, { bucket: "bkt", key: "copy.bin" })
          const url = yield* s3.presign("bkt", "copy.bin")
          const keys = yield* s3.list("bkt").pipe(Stream.runCollect)
          const grouped = yield* s3.listObjects("bkt", { delimiter: "/" }).pipe(Stream.runCollect)
          return {
            pending: [...pending].map((upload) => upload.key),
            url,
            keys: [...keys],
            grouped: [...grouped].map((entry) => entry._tag === "Object" ? entry.key : entry.prefix)
          }
        }).pipe(Effect.provide(S3PoBackend.layer(scoped)))
        assert.deepStrictEqual(result.pending, ["pending.bin"])
        assert.deepStrictEqual((yield* control.pendingUploads).map((upload) => upload.key), ["p/pending.bin"])
        assert.deepStrictEqual(result.keys, ["big.bin", "copy.bin"])
        assert.deepStrictEqual(result.grouped, ["big.bin", "copy.bin"])
        assert.include(result.url, "/p/copy.bin")
        const stored = yield* control.snapshot
        assert.deepStrictEqual(Object.keys(stored.bkt!).sort(), ["elsewhere/x", "p/big.bin", "p/copy.bin"])
        const response = yield* control.fetch(result.url)
        assert.strictEqual(response.status, 200)
        const multipart = (yield* control.calls).filter((call) => call.operation === "UploadPart")
        assert.deepStrictEqual(multipart.map((call) => call.key), ["p/big.bin", "p/big.bin"])
      }))

    it.effect("errors name the key as the caller gave it, in their own class", () =>
      Effect.gen(function*() {
        const { backend } = yield* S3PoMock.backend({ seed: { bkt: {} } })
        const error = yield* Effect.flip(
          Effect.flatMap(S3Po, (s3) => s3.downloadString("bkt", "missing.txt")).pipe(
            Effect.provide(S3PoBackend.layer(backend.pipe(S3PoBackend.withPrefix("p/"))))
          )
        )
        assert.instanceOf(error, NoSuchKey)
        assert.strictEqual(error._tag === "NoSuchKey" ? error.key : undefined, "missing.txt")
        assert.include(error.message, "s3://bkt/missing.txt")
      }))

    it.effect("takes the backend first too (dual)", () =>
      Effect.gen(function*() {
        const { backend, objects } = memoryBackend()
        const scoped = S3PoBackend.withPrefix(backend, "p/")
        yield* scoped.putObject({ bucket: "bkt", key: "k", body: encoder.encode("x") })
        assert.deepStrictEqual([...objects.keys()], ["p/k"])
      }))
  })

  describe("withConcurrencyLimit", () => {
    it.effect("never has more than the limit in flight, over every fiber using the backend", () =>
      Effect.gen(function*() {
        const { backend: slow, counts } = counting(memoryBackend().backend, 100)
        const limited = slow.pipe(S3PoBackend.withConcurrencyLimit(3))
        // Two layers over one limited backend: fibers of both share its 3 permits.
        const check = Effect.flatMap(S3Po, (s3) => s3.bucketExists("bkt"))
        const run = (n: number) =>
          Effect.forEach(Array.from({ length: n }), () => check, { concurrency: "unbounded" }).pipe(
            Effect.provide(S3PoBackend.layer(limited, { retry: "off" }))
          )
        const fiber = yield* Effect.fork(Effect.all([run(10), run(10)], { concurrency: "unbounded" }))
        yield* TestClock.adjust("50 millis")
        assert.strictEqual(counts.inFlight, 3)
        yield* TestClock.adjust("10 seconds")
        const [first, second] = yield* Fiber.join(fiber)
        assert.deepStrictEqual([...first, ...second].filter((found) => found).length, 20)
        assert.strictEqual(counts.most, 3)
        // 20 requests, 3 at a time, 100 ms each: 7 rounds.
        assert.strictEqual(Math.max(...counts.starts), 600)
      }))

    it.effect("a limit under 1 fails every request with ValidationError", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(
          memoryBackend().backend.pipe(S3PoBackend.withConcurrencyLimit(0)).headBucket({ bucket: "bkt" })
        )
        assert.strictEqual(error._tag, "ValidationError")
      }))
  })

  describe("withRateLimit", () => {
    it.effect("starts at most `limit` requests in any interval, on the clock", () =>
      Effect.gen(function*() {
        const { backend: instant, counts } = counting(memoryBackend().backend, 0)
        const paced = instant.pipe(S3PoBackend.withRateLimit({ limit: 2, interval: "1 second" }))
        const fiber = yield* Effect.fork(
          Effect.forEach(Array.from({ length: 5 }), () => paced.headBucket({ bucket: "bkt" }), {
            concurrency: "unbounded"
          })
        )
        yield* TestClock.adjust("999 millis")
        assert.strictEqual(counts.starts.length, 2)
        yield* TestClock.adjust("5 seconds")
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(counts.starts, [0, 0, 1000, 1000, 2000])
      }))

    it.effect("a rate it cannot take fails every request with ValidationError", () =>
      Effect.gen(function*() {
        const backend = memoryBackend().backend
        const noLimit = yield* Effect.flip(
          backend.pipe(S3PoBackend.withRateLimit({ limit: 0 })).headBucket({ bucket: "bkt" })
        )
        const bareNumber = yield* Effect.flip(
          backend.pipe(S3PoBackend.withRateLimit({ limit: 1, interval: 1000 as never })).headBucket({ bucket: "bkt" })
        )
        assert.deepStrictEqual([noLimit._tag, bareNumber._tag], ["ValidationError", "ValidationError"])
      }))
  })

  describe("withFaults, withCallLog, withLatency, withRetry", () => {
    it.effect("faults on a backend that is no mock are retried by the layer; the log outside them sees each attempt", () =>
      Effect.gen(function*() {
        const log = yield* S3PoBackend.makeCallLog()
        const backend = memoryBackend().backend.pipe(
          S3PoBackend.withFaults([{ fault: Fault.throttled(), operation: "PutObject", times: 2 }]),
          S3PoBackend.withCallLog(log)
        )
        const fiber = yield* Effect.fork(
          Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "k", "v")).pipe(
            Effect.provide(S3PoBackend.layer(backend, { retry: quickRetry }))
          )
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        const calls = yield* log.calls
        assert.deepStrictEqual(
          calls.map((call) => [call.operation, call.outcome, call.attempt, call.error?._tag]),
          [
            ["PutObject", "failed", 1, "Throttled"],
            ["PutObject", "failed", 2, "Throttled"],
            ["PutObject", "succeeded", 3, undefined]
          ]
        )
      }))

    it.effect("a call log keeps its last `limit` calls and counts them all", () =>
      Effect.gen(function*() {
        const log = yield* S3PoBackend.makeCallLog({ limit: 2 })
        const backend = S3PoBackend.withCallLog(memoryBackend().backend, log)
        for (const key of ["a", "b", "c", "d", "e"]) {
          yield* Effect.flip(backend.headObject({ bucket: "bkt", key }))
        }
        assert.deepStrictEqual((yield* log.calls).map((call) => call.key), ["d", "e"])
        assert.deepStrictEqual(yield* log.counts, { total: 5, dropped: 3, byOperation: { HeadObject: 5 } })
        yield* log.clear
        assert.strictEqual((yield* log.counts).total, 0)
        assert.strictEqual((yield* Effect.flip(S3PoBackend.makeCallLog({ limit: -1 })))._tag, "ValidationError")
      }))

    it.effect("latency delays each request on the clock", () =>
      Effect.gen(function*() {
        const backend = memoryBackend().backend.pipe(
          S3PoBackend.withLatency((request) => request.operation === "HeadBucket" ? "1 second" : "0 millis")
        )
        const fiber = yield* Effect.fork(backend.headBucket({ bucket: "bkt" }))
        yield* TestClock.adjust("999 millis")
        assert.isTrue(fiber.unsafePoll() === null)
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(fiber)
        yield* backend.listPage({ bucket: "bkt" })
      }))

    it.effect("withRetry retries a primitive by the policy, without a layer", () =>
      Effect.gen(function*() {
        let attempts = 0
        const flaky = S3PoBackend.make({
          headBucket: ({ bucket }) =>
            Effect.suspend(() =>
              ++attempts < 3
                ? Effect.fail(
                  new S3ServiceError({
                    operation: "HeadBucket",
                    bucket,
                    status: 500,
                    code: "InternalError",
                    detail: "try again",
                    retryable: true
                  })
                )
                : Effect.void
            )
        })
        const fiber = yield* Effect.fork(flaky.pipe(S3PoBackend.withRetry(quickRetry)).headBucket({ bucket: "bkt" }))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
        assert.strictEqual(attempts, 3)
        const invalid = yield* Effect.flip(
          memoryBackend().backend.pipe(S3PoBackend.withFaults([{ fault: "nope" as never }])).headBucket({
            bucket: "bkt"
          })
        )
        assert.strictEqual(invalid._tag, "ValidationError")
      }))
  })
})
