import { ListMultipartUploadsCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { inspect } from "node:util"
import { layerLive, layerLiveFromClient, MockFault, Retry, S3Po, S3PoLive } from "s3po"
import { type Fault, type FaultProxy, seededPlan, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, multipartETag, randomBody, tempDir, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"
import { recordingTracer } from "../utils/tracing.js"

const MiB = 1024 * 1024
const quickRetry = Retry.exponential({ base: "5 millis", maxDelay: "40 millis", maxRetries: 6 })

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

const throughProxy = (options: Parameters<typeof liveOptions>[0] = {}) =>
  layerLive(liveOptions({ endpoint: proxy.url, retry: quickRetry, ...options }))

/** A new bucket, with the proxy's request log cleared. */
const freshBucket = (name: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    proxy.reset()
    const bucket = uniqueBucket(name)
    yield* s3.createBucket(bucket)
    return bucket
  })

const requestsTo = (bucket: string, key: string) =>
  proxy.requests.filter((request) => request.path === `/${bucket}/${encodeURIComponent(key)}`)

const clientOptions = (): S3ClientConfig => ({
  endpoint: server().endpoint,
  region: server().region,
  forcePathStyle: true,
  credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
})

/** The multipart uploads pending on the server, asked directly, not through the proxy. */
const pendingOnServer = (bucket: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new S3Client(clientOptions())),
    (client) =>
      Effect.promise(() => client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).pipe(
        Effect.map((listed) => listed.Uploads ?? [])
      ),
    (client) => Effect.sync(() => client.destroy())
  )

const faults: ReadonlyArray<Fault> = [
  "slowDown503",
  "internalError500",
  "tooManyRequests429",
  "reset",
  "truncate",
  "delay"
]

