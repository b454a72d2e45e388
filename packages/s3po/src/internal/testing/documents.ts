import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ObjectAttributes, type ObjectInfo, S3Po } from "../../S3Po.js"
import { bytesEqual, freshBucket, randomBody, type SuiteMethods, tagOf, unchecked } from "./fixtures.js"

const MiB = 1024 * 1024
const text = new TextEncoder()

/** Info without its checksum: `head` does not ask for one, a whole-object `get` does (to verify its bytes). */
const withoutChecksum = ({ checksum: _, ...info }: ObjectInfo) => info

const attributes: ObjectAttributes = {
  contentType: "text/csv",
  metadata: { owner: "r2", team: "ops" },
  cacheControl: "public, max-age=60",
  contentDisposition: "attachment; filename=\"q1.csv\"",
  contentLanguage: "fr",
  expires: new Date("2030-01-02T03:04:05Z")
}

const collected = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))

const Counter = Schema.Struct({ visits: Schema.Number })
const Manifest = Schema.Struct({ files: Schema.Array(Schema.String), createdAt: Schema.DateFromString })

const increment = (current: Option.Option<{ readonly visits: number }>) => ({
  visits: Option.match(current, { onNone: () => 1, onSome: ({ visits }) => visits + 1 })
})

/**
 * Reads with their info (`get`, `getStream`) and JSON documents (`getJson`, `putJson`,
 * `updateJson`), as one suite over any layer.
 */
const reads = (it: SuiteMethods) => {
  it.effect("get answers the bytes with the info head gives, from one GET: whole, ranged, in parallel parts", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-info")
      const body = text.encode("quarter,revenue\nq1,100\nq2,250\n")
      const written = yield* s3.upload(bucket, "q1.csv", body, attributes)
      const head = yield* s3.head(bucket, "q1.csv")
      const whole = yield* s3.get(bucket, "q1.csv")
      assert.isTrue(bytesEqual(whole.body, body))
      assert.deepStrictEqual(withoutChecksum(whole.info), withoutChecksum(head))
      assert.strictEqual(whole.info.etag, written.etag)
      assert.strictEqual(whole.info.contentType, "text/csv")
      assert.deepStrictEqual(whole.info.metadata, attributes.metadata)
      // A range's info is the whole object's: its size too, not the range's.
      const ranged = yield* s3.get(bucket, "q1.csv", { range: { start: 8, end: 14 } })
      assert.strictEqual(Buffer.from(ranged.body).toString(), "revenue")
      assert.deepStrictEqual(withoutChecksum(ranged.info), withoutChecksum(head))
      assert.strictEqual(ranged.info.size, body.length)
      const suffix = yield* s3.get(bucket, "q1.csv", { range: { suffix: 4 } })
      assert.strictEqual(Buffer.from(suffix.body).toString(), "250\n")
      assert.strictEqual(suffix.info.size, body.length)
      // In parallel parts of 5 bytes, pinned by one HEAD: the same bytes and info.
      const parts = yield* s3.get(bucket, "q1.csv", { concurrency: 3, partSize: 5 })
      assert.isTrue(bytesEqual(parts.body, body))
      assert.deepStrictEqual(withoutChecksum(parts.info), withoutChecksum(head))
    }))
  it.effect("get takes the read conditions: a stale ifMatch fails, a current ifNoneMatch is NotModified", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-conditions")
      const v1 = yield* s3.upload(bucket, "state", "1")
      const v2 = yield* s3.upload(bucket, "state", "2")
      assert.strictEqual(yield* tagOf(s3.get(bucket, "state", { ifMatch: v1.etag })), "PreconditionFailed")
      assert.strictEqual(yield* tagOf(s3.get(bucket, "state", { ifNoneMatch: v2.etag })), "NotModified")
      const current = yield* s3.get(bucket, "state", { ifMatch: v2.etag })
      assert.strictEqual(Buffer.from(current.body).toString(), "2")
      assert.strictEqual(current.info.etag, v2.etag)
      const changed = yield* s3.get(bucket, "state", { ifNoneMatch: v1.etag })
      assert.strictEqual(changed.info.etag, v2.etag)
      assert.strictEqual(yield* tagOf(s3.get(bucket, "absent")), "NoSuchKey")
      assert.strictEqual(yield* tagOf(s3.get(bucket, "")), "ValidationError")
    }))
  it.effect("neither get, getStream nor getJson shows s3po's own metadata (write id, part-size record)", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-internal")
      const metadata = { owner: "r2" }
      // A conditional PUT carries a write id; a multipart upload records its part size.
      yield* s3.upload(bucket, "small", "{}", { metadata, ifNoneMatch: "*" })
      yield* s3.upload(bucket, "large", randomBody(11 * MiB), { metadata, partSize: 5 * MiB })
      for (const key of ["small", "large"]) {
        assert.deepStrictEqual((yield* s3.get(bucket, key)).info.metadata, metadata, key)
        const opened = yield* Effect.scoped(Effect.map(s3.getStream(bucket, key), ({ info }) => info))
        assert.deepStrictEqual(opened.metadata, metadata, key)
      }
      assert.deepStrictEqual((yield* s3.getJson(bucket, "small", Schema.Unknown)).info.metadata, metadata)
      const updated = yield* s3.updateJson(bucket, "small", Schema.Unknown, () => ({ n: 1 }), { metadata })
      assert.strictEqual(updated.attempts, 1)
      assert.deepStrictEqual((yield* s3.getJson(bucket, "small", Schema.Unknown)).info.metadata, metadata)
    }))
}

