import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as fs from "node:fs/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { type DownloadOptions, layerLive, Retry, S3Po, type S3PoError } from "s3po"
import { bytesEqual, tempDir } from "../utils/fixtures.js"

/**
 * GETs answered as some proxies and stores answer them: chunked, without `Content-Length`, or with a
 * body shorter than the answer promised. Every read path gets all the bytes of a chunked answer, and
 * a short body is a retryable failure (resumed from the first missing byte), never a short success.
 * The answers come from a scripted server, to the live layer on both of its transports.
 */

/** Text, so that `downloadString` gives back the same bytes. */
const body = new TextEncoder().encode(Array.from({ length: 150_000 }, (_, at) => "abcdefghij"[at % 10]).join(""))
/** The body's MD5, as S3 gives an object put whole: downloads check what they read against it. */
const etag = `"${createHash("md5").update(body).digest("hex")}"`

/** How the server answers a GET, given the bytes asked for (a `Range` header, or the whole object). */
type Answer = (
  request: { readonly start: number; readonly end: number; readonly ranged: boolean; readonly index: number },
  body: Uint8Array,
  response: http.ServerResponse
) => void

interface Served {
  readonly method: string
  readonly range: string | undefined
  readonly ifMatch: string | undefined
}

/** Writes `bytes` in pieces of at most `size` bytes, each its own chunk of a chunked answer. */
const writeInPieces = (response: http.ServerResponse, bytes: Uint8Array, size = 1000) => {
  for (let at = 0; at < bytes.length; at += size) response.write(bytes.subarray(at, at + size))
}

const headersOf = (ranged: boolean, start: number, end: number, size: number): http.OutgoingHttpHeaders => ({
  etag,
  "last-modified": new Date(0).toUTCString(),
  "content-type": "application/octet-stream",
  ...(ranged ? { "content-range": `bytes ${start}-${end}/${size}` } : {})
})

/** Chunked: no `Content-Length`; a range answered with its `Content-Range`. */
const chunked: Answer = ({ end, ranged, start }, body, response) => {
  response.writeHead(ranged ? 206 : 200, headersOf(ranged, start, end, body.length))
  writeInPieces(response, body.subarray(start, end + 1))
  response.end()
}

/** Chunked, and the connection dropped halfway through the first answer. */
const chunkedThenDropped: Answer = (request, body, response) => {
  if (request.index > 0) return chunked(request, body, response)
  const { end, ranged, start } = request
  response.writeHead(ranged ? 206 : 200, headersOf(ranged, start, end, body.length))
  writeInPieces(response, body.subarray(start, start + Math.floor((end - start + 1) / 2)))
  setTimeout(() => response.socket?.destroy(), 20)
}

/** `Content-Length` promises the bytes asked for; the first answer sends half of them and closes the connection. */
const shortByContentLength = (always: boolean): Answer => ({ end, index, ranged, start }, body, response) => {
  const bytes = body.subarray(start, end + 1)
  response.writeHead(ranged ? 206 : 200, {
    ...headersOf(ranged, start, end, body.length),
    "content-length": String(bytes.length)
  })
  if (index > 0 && !always) return response.end(bytes)
  response.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
  setTimeout(() => response.socket?.destroy(), 20)
}

/**
 * Chunked, with a `Content-Range` (even for the whole object) that promises the bytes asked for;
 * the first answer ends cleanly after half of them.
 */
const shortByContentRange = (always: boolean): Answer => ({ end, index, start }, body, response) => {
  const bytes = body.subarray(start, end + 1)
  response.writeHead(206, headersOf(true, start, end, body.length))
  writeInPieces(response, index > 0 && !always ? bytes : bytes.subarray(0, Math.floor(bytes.length / 2)))
  response.end()
}

/** A GET of the whole object answered, chunked, with its first half only, as a range (206) of it: S3 never does. */
const halfAsARange: Answer = (request, body, response) => {
  if (request.ranged) return chunked(request, body, response)
  const half = Math.floor(body.length / 2)
  response.writeHead(206, headersOf(true, 0, half - 1, body.length))
  writeInPieces(response, body.subarray(0, half))
  response.end()
}