describe("S3PoLive through injected faults", () => {
  it.scopedLive("every operation succeeds under a 20% fault rate, and reads back byte-identical data", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const dir = yield* tempDir
      proxy.reset()
      proxy.setPlan(seededPlan(20261125, 0.2, faults))
      const bucket = uniqueBucket("faults")
      yield* s3.createBucket(bucket)

      const text = "fault-tolerant ✓"
      yield* s3.upload(bucket, "text", text)
      const small = randomBody(100_000)
      yield* s3.upload(bucket, "small", small)
      const large = randomBody(12 * MiB + 3)
      const multipart = yield* s3.upload(bucket, "large", Stream.make(large), { partSize: 5 * MiB })
      assert.strictEqual(multipart.parts, 3)
      const file = path.join(dir, "file.bin")
      const fileBody = randomBody(1_500_000)
      yield* Effect.promise(() => fs.writeFile(file, fileBody))
      yield* s3.uploadFile(bucket, "file", file)
      yield* Effect.forEach(Array.from({ length: 40 }, (_, i) => `many/${i}`), (key) => s3.upload(bucket, key, key), {
        concurrency: 8
      })

      assert.strictEqual(yield* s3.downloadString(bucket, "text"), text)
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "small"), small))
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "large"), large))
      const streamed = yield* Stream.runCollect(s3.downloadStream(bucket, "large"))
      assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(streamed)), large))
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "large", { partSize: 2 * MiB, concurrency: 3 }), large))
      const ranges = yield* Stream.runCollect(s3.downloadStream(bucket, "large", { partSize: 2 * MiB, concurrency: 3 }))
      assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(ranges)), large))
      yield* s3.downloadFile(bucket, "large", path.join(dir, "ranged.bin"), { partSize: 2 * MiB, concurrency: 3 })
      assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "ranged.bin"))), large))
      yield* s3.downloadFile(bucket, "file", path.join(dir, "copy.bin"))
      assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "copy.bin"))), fileBody))
      assert.strictEqual((yield* s3.head(bucket, "large")).size, large.length)
      assert.isTrue(yield* s3.exists(bucket, "small"))
      assert.isFalse(yield* s3.exists(bucket, "absent"))
      const listed = yield* Stream.runCollect(s3.list(bucket, { prefix: "many/" }))
      assert.strictEqual(listed.length, 40)
      const deleted = yield* s3.deleteMany(bucket, Chunk.toArray(listed))
      assert.strictEqual(deleted.deleted.length, 40)
      yield* s3.delete(bucket, "text")
      assert.isFalse(yield* s3.exists(bucket, "text"))

      const injected = new Map<Fault, number>()
      for (const request of proxy.requests) injected.set(request.fault, (injected.get(request.fault) ?? 0) + 1)
      for (const fault of faults) assert.isAbove(injected.get(fault) ?? 0, 0, `no ${fault} was injected`)
      const faulted = proxy.requests.filter((request) => request.fault !== "pass").length
      assert.isAbove(faulted / proxy.requests.length, 0.1)
    }).pipe(Effect.provide(throughProxy())))

  it.live("sends a non-retryable error's request exactly once", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("once")
      const missing = yield* Effect.flip(s3.download(bucket, "missing"))
      assert.strictEqual(missing._tag, "NoSuchKey")
      assert.strictEqual(requestsTo(bucket, "missing").length, 1)

      const denied = yield* Effect.flip(
        Effect.flatMap(S3Po, (wrong) => wrong.download(bucket, "missing")).pipe(
          Effect.provide(throughProxy({
            credentials: { accessKeyId: server().accessKeyId, secretAccessKey: Redacted.make("not-the-secret") }
          }))
        )
      )
      assert.strictEqual(denied._tag, "AccessDenied")
      assert.strictEqual(requestsTo(bucket, "missing").length, 2)
    }).pipe(Effect.provide(throughProxy())))

  it.live("stops retrying at the configured limit with a typed error carrying the last cause", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("limit")
      proxy.setPlan(({ path }) =>
        path.endsWith("/slow") ? "slowDown503" : path.endsWith("/broken") ? "internalError500" : "pass"
      )
      const throttled = yield* Effect.flip(s3.upload(bucket, "slow", "x"))
      assert.strictEqual(throttled._tag, "Throttled")
      assert.include(throttled.message, "SlowDown")
      assert.strictEqual(requestsTo(bucket, "slow").length, 4)

      const broken = yield* Effect.flip(s3.download(bucket, "broken"))
      assert.strictEqual(broken._tag, "S3ServiceError")
      if (broken._tag === "S3ServiceError") {
        assert.strictEqual(broken.status, 500)
        assert.strictEqual(broken.code, "InternalError")
        assert.isTrue(broken.retryable)
      }
      assert.strictEqual(requestsTo(bucket, "broken").length, 4)

      const off = yield* Effect.flip(
        Effect.flatMap(S3Po, (noRetry) => noRetry.upload(bucket, "slow", "x")).pipe(
          Effect.provide(throughProxy({ retry: "off" }))
        )
      )
      assert.strictEqual(off._tag, "Throttled")
      assert.strictEqual(requestsTo(bucket, "slow").length, 5)
    }).pipe(Effect.provide(throughProxy({ retry: Retry.exponential({ base: "5 millis", maxRetries: 3 }) }))))

  it.live("retries with its own policy only: the SDK's retry step is not in its client", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("one-policy")
      yield* s3.upload(bucket, "source", "x")
      // A PUT goes through s3po's own transport, a copy through the SDK's command: neither is
      // retried but by s3po, and the SDK's retry step would mark its request.
      for (const key of ["retried", "copied"]) {
        let refused = false
        proxy.setPlan(({ method, path }) => {
          if (refused || method !== "PUT" || !path.endsWith(`/${key}`)) return "pass"
          refused = true
          return "internalError500"
        })
        if (key === "retried") yield* s3.upload(bucket, key, "x")
        else yield* s3.copy({ bucket, key: "source" }, { bucket, key })
        assert.deepStrictEqual(requestsTo(bucket, key).map((request) => request.sdkAttempt), [undefined, undefined])
      }

      // A client of the caller's own keeps its SDK steps: there the header shows.
      const client = new S3Client({ ...clientOptions(), endpoint: proxy.url, maxAttempts: 1 })
      yield* Effect.flatMap(S3Po, (own) => own.copy({ bucket, key: "source" }, { bucket, key: "own-client" })).pipe(
        Effect.provide(layerLiveFromClient(client)),
        Effect.ensuring(Effect.sync(() => client.destroy()))
      )
      assert.deepStrictEqual(requestsTo(bucket, "own-client").map((request) => request.sdkAttempt), [
        "attempt=1; max=1"
      ])
    }).pipe(Effect.provide(throughProxy())))

  it.live("interrupting a download or an upload mid-flight closes its connection within 100 ms", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("interrupt")
      yield* s3.upload(bucket, "big", randomBody(8 * MiB))

      const interruptMidFlight = (key: string, method: string, fault: Fault, run: Effect.Effect<unknown, unknown>) =>
        Effect.gen(function*() {
          proxy.setPlan((request) => request.method === method && request.path.endsWith(`/${key}`) ? fault : "pass")
          const fiber = yield* Effect.fork(run)
          while (!proxy.requests.some((request) => request.fault === fault && request.path.endsWith(`/${key}`))) {
            yield* Effect.sleep("10 millis")
          }
          yield* Effect.sleep("200 millis")
          const request = proxy.requests.find((request) => request.fault === fault && request.path.endsWith(`/${key}`))!
          assert.isFalse(proxy.closedAt.has(request.connection), "the connection closed before the interruption")
          const interruptedAt = performance.now()
          yield* Fiber.interrupt(fiber)
          yield* Effect.sleep("150 millis")
          const closedAt = proxy.closedAt.get(request.connection)
          assert.isDefined(closedAt, "the connection is still open")
          assert.isBelow(closedAt! - interruptedAt, 100)
        })

      yield* interruptMidFlight("big", "GET", "stallResponse", s3.download(bucket, "big"))
      yield* interruptMidFlight("upload", "PUT", "stallRequest", s3.upload(bucket, "upload", randomBody(4 * MiB)))
    }).pipe(Effect.provide(throughProxy())))

  it.live("never puts a secret in an error, a log line or a span attribute", () =>
    Effect.gen(function*() {
      const wrongSecret = "s3po-wrong-secret-5f1c2e"
      const lines: Array<string> = []
      const errors: Array<unknown> = []
      const { spans, tracer: recording } = yield* recordingTracer
      const logger = Logger.make<unknown, void>((options) => {
        lines.push(
          `${inspect(options.message, { depth: 8 })} ${Cause.pretty(options.cause)} ${
            inspect([...options.annotations], { depth: 8 })
          }`
        )
      })
      const observe = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<void> =>
        effect.pipe(
          Effect.tapError((error) => Effect.sync(() => errors.push(error))),
          Effect.ignore,
          Effect.withTracer(recording),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )

      proxy.reset()
      const bucket = uniqueBucket("secrets")
      yield* observe(Effect.flatMap(S3Po, (s3) => s3.createBucket(bucket)).pipe(Effect.provide(throughProxy())))
      proxy.setPlan(seededPlan(7, 0.5, faults))
      yield* observe(
        Effect.flatMap(S3Po, (s3) =>
          Effect.all([
            s3.upload(bucket, "k", "v"),
            s3.download(bucket, "missing"),
            s3.head(bucket, "missing"),
            s3.upload(bucket, "big", randomBody(6 * MiB), { multipartThreshold: 5 * MiB, partSize: 5 * MiB })
          ], { mode: "either" })).pipe(Effect.provide(throughProxy()))
      )
      proxy.setPlan(() => "pass")
      yield* observe(
        Effect.flatMap(S3Po, (s3) => Effect.all([s3.upload(bucket, "k", "v"), s3.download(bucket, "k")])).pipe(
          Effect.provide(throughProxy({
            credentials: { accessKeyId: server().accessKeyId, secretAccessKey: Redacted.make(wrongSecret) }
          }))
        )
      )

      assert.isAbove(errors.length, 0)
      assert.isAbove(lines.length, 0, "no retry was logged")
      assert.isAbove(spans.length, 0)
      const seen = [
        ...errors.flatMap((error) => [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)]),
        ...lines,
        ...spans.map((span) => inspect([...span.attributes], { depth: 8 }))
      ].join("\n")
      assert.include(seen, "AccessDenied")
      for (const secret of [server().secretAccessKey, wrongSecret]) assert.notInclude(seen, secret)
    }))
})

