import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import { Retry, S3Po } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"
import { listenOnLoopback } from "../utils/loopback.js"

/**
 * A server that refuses every write as S3 refuses a body whose checksum does not match (400
 * BadDigest): on the live layer, as on the mock, that is a ChecksumMismatch naming what was sent,
 * and retried (a byte altered on the way is usually not altered again).
 */

const startServer = async () => {
  const checksumsSeen: Array<string | undefined> = []
  const server = http.createServer((request, response) => {
    request.resume()
    request.on("end", () => {
      checksumsSeen.push(request.headers["x-amz-checksum-crc32"] as string | undefined)
      response.writeHead(400, { "content-type": "application/xml", "x-amz-request-id": "req-1" })
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadDigest</Code>` +
          `<Message>The CRC32 you specified did not match the calculated checksum.</Message></Error>`
      )
    })
  })
  const loopback = await listenOnLoopback(server)
  return {
    endpoint: loopback.endpoint,
    checksumsSeen,
    close: loopback.close
  }
}

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.close())

describe("a write answered 400 BadDigest", () => {
  for (const transport of ["s3po", "sdk"] as const) {
    it.live(`transport ${transport}: ChecksumMismatch with the checksum sent, retried`, () =>
      Effect.gen(function*() {
        server.checksumsSeen.length = 0
        const error = yield* Effect.flatMap(S3Po, (s3) => s3.upload("bucket", "key", "hello")).pipe(
          Effect.flip,
          Effect.provide(S3PoLive.layer({
            endpoint: server.endpoint,
            credentials: { accessKeyId: "test", secretAccessKey: Redacted.make("test-secret") },
            retry: Retry.exponential({ maxRetries: 2, base: "1 millis" }),
            transport
          }))
        )
        assert.strictEqual(error._tag, "ChecksumMismatch")
        if (error._tag !== "ChecksumMismatch") return
        assert.strictEqual(error.operation, "PutObject")
        assert.strictEqual(error.key, "key")
        assert.strictEqual(error.algorithm, "CRC32")
        // CRC32 of "hello", as the request carried it.
        assert.strictEqual(error.expected, "NhCmhg==")
        assert.deepStrictEqual(server.checksumsSeen, ["NhCmhg==", "NhCmhg==", "NhCmhg=="])
      }))
  }
})