/** Chunked, with a `Content-Range` that announces half of the bytes asked for; all of them are sent. */
const longerThanItsContentRange: Answer = ({ end, start }, body, response) => {
  response.writeHead(206, headersOf(true, start, start + Math.floor((end - start + 1) / 2) - 1, body.length))
  writeInPieces(response, body.subarray(start, end + 1))
  response.end()
}

const startServer = (body: Uint8Array) =>
  new Promise<
    { endpoint: string; answer: (answer: Answer) => void; served: Array<Served>; close: () => Promise<void> }
  >((resolve) => {
    let answer: Answer = chunked
    const served: Array<Served> = []
    let gets = 0
    const server = http.createServer((request, response) => {
      request.resume()
      const range = request.headers.range
      served.push({ method: request.method ?? "", range, ifMatch: request.headers["if-match"] })
      if (request.method === "HEAD") {
        response.writeHead(200, { ...headersOf(false, 0, 0, 0), "content-length": String(body.length) })
        return response.end()
      }
      const asked = range === undefined ? undefined : /^bytes=(\d+)-(\d*)$/.exec(range)
      const start = asked ? Number(asked[1]) : 0
      const end = asked && asked[2] !== "" ? Math.min(Number(asked[2]), body.length - 1) : body.length - 1
      answer({ start, end, ranged: asked !== undefined && asked !== null, index: gets++ }, body, response)
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        answer: (next) => {
          answer = next
          gets = 0
          served.length = 0
        },
        served,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      }))
  })

const quickRetry = Retry.exponential({ base: "1 millis", maxDelay: "5 millis", maxRetries: 3 })

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer(body)
})
afterAll(() => server.close())

const gets = () => server.served.filter((request) => request.method === "GET")

/** Ranges of a third of the body, three at once. */
const ranged: DownloadOptions = { concurrency: 3, partSize: 50_000 }

const joined = (chunks: Chunk.Chunk<Uint8Array>) => new Uint8Array(Buffer.concat(Chunk.toArray(chunks)))

/** Each read path, as the bytes it gives. */
const readPaths = (file: string): ReadonlyArray<readonly [string, Effect.Effect<Uint8Array, S3PoError, S3Po>]> => [
  ["download", Effect.flatMap(S3Po, (s3) => s3.download("bkt", "key"))],
  ["ranged download", Effect.flatMap(S3Po, (s3) => s3.download("bkt", "key", ranged))],
  [
    "downloadString",
    Effect.flatMap(S3Po, (s3) => Effect.map(s3.downloadString("bkt", "key"), (text) => new TextEncoder().encode(text)))
  ],
  [
    "downloadStream",
    Effect.flatMap(S3Po, (s3) => Effect.map(Stream.runCollect(s3.downloadStream("bkt", "key")), joined))
  ],
  [
    "ranged downloadStream",
    Effect.flatMap(S3Po, (s3) => Effect.map(Stream.runCollect(s3.downloadStream("bkt", "key", ranged)), joined))
  ],
  [
    "downloadFile",
    Effect.flatMap(
      S3Po,
      (s3) =>
        Effect.flatMap(s3.downloadFile("bkt", "key", file), (result) =>
          Effect.promise(async () => {
            const written = new Uint8Array(await fs.readFile(file))
            await fs.rm(file)
            assert.strictEqual(result.size, written.length, "the size downloadFile reports")
            return written
          }))
    )
  ]
]