describe("S3PoLive streaming through injected faults", () => {
  const partUpload = (request: { method: string; query: string }) =>
    request.method === "PUT" && request.query.includes("partNumber=")
  const complete = (request: { method: string; query: string }) =>
    request.method === "POST" && request.query.includes("uploadId=")

  it.live("a 64 MiB stream upload with failing parts is byte-identical, completed once, nothing pending", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("mpu-faults")
      const partFaults: ReadonlyArray<Fault> = ["slowDown503", "reset", "internalError500", "truncate"]
      const seenParts = new Set<string>()
      let next = 0
      proxy.setPlan((request) => {
        if (!partUpload(request)) return "pass"
        const part = /partNumber=(\d+)/.exec(request.query)![1]!
        if (seenParts.has(part) || Number(part) % 2 === 1) return "pass"
        seenParts.add(part)
        return partFaults[next++ % partFaults.length]!
      })
      const body = randomBody(64 * MiB)
      const chunks = Array.from({ length: 64 }, (_, i) => body.subarray(i * MiB, (i + 1) * MiB))
      const result = yield* s3.upload(bucket, "big", Stream.fromIterable(chunks))
      assert.strictEqual(result.parts, 8)
      assert.strictEqual(proxy.requests.filter((request) => request.fault !== "pass").length, 4)
      assert.strictEqual(proxy.requests.filter(partUpload).length, 12)
      assert.strictEqual(proxy.requests.filter(complete).length, 1)
      proxy.setPlan(() => "pass")
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "big"), body))
      assert.deepStrictEqual(yield* pendingOnServer(bucket), [])
    }).pipe(Effect.provide(throughProxy())))

  it.live("a Complete whose answer is lost after the server completed the upload succeeds, nothing pending", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("lost-complete")
      let cut = false
      // The server completes the upload; its answer is cut short on the way back.
      proxy.setPlan((request) => complete(request) && !cut ? (cut = true, "truncate") : "pass")
      const body = randomBody(12 * MiB)
      const result = yield* s3.upload(bucket, "k", Stream.make(body), { partSize: 5 * MiB })
      assert.strictEqual(result.parts, 3)
      assert.strictEqual(
        result.etag,
        multipartETag([body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)])
      )
      assert.isAbove(proxy.requests.filter(complete).length, 1)
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "k"), body))
      assert.deepStrictEqual(yield* pendingOnServer(bucket), [])
    }).pipe(Effect.provide(throughProxy())))

  // 6 MiB is read as a stream; 40 KiB is read whole before the response is handed over.
  for (const size of [6 * MiB, 40 * 1024]) {
    it.live(`a download of ${size} bytes cut short several times resumes with ranges, byte-identical`, () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("resume")
        const body = randomBody(size)
        const { etag } = yield* s3.upload(bucket, "k", body)
        let cuts = 0
        proxy.setPlan((request) => request.method === "GET" && cuts < 3 ? (cuts++, "truncate") : "pass")
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "k"), body))
        const gets = proxy.requests.filter((request) => request.method === "GET")
        assert.strictEqual(gets.length, 4)
        assert.isUndefined(gets[0]!.range)
        assert.strictEqual(gets[1]!.range, `bytes=${size / 2}-${size - 1}`)
        assert.strictEqual(gets[3]!.range, `bytes=${size - size / 8}-${size - 1}`)
        assert.isTrue(gets.slice(1).every((request) => request.ifMatch === etag && request.range !== undefined))
      }).pipe(Effect.provide(throughProxy())))
  }

  it.live("a download whose object is replaced midway fails with PreconditionFailed, never mixed bytes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("replaced")
      yield* s3.upload(bucket, "k", randomBody(4 * MiB))
      let cut = false
      proxy.setPlan((request) => request.method === "GET" && !cut ? (cut = true, "truncate") : "pass")
      const fiber = yield* Effect.fork(s3.download(bucket, "k"))
      while (!cut) yield* Effect.sleep("5 millis")
      // The retry waits about a second before resuming: replace the object meanwhile, bypassing the proxy.
      yield* Effect.flatMap(S3Po, (direct) => direct.upload(bucket, "k", randomBody(4 * MiB))).pipe(
        Effect.provide(layerLive(liveOptions()))
      )
      const error = yield* Effect.flip(Fiber.join(fiber))
      assert.strictEqual(error._tag, "PreconditionFailed")
      assert.strictEqual(proxy.requests.filter((request) => request.method === "GET").length, 2)
    }).pipe(Effect.provide(throughProxy({ retry: Retry.exponential({ base: "1 second", maxRetries: 2 }) }))))

  it.scopedLive("a failed downloadFile leaves no partial file and keeps the file that was there", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const dir = yield* tempDir
      proxy.reset()
      const bucket = uniqueBucket("partial")
      yield* s3.createBucket(bucket)
      yield* s3.upload(bucket, "k", randomBody(3 * MiB))
      const target = path.join(dir, "existing.bin")
      yield* Effect.promise(() => fs.writeFile(target, "the old contents"))
      proxy.setPlan((request) => request.method === "GET" ? "truncate" : "pass")
      const error = yield* Effect.flip(s3.downloadFile(bucket, "k", target))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(target, "utf8")), "the old contents")
      const fresh = yield* Effect.flip(s3.downloadFile(bucket, "k", path.join(dir, "fresh.bin")))
      assert.strictEqual(fresh._tag, "TransportError")
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), ["existing.bin"])
    }).pipe(Effect.provide(throughProxy({ retry: Retry.exponential({ base: "1 millis", maxRetries: 2 }) }))))
})

