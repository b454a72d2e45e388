/**
 * Customer keys (SSE-C) against the test server, on both live transports: writes, reads, ranges,
 * HEAD, multipart and presigned GETs with the key, and a wrong key refused with nothing of the key
 * in the error. Ceph RGW takes customer keys over plain HTTP with `rgw crypt require ssl = false`
 * (scripts/rgw.sh).
 */
import { S3Client } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { createHash, randomBytes } from "node:crypto"
import { layerLive, S3Po } from "s3po"
import * as Retry from "s3po/Retry"
import type { Backend } from "../../src/internal/core/backend.js"
import * as LivePresign from "../../src/internal/live/presign.js"
import { recordingTracer } from "../../src/internal/testing/fixtures.js"
import { liveBackend, sdkBackend } from "../utils/backends.js"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"

const bodyOf = (backend: Backend, request: Parameters<Backend["getObject"]>[0]) =>
  Effect.flatMap(backend.getObject(request), (response) => {
    const chunks: Array<Uint8Array> = []
    return Effect.map(response.forEachChunk((chunk) => chunks.push(chunk)), () => new Uint8Array(Buffer.concat(chunks)))
  })

const keyBytes = new Uint8Array(randomBytes(32))
const customerKey = Redacted.make(keyBytes)
const wrongKey = Redacted.make(new Uint8Array(randomBytes(32)))
const keyBase64 = Buffer.from(keyBytes).toString("base64")
const keyMd5 = createHash("md5").update(keyBytes).digest("base64")
const rgw = server().kind === "rgw"

const client = () =>
  new S3Client({
    endpoint: server().endpoint,
    region: server().region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
  })

