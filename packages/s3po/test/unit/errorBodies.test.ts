import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import { S3Po, type S3PoError } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"
import { listenOnLoopback } from "../utils/loopback.js"

/**
 * An error answer whose body never ends: read within bounds (64 KiB, and the idle timeout), on s3po's
 * own transport and through the SDK's commands, it fails as the typed error of its status and code.
 */

type Body = "flood" | "trickle"

const errorDocument = (code: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>no</Message>` +
  `<RequestId>req-1</RequestId></Error><!--`

interface Answered {
  readonly status: number
  readonly code: string
  readonly body: Body
}

/** A server that answers every request with `answer`'s error, then a body that never ends. */
const startServer = async () => {
  let answer: Answered = { status: 403, code: "AccessDenied", body: "flood" }
  let bytesSent = 0
  const open = new Set<http.ServerResponse>()
  const server = http.createServer((request, response) => {
    request.resume()
    const { body, code, status } = answer
    response.writeHead(status, { "content-type": "application/xml", "x-amz-request-id": "req-1" })
    response.write(errorDocument(code))
    open.add(response)
    const junk = Buffer.alloc(16 * 1024, "x")
    const flood = () => {
      while (!response.destroyed && response.write(junk)) bytesSent += junk.length
      bytesSent += junk.length
    }
    const drip = setInterval(() => {
      if (body === "trickle" && !response.destroyed) response.write("x")
    }, 50)
    response.on("drain", () => body === "flood" && flood())
    response.on("close", () => {
      clearInterval(drip)
      open.delete(response)
    })
    if (body === "flood") flood()
  })
  const loopback = await listenOnLoopback(server)
  return {
    endpoint: loopback.endpoint,
    answer: (next: Answered) => {
      answer = next
      bytesSent = 0
    },
    bytesSent: () => bytesSent,
    /** Answers whose body is still being sent: the client has not closed their connection. */
    open: () => open.size,
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
    retry: "off",
    idleTimeout: "1 second",
    transport
  })

/** Runs `request` against an error answer: it must fail within 5 seconds, the answer's connection closed. */
const failsWithin = <A>(
  answered: Answered,
  request: Effect.Effect<A, S3PoError, S3Po>,
  transport: S3PoLive.Transport
) =>
  Effect.gen(function*() {
    server.answer(answered)
    const started = performance.now()
    const error = yield* request.pipe(
      // Past this, the request is still waiting on the body: a TimeoutException.
      Effect.timeout("5 seconds"),
      Effect.flip,
      Effect.provide(layerOf(transport))
    )
    const elapsed = performance.now() - started
    yield* Effect.sleep("100 millis")
    assert.strictEqual(server.open(), 0, "the answer's connection is still open")
    // What the server could push before the connection closed: the kernel's socket buffers, not the whole body.
    assert.isBelow(server.bytesSent(), 32 * 1024 * 1024)
    return { error, elapsed }
  })

describe("error answers whose body never ends", () => {
  for (const transport of ["s3po", "sdk"] as const) {
    describe(`transport: ${transport}`, () => {
      it.live("a 403 with a flood of a body: AccessDenied, read no further than 64 KiB", () =>
        Effect.gen(function*() {
          const { error } = yield* failsWithin(
            { status: 403, code: "AccessDenied", body: "flood" },
            Effect.flatMap(S3Po, (s3) => s3.download("bucket", "key")),
            transport
          )
          assert.strictEqual(error._tag, "AccessDenied")
          assert.strictEqual((error as { code?: string }).code, "AccessDenied")
        }))

      it.live("a 500 whose body trickles forever: cut by the idle timeout, its status and code kept", () =>
        Effect.gen(function*() {
          const { elapsed, error } = yield* failsWithin(
            { status: 500, code: "InternalError", body: "trickle" },
            Effect.flatMap(S3Po, (s3) => s3.download("bucket", "key")),
            transport
          )
          assert.strictEqual(error._tag, "S3ServiceError")
          const serviceError = error as { status?: number; code?: string; requestId?: string }
          assert.strictEqual(serviceError.status, 500)
          assert.strictEqual(serviceError.code, "InternalError")
          assert.strictEqual(serviceError.requestId, "req-1")
          assert.isAbove(elapsed, 900)
        }))

      it.live("a listing (always the SDK's command) answered 403 with a flood: AccessDenied", () =>
        Effect.gen(function*() {
          const { error } = yield* failsWithin(
            { status: 403, code: "AccessDenied", body: "flood" },
            Effect.flatMap(S3Po, (s3) => Stream.runDrain(s3.list("bucket"))),
            transport
          )
          assert.strictEqual(error._tag, "AccessDenied")
        }))
    })
  }

  it.live("layerFromClient: the caller's client reads error bodies within bounds too, and is left as it is", () =>
    Effect.gen(function*() {
      const { S3Client } = yield* Effect.promise(() => import("@aws-sdk/client-s3"))
      const client = new S3Client({
        endpoint: server.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: "test", secretAccessKey: "test-secret" }
      })
      const stackBefore = client.middlewareStack.identify()
      server.answer({ status: 403, code: "AccessDenied", body: "flood" })
      for (const transport of ["s3po", "sdk"] as const) {
        const errors = yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          return [
            yield* Effect.flip(Stream.runDrain(s3.list("bucket"))),
            yield* Effect.flip(s3.download("bucket", "key"))
          ]
        }).pipe(
          Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "still waiting on the body" as const }),
          Effect.provide(S3PoLive.layerFromClient(client, { retry: "off", transport }))
        )
        assert.deepStrictEqual(errors.map((error) => error._tag), ["AccessDenied", "AccessDenied"])
      }
      assert.deepStrictEqual(client.middlewareStack.identify(), stackBefore)
      client.destroy()
    }))
})
