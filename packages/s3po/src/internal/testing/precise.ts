import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type DownloadOptions, type ObjectAttributes, S3Po } from "../../S3Po.js"
import type { Capabilities } from "./capabilities.js"
import { bytesEqual, freshBucket, md5ETag, randomBody, type SuiteMethods, tempDir } from "./fixtures.js"

const MiB = 1024 * 1024

export { awsS3Support, type Capabilities, cephRgwSupport, mockSupport } from "./capabilities.js"

const pendingUploads = (bucket: string) =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.listPendingUploads(bucket))).pipe(Effect.map(Chunk.toArray))

/** The error `effect` fails with (it must fail). */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

const attributes: ObjectAttributes = {
  contentType: "application/pdf",
  metadata: { owner: "r2" },
  cacheControl: "public, max-age=60",
  contentDisposition: "attachment; filename=\"report.pdf\"",
  contentEncoding: "gzip",
  contentLanguage: "fr",
  expires: new Date("2030-01-02T03:04:05Z"),
  tags: { project: "s3po", "with space": "a+b=c é" }
}

const assertAttributes = (bucket: string, key: string, expected: ObjectAttributes) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const info = yield* s3.head(bucket, key)
    assert.strictEqual(info.contentType, expected.contentType)
    assert.deepStrictEqual(info.metadata, expected.metadata)
    assert.strictEqual(info.cacheControl, expected.cacheControl)
    assert.strictEqual(info.contentDisposition, expected.contentDisposition)
    assert.strictEqual(info.contentEncoding, expected.contentEncoding)
    assert.strictEqual(info.contentLanguage, expected.contentLanguage)
    assert.strictEqual(info.expires?.getTime(), expected.expires?.getTime())
    assert.deepStrictEqual(yield* s3.getTags(bucket, key), expected.tags ?? {}, `tags of ${key}`)
  })

/**
 * Precise writes and reads, as one suite over any layer: conditional uploads and copies (create
 * only, compare-and-swap) on single PUTs and multipart uploads alike, object attributes and tags,
 * ranges, and conditional downloads.
 */
const ranges: ReadonlyArray<readonly [DownloadOptions["range"], string]> = [
  [{ start: 2, end: 5 }, "2345"],
  [{ start: 5 }, "56789"],
  [{ start: 5, end: 100 }, "56789"],
  [{ start: 9, end: 9 }, "9"],
  [{ suffix: 4 }, "6789"],
  [{ suffix: 20 }, "0123456789"]
]