for (const [transport, makeBackend] of [["s3po", liveBackend], ["sdk", sdkBackend]] as const) {
  describe(`customer keys on the wire (${transport} transport)`, () => {
    const backend = makeBackend()

    it.live("a write with a key reads back with it: whole, a range, HEAD; not without it, nor with another", () =>
      Effect.gen(function*() {
        const bucket = uniqueBucket(`wire-ssec-${transport}`)
        yield* backend.createBucket({ bucket })
        const body = new Uint8Array(randomBytes(100_000))
        yield* backend.putObject({ bucket, key: "secret", body, customerKey })
        assert.isTrue(bytesEqual(yield* bodyOf(backend, { bucket, key: "secret", customerKey }), body))
        const range = yield* bodyOf(backend, { bucket, key: "secret", customerKey, range: { start: 10, end: 19 } })
        assert.isTrue(bytesEqual(range, body.subarray(10, 20)))
        const info = yield* backend.headObject({ bucket, key: "secret", customerKey })
        assert.strictEqual(info.size, body.length)
        assert.strictEqual(info.customerKeyMd5, keyMd5)

        const without = yield* Effect.flip(backend.getObject({ bucket, key: "secret" }))
        assert.strictEqual(without._tag, "S3ServiceError")
        assert.strictEqual(without._tag === "S3ServiceError" ? without.status : undefined, 400)
        const wrong = yield* Effect.flip(bodyOf(backend, { bucket, key: "secret", customerKey: wrongKey }))
        // AWS answers a wrong key 403 AccessDenied; Ceph RGW 16 400 InvalidArgument, kept as its code.
        if (rgw) {
          assert.strictEqual(wrong._tag, "S3ServiceError")
          assert.strictEqual(wrong._tag === "S3ServiceError" ? wrong.code : undefined, "InvalidArgument")
          assert.strictEqual(wrong._tag === "S3ServiceError" ? wrong.status : undefined, 400)
        } else {
          assert.strictEqual(wrong._tag, "AccessDenied")
        }
        const wrongHead = yield* Effect.flip(backend.headObject({ bucket, key: "secret", customerKey: wrongKey }))
        for (const error of [without, wrong, wrongHead]) {
          const shown = `${JSON.stringify(error)} ${error.message}`
          const wrongBase64 = Buffer.from(Redacted.value(wrongKey)).toString("base64")
          assert.notInclude(shown, keyBase64)
          assert.notInclude(shown, wrongBase64)
        }
        yield* backend.deleteObject({ bucket, key: "secret" })
        yield* backend.deleteBucket({ bucket })
      }))

    it.live("a copy from an encrypted source sends the source's key (Ceph RGW 16 refuses it: 501)", () =>
      Effect.gen(function*() {
        const bucket = uniqueBucket(`wire-ssec-copy-${transport}`)
        yield* backend.createBucket({ bucket })
        const body = new TextEncoder().encode("sealed source")
        const written = yield* backend.putObject({ bucket, key: "src", body, customerKey })
        const copy = backend.copyObject({
          bucket,
          key: "dst",
          source: { bucket, key: "src", ifMatch: written.etag, customerKey },
          customerKey
        })
        if (rgw) {
          const error = yield* Effect.flip(copy)
          assert.strictEqual(error._tag, "S3ServiceError")
          assert.strictEqual(error._tag === "S3ServiceError" ? error.status : undefined, 501)
        } else {
          yield* copy
          assert.isTrue(bytesEqual(yield* bodyOf(backend, { bucket, key: "dst", customerKey }), body))
          yield* backend.deleteObject({ bucket, key: "dst" })
        }
        yield* backend.deleteObject({ bucket, key: "src" })
        yield* backend.deleteBucket({ bucket })
      }))

    it.live("a multipart upload with a key: every part and the Complete carry it", () =>
      Effect.gen(function*() {
        const bucket = uniqueBucket(`wire-ssec-mpu-${transport}`)
        yield* backend.createBucket({ bucket })
        const parts = [new Uint8Array(randomBytes(5 * 1024 * 1024)), new Uint8Array(randomBytes(1000))]
        const uploadId = yield* backend.createMultipartUpload({ bucket, key: "big", customerKey })
        const etags: Array<string> = []
        for (const [index, part] of parts.entries()) {
          const written = yield* backend.uploadPart({
            bucket,
            key: "big",
            uploadId,
            partNumber: index + 1,
            body: part,
            customerKey
          })
          etags.push(written.etag)
        }
        const completed = yield* backend.completeMultipartUpload({
          bucket,
          key: "big",
          uploadId,
          parts: etags.map((etag, index) => ({ partNumber: index + 1, etag })),
          customerKey
        })
        assert.match(completed.etag, /^"[0-9a-f]{32}-2"$/)
        const whole = yield* bodyOf(backend, { bucket, key: "big", customerKey })
        assert.isTrue(bytesEqual(whole, Buffer.concat(parts)))
        const across = yield* bodyOf(backend, {
          bucket,
          key: "big",
          customerKey,
          range: { start: parts[0]!.length - 5, end: parts[0]!.length + 4 }
        })
        assert.isTrue(bytesEqual(across, Buffer.concat(parts).subarray(parts[0]!.length - 5, parts[0]!.length + 5)))
        const refused = yield* Effect.flip(backend.headObject({ bucket, key: "big" }))
        assert.include(["S3ServiceError", "AccessDenied"], refused._tag)
        yield* backend.deleteObject({ bucket, key: "big" })
        yield* backend.deleteBucket({ bucket })
      }))
  })
}

describe("presigned URLs with a customer key", () => {
  it.live("sign the three headers as headers: the URL holds no key, and its user sends them", () =>
    Effect.gen(function*() {
      const backend = liveBackend()
      const bucket = uniqueBucket("wire-ssec-presign")
      yield* backend.createBucket({ bucket })
      yield* backend.putObject({ bucket, key: "k", body: new TextEncoder().encode("sealed"), customerKey })
      const s3Client = client()
      const url = yield* LivePresign.presigner(s3Client).url({
        bucket,
        key: "k",
        method: "GET",
        expiresInSeconds: 60,
        query: {},
        customerKey
      })
      assert.notInclude(url, encodeURIComponent(keyBase64))
      assert.notInclude(url, keyBase64)
      assert.notInclude(url, encodeURIComponent(keyMd5))
      const signedHeaders = new URL(url).searchParams.get("X-Amz-SignedHeaders") ?? ""
      assert.include(signedHeaders, "x-amz-server-side-encryption-customer-algorithm")
      assert.include(signedHeaders, "x-amz-server-side-encryption-customer-key")
      assert.include(signedHeaders, "x-amz-server-side-encryption-customer-key-md5")

      const headers = {
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
        "x-amz-server-side-encryption-customer-key": keyBase64,
        "x-amz-server-side-encryption-customer-key-md5": keyMd5
      }
      const answered = yield* Effect.promise(() =>
        fetch(url, { headers }).then(async (response) => ({ status: response.status, text: await response.text() }))
      )
      assert.deepStrictEqual(answered, { status: 200, text: "sealed" })
      const bare = yield* Effect.promise(() => fetch(url).then((response) => response.status))
      assert.isAtLeast(bare, 400)
      s3Client.destroy()
      yield* backend.deleteObject({ bucket, key: "k" })
      yield* backend.deleteBucket({ bucket })
    }))
})

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