for (const transport of ["s3po", "sdk"] as const) {
  describe(`GET answers without a length, or shorter than promised (${transport} transport)`, () => {
    /** `f` over each read path, on a live layer that asks the scripted server, answering as `answer` from the first GET. */
    const eachPath = <A>(
      answer: Answer,
      f: (name: string, read: Effect.Effect<Uint8Array, S3PoError, S3Po>) => Effect.Effect<A, never, S3Po>
    ) =>
      Effect.scoped(Effect.gen(function*() {
        const dir = yield* tempDir
        for (const [name, read] of readPaths(path.join(dir, "file"))) {
          server.answer(answer)
          yield* f(name, read)
          if (name === "downloadFile") assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), [], name)
        }
      })).pipe(
        Effect.provide(layerLive({
          endpoint: server.endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "AKIDCHUNKED", secretAccessKey: Redacted.make("chunked-secret") },
          retry: quickRetry,
          transport
        })),
        Logger.withMinimumLogLevel(LogLevel.Error)
      )

    const everyByte = (answer: Answer) =>
      eachPath(answer, (name, read) =>
        Effect.gen(function*() {
          const bytes = yield* Effect.orDie(read)
          assert.strictEqual(bytes.length, body.length, name)
          assert.isTrue(bytesEqual(bytes, body), name)
        }))

    const failsTransport = (answer: Answer, retryable: boolean) =>
      eachPath(answer, (name, read) =>
        Effect.gen(function*() {
          const error = yield* Effect.orDieWith(Effect.flip(read), () => new Error(`${name} succeeded`))
          assert.strictEqual(error._tag, "TransportError", `${name}: ${error.message}`)
          assert.strictEqual(error._tag === "TransportError" && error.retryable, retryable, name)
          // A retryable failure after the first attempt and every retry the policy allows.
          assert.isAtLeast(gets().length, retryable ? 4 : 1, name)
        }))

    it.live("chunked, without Content-Length: every read path gets every byte, in one GET when it is not ranged", () =>
      Effect.gen(function*() {
        yield* everyByte(chunked)
        server.answer(chunked)
        yield* Effect.orDie(Effect.flatMap(S3Po, (s3) => s3.download("bkt", "key"))).pipe(
          Effect.provide(layerLive({
            endpoint: server.endpoint,
            region: "us-east-1",
            credentials: { accessKeyId: "AKIDCHUNKED", secretAccessKey: Redacted.make("chunked-secret") },
            transport
          }))
        )
        assert.deepStrictEqual(gets().map((request) => request.range), [undefined])
      }))

    it.live("chunked and dropped halfway: every read path resumes from the first missing byte, pinned to the ETag", () =>
      Effect.gen(function*() {
        yield* everyByte(chunkedThenDropped)
        // The last path read (downloadFile) asked for the whole object, then for what was missing.
        const [first, second] = gets()
        assert.strictEqual(first?.range, undefined)
        assert.match(second?.range ?? "", /^bytes=\d+-$/)
        assert.strictEqual(second?.ifMatch, etag)
      }))

    it.live("a body shorter than its Content-Length: resumed on every read path", () =>
      Effect.gen(function*() {
        yield* everyByte(shortByContentLength(false))
        assert.deepStrictEqual(gets().map((request) => request.range), [undefined, `bytes=75000-149999`])
      }))

    it.live("a chunked body shorter than its Content-Range: resumed on every read path", () =>
      Effect.gen(function*() {
        yield* everyByte(shortByContentRange(false))
        assert.deepStrictEqual(gets().map((request) => request.range), [undefined, `bytes=75000-149999`])
      }))

    it.live("a body always shorter than its Content-Length: a retryable TransportError on every read path", () =>
      failsTransport(shortByContentLength(true), true))

    it.live("a chunked body always shorter than its Content-Range: a retryable TransportError on every read path", () =>
      failsTransport(shortByContentRange(true), true))

    it.live("a whole object answered with a part of it: the rest is asked for, on every read path", () =>
      Effect.gen(function*() {
        yield* everyByte(halfAsARange)
        assert.deepStrictEqual(gets().map((request) => request.range), [undefined, `bytes=75000-149999`])
      }))

    it.live("a body longer than its Content-Range: a TransportError, not retried, on every read path", () =>
      failsTransport(longerThanItsContentRange, false))
  })
}
