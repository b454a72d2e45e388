import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { layerLive, Retry, S3Po } from "s3po"
import { awsS3Capabilities, cephRgwCapabilities, inputRulesSuite } from "s3po/testing"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, randomBody, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"

const MiB = 1024 * 1024
const quickRetry = Retry.exponential({ base: "5 millis", maxDelay: "40 millis", maxRetries: 3 })

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

const throughProxy = (options: Parameters<typeof liveOptions>[0] = {}) =>
  // Built when a test asks for it, once the proxy is listening.
  Layer.unwrapEffect(Effect.sync(() => layerLive(liveOptions({ endpoint: proxy.url, retry: quickRetry, ...options }))))

const freshBucket = (label: string) =>
  Effect.gen(function*() {
    const bucket = uniqueBucket(label)
    yield* (yield* S3Po).createBucket(bucket)
    proxy.reset()
    return bucket
  })

const requestsTo = (bucket: string, key: string) =>
  proxy.requests.filter((request) => request.path === `/${bucket}/${encodeURIComponent(key)}`)

inputRulesSuite("S3PoLive input rules", throughProxy(), {
  capabilities: server().kind === "rgw" ? cephRgwCapabilities : awsS3Capabilities,
  requestsSent: Effect.sync(() => proxy.requests.length)
})

describe("S3PoLive error classification", () => {
  it.live("an answer is classified by its status and code, not its wording: a 4xx saying 'aborted' is sent once", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("wording")
      proxy.setPlan(({ path }) =>
        path.endsWith("/upload-gone") ? "noSuchUpload404" : path.endsWith("/conflict") ? "operationAborted409" : "pass"
      )
      const gone = yield* Effect.flip(s3.upload(bucket, "upload-gone", "x"))
      assert.strictEqual(gone._tag, "S3ServiceError")
      assert.isFalse(gone._tag === "S3ServiceError" && gone.retryable)
      assert.include(gone.message, "404 NoSuchUpload")
      assert.strictEqual(requestsTo(bucket, "upload-gone").length, 1)
      const conflict = yield* Effect.flip(s3.downloadString(bucket, "conflict"))
      assert.include(conflict.message, "409 OperationAborted")
      assert.strictEqual(requestsTo(bucket, "conflict").length, 1)
    }).pipe(Effect.provide(throughProxy())))

  it.live("wrong credentials: the message says what to check and keeps the request id, for HEAD too", () =>
    Effect.gen(function*() {
      const bucket = yield* Effect.flatMap(S3Po, () => freshBucket("denied")).pipe(Effect.provide(throughProxy()))
      const wrongSecret = throughProxy({
        credentials: { accessKeyId: server().accessKeyId, secretAccessKey: Redacted.make("not-the-secret") }
      })
      const unknownKey = throughProxy({
        credentials: { accessKeyId: "s3po-unknown-key", secretAccessKey: Redacted.make("whatever") }
      })
      for (const credentials of [wrongSecret, unknownKey]) {
        const head = yield* Effect.flip(
          Effect.flatMap(S3Po, (s3) => s3.head(bucket, "k")).pipe(
            Effect.provide(credentials)
          )
        )
        assert.strictEqual(head._tag, "AccessDenied")
        assert.notInclude(head.message, "Unknown")
        assert.include(head.message, "check the access key and secret, the system clock")
        assert.match(head.message, /\[request [^\]]+\]/)
        const get = yield* Effect.flip(
          Effect.flatMap(S3Po, (s3) => s3.download(bucket, "k")).pipe(
            Effect.provide(credentials)
          )
        )
        assert.strictEqual(get._tag, "AccessDenied")
        assert.match(get.message, /SignatureDoesNotMatch: check the secret|InvalidAccessKeyId: the server knows no/)
        assert.notInclude(get.message, "not-the-secret")
      }
    }))
})