const streamsAndJson = (it: SuiteMethods) => {
  it.effect("getStream gives the info before any byte is read, then the bytes of that version", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-stream")
      const body = text.encode("version one")
      yield* s3.upload(bucket, "doc", body, attributes)
      const head = yield* s3.head(bucket, "doc")
      yield* Effect.scoped(Effect.gen(function*() {
        const { info, stream } = yield* s3.getStream(bucket, "doc")
        assert.deepStrictEqual(withoutChecksum(info), withoutChecksum(head))
        // The object is replaced after the answer came: the stream still reads the version its info names.
        yield* s3.upload(bucket, "doc", "version two")
        assert.isTrue(bytesEqual(yield* collected(stream), body))
        // A stream is read once.
        assert.strictEqual(yield* tagOf(Stream.runDrain(stream)), "ValidationError")
      }))
      // A range: the range's bytes, the whole object's size.
      yield* Effect.scoped(Effect.gen(function*() {
        const { info, stream } = yield* s3.getStream(bucket, "doc", { range: { start: 8 } })
        assert.strictEqual(info.size, "version two".length)
        assert.strictEqual((yield* collected(stream)).toString(), "two")
      }))
      // Failures come before the stream: a missing key, a condition.
      assert.strictEqual(yield* tagOf(Effect.scoped(s3.getStream(bucket, "absent"))), "NoSuchKey")
      assert.strictEqual(
        yield* tagOf(Effect.scoped(s3.getStream(bucket, "doc", { ifMatch: head.etag }))),
        "PreconditionFailed"
      )
    }))
  it.effect("a getStream stream run after its scope closed reads again, pinned to its info's ETag", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("get-stream-late")
      const body = randomBody(64 * 1024)
      yield* s3.upload(bucket, "blob", body)
      const late = yield* Effect.scoped(s3.getStream(bucket, "blob"))
      assert.isTrue(bytesEqual(yield* collected(late.stream), body))
      const stale = yield* Effect.scoped(s3.getStream(bucket, "blob"))
      yield* s3.upload(bucket, "blob", "replaced")
      assert.strictEqual(yield* tagOf(Stream.runDrain(stale.stream)), "PreconditionFailed")
    }))
  it.effect("putJson writes the schema's encoding as application/json; getJson decodes it with its ETag", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("json")
      const manifest = { files: ["app.js", "app.css"], createdAt: new Date("2026-01-02T03:04:05.000Z") }
      const written = yield* s3.putJson(bucket, "manifest.json", Manifest, manifest, { ifNoneMatch: "*" })
      assert.strictEqual(
        yield* s3.downloadString(bucket, "manifest.json"),
        "{\"files\":[\"app.js\",\"app.css\"],\"createdAt\":\"2026-01-02T03:04:05.000Z\"}"
      )
      const read = yield* s3.getJson(bucket, "manifest.json", Manifest)
      assert.deepStrictEqual(read.value, manifest)
      assert.strictEqual(read.info.etag, written.etag)
      assert.strictEqual(read.info.contentType, "application/json")
      // Create-only holds; compare-and-swap replaces the version read and no other.
      const taken = yield* tagOf(s3.putJson(bucket, "manifest.json", Manifest, manifest, { ifNoneMatch: "*" }))
      assert.strictEqual(taken, "PreconditionFailed")
      const next = { ...manifest, files: ["app.js"] }
      yield* s3.putJson(bucket, "manifest.json", Manifest, next, { ifMatch: read.info.etag })
      assert.strictEqual(
        yield* tagOf(s3.putJson(bucket, "manifest.json", Manifest, manifest, { ifMatch: read.info.etag })),
        "PreconditionFailed"
      )
      assert.deepStrictEqual((yield* s3.getJson(bucket, "manifest.json", Manifest)).value, next)
      yield* s3.putJson(bucket, "custom.json", Schema.Unknown, [1], { contentType: "application/vnd.s3po+json" })
      assert.strictEqual((yield* s3.head(bucket, "custom.json")).contentType, "application/vnd.s3po+json")
    }))
}