const conditionalUploads = (it: SuiteMethods, support: Capabilities) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "ifNoneMatch '*' creates only: a taken key fails with PreconditionFailed and keeps its object",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("create-only")
        const first = yield* s3.upload(bucket, "lock", "owner: a", { ifNoneMatch: "*" })
        assert.strictEqual(first.etag, md5ETag(new TextEncoder().encode("owner: a")))
        const error = yield* failure(s3.upload(bucket, "lock", "owner: b", { ifNoneMatch: "*" }))
        assert.strictEqual(error._tag, "PreconditionFailed")
        if (error._tag === "PreconditionFailed") {
          assert.strictEqual(error.key, "lock")
          assert.include(error.message, "If-None-Match: *")
        }
        assert.strictEqual(yield* s3.downloadString(bucket, "lock"), "owner: a")
      })
  )
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "ifMatch replaces only the version named: compare-and-swap",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("cas")
        const v1 = yield* s3.upload(bucket, "state", "1")
        const v2 = yield* s3.upload(bucket, "state", "2", { ifMatch: v1.etag })
        assert.strictEqual(yield* s3.downloadString(bucket, "state"), "2")
        // v1 is gone: a writer still holding it loses.
        const stale = yield* failure(s3.upload(bucket, "state", "stale", { ifMatch: v1.etag }))
        assert.strictEqual(stale._tag, "PreconditionFailed")
        if (stale._tag === "PreconditionFailed") assert.strictEqual(stale.expectedETag, v1.etag)
        assert.strictEqual(yield* s3.downloadString(bucket, "state"), "2")
        // The ETag as S3 gives it (quoted) and bare both name the version.
        yield* s3.upload(bucket, "state", "3", { ifMatch: v2.etag.slice(1, -1) })
        assert.strictEqual(yield* s3.downloadString(bucket, "state"), "3")
        // No object has no version to match.
        assert.strictEqual(
          (yield* failure(s3.upload(bucket, "absent", "x", { ifMatch: v1.etag })))._tag,
          "PreconditionFailed"
        )
        assert.isFalse(yield* s3.exists(bucket, "absent"))
      })
  )
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "a condition survives the multipart switch: a 20 MiB stream over a taken key fails and leaves nothing",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("cond-multipart")
        const existing = yield* s3.upload(bucket, "manifest", "original")
        const body = randomBody(20 * MiB)
        const stream = Stream.fromIterable(
          Array.from({ length: 20 }, (_, index) => body.subarray(index * MiB, (index + 1) * MiB))
        )
        const error = yield* failure(s3.upload(bucket, "manifest", stream, { ifNoneMatch: "*" }))
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.strictEqual(yield* s3.downloadString(bucket, "manifest"), "original")
        assert.deepStrictEqual(yield* pendingUploads(bucket), [])
        // Compare-and-swap over multipart: the stale version fails, the current one wins.
        const stale = yield* failure(s3.upload(bucket, "manifest", stream, { ifMatch: md5ETag(new Uint8Array(1)) }))
        assert.strictEqual(stale._tag, "PreconditionFailed")
        const swapped = yield* s3.upload(bucket, "manifest", stream, { ifMatch: existing.etag })
        assert.isAbove(swapped.parts, 1)
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "manifest"), body))
        // On a free key the create-only multipart upload goes through.
        const created = yield* s3.upload(bucket, "fresh", stream, { ifNoneMatch: "*" })
        assert.isAbove(created.parts, 1)
        assert.strictEqual((yield* s3.head(bucket, "fresh")).size, body.length)
        assert.deepStrictEqual(yield* pendingUploads(bucket), [])
      })
  )
}

const conditionsOnFilesAndRaces = (it: SuiteMethods, support: Capabilities) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.scoped.skipIf(!support.conditionalWrites)(
    "uploadFile keeps its conditions, whole and multipart",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("cond-file")
        const dir = yield* tempDir
        const small = path.join(dir, "small")
        const large = path.join(dir, "large")
        yield* Effect.promise(() => fs.writeFile(small, "small"))
        yield* Effect.promise(() => fs.writeFile(large, randomBody(6 * MiB)))
        const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
        yield* s3.uploadFile(bucket, "small", small, { ifNoneMatch: "*" })
        yield* s3.uploadFile(bucket, "large", large, { ifNoneMatch: "*", ...multipart })
        for (const key of ["small", "large"]) {
          const file = key === "small" ? small : large
          const error = yield* failure(s3.uploadFile(bucket, key, file, { ifNoneMatch: "*", ...multipart }))
          assert.strictEqual(error._tag, "PreconditionFailed")
        }
        assert.deepStrictEqual(yield* pendingUploads(bucket), [])
      })
  )
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "20 writers racing ifNoneMatch '*' on one key: exactly one wins, and its body is stored",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("race")
        const outcomes = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, index) => index),
          (index) => Effect.either(s3.upload(bucket, "lock", `owner ${index}`, { ifNoneMatch: "*" })),
          { concurrency: "unbounded" }
        )
        const winners = outcomes.flatMap((outcome, index) => Either.isRight(outcome) ? [index] : [])
        assert.strictEqual(winners.length, 1, `winners: ${winners.join(", ")}`)
        for (const outcome of outcomes) {
          if (Either.isLeft(outcome)) assert.strictEqual(outcome.left._tag, "PreconditionFailed")
        }
        assert.strictEqual(yield* s3.downloadString(bucket, "lock"), `owner ${winners[0]}`)
      })
  )
}