describe("S3PoLive timeouts", () => {
  it.live("a response held mid-body fails its attempt after the idle time, and the retry completes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("held")
      const body = randomBody(300_000)
      yield* s3.upload(bucket, "k", body)
      let held = 0
      proxy.setPlan(({ method, path }) =>
        method === "GET" && path.endsWith("/k") && held++ === 0 ? "holdResponse" : "pass"
      )
      const started = performance.now()
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "k"), body))
      const elapsed = performance.now() - started
      assert.isAtLeast(elapsed, 900)
      assert.isBelow(elapsed, 10_000)
      const gets = requestsTo(bucket, "k").filter((request) => request.method === "GET")
      assert.deepStrictEqual(gets.map((request) => request.fault), ["holdResponse", "pass"])
      // The retry resumed from the first byte the held response did not deliver.
      assert.match(gets[1]!.range ?? "", new RegExp(`^bytes=${body.length / 2}-`))
    }).pipe(Effect.provide(throughProxy({ idleTimeout: "1 second" }))))

  it.live("requestTimeout fails an attempt that gets no answer, and the retry completes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("no-answer")
      let stalled = 0
      proxy.setPlan(({ method }) => method === "PUT" && stalled++ === 0 ? "stallRequest" : "pass")
      const started = performance.now()
      yield* s3.upload(bucket, "k", "answered at last")
      assert.isBelow(performance.now() - started, 5_000)
      assert.deepStrictEqual(requestsTo(bucket, "k").map((request) => request.fault), ["stallRequest", "pass"])
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "answered at last")
    }).pipe(Effect.provide(throughProxy({ requestTimeout: "300 millis" }))))

  it.live("a slow transfer that keeps moving is never cut, however long it takes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("slow")
      const body = randomBody(100_000)
      yield* s3.upload(bucket, "k", body)
      // About 1 KiB every 50 ms: some 5 s in all, five times the idle timeout.
      proxy.setPlan(({ method }) => method === "GET" ? "dripResponse" : "pass")
      const started = performance.now()
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "k"), body))
      assert.isAbove(performance.now() - started, 3_000)
      assert.strictEqual(requestsTo(bucket, "k").filter((request) => request.method === "GET").length, 1)
    }).pipe(Effect.provide(throughProxy({ idleTimeout: "1 second", requestTimeout: "1 second" }))))

  it.live("a 1 GiB transfer longer than every timeout set succeeds in one GET", () =>
    Effect.gen(function*() {
      const size = 1024 * MiB
      const part = randomBody(8 * MiB)
      const bucket = yield* Effect.flatMap(S3Po, (s3) =>
        Effect.gen(function*() {
          const bucket = yield* freshBucket("gib")
          yield* s3.upload(bucket, "k", Stream.repeatValue(part).pipe(Stream.take(size / part.length)), {
            partSize: 64 * MiB
          })
          return bucket
        })).pipe(Effect.provide(throughProxy()))
      proxy.reset()
      const s3 = yield* S3Po
      const started = performance.now()
      let received = 0
      let mismatched = 0
      yield* Stream.runForEach(s3.downloadStream(bucket, "k"), (chunk) =>
        Effect.sync(() => {
          for (let at = 0; at < chunk.length; at += 4096) {
            if (chunk[at] !== part[(received + at) % part.length]) mismatched++
          }
          received += chunk.length
        }))
      const elapsed = performance.now() - started
      assert.strictEqual(received, size)
      assert.strictEqual(mismatched, 0)
      assert.isAbove(elapsed, 1_000, "the transfer must outlast the timeouts to show anything")
      assert.strictEqual(proxy.requests.filter((request) => request.method === "GET").length, 1)
      // The server keeps objects in a 4 GiB memory store shared by every test.
      yield* s3.delete(bucket, "k")
    }).pipe(Effect.provide(throughProxy({ idleTimeout: "1 second", requestTimeout: "1 second" }))), {
    timeout: 180_000
  })
})

describe("S3PoLive downloads to files", () => {
  it.scoped("a download whose file cannot be written frees its connection: two sockets serve three failures and more", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("free")
      yield* s3.createBucket(bucket)
      // Larger than what is read ahead of the answer (64 KiB): its body waits on the connection.
      yield* s3.upload(bucket, "big", randomBody(MiB))
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-free-"))),
        (created) => Effect.promise(() => fs.rm(created, { recursive: true, force: true }))
      )
      for (let attempt = 0; attempt < 3; attempt++) {
        const error = yield* Effect.flip(s3.downloadFile(bucket, "big", path.join(dir, "missing-folder", "big")))
        assert.strictEqual(error._tag, "LocalFileError")
      }
      // Without the connections back, this would wait for a socket forever.
      const result = yield* s3.downloadFile(bucket, "big", path.join(dir, "big")).pipe(Effect.timeout("20 seconds"))
      assert.strictEqual(result.size, MiB)
      // A name of 240 bytes, within the file system's 255: its temporary file's name must fit too.
      const long = `${"é".repeat(100)}${"n".repeat(40)}`
      yield* s3.upload(bucket, "small", "x")
      yield* s3.downloadFile(bucket, "small", path.join(dir, long))
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, long), "utf8")), "x")
    }).pipe(Effect.provide(layerLive({ ...liveOptions(), maxSockets: 2 }))))
})