describe("S3PoLive and answers of 200 whose body is an error", () => {
  it.live("a CopyObject and a Complete answered 200 with an error body are retried, not taken as done", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("error-in-200")
      yield* s3.upload(bucket, "source", "copied once")
      const firstOf = new Set<string>()
      proxy.setPlan(({ method, path, query }) => {
        const kind = method === "PUT" && path.endsWith("/copy")
          ? "copy"
          : query.startsWith("uploadId=") && method === "POST"
          ? "complete"
          : undefined
        if (kind === undefined || firstOf.has(kind)) return "pass"
        firstOf.add(kind)
        return "internalErrorIn200"
      })
      yield* s3.copy({ bucket, key: "source" }, { bucket, key: "copy" })
      assert.strictEqual(yield* s3.downloadString(bucket, "copy"), "copied once")
      assert.deepStrictEqual(
        requestsTo(bucket, "copy").filter((request) => request.method === "PUT").map((request) => request.fault),
        ["internalErrorIn200", "pass"]
      )

      const body = randomBody(6 * MiB)
      yield* s3.upload(bucket, "parts", body, { multipartThreshold: 5 * MiB, partSize: 5 * MiB })
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "parts"), body))
      const completes = requestsTo(bucket, "parts").filter((request) =>
        request.method === "POST" && request.query.startsWith("uploadId=")
      )
      assert.deepStrictEqual(completes.map((request) => request.fault), ["internalErrorIn200", "pass"])
      assert.deepStrictEqual(yield* pendingOnServer(bucket), [])
    }).pipe(Effect.provide(throughProxy())))
})