/** Every way the key could be written out: base64, URL-encoded base64, hex. */
const keyForms = (bytes: Uint8Array) => {
  const base64 = Buffer.from(bytes).toString("base64")
  return [base64, encodeURIComponent(base64), Buffer.from(bytes).toString("hex")]
}

for (const transport of ["s3po", "sdk"] as const) {
  describe(`the customer key on the live layer (${transport} transport)`, () => {
    it.live("shows in no error, span, retry log or result, with real answers failed and retried on the way", () =>
      Effect.gen(function*() {
        const other = Redacted.make(new Uint8Array(randomBytes(32)))
        const logs: Array<string> = []
        const logger = Logger.make((entry) => {
          logs.push(JSON.stringify(entry.message), JSON.stringify(entry.annotations), Cause.pretty(entry.cause))
        })
        const { spans, tracer } = yield* recordingTracer
        const bucket = uniqueBucket(`wire-ssec-secrecy-${transport}`)
        const seen: Array<unknown> = []
        // The first GET and the first PUT of each key answered 503 by the proxy: each is retried, and logged.
        const faulted = new Set<string>()
        proxy.setPlan((request) => {
          const first = `${request.method} ${request.path}`
          if (
            (request.method === "GET" || request.method === "PUT") && request.path.includes("/k") &&
            !faulted.has(first)
          ) {
            faulted.add(first)
            return "slowDown503"
          }
          return "pass"
        })
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket(bucket)
          seen.push(yield* s3.upload(bucket, "k", "secret text", { customerKey }))
          seen.push(yield* s3.downloadString(bucket, "k", { customerKey }))
          seen.push(yield* s3.head(bucket, "k", { customerKey }))
          const wrong = yield* Effect.flip(s3.download(bucket, "k", { customerKey: other }))
          const missing = yield* Effect.flip(s3.head(bucket, "k"))
          assert.strictEqual(wrong._tag, "CustomerKeyMismatch")
          assert.strictEqual(missing._tag, "CustomerKeyMismatch")
          seen.push(wrong, missing, JSON.stringify(wrong), wrong.message, String(missing))
          seen.push(yield* Effect.exit(s3.download(bucket, "k", { customerKey: other })))
          yield* s3.delete(bucket, "k")
          yield* s3.deleteBucket(bucket)
        }).pipe(
          Effect.provide(layerLive(liveOptions({
            endpoint: proxy.url,
            transport,
            retry: Retry.exponential({ base: "1 millis", maxRetries: 2 })
          }))),
          Effect.withTracer(tracer),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Logger.withMinimumLogLevel(LogLevel.All),
          Effect.ensuring(Effect.sync(() => proxy.setPlan(() => "pass")))
        )
        assert.isAtLeast(faulted.size, 2, "a PUT and a GET were answered 503 and retried")
        assert.isAbove(logs.length, 0, "the retries were logged")
        const shownSpans = spans.map((span) =>
          JSON.stringify({
            name: span.name,
            attributes: Object.fromEntries(span.attributes),
            failure: span.status._tag === "Ended" && Exit.isFailure(span.status.exit)
              ? Cause.pretty(span.status.exit.cause)
              : ""
          })
        )
        const shown = [...logs, ...shownSpans, ...seen.map((value) => JSON.stringify(value) ?? String(value))]
        for (const key of [keyBytes, Redacted.value(other)]) {
          for (const form of keyForms(key)) {
            assert.deepStrictEqual(shown.filter((text) => text.includes(form)), [])
          }
        }
      }))
  })
}
