import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import * as zlib from "node:zlib"
import { Retry, S3Po } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"
import { listenOnLoopback } from "../utils/loopback.js"

/**
 * A server that answers an object's checksum in checksum mode, as AWS does, and alters the body of
 * its first `corruptReads` GETs (one byte flipped, length kept). On both transports (through the
 * SDK, whose own check of the header fails first, and through s3po's own), a read is verified
 * against that checksum: a corrupt read is read again, and corruption that persists is a
 * ChecksumMismatch, never bytes.
 */

const body = Buffer.from("the bytes a server keeps, and a checksum of them ".repeat(200))
const crc32 = (bytes: Uint8Array) => {
  const digest = Buffer.alloc(4)
  digest.writeUInt32BE(zlib.crc32(bytes))
  return digest.toString("base64")
}

const startServer = async () => {
  const state = { corruptReads: 0, gets: 0, checksumModes: [] as Array<string | undefined> }
  const server = http.createServer((request, response) => {
    request.resume()
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(body.length),
      // Not an MD5: the checksum is the only way to verify.
      etag: "\"0123456789abcdef0123456789abcdef-1\"",
      "last-modified": new Date(0).toUTCString(),
      ...(request.headers["x-amz-checksum-mode"] === "ENABLED"
        ? { "x-amz-checksum-crc32": crc32(body), "x-amz-checksum-type": "FULL_OBJECT" }
        : {})
    }
    if (request.method === "HEAD") {
      response.writeHead(200, headers)
      response.end()
      return
    }
    state.gets++
    state.checksumModes.push(request.headers["x-amz-checksum-mode"] as string | undefined)
    const sent = Buffer.from(body)
    if (state.corruptReads > 0) {
      state.corruptReads--
      sent[sent.length >> 1]! ^= 0xff
    }
    response.writeHead(200, headers)
    response.end(sent)
  })
  const loopback = await listenOnLoopback(server)
  return {
    endpoint: loopback.endpoint,
    state,
    close: loopback.close
  }
}

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.close())

const layerOf = (transport: S3PoLive.Transport) =>
  S3PoLive.layer({
    endpoint: server.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: Redacted.make("test-secret") },
    retry: Retry.exponential({ maxRetries: 2, base: "1 millis" }),
    transport
  })

describe("a server that keeps checksums, and a body altered on the way", () => {
  for (const transport of ["s3po", "sdk"] as const) {
    describe(`transport: ${transport}`, () => {
      it.live("one corrupt read: read again, the right bytes; asked in checksum mode", () =>
        Effect.gen(function*() {
          Object.assign(server.state, { corruptReads: 1, gets: 0, checksumModes: [] })
          const bytes = yield* Effect.flatMap(S3Po, (s3) => s3.download("bucket", "key")).pipe(
            Effect.provide(layerOf(transport))
          )
          assert.isTrue(Buffer.from(bytes).equals(body))
          assert.strictEqual(server.state.gets, 2)
          assert.deepStrictEqual(server.state.checksumModes, ["ENABLED", "ENABLED"])
        }))

      it.live("every read corrupt: ChecksumMismatch against the server's CRC32, no bytes", () =>
        Effect.gen(function*() {
          Object.assign(server.state, { corruptReads: 100, gets: 0, checksumModes: [] })
          const error = yield* Effect.flatMap(S3Po, (s3) => s3.download("bucket", "key")).pipe(
            Effect.flip,
            Effect.provide(layerOf(transport))
          )
          assert.strictEqual(error._tag, "ChecksumMismatch")
          if (error._tag !== "ChecksumMismatch") return
          assert.strictEqual(error.algorithm, "CRC32")
          assert.include([error.expected, error.actual], crc32(body))
          assert.strictEqual(server.state.gets, 3)
        }))
    })
  }
})