const conditionalCopiesAndAttributes = (it: SuiteMethods, support: Capabilities) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (no conditions on writes); s3po's layers and RGW run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "copy with conditions on its destination, single and multipart",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("cond-copy")
        yield* s3.upload(bucket, "source", "source")
        const taken = yield* s3.upload(bucket, "taken", "taken")
        const error = yield* failure(
          s3.copy({ bucket, key: "source" }, { bucket, key: "taken" }, { ifNoneMatch: "*" })
        )
        assert.strictEqual(error._tag, "PreconditionFailed")
        if (error._tag === "PreconditionFailed") assert.strictEqual(error.key, "taken")
        assert.strictEqual(yield* s3.downloadString(bucket, "taken"), "taken")
        yield* s3.copy({ bucket, key: "source" }, { bucket, key: "free" }, { ifNoneMatch: "*" })
        yield* s3.copy({ bucket, key: "source" }, { bucket, key: "taken" }, { ifMatch: taken.etag })
        assert.strictEqual(yield* s3.downloadString(bucket, "taken"), "source")

        yield* s3.upload(bucket, "big", randomBody(6 * MiB))
        const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
        const big = yield* failure(
          s3.copy({ bucket, key: "big" }, { bucket, key: "taken" }, { ifNoneMatch: "*", ...multipart })
        )
        assert.strictEqual(big._tag, "PreconditionFailed")
        const copied = yield* s3.copy({ bucket, key: "big" }, { bucket, key: "big-copy" }, {
          ifNoneMatch: "*",
          ...multipart
        })
        assert.strictEqual(copied.parts, 2)
        assert.deepStrictEqual(yield* pendingUploads(bucket), [])
      })
  )
  // Skipped only on a backend declaring `tags: false` (the local-directory example's tagless variant); mock and RGW run it.
  it.effect.skipIf(!support.tags)(
    "attributes and tags are stored by single and multipart uploads, and returned by head and getTags",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("attributes")
        const gzipped = randomBody(100)
        yield* s3.upload(bucket, "single", gzipped, attributes)
        yield* assertAttributes(bucket, "single", attributes)
        // Content-Encoding is for the reader: the bytes come back as stored.
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "single"), gzipped))

        const body = randomBody(6 * MiB)
        const multipart = yield* s3.upload(bucket, "multipart", Stream.make(body), {
          ...attributes,
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB
        })
        assert.strictEqual(multipart.parts, 2)
        yield* assertAttributes(bucket, "multipart", attributes)

        yield* s3.setTags(bucket, "single", { replaced: "yes" })
        assert.deepStrictEqual(yield* s3.getTags(bucket, "single"), { replaced: "yes" })
        yield* s3.setTags(bucket, "single", {})
        assert.deepStrictEqual(yield* s3.getTags(bucket, "single"), {})
        // Tags change neither the ETag nor the bytes.
        assert.strictEqual((yield* s3.head(bucket, "single")).etag, md5ETag(gzipped))
        assert.strictEqual((yield* failure(s3.getTags(bucket, "absent")))._tag, "NoSuchKey")
        assert.strictEqual((yield* failure(s3.setTags(bucket, "absent", { a: "b" })))._tag, "NoSuchKey")
      })
  )
}

