import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as zlib from "node:zlib"
import { layerLive, type LiveOptions, S3Po } from "s3po"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, randomBody, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"
import { type Certificate, selfSignedCertificate } from "../utils/tls.js"

const MiB = 1024 * 1024
const sha256Hex = /^[0-9a-f]{64}$/
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")
const crc32Base64 = (bytes: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(zlib.crc32(bytes))
  return out.toString("base64")
}

// The test server speaks plain HTTP: these tests reach it through a TLS-terminating proxy.
let certificate: Certificate
let httpsProxy: FaultProxy
let httpProxy: FaultProxy
beforeAll(async () => {
  certificate = selfSignedCertificate()
  httpsProxy = await startFaultProxy(server().endpoint, () => "pass", { tls: certificate })
  httpProxy = await startFaultProxy(server().endpoint)
})
afterAll(() => Promise.all([httpsProxy.close(), httpProxy.close()]))

/** A new bucket, with the proxy's request log cleared. */
const freshBucket = (proxy: FaultProxy) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    proxy.reset()
    const bucket = uniqueBucket("https")
    yield* s3.createBucket(bucket)
    return bucket
  })

const partUploads = (proxy: FaultProxy) =>
  proxy.requests.filter((request) => request.method === "PUT" && request.query.includes("uploadId"))

/** Uploads one small object and one of three parts, reads both back, and returns the payload hashes the uploads carried. */
const uploadAndReadBack = (proxy: FaultProxy, options: Partial<LiveOptions> = {}) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = yield* freshBucket(proxy)
    const small = randomBody(1000)
    const large = randomBody(12 * MiB + 5)
    yield* s3.upload(bucket, "small", small)
    const multipart = yield* s3.upload(bucket, "large", Stream.make(large), { partSize: 5 * MiB })
    assert.strictEqual(multipart.parts, 3)
    assert.isTrue(bytesEqual(yield* s3.download(bucket, "small"), small))
    assert.isTrue(bytesEqual(yield* s3.download(bucket, "large"), large))
    const uploads = proxy.requests.filter((request) =>
      request.method === "PUT" && (request.path.endsWith("/small") || request.path.endsWith("/large"))
    )
    assert.strictEqual(uploads.length, 4)
    return uploads.map((request) => request.contentSha256)
  }).pipe(
    Effect.provide(layerLive(liveOptions({
      endpoint: proxy.url,
      extraCaCertificates: proxy === httpsProxy ? [certificate.cert] : undefined,
      ...options
    })))
  )

describe("S3PoLive payload signing", () => {
  it.live("over HTTPS, uploads leave their bytes unsigned, and the server takes them", () =>
    Effect.gen(function*() {
      const hashes = yield* uploadAndReadBack(httpsProxy)
      assert.deepStrictEqual(hashes, ["UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD", "UNSIGNED-PAYLOAD"])
    }))

  it.live("over HTTPS with signPayloadOverHttps, uploads sign their bytes", () =>
    Effect.gen(function*() {
      const hashes = yield* uploadAndReadBack(httpsProxy, { signPayloadOverHttps: true })
      for (const hash of hashes) assert.match(hash ?? "", sha256Hex)
    }))

  it.live("over plain HTTP, uploads always sign their bytes", () =>
    Effect.gen(function*() {
      const hashes = yield* uploadAndReadBack(httpProxy)
      for (const hash of hashes) assert.match(hash ?? "", sha256Hex)
    }))

  it.live("over plain HTTP, parts assembled from a stream carry their SHA-256, which the server checks", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket(httpProxy)
      const body = randomBody(11 * MiB + 5)
      const chunks = Stream.fromIterable(Array.from(
        { length: Math.ceil(body.length / (64 * 1024)) },
        (_, i) => body.subarray(i * 64 * 1024, (i + 1) * 64 * 1024)
      ))
      const upload = yield* s3.upload(bucket, "chunked", chunks, { partSize: 5 * MiB })
      assert.strictEqual(upload.parts, 3)
      assert.deepStrictEqual(
        partUploads(httpProxy).map((request) => request.contentSha256),
        [0, 1, 2].map((i) => sha256(body.subarray(i * 5 * MiB, (i + 1) * 5 * MiB)))
      )
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "chunked"), body))
    }).pipe(Effect.provide(layerLive(liveOptions({ endpoint: httpProxy.url })))))

  it.live("over HTTPS, each part carries its CRC32 (none under WHEN_REQUIRED checksums)", () =>
    Effect.gen(function*() {
      const body = randomBody(11 * MiB + 5)
      const expected = [0, 1, 2].map((i) => crc32Base64(body.subarray(i * 5 * MiB, (i + 1) * 5 * MiB)))
      for (const requestChecksumCalculation of ["WHEN_SUPPORTED", "WHEN_REQUIRED"] as const) {
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          const bucket = yield* freshBucket(httpsProxy)
          yield* s3.upload(bucket, "checked", Stream.make(body), { partSize: 5 * MiB })
          assert.deepStrictEqual(
            partUploads(httpsProxy).map((request) => request.checksumCrc32),
            requestChecksumCalculation === "WHEN_SUPPORTED" ? expected : [undefined, undefined, undefined]
          )
          assert.isTrue(bytesEqual(yield* s3.download(bucket, "checked"), body))
        }).pipe(Effect.provide(layerLive(liveOptions({
          endpoint: httpsProxy.url,
          extraCaCertificates: [certificate.cert],
          requestChecksumCalculation
        }))))
      }
    }))

  it.live("the parts of a multipart upload reuse one kept-alive connection, and its TLS session", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket(httpsProxy)
      const upload = yield* s3.upload(bucket, "parts", Stream.make(randomBody(16 * MiB)), {
        partSize: 5 * MiB,
        partConcurrency: 1
      })
      assert.strictEqual(upload.parts, 4)
      const parts = partUploads(httpsProxy)
      assert.strictEqual(parts.length, 4)
      assert.strictEqual(new Set(parts.map((request) => request.connection)).size, 1)
    }).pipe(
      Effect.provide(layerLive(liveOptions({ endpoint: httpsProxy.url, extraCaCertificates: [certificate.cert] })))
    ))

  it.live("without the certificate among its trusted ones, the client refuses the server, and does not retry", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const error = yield* Effect.flip(s3.createBucket(uniqueBucket("https")))
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag === "TransportError") assert.isFalse(error.retryable, error.reason)
    }).pipe(Effect.provide(layerLive(liveOptions({ endpoint: httpsProxy.url, retry: "off" })))))
})