describe("S3PoLive with fault rules", () => {
  it.live("injects the rules' faults in front of the real server: retried, resumed, or failed before sending", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("rehearsed")
      yield* s3.upload(bucket, "k", "rehearsed against a real server")
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "rehearsed against a real server")
      const requests = requestsTo(bucket, "k")
      // The injected 503 never reached the server; its retry did.
      assert.strictEqual(requests.filter((request) => request.method === "PUT").length, 1)
      // The body cut short was resumed with a ranged GET pinned to the object's ETag.
      const gets = requests.filter((request) => request.method === "GET")
      assert.strictEqual(gets.length, 2)
      assert.match(gets[1]!.range ?? "", /^bytes=15-/)
      assert.isDefined(gets[1]!.ifMatch)
      // A fault that is not retryable fails the call, and nothing is sent.
      assert.strictEqual((yield* Effect.flip(s3.head(bucket, "k")))._tag, "AccessDenied")
      assert.strictEqual(requestsTo(bucket, "k").filter((request) => request.method === "HEAD").length, 0)
    }).pipe(Effect.provide(throughProxy({
      faults: [
        { operation: "PutObject", nth: 1, fault: MockFault.throttled() },
        { operation: "GetObject", nth: 1, fault: MockFault.truncatedBody },
        { operation: "HeadObject", fault: MockFault.accessDenied }
      ]
    }))))
})

describe("S3PoLive configuration", () => {
  const fromEnv = (entries: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(entries)))

  it.live("reads the endpoint from S3PO_ENDPOINT and credentials from the SDK's default chain", () =>
    Effect.gen(function*() {
      process.env.AWS_ACCESS_KEY_ID = server().accessKeyId
      process.env.AWS_SECRET_ACCESS_KEY = server().secretAccessKey
      const s3 = yield* S3Po
      const bucket = uniqueBucket("config")
      yield* s3.createBucket(bucket)
      yield* s3.upload(bucket, "k", "configured")
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "configured")
    }).pipe(
      Effect.provide(S3PoLive),
      Effect.withConfigProvider(fromEnv({ S3PO_ENDPOINT: server().endpoint, AWS_REGION: server().region }))
    ))

  it.effect("fails with a ConfigError on a bad setting", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(S3PoLive).pipe(
          Effect.scoped,
          Effect.withConfigProvider(fromEnv({ AWS_REQUEST_CHECKSUM_CALCULATION: "SOMETIMES" }))
        )
      )
      assert.strictEqual("_op" in error && error._op, "InvalidData")
      assert.include(String(error), "AWS_REQUEST_CHECKSUM_CALCULATION")
    }))
})
