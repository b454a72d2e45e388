/**
 * Checksums on upload against the real server: the contract suite (what each write sends, what
 * the result reports, the part-size record), and uploads altered on the wire, through a proxy that
 * flips a byte of a request's body.
 */
import { S3Client } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as zlib from "node:zlib"
import { layerLive, type LiveOptions, Retry, S3Po } from "s3po"
import { awsS3Capabilities, cephRgwCapabilities, checksumsSuite } from "s3po/testing"
import * as LiveBackend from "../../src/internal/live/backend.js"
import { liveBackend } from "../utils/backends.js"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, randomBody, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"
import { type Certificate, selfSignedCertificate } from "../utils/tls.js"

const MiB = 1024 * 1024

// Ceph RGW 16 neither checks nor keeps the checksums uploads send, and echoes none (`keepsChecksums: false`).
const checksumSupport = { capabilities: server().kind === "rgw" ? cephRgwCapabilities : awsS3Capabilities }
checksumsSuite("S3PoLive checksums on upload", Effect.sync(() => liveBackend()), checksumSupport)
checksumsSuite(
  "S3PoLive checksums on upload, every request through the SDK",
  Effect.sync(() =>
    LiveBackend.makeSdk({
      client: new S3Client({
        endpoint: server().endpoint,
        region: server().region,
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
      })
    })
  ),
  checksumSupport
)

const crc32Base64 = (bytes: Uint8Array) => {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(zlib.crc32(bytes))
  return out.toString("base64")
}

let certificate: Certificate
let httpProxy: FaultProxy
let httpsProxy: FaultProxy
beforeAll(async () => {
  certificate = selfSignedCertificate()
  httpProxy = await startFaultProxy(server().endpoint)
  httpsProxy = await startFaultProxy(server().endpoint, () => "pass", { tls: certificate })
})
afterAll(() => Promise.all([httpProxy.close(), httpsProxy.close()]))

const quickRetry = Retry.exponential({ base: "2 millis", maxDelay: "20 millis", maxRetries: 3 })

const through = (proxy: FaultProxy, options: Partial<LiveOptions> = {}) =>
  layerLive(liveOptions({
    endpoint: proxy.url,
    extraCaCertificates: proxy === httpsProxy ? [certificate.cert] : undefined,
    retry: quickRetry,
    ...options
  }))

const isPart = (request: { readonly method: string; readonly query: string }) =>
  request.method === "PUT" && request.query.includes("uploadId")

describe("S3PoLive uploads altered on the wire", { timeout: 180_000 }, () => {
  it.live("over plain HTTP, a part whose bytes change on the way fails its signed SHA-256: once, the part is sent again; always, the upload is aborted", () =>
    Effect.gen(function*() {
      const body = randomBody(11 * MiB)
      const bucket = uniqueBucket("altered-wire")
      let partsSeen = 0
      const flipSecondPart = (always: boolean) => (request: { readonly method: string; readonly query: string }) => {
        if (!isPart(request) || !request.query.includes("partNumber=2")) return "pass" as const
        partsSeen += 1
        return always || partsSeen === 1 ? "flipRequestByte" as const : "pass" as const
      }
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)

        httpProxy.setPlan(flipSecondPart(false))
        const healed = yield* s3.upload(bucket, "healed", Stream.make(body), { partSize: 5 * MiB })
        assert.strictEqual(healed.parts, 3)
        assert.strictEqual(partsSeen, 2)
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "healed"), body))

        partsSeen = 0
        httpProxy.setPlan(flipSecondPart(true))
        const error = yield* Effect.flip(s3.upload(bucket, "refused", Stream.make(body), { partSize: 5 * MiB }))
        httpProxy.setPlan(() => "pass")
        assert.strictEqual(error._tag, "S3ServiceError")
        assert.strictEqual((error as { readonly code?: string }).code, "XAmzContentSHA256Mismatch")
        // Every attempt of the part was refused: the first and the policy's three retries.
        assert.strictEqual(partsSeen, 4)
        assert.isFalse(yield* s3.exists(bucket, "refused"))
        assert.strictEqual((yield* Stream.runCollect(s3.listPendingUploads(bucket))).length, 0)
      }).pipe(Effect.provide(through(httpProxy)))
    }))

  it.live("over HTTPS, a PUT and each part carry their CRC32 by default, on both transports; with \"none\", none", () =>
    Effect.gen(function*() {
      const small = randomBody(1000)
      const large = randomBody(11 * MiB)
      const expected = [small, large.subarray(0, 5 * MiB), large.subarray(5 * MiB, 10 * MiB), large.subarray(10 * MiB)]
        .map(crc32Base64)
      for (const transport of ["s3po", "sdk"] as const) {
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          const bucket = uniqueBucket("https-checksums")
          yield* s3.createBucket(bucket)
          const uploads = () =>
            httpsProxy.requests.filter((request) => request.method === "PUT" && request.path !== `/${bucket}`)
          httpsProxy.reset()
          yield* s3.upload(bucket, "small", small)
          yield* s3.upload(bucket, "large", Stream.make(large), { partSize: 5 * MiB })
          assert.deepStrictEqual(uploads().map((request) => request.checksumCrc32), expected, transport)
          httpsProxy.reset()
          yield* s3.upload(bucket, "small", small, { checksumAlgorithm: "none" })
          yield* s3.upload(bucket, "large", Stream.make(large), { partSize: 5 * MiB, checksumAlgorithm: "none" })
          assert.deepStrictEqual(uploads().map((request) => request.checksumCrc32), expected.map(() => undefined))
          // Nor does the SDK add one of its own, or re-encode a part to carry it.
          for (const request of uploads()) assert.strictEqual(request.contentSha256, "UNSIGNED-PAYLOAD", transport)
          assert.isTrue(bytesEqual(yield* s3.download(bucket, "large"), large))
        }).pipe(Effect.provide(through(httpsProxy, { transport })))
      }
    }))
})