const invalidAndUpdates = (it: SuiteMethods) => {
  it.effect("a document the schema rejects is InvalidDocument with the schema's message, before any write", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("json-invalid")
      // A value that does not encode: nothing is sent.
      const unencodable = yield* Effect.flip(
        s3.putJson(bucket, "counter.json", Counter, unchecked<{ visits: number }>({ visits: "many" }))
      )
      assert.strictEqual(unencodable._tag, "InvalidDocument")
      if (unencodable._tag === "InvalidDocument") {
        assert.strictEqual(unencodable.stage, "encode")
        assert.include(unencodable.reason, "[\"visits\"]")
        assert.include(unencodable.reason, "Expected number, actual \"many\"")
      }
      assert.isFalse(yield* s3.exists(bucket, "counter.json"))
      // Stored text that is not JSON, and JSON that is not a Counter.
      yield* s3.upload(bucket, "broken.json", "{\"visits\": ")
      const broken = yield* Effect.flip(s3.getJson(bucket, "broken.json", Counter))
      assert.strictEqual(broken._tag, "InvalidDocument")
      if (broken._tag === "InvalidDocument") assert.strictEqual(broken.stage, "json")
      const stored = yield* s3.upload(bucket, "counter.json", "{\"visits\":\"many\"}")
      const wrong = yield* Effect.flip(s3.getJson(bucket, "counter.json", Counter))
      assert.strictEqual(wrong._tag, "InvalidDocument")
      if (wrong._tag === "InvalidDocument") {
        assert.strictEqual(wrong.stage, "decode")
        assert.strictEqual(wrong.etag, stored.etag)
        assert.include(wrong.reason, "Expected number, actual \"many\"")
        assert.include(wrong.message, "does not decode")
      }
      // updateJson over it fails the same way, before calling f or writing.
      let called = false
      const update = yield* Effect.flip(s3.updateJson(bucket, "counter.json", Counter, (current) => {
        called = true
        return increment(current)
      }))
      assert.strictEqual(update._tag, "InvalidDocument")
      assert.isFalse(called)
      assert.strictEqual((yield* s3.head(bucket, "counter.json")).etag, stored.etag)
    }))
  it.effect("updateJson creates a missing document, then replaces the version it read; f may be an Effect", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("json-update")
      const created = yield* s3.updateJson(bucket, "visits.json", Counter, increment)
      assert.deepStrictEqual(created.value, { visits: 1 })
      assert.isTrue(Option.isNone(created.previous))
      assert.strictEqual(created.attempts, 1)
      const updated = yield* s3.updateJson(
        bucket,
        "visits.json",
        Counter,
        (current) => Effect.succeed(increment(current))
      )
      assert.deepStrictEqual(updated.value, { visits: 2 })
      assert.deepStrictEqual(updated.previous, Option.some({ visits: 1 }))
      const read = yield* s3.getJson(bucket, "visits.json", Counter)
      assert.deepStrictEqual(read.value, { visits: 2 })
      assert.strictEqual(read.info.etag, updated.etag)
      assert.strictEqual(read.info.contentType, "application/json")
      // f's failure stops the update: nothing is written.
      const refused = yield* Effect.flip(
        s3.updateJson(bucket, "visits.json", Counter, () => Effect.fail("closed for the day" as const))
      )
      assert.strictEqual(refused, "closed for the day")
      assert.strictEqual((yield* s3.head(bucket, "visits.json")).etag, updated.etag)
    }))
}