const copiedAttributesAndClasses = (it: SuiteMethods, support: Capabilities) => {
  // Skipped only on a backend declaring `tags: false` (the local-directory example's tagless variant); mock and RGW run it.
  it.effect.skipIf(!support.tags)(
    "a copy keeps the source's attributes and tags, but those given",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("copy-attributes")
        yield* s3.upload(bucket, "source", "bytes", attributes)
        yield* s3.copy({ bucket, key: "source" }, { bucket, key: "kept" })
        yield* assertAttributes(bucket, "kept", attributes)
        yield* s3.copy({ bucket, key: "source" }, { bucket, key: "changed" }, {
          cacheControl: "no-store",
          tags: { only: "this" }
        })
        yield* assertAttributes(bucket, "changed", {
          ...attributes,
          cacheControl: "no-store",
          tags: { only: "this" }
        })
        // In place: new attributes on the same bytes.
        yield* s3.copy({ bucket, key: "source" }, { bucket, key: "source" }, { contentLanguage: "en" })
        yield* assertAttributes(bucket, "source", { ...attributes, contentLanguage: "en" })

        // A multipart copy, to which S3 gives no tags of its own, gets the source's.
        yield* s3.upload(bucket, "big", randomBody(6 * MiB), attributes)
        const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
        yield* s3.copy({ bucket, key: "big" }, { bucket, key: "big-kept" }, multipart)
        yield* assertAttributes(bucket, "big-kept", attributes)
        yield* s3.copy({ bucket, key: "big" }, { bucket, key: "big-changed" }, { ...multipart, tags: { a: "1" } })
        yield* assertAttributes(bucket, "big-changed", { ...attributes, tags: { a: "1" } })
      })
  )
  it.effect("storage class and server-side encryption reach the server", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("classes")
      yield* s3.upload(bucket, "standard", "x", { storageClass: "STANDARD" })
      // S3 names no class for STANDARD.
      assert.isUndefined((yield* s3.head(bucket, "standard")).storageClass)
      for (const storageClass of support.storageClasses) {
        yield* s3.upload(bucket, storageClass, "x", { storageClass })
        assert.strictEqual((yield* s3.head(bucket, storageClass)).storageClass, storageClass)
        const listed = yield* Stream.runCollect(s3.listObjects(bucket, { prefix: storageClass }))
        assert.deepStrictEqual(Chunk.toArray(listed).map((entry) => entry._tag === "Object" && entry.storageClass), [
          storageClass
        ])
      }
      const invalid = yield* failure(s3.upload(bucket, "invalid", "x", { storageClass: "NO_SUCH_CLASS" }))
      assert.strictEqual(invalid._tag, "S3ServiceError")
      if (invalid._tag === "S3ServiceError") assert.strictEqual(invalid.status, 400)

      const encrypted = s3.upload(bucket, "encrypted", "x", { serverSideEncryption: { type: "AES256" } })
      if (support.serverSideEncryption) {
        yield* encrypted
        assert.deepStrictEqual((yield* s3.head(bucket, "encrypted")).serverSideEncryption, { type: "AES256" })
      } else {
        // A server without it refuses the write, or (Ceph RGW 16 once `rgw crypt require ssl` is off,
        // as its customer keys over HTTP need) stores it plain: then no head may claim encryption.
        const outcome = yield* Effect.either(encrypted)
        if (outcome._tag === "Left") {
          assert.strictEqual(outcome.left._tag, "S3ServiceError")
          if (outcome.left._tag === "S3ServiceError") assert.strictEqual(outcome.left.code, "InvalidRequest")
        } else {
          assert.isUndefined((yield* s3.head(bucket, "encrypted")).serverSideEncryption)
        }
      }
    }))
}

const rangeReads = (it: SuiteMethods) => {
  it.scoped("ranges: inclusive, clamped at the end, suffixes; the same on every download", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("ranges")
      const dir = yield* tempDir
      yield* s3.upload(bucket, "digits", "0123456789")
      for (const [range, expected] of ranges) {
        const label = JSON.stringify(range)
        assert.strictEqual(yield* s3.downloadString(bucket, "digits", { range }), expected, label)
        assert.strictEqual(new TextDecoder().decode(yield* s3.download(bucket, "digits", { range })), expected, label)
        const streamed = yield* Stream.runCollect(s3.downloadStream(bucket, "digits", { range }))
        assert.strictEqual(Buffer.concat(Chunk.toArray(streamed)).toString(), expected, label)
        const file = path.join(dir, "range")
        const result = yield* s3.downloadFile(bucket, "digits", file, { range })
        assert.strictEqual(yield* Effect.promise(() => fs.readFile(file, "utf8")), expected, label)
        assert.strictEqual(result.size, expected.length, label)
        // In parallel parts of 3 bytes.
        const parallel = yield* s3.download(bucket, "digits", { range, concurrency: 3, partSize: 3 })
        assert.strictEqual(new TextDecoder().decode(parallel), expected, `${label} in parallel`)
      }
      for (const range of [{ start: 10 }, { start: 20, end: 30 }]) {
        for (const concurrency of [1, 2]) {
          const error = yield* failure(s3.download(bucket, "digits", { range, concurrency, partSize: 3 }))
          assert.strictEqual(error._tag, "S3ServiceError")
          if (error._tag === "S3ServiceError") {
            assert.strictEqual(error.status, 416)
            assert.strictEqual(error.code, "InvalidRange")
          }
        }
      }
      yield* s3.upload(bucket, "empty", "")
      for (const range of [{ start: 0 }, { suffix: 1 }]) {
        const error = yield* failure(s3.download(bucket, "empty", { range }))
        assert.strictEqual(error._tag === "S3ServiceError" && error.status, 416)
      }
      // No partial file is left by a refused range.
      assert.deepStrictEqual(
        (yield* Effect.promise(() => fs.readdir(dir))).filter((name) => name.includes("partial")),
        []
      )
    }))
  it.scoped("a large range is fetched in parallel parts, pinned to one version, and written atomically", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("big-range")
      const dir = yield* tempDir
      const body = randomBody(3 * MiB)
      yield* s3.upload(bucket, "big", body)
      const parallel = { concurrency: 4, partSize: 256 * 1024 }
      const middle = yield* s3.download(bucket, "big", { ...parallel, range: { start: 1000, end: 2 * MiB + 17 } })
      assert.isTrue(bytesEqual(middle, body.subarray(1000, 2 * MiB + 18)))
      const tail = yield* s3.download(bucket, "big", { ...parallel, range: { suffix: MiB + 5 } })
      assert.isTrue(bytesEqual(tail, body.subarray(body.length - MiB - 5)))
      const file = path.join(dir, "tail")
      const written = yield* s3.downloadFile(bucket, "big", file, { ...parallel, range: { start: 2 * MiB } })
      assert.strictEqual(written.size, MiB)
      assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(file)), body.subarray(2 * MiB)))
      const streamed = yield* Stream.runCollect(
        s3.downloadStream(bucket, "big", { ...parallel, range: { start: 7, end: MiB } })
      )
      assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(streamed)), body.subarray(7, MiB + 1)))
    }))
}

