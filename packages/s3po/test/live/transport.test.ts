import { S3Client } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { LookupFunction } from "node:net"
import { layerLiveFromClient, S3Po } from "s3po"
import * as LiveBackend from "../../src/internal/live/backend.js"
import * as Endpoints from "../../src/internal/live/endpoints.js"
import * as SignedHttp from "../../src/internal/live/signedHttp.js"
import { liveBackend } from "../utils/backends.js"
import { type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { uniqueBucket } from "../utils/fixtures.js"
import { liveLayer, server } from "../utils/live.js"

/**
 * What the AWS SDK did silently for object requests and s3po's own transport now does: keys
 * encoded in the path, credentials refreshed, the clock corrected.
 */

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

/** Keys whose path encoding differs between careless encoders, and S3's. */
const hostileKeys = [
  "with space",
  "plus+sign",
  "percent%20not-a-space",
  "question?mark",
  "hash#mark",
  "tilde~",
  "é-composed",
  "e\u0301-decomposed",
  "fullwidth\uff5etilde",
  "emoji 👋🏽",
  "control\u0001char",
  "tab\tand\nnewline",
  "!'()*[]{}$&,;=@:",
  "a//double/slash",
  "./dot/../segments",
  "trailing/"
]

const clientFor = (
  credentials: S3Client["config"]["credentials"] | { accessKeyId: string; secretAccessKey: string },
  extra = {}
) =>
  new S3Client({
    endpoint: server().endpoint,
    region: server().region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials,
    ...extra
  })

const withClient = <A, E>(client: S3Client, effect: Effect.Effect<A, E, S3Po>) =>
  effect.pipe(Effect.provide(layerLiveFromClient(client)), Effect.ensuring(Effect.sync(() => client.destroy())))

describe("S3PoLive's own transport", () => {
  it.live("keys round-trip byte for byte: PUT, HEAD, GET and DELETE by s3po, listed by the SDK", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("keys")
      yield* s3.createBucket(bucket)
      for (const key of hostileKeys) {
        yield* s3.upload(bucket, key, `body of ${key}`)
        assert.strictEqual((yield* s3.head(bucket, key)).key, key)
        assert.strictEqual(yield* s3.downloadString(bucket, key), `body of ${key}`, key)
      }
      const listed = Chunk.toArray(yield* Stream.runCollect(s3.list(bucket)))
      assert.deepStrictEqual([...listed].sort(), [...hostileKeys].sort())
      for (const key of hostileKeys) yield* s3.delete(bucket, key)
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), [])
    }).pipe(Effect.provide(liveLayer())))

  it.live("virtual-host addressing (bucket.localhost): the same keys round-trip, on the endpoint the SDK's rules give", () =>
    Effect.gen(function*() {
      const port = new URL(server().endpoint).port
      const bucket = uniqueBucket("vhost")
      const client = clientFor({ accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }, {
        endpoint: `http://localhost:${port}`,
        forcePathStyle: false
      })
      // `bucket.localhost` resolves nowhere by default: here, to the server.
      const lookup: LookupFunction = (_hostname, options, callback) =>
        options.all === true ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)
      const endpoints = Endpoints.make(client)
      const endpoint = yield* Effect.promise(() => endpoints.resolve(bucket))
      assert.strictEqual(endpoint?.host, `${bucket}.localhost:${port}`)
      assert.strictEqual(endpoint?.basePath, "")
      const backend = LiveBackend.make({ client }, {
        http: SignedHttp.make(client, { connections: 8, lookup }),
        endpoints
      })
      const s3 = yield* S3Po
      yield* s3.createBucket(bucket)
      for (const key of hostileKeys) {
        yield* backend.putObject({ bucket, key, body: new TextEncoder().encode(`body of ${key}`) })
        assert.strictEqual((yield* backend.headObject({ bucket, key })).key, key)
        const got = yield* backend.getObject({ bucket, key })
        const chunks: Array<Uint8Array> = []
        yield* got.forEachChunk((chunk) => chunks.push(chunk.slice()))
        assert.strictEqual(Buffer.concat(chunks).toString(), `body of ${key}`, key)
      }
      // Listed path-style, by another client: the keys are the ones sent.
      assert.deepStrictEqual(
        [...Chunk.toArray(yield* Stream.runCollect(s3.list(bucket)))].sort(),
        [...hostileKeys].sort()
      )
      for (const key of hostileKeys) yield* backend.deleteObject({ bucket, key })
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), [])
      client.destroy()
    }).pipe(Effect.provide(liveLayer())))

  it.live("one connection serves every answer in turn: no body of a 404, 412, 304 or 204 is left unread", () =>
    Effect.gen(function*() {
      const client = clientFor({ accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey })
      const http = SignedHttp.make(client, { connections: 1 })
      const backend = LiveBackend.make({ client }, { http, endpoints: Endpoints.make(client) })
      const bucket = uniqueBucket("one-connection")
      yield* backend.createBucket({ bucket })
      const { etag } = yield* backend.putObject({ bucket, key: "k", body: new TextEncoder().encode("v") })
      const outcomes: Array<string> = []
      for (let round = 0; round < 3; round++) {
        outcomes.push(
          (yield* Effect.flip(backend.headObject({ bucket, key: "absent" })))._tag,
          (yield* Effect.flip(backend.getObject({ bucket, key: "absent" })))._tag,
          (yield* Effect.flip(backend.putObject({ bucket, key: "k", body: new Uint8Array(1), ifNoneMatch: "*" })))._tag,
          (yield* Effect.flip(backend.getObject({ bucket, key: "k", ifNoneMatch: etag })))._tag,
          (yield* Effect.flip(backend.headObject({ bucket, key: "k", ifNoneMatch: etag })))._tag
        )
        yield* backend.deleteObject({ bucket, key: "absent" })
        const got = yield* backend.getObject({ bucket, key: "k" })
        yield* got.forEachChunk(() => undefined)
      }
      assert.deepStrictEqual(outcomes.slice(0, 5), [
        "NoSuchKey",
        "NoSuchKey",
        "PreconditionFailed",
        "NotModified",
        "NotModified"
      ])
      assert.strictEqual(outcomes.length, 15)
      yield* Effect.promise(() => http.close())
      client.destroy()
    }).pipe(Effect.timeoutFail({ duration: "20 seconds", onTimeout: () => new Error("a connection was held") })))

  it.live("a header value with CR or LF never reaches the wire, even past the input rules", () =>
    Effect.gen(function*() {
      // The primitives themselves, under the service's input rules, as a bug in them would reach them.
      const backend = liveBackend(proxy.url)
      const bucket = uniqueBucket("crlf")
      yield* backend.createBucket({ bucket })
      proxy.reset()
      for (
        const request of [
          { contentType: "text/plain\r\nx-amz-acl: public-read" },
          { metadata: { note: "a\nb" } },
          { cacheControl: "no-cache\rx: y" }
        ]
      ) {
        const error = yield* Effect.flip(backend.putObject({ bucket, key: "k", body: new Uint8Array(1), ...request }))
        assert.strictEqual(error._tag, "TransportError")
      }
      assert.deepStrictEqual(proxy.requests.map((request) => request.method), [])
    }))

  it.live("credentials that expire are fetched again from their provider; lasting ones once", () =>
    Effect.gen(function*() {
      const bucket = uniqueBucket("credentials")
      const count = { short: 0, lasting: 0 }
      const provider = (kind: keyof typeof count, lifetimeMs: number) => () => {
        count[kind]++
        return Promise.resolve({
          accessKeyId: server().accessKeyId,
          secretAccessKey: server().secretAccessKey,
          expiration: new Date(Date.now() + lifetimeMs)
        })
      }
      const requests = Effect.flatMap(S3Po, (s3) =>
        Effect.gen(function*() {
          yield* s3.createBucket(bucket)
          for (let i = 0; i < 5; i++) {
            yield* s3.upload(bucket, `k${i}`, "x")
            yield* s3.download(bucket, `k${i}`)
          }
        }))
      // The SDK refreshes credentials that expire within five minutes: these always do.
      yield* withClient(clientFor(provider("short", 60_000)), requests)
      yield* withClient(clientFor(provider("lasting", 3_600_000)), requests)
      assert.isAtLeast(count.short, 10)
      assert.strictEqual(count.lasting, 1)
    }))

  it.live("a clock 20 minutes off is corrected from the server's answer, and the request sent again", () => {
    const bucket = uniqueBucket("skew")
    const client = clientFor({ accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }, {
      endpoint: proxy.url,
      systemClockOffset: -20 * 60_000
    })
    return Effect.gen(function*() {
      // The bucket is made with a client on time: the SDK corrects its clock from any answer.
      yield* Effect.flatMap(S3Po, (s3) => s3.createBucket(bucket)).pipe(Effect.provide(liveLayer()))
      proxy.reset()
      return yield* withClient(
        client,
        Effect.gen(function*() {
          const s3 = yield* S3Po
          // A HEAD's 403 has no code: its Date alone says the clock is off. (The HeadBucket that
          // tells the missing key from a missing bucket is a HEAD too: only the object's count.)
          assert.strictEqual((yield* Effect.flip(s3.head(bucket, "absent")))._tag, "NoSuchKey")
          const objectHeads = proxy.requests.filter((request) =>
            request.method === "HEAD" && request.path.endsWith("/absent")
          )
          assert.strictEqual(objectHeads.length, 2)
          client.config.systemClockOffset = -20 * 60_000
          yield* s3.upload(bucket, "k", "on time")
          const puts = proxy.requests.filter((request) => request.method === "PUT")
          assert.strictEqual(puts.length, 2)
          assert.isBelow(Math.abs(client.config.systemClockOffset), 60_000)
          assert.strictEqual(yield* s3.downloadString(bucket, "k"), "on time")
        })
      )
    })
  })
})