const concurrentUpdates = (it: SuiteMethods) => {
  it.effect("updateJson reads again when another writer got in first, and gives up after maxAttempts", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("json-conflict")
      yield* s3.putJson(bucket, "visits.json", Counter, { visits: 10 })
      // Another writer changes the document between this update's read and its write, once.
      let interfered = false
      const seen: Array<number> = []
      const racing = (current: Option.Option<{ readonly visits: number }>) =>
        Effect.gen(function*() {
          seen.push(Option.getOrThrow(current).visits)
          if (!interfered) {
            interfered = true
            yield* s3.putJson(bucket, "visits.json", Counter, { visits: 100 })
          }
          return increment(current)
        })
      const updated = yield* s3.updateJson(bucket, "visits.json", Counter, racing)
      assert.strictEqual(updated.attempts, 2)
      assert.deepStrictEqual(seen, [10, 100])
      assert.deepStrictEqual((yield* s3.getJson(bucket, "visits.json", Counter)).value, { visits: 101 })
      // With one attempt allowed, the lost race is an UpdateConflict, and the other writer's value stands.
      interfered = false
      const conflict = yield* Effect.flip(
        s3.updateJson(bucket, "visits.json", Counter, racing, { maxAttempts: 1 })
      )
      assert.strictEqual(conflict._tag, "UpdateConflict")
      if (conflict._tag === "UpdateConflict") assert.strictEqual(conflict.attempts, 1)
      assert.deepStrictEqual((yield* s3.getJson(bucket, "visits.json", Counter)).value, { visits: 100 })
      // A missing document raced by another creator: the create-only write loses, the next read sees it.
      interfered = false
      const raced = yield* s3.updateJson(bucket, "fresh.json", Counter, (current) =>
        Effect.gen(function*() {
          if (!interfered) {
            interfered = true
            yield* s3.putJson(bucket, "fresh.json", Counter, { visits: 7 })
          }
          return increment(current)
        }))
      assert.strictEqual(raced.attempts, 2)
      assert.deepStrictEqual(raced.previous, Option.some({ visits: 7 }))
      assert.deepStrictEqual(raced.value, { visits: 8 })
      assert.strictEqual(
        yield* tagOf(s3.updateJson(bucket, "fresh.json", Counter, increment, { maxAttempts: 0 })),
        "ValidationError"
      )
    }))
  it.effect("50 concurrent updateJson increments lose no update and count none twice", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("json-counter")
      const results = yield* Effect.forEach(
        Array.from({ length: 50 }),
        () => Effect.either(s3.updateJson(bucket, "visits.json", Counter, increment)),
        { concurrency: "unbounded" }
      )
      const failures = results.filter(Either.isLeft).map((result) => result.left._tag)
      assert.deepStrictEqual(failures, [])
      const values = results.filter(Either.isRight).map((result) => result.right.value.visits)
      assert.deepStrictEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1))
      assert.deepStrictEqual((yield* s3.getJson(bucket, "visits.json", Counter)).value, { visits: 50 })
    }))
}

export const documentsSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    reads(it)
    streamsAndJson(it)
    invalidAndUpdates(it)
    concurrentUpdates(it)
  })
