import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import type { LookupFunction, Socket } from "node:net"
import { batch, S3Po } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"
import * as LiveBackend from "../../src/internal/live/backend.js"
import * as Endpoints from "../../src/internal/live/endpoints.js"
import * as SignedHttp from "../../src/internal/live/signedHttp.js"
import { listenOnLoopback } from "../utils/loopback.js"

/**
 * What the live layer promises of connections, counted at a server: `maxSockets` bounds every
 * connection the layer holds (both request paths, every origin), and a client the caller gave is
 * left as it was, its kept-alive connection open.
 */

const listing = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><KeyCount>0</KeyCount>
<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`

/** A server that answers as S3 would for an object `hello` under every key and an empty listing, each after 5 ms. */
const startServer = async () => {
  const sockets = new Set<Socket>()
  let connections = 0
  let mostOpen = 0
  const server = http.createServer((request, response) => {
    request.resume()
    request.on("end", () =>
      setTimeout(() => {
        const headers = { etag: "\"5d41402abc4b2a76b9719d911017c592\"", "last-modified": new Date(0).toUTCString() }
        if (request.url?.includes("list-type=2") === true) {
          response.writeHead(200, { "content-type": "application/xml" })
          response.end(listing)
        } else {
          response.writeHead(200, { ...headers, "content-length": "5" })
          response.end(request.method === "HEAD" ? undefined : "hello")
        }
      }, 5))
  })
  server.on("connection", (socket: Socket) => {
    connections++
    sockets.add(socket)
    // Counted a moment later: the client closes a connection before it opens the next in its place,
    // but on a loaded machine the server may learn of the new one first. A connection truly over the
    // limit lasts far longer (each request takes 5 ms, and kept-alive connections stay open).
    setTimeout(() => {
      mostOpen = Math.max(mostOpen, sockets.size)
    }, 20)
    // Gone when its end arrives.
    const gone = () => sockets.delete(socket)
    socket.on("end", gone)
    socket.on("error", gone)
    socket.on("close", gone)
  })
  const loopback = await listenOnLoopback(server)
  return {
    port: loopback.port,
    endpoint: loopback.endpoint,
    /** Connections made since the last `reset`. */
    connections: () => connections,
    /** The most connections open at once since the last `reset`, as counted so far (20 ms behind). */
    mostOpen: () => mostOpen,
    open: () => sockets.size,
    reset: () => {
      connections = sockets.size
      mostOpen = sockets.size
    },
    close: loopback.close
  }
}

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.close())

/**
 * Waits until the server has seen the connections close that the client closed: until at most
 * `stillOpen` are open, or 5 seconds have passed (a loaded machine delivers the closes late).
 */
const settledTo = (stillOpen: number) =>
  Effect.gen(function*() {
    for (let waited = 0; waited < 5_000 && server.open() > stillOpen; waited += 50) yield* Effect.sleep("50 millis")
  })
const settled = settledTo(0)

const keys = Array.from({ length: 48 }, (_, i) => `key-${i}`)

describe("connections, counted at the server", () => {
  it.live("layer({ maxSockets: 2 }): a batch of listings (the SDK's) and downloads (s3po's own) holds at most 2", () =>
    Effect.gen(function*() {
      yield* settled
      server.reset()
      const { results, success } = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        return yield* batch(keys, (key) =>
          Effect.zipRight(
            Stream.runDrain(s3.list("bucket", { prefix: key })),
            s3.downloadString("bucket", key)
          ), { concurrency: 16 })
      }).pipe(Effect.provide(S3PoLive.layer({
        endpoint: server.endpoint,
        credentials: { accessKeyId: "test", secretAccessKey: Redacted.make("test-secret") },
        maxSockets: 2
      })))
      assert.isTrue(success)
      assert.strictEqual(results.length, keys.length)
      yield* Effect.sleep("25 millis") // the last connections counted
      assert.isAtMost(server.mostOpen(), 2)
      yield* settled
      assert.strictEqual(server.open(), 0, "the layer's connections are closed with its scope")
    }))

  it.live("s3po's own transport holds its connections over every origin (virtual-host buckets) within the limit", () =>
    Effect.gen(function*() {
      yield* settled
      server.reset()
      const client = new S3Client({
        endpoint: `http://s3.test:${server.port}`,
        region: "us-east-1",
        forcePathStyle: false,
        maxAttempts: 1,
        credentials: { accessKeyId: "test", secretAccessKey: "test-secret" }
      })
      // Every `bucket-N.s3.test`, a pool of its own, resolves to the server.
      const lookup: LookupFunction = (_hostname, options, callback) =>
        options.all === true ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)
      const http = SignedHttp.make(client, { connections: 2, lookup })
      const backend = LiveBackend.make({ client }, { http, endpoints: Endpoints.make(client) })
      const heads = yield* Effect.forEach(
        keys,
        (key, i) => backend.headObject({ bucket: `bucket-${i % 4}`, key }),
        { concurrency: 16 }
      )
      assert.strictEqual(heads.length, keys.length)
      yield* Effect.sleep("25 millis") // the last connections counted
      assert.isAtMost(server.mostOpen(), 2)
      yield* Effect.promise(() => http.close())
      client.destroy()
    }))

  it.live("layerFromClient: the caller's client keeps its kept-alive connection when the layer's scope ends", () =>
    Effect.gen(function*() {
      yield* settled
      server.reset()
      const client = new S3Client({
        endpoint: server.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: { accessKeyId: "test", secretAccessKey: "test-secret" }
      })
      const head = () => Effect.promise(() => client.send(new HeadObjectCommand({ Bucket: "bucket", Key: "key" })))
      yield* head()
      assert.strictEqual(server.connections(), 1)
      for (const transport of ["s3po", "sdk"] as const) {
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.downloadString("bucket", "key")
          yield* Stream.runDrain(s3.list("bucket"))
        }).pipe(Effect.provide(S3PoLive.layerFromClient(client, { transport })))
        yield* settledTo(1)
        // The caller's connection alone is open, and it still serves the caller: no new connection.
        assert.strictEqual(server.open(), 1, `after the layer (transport: ${transport}), only the caller's is open`)
        const before = server.connections()
        yield* head()
        assert.strictEqual(server.connections(), before, "the caller's client opened a new connection")
      }
      client.destroy()
    }))
})