const conditionalReads = (it: SuiteMethods) => {
  it.effect("conditional reads: 304 as NotModified with the ETag, failed If-Match as PreconditionFailed", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("cond-read")
      const { etag } = yield* s3.upload(bucket, "k", "cached")
      const info = yield* s3.head(bucket, "k")
      const before = new Date(info.lastModified.getTime() - 60_000)
      const after = new Date(info.lastModified.getTime() + 60_000)
      for (const concurrency of [1, 2]) {
        const read = (options: DownloadOptions) => s3.downloadString(bucket, "k", { ...options, concurrency })
        const notModified = yield* failure(read({ ifNoneMatch: etag }))
        assert.strictEqual(notModified._tag, "NotModified")
        if (notModified._tag === "NotModified") assert.strictEqual(notModified.etag, etag)
        assert.strictEqual((yield* failure(read({ ifModifiedSince: after })))._tag, "NotModified")
        assert.strictEqual((yield* failure(read({ ifMatch: md5ETag(new Uint8Array(1)) })))._tag, "PreconditionFailed")
        assert.strictEqual((yield* failure(read({ ifUnmodifiedSince: before })))._tag, "PreconditionFailed")
        assert.strictEqual(yield* read({ ifNoneMatch: md5ETag(new Uint8Array(1)) }), "cached")
        assert.strictEqual(yield* read({ ifModifiedSince: before }), "cached")
        assert.strictEqual(yield* read({ ifMatch: etag, ifUnmodifiedSince: after }), "cached")
        // If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since (RFC 9110, as S3).
        assert.strictEqual(yield* read({ ifMatch: etag, ifUnmodifiedSince: before }), "cached")
        assert.strictEqual(yield* read({ ifNoneMatch: md5ETag(new Uint8Array(1)), ifModifiedSince: after }), "cached")
      }
      assert.strictEqual((yield* failure(s3.head(bucket, "k", { ifNoneMatch: etag })))._tag, "NotModified")
      assert.strictEqual(
        (yield* failure(s3.head(bucket, "k", { ifMatch: md5ETag(new Uint8Array(1)) })))._tag,
        "PreconditionFailed"
      )
      assert.strictEqual((yield* s3.head(bucket, "k", { ifMatch: etag })).etag, etag)
      const ranged = yield* s3.downloadString(bucket, "k", { range: { start: 1, end: 3 }, ifMatch: etag })
      assert.strictEqual(ranged, "ach")
    }))
}

export const preciseSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>, support: Capabilities) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    conditionalUploads(it, support)
    conditionsOnFilesAndRaces(it, support)
    conditionalCopiesAndAttributes(it, support)
    copiedAttributesAndClasses(it, support)
    rangeReads(it)
    conditionalReads(it)
  })
