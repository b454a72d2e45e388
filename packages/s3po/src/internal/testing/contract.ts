import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { batch } from "../../Batch.js"
import { type ListEntry, type ListObjectsOptions, S3Po } from "../../S3Po.js"
import {
  bytesEqual,
  freshBucket,
  md5ETag,
  multipartETag,
  randomBody,
  recordingTracer,
  type SuiteMethods,
  tagOf,
  tempDir,
  uniqueBucket
} from "./fixtures.js"

const MiB = 1024 * 1024

const listAll = (bucket: string, options?: { prefix?: string; delimiter?: string }) =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.list(bucket, options))).pipe(Effect.map(Chunk.toArray))

/**
 * What S3 does, as one suite over any `S3Po` layer: the in-memory mock and the live layer against
 * a real server run exactly these tests, and so can a user's own backend (`s3po/testing`).
 */
const roundTrips = (it: SuiteMethods) => {
  it.effect("round-trips strings and bytes, with S3's ETag and metadata", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("roundtrip")
      const text = "hello, wörld 👋"
      const put = yield* s3.upload(bucket, "greeting.txt", text, {
        contentType: "text/plain; charset=utf-8",
        metadata: { Author: "C-3PO", "x-Custom": "yes" }
      })
      const bytes = new TextEncoder().encode(text)
      assert.strictEqual(put.etag, md5ETag(bytes))
      assert.strictEqual(put.size, bytes.length)
      assert.strictEqual(yield* s3.downloadString(bucket, "greeting.txt"), text)

      const info = yield* s3.head(bucket, "greeting.txt")
      assert.strictEqual(info.key, "greeting.txt")
      assert.strictEqual(info.size, bytes.length)
      assert.strictEqual(info.etag, md5ETag(bytes))
      assert.strictEqual(info.contentType, "text/plain; charset=utf-8")
      assert.deepStrictEqual(info.metadata, { author: "C-3PO", "x-custom": "yes" })
      assert.isTrue(Math.abs(info.lastModified.getTime() - Date.now()) < 5 * 60_000)

      const binary = randomBody(70_000)
      yield* s3.upload(bucket, "blob.bin", binary)
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "blob.bin"), binary))
      // s3po sends a content type when the caller gives none: servers' own defaults differ.
      assert.strictEqual((yield* s3.head(bucket, "blob.bin")).contentType, "application/octet-stream")

      const empty = yield* s3.upload(bucket, "empty", new Uint8Array(0))
      assert.strictEqual(empty.etag, md5ETag(new Uint8Array(0)))
      assert.strictEqual((yield* s3.download(bucket, "empty")).length, 0)
    }))
  it.effect("bytes uploaded and downloaded are the caller's: changing them changes nothing stored", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("owned")
      const body = randomBody(3 * 1024)
      const original = body.slice()
      yield* s3.upload(bucket, "k", body)
      body.fill(0)
      const downloaded = yield* s3.download(bucket, "k")
      assert.isTrue(bytesEqual(downloaded, original))
      downloaded.fill(1)
      for (const chunk of yield* Stream.runCollect(s3.downloadStream(bucket, "k"))) chunk.fill(2)
      for (
        const chunk of yield* Stream.runCollect(s3.downloadStream(bucket, "k", { partSize: 1024, concurrency: 2 }))
      ) {
        chunk.fill(3)
      }
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "k"), original))
    }))
  it.effect("object info is the caller's: changing a returned time or metadata changes nothing stored", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("info")
      yield* s3.upload(bucket, "k", "body", { metadata: { owner: "a" } })
      const first = yield* s3.head(bucket, "k")
      const stored = first.lastModified.getTime()
      first.lastModified.setTime(stored + 86_400_000)
      ;(first.metadata as Record<string, string>).owner = "b"
      const again = yield* s3.head(bucket, "k")
      assert.strictEqual(again.lastModified.getTime(), stored)
      assert.deepStrictEqual(again.metadata, { owner: "a" })
    }))
}

const keysAndMissing = (it: SuiteMethods) => {
  it.effect("overwrites keys; keys are case-sensitive and a/b differs from a//b", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("keys")
      yield* s3.upload(bucket, "a/b", "one")
      yield* s3.upload(bucket, "a//b", "two")
      yield* s3.upload(bucket, "A/b", "three")
      yield* s3.upload(bucket, "a/b", "four")
      assert.strictEqual(yield* s3.downloadString(bucket, "a/b"), "four")
      assert.strictEqual(yield* s3.downloadString(bucket, "a//b"), "two")
      assert.strictEqual(yield* s3.downloadString(bucket, "A/b"), "three")
      assert.deepStrictEqual(yield* listAll(bucket), ["A/b", "a//b", "a/b"])
    }))
  it.effect("a missing key is NoSuchKey for GET and HEAD, and exists says false", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("missing")
      assert.strictEqual(yield* tagOf(s3.download(bucket, "nope")), "NoSuchKey")
      assert.strictEqual(yield* tagOf(s3.downloadString(bucket, "nope")), "NoSuchKey")
      assert.strictEqual(yield* tagOf(s3.head(bucket, "nope")), "NoSuchKey")
      assert.isFalse(yield* s3.exists(bucket, "nope"))
      yield* s3.upload(bucket, "yes", "here")
      assert.isTrue(yield* s3.exists(bucket, "yes"))
      const caught = yield* s3.download(bucket, "nope").pipe(
        Effect.as("found"),
        Effect.catchTag("NoSuchKey", (error) => Effect.succeed(`${error.bucket}/${error.key}`))
      )
      assert.strictEqual(caught, `${bucket}/nope`)
    }))
  it.effect("a missing bucket is NoSuchBucket for PUT, GET, LIST and DELETE", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("absent")
      assert.strictEqual(yield* tagOf(s3.upload(bucket, "k", "v")), "NoSuchBucket")
      assert.strictEqual(yield* tagOf(s3.download(bucket, "k")), "NoSuchBucket")
      assert.strictEqual(yield* tagOf(Stream.runDrain(s3.list(bucket))), "NoSuchBucket")
      assert.strictEqual(yield* tagOf(s3.delete(bucket, "k")), "NoSuchBucket")
    }))
  it.effect("creating a bucket twice succeeds", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("twice")
      yield* s3.createBucket(bucket)
      yield* s3.upload(bucket, "k", "v")
      assert.deepStrictEqual(yield* listAll(bucket), ["k"])
    }))
  it.effect("delete is idempotent; deleteMany reports missing keys as deleted", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("delete")
      yield* s3.upload(bucket, "k", "v")
      yield* s3.delete(bucket, "k")
      yield* s3.delete(bucket, "k")
      assert.isFalse(yield* s3.exists(bucket, "k"))
      yield* s3.upload(bucket, "x", "1")
      const result = yield* s3.deleteMany(bucket, ["x", "never-there"])
      assert.sameMembers([...result.deleted], ["x", "never-there"])
      assert.deepStrictEqual(result.failed, [])
      assert.deepStrictEqual(yield* listAll(bucket), [])
    }))
}

const listingOrder = (it: SuiteMethods) => {
  it.effect("lists in UTF-8 byte order, not UTF-16 order", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("order")
      const keys = ["a\u{1F600}", "a\uE000", "a\uFFFD", "a~", "aZ", "a", "b", "a\u00E9"]
      yield* Effect.forEach(keys, (key) => s3.upload(bucket, key, key), { concurrency: 8 })
      assert.deepStrictEqual(yield* listAll(bucket), [
        "a",
        "aZ",
        "a~",
        "a\u00E9",
        "a\uE000",
        "a\uFFFD",
        "a\u{1F600}",
        "b"
      ])
    }))
  it.effect("rolls keys up to common prefixes that include the delimiter", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("delimiter")
      const keys = ["a/1", "a/2", "a/b/3", "a-", "b", "c/d/e", "c/f"]
      yield* Effect.forEach(keys, (key) => s3.upload(bucket, key, key), { concurrency: 8 })
      assert.deepStrictEqual(yield* listAll(bucket, { delimiter: "/" }), ["a-", "a/", "b", "c/"])
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "a/", delimiter: "/" }), ["a/1", "a/2", "a/b/"])
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "a/" }), ["a/1", "a/2", "a/b/3"])
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "c", delimiter: "/" }), ["c/"])
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "zzz" }), [])
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "a", delimiter: "-" }), ["a-", "a/1", "a/2", "a/b/3"])
    }))
  it.effect("pages through more than 1000 keys, and deleteMany deletes more than 1000", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("paging")
      const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, "0")}`)
      yield* Effect.forEach(keys, (key) => s3.upload(bucket, key, "x"), { concurrency: 32 })
      yield* s3.upload(bucket, "top", "x")
      assert.deepStrictEqual(yield* listAll(bucket, { prefix: "k/" }), keys)
      assert.deepStrictEqual(yield* listAll(bucket, { delimiter: "/" }), ["k/", "top"])
      const result = yield* s3.deleteMany(bucket, keys)
      assert.strictEqual(result.deleted.length, keys.length)
      assert.deepStrictEqual(yield* listAll(bucket), ["top"])
    }))
}

const listObjects = (it: SuiteMethods) => {
  it.effect("listObjects gives each object's size, ETag, time and storage class, and common prefixes", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("list-objects")
      const bodies: Record<string, string> = { "a.txt": "alpha", "dir/one": "1", "dir/two": "22", "z": "" }
      for (const [key, body] of Object.entries(bodies)) yield* s3.upload(bucket, key, body)
      const listed = (options?: ListObjectsOptions) =>
        Effect.map(Stream.runCollect(s3.listObjects(bucket, options)), Chunk.toArray)

      const all = yield* listed()
      assert.deepStrictEqual(all.map((entry) => entry._tag === "Object" ? entry.key : entry.prefix), [
        "a.txt",
        "dir/one",
        "dir/two",
        "z"
      ])
      for (const entry of all) {
        assert.strictEqual(entry._tag, "Object")
        if (entry._tag !== "Object") continue
        const bytes = new TextEncoder().encode(bodies[entry.key]!)
        assert.strictEqual(entry.size, bytes.length)
        assert.strictEqual(entry.etag, md5ETag(bytes))
        assert.isTrue(Math.abs(entry.lastModified.getTime() - Date.now()) < 5 * 60_000)
        assert.strictEqual(entry.storageClass, "STANDARD")
      }
      const rolled = yield* listed({ delimiter: "/" })
      assert.deepStrictEqual(rolled.map((entry) => entry._tag === "Object" ? entry.key : `[${entry.prefix}]`), [
        "a.txt",
        "[dir/]",
        "z"
      ])
      const keysOf = (entries: ReadonlyArray<ListEntry>) =>
        entries.map((entry) => entry._tag === "Object" ? entry.key : entry.prefix)
      assert.deepStrictEqual(keysOf(yield* listed({ startAfter: "dir/one" })), ["dir/two", "z"])
      assert.deepStrictEqual(keysOf(yield* listed({ startAfter: "a", prefix: "dir/" })), ["dir/one", "dir/two"])
      assert.deepStrictEqual(keysOf(yield* listed({ startAfter: "e", prefix: "dir/" })), [])
      assert.deepStrictEqual(keysOf(yield* listed({ startAfter: "zz" })), [])
      assert.strictEqual(
        yield* tagOf(Stream.runDrain(s3.listObjects(bucket, { prefix: "lone\ud800" }))),
        "ValidationError"
      )
    }))
  it.effect("listObjects pages under the hood, and startAfter holds across pages", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("list-pages")
      const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, "0")}`)
      yield* Effect.forEach(keys, (key) => s3.upload(bucket, key, key), { concurrency: 32 })
      const listed = (options?: ListObjectsOptions) =>
        Effect.map(
          Stream.runCollect(s3.listObjects(bucket, options)),
          (entries) => Chunk.toArray(entries).map((entry) => entry._tag === "Object" ? [entry.key, entry.size] : [])
        )
      assert.deepStrictEqual(yield* listed(), keys.map((key) => [key, key.length]))
      assert.deepStrictEqual(yield* listed({ startAfter: "k/00003" }), keys.slice(4).map((key) => [key, key.length]))
    }))
}

const copiesAndMultipart = (it: SuiteMethods) => {
  it.effect("copy keeps or replaces content type and metadata, each alone; move deletes the source", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("copy")
      const other = yield* freshBucket("copy-to")
      yield* s3.upload(bucket, "k", "copy me", { contentType: "text/plain", metadata: { owner: "a" } })
      const at = (key: string, inBucket = bucket) => ({ bucket: inBucket, key })
      const headOf = (key: string) =>
        Effect.map(s3.head(bucket, key), (info) => [info.contentType, info.metadata] as const)

      const copied = yield* s3.copy(at("k"), at("c1"))
      assert.deepStrictEqual([copied.size, copied.parts], [7, 0])
      assert.strictEqual(copied.etag, (yield* s3.head(bucket, "c1")).etag)
      assert.strictEqual(yield* s3.downloadString(bucket, "c1"), "copy me")
      assert.deepStrictEqual(yield* headOf("c1"), ["text/plain", { owner: "a" }])
      yield* s3.copy(at("k"), at("c2"), { contentType: "text/markdown" })
      assert.deepStrictEqual(yield* headOf("c2"), ["text/markdown", { owner: "a" }])
      yield* s3.copy(at("k"), at("c3"), { metadata: { owner: "b" } })
      assert.deepStrictEqual(yield* headOf("c3"), ["text/plain", { owner: "b" }])
      yield* s3.copy(at("k"), at("k", other))
      assert.strictEqual(yield* s3.downloadString(other, "k"), "copy me")

      assert.strictEqual(yield* tagOf(s3.copy(at("k"), at("k"))), "ValidationError")
      yield* s3.copy(at("k"), at("k"), { metadata: { owner: "c" } })
      assert.deepStrictEqual(yield* headOf("k"), ["text/plain", { owner: "c" }])
      assert.strictEqual(yield* tagOf(s3.copy(at("missing"), at("x"))), "NoSuchKey")

      const moved = yield* s3.move(at("c1"), at("m"))
      assert.strictEqual(moved.size, 7)
      assert.isFalse(yield* s3.exists(bucket, "c1"))
      assert.strictEqual(yield* s3.downloadString(bucket, "m"), "copy me")
      assert.strictEqual(yield* tagOf(s3.move(at("m"), at("m"))), "ValidationError")
      assert.strictEqual(yield* tagOf(s3.move(at("missing"), at("m"))), "NoSuchKey")
      assert.strictEqual(yield* s3.downloadString(bucket, "m"), "copy me")
    }))
  it.effect("a copy above the multipart threshold goes as a multipart copy, byte-identical", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("copy-parts")
      const body = randomBody(11 * MiB + 3)
      yield* s3.upload(bucket, "big", body, { contentType: "application/x-big" })
      const copied = yield* s3.copy({ bucket, key: "big" }, { bucket, key: "copy" }, {
        multipartThreshold: 5 * MiB,
        partSize: 5 * MiB
      })
      assert.deepStrictEqual([copied.size, copied.parts], [body.length, 3])
      const info = yield* s3.head(bucket, "copy")
      assert.strictEqual(info.etag, copied.etag)
      assert.strictEqual(info.contentType, "application/x-big")
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "copy"), body))
    }))
  it.effect("uploads a body at the threshold as multipart, with S3's -N ETag", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("multipart")
      const body = randomBody(11 * MiB + 17)
      const result = yield* s3.upload(bucket, "big.bin", body, {
        contentType: "application/x-test",
        metadata: { k: "v" }
      })
      assert.strictEqual(result.parts, 2)
      assert.strictEqual(result.size, body.length)
      assert.strictEqual(result.etag, multipartETag([body.subarray(0, 8 * MiB), body.subarray(8 * MiB)]))
      const info = yield* s3.head(bucket, "big.bin")
      assert.strictEqual(info.etag, result.etag)
      assert.strictEqual(info.contentType, "application/x-test")
      assert.deepStrictEqual(info.metadata, { k: "v" })
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "big.bin"), body))
    }))
}

const streamsAndFiles = (it: SuiteMethods) => {
  it.effect("uploads a stream of uneven chunks, and downloads it as parallel ranges", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("stream")
      const body = randomBody(13 * MiB + 5)
      const chunks = Array.from({ length: Math.ceil(body.length / 777_777) }, (_, i) =>
        body.subarray(i * 777_777, (i + 1) * 777_777))
      const result = yield* s3.upload(bucket, "streamed", Stream.fromIterable(chunks), { partSize: 5 * MiB })
      assert.strictEqual(result.parts, 3)
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "streamed"), body))
      const ranged = yield* s3.download(bucket, "streamed", { partSize: 1 * MiB, concurrency: 4 })
      assert.isTrue(bytesEqual(ranged, body))
      const small = yield* s3.upload(bucket, "small-stream", Stream.make(new Uint8Array([1, 2]), new Uint8Array([3])))
      assert.strictEqual(small.parts, 0)
      assert.deepStrictEqual(Array.from(yield* s3.download(bucket, "small-stream")), [1, 2, 3])
    }))
  it.scoped("uploads and downloads files, and a failed download leaves no file behind", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("files")
      const dir = yield* tempDir
      const source = path.join(dir, "source.bin")
      const body = randomBody(300_000)
      yield* Effect.promise(() => fs.writeFile(source, body))
      const put = yield* s3.uploadFile(bucket, "file.bin", source)
      assert.strictEqual(put.size, body.length)
      const target = path.join(dir, "copy.bin")
      const got = yield* s3.downloadFile(bucket, "file.bin", target)
      assert.strictEqual(got.size, body.length)
      assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(target)), body))
      const large = path.join(dir, "large.bin")
      const largeBody = randomBody(11 * MiB + 5)
      yield* Effect.promise(() => fs.writeFile(large, largeBody))
      const multipart = yield* s3.uploadFile(bucket, "large.bin", large, {
        partSize: 5 * MiB,
        multipartThreshold: 5 * MiB
      })
      assert.deepStrictEqual([multipart.parts, multipart.size], [3, largeBody.length])
      assert.isTrue(bytesEqual(yield* s3.download(bucket, "large.bin"), largeBody))
      const ranged = yield* s3.downloadFile(bucket, "large.bin", path.join(dir, "ranged.bin"), {
        partSize: 2 * MiB,
        concurrency: 3
      })
      assert.strictEqual(ranged.size, largeBody.length)
      assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "ranged.bin"))), largeBody))

      yield* Effect.promise(() => fs.writeFile(path.join(dir, "keep.txt"), "precious"))
      assert.strictEqual(yield* tagOf(s3.downloadFile(bucket, "missing", path.join(dir, "keep.txt"))), "NoSuchKey")
      assert.strictEqual(yield* tagOf(s3.downloadFile(bucket, "missing", path.join(dir, "new.txt"))), "NoSuchKey")
      assert.strictEqual(
        yield* tagOf(s3.downloadFile(bucket, "missing", path.join(dir, "new.txt"), { concurrency: 3 })),
        "NoSuchKey"
      )
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "keep.txt"), "utf8")), "precious")
      assert.sameMembers(yield* Effect.promise(() => fs.readdir(dir)), [
        "source.bin",
        "large.bin",
        "ranged.bin",
        "copy.bin",
        "keep.txt"
      ])
      assert.strictEqual(yield* tagOf(s3.uploadFile(bucket, "k", path.join(dir, "no-such-file"))), "LocalFileError")
    }))
}

const badInputAndDeletes = (it: SuiteMethods) => {
  it.effect("rejects bad input with a ValidationError before any request", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      // The bucket does not exist: a request would fail with NoSuchBucket, not ValidationError.
      const bucket = uniqueBucket("never-created")
      const invalid = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
        Effect.map(tagOf(effect), (tag) => assert.strictEqual(tag, "ValidationError"))
      for (
        const name of [
          "ab",
          "a".repeat(64),
          "Upper",
          "under_score",
          "-dash",
          "dot.",
          "a..b",
          "192.168.0.1",
          "xn--abc",
          "sthree-x",
          "my-s3alias",
          "x--ol-s3"
        ]
      ) {
        yield* invalid(s3.createBucket(name))
      }
      yield* invalid(s3.upload(bucket, "", "v"))
      yield* invalid(s3.download(bucket, ""))
      yield* invalid(s3.head(bucket, ""))
      yield* invalid(s3.delete(bucket, ""))
      const euro = "€".repeat(342)
      assert.strictEqual(euro.length, 342)
      yield* invalid(s3.upload(bucket, euro, "v"))
      yield* invalid(s3.upload(bucket, "k".repeat(1025), "v"))
      yield* invalid(s3.deleteMany(bucket, ["fine", ""]))
      yield* invalid(s3.upload(bucket, "k", "v", { partSize: 5 * MiB - 1 }))
      yield* invalid(s3.upload(bucket, "k", "v", { partConcurrency: 0 }))
      yield* invalid(s3.download(bucket, "k", { concurrency: 0 }))
      yield* invalid(batch([1], () => Effect.void, { concurrency: 0 }))
      assert.strictEqual(yield* tagOf(s3.upload(bucket, "k".repeat(1024), "v")), "NoSuchBucket")
    }))
  it.effect("a key with no UTF-8 form is refused, and never deletes the object its lossy form names", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("bystander")
      yield* s3.upload(bucket, "half\ufffd", "bystander")
      assert.strictEqual(yield* tagOf(s3.deleteMany(bucket, ["half\ud83d"])), "ValidationError")
      assert.strictEqual(yield* tagOf(s3.delete(bucket, "half\ud83d")), "ValidationError")
      assert.strictEqual(yield* tagOf(s3.upload(bucket, "half\ud83d", "other")), "ValidationError")
      assert.strictEqual(yield* s3.downloadString(bucket, "half\ufffd"), "bystander")
      assert.deepStrictEqual(yield* listAll(bucket), ["half\ufffd"])
    }))
  it.effect("deleteMany answers in the order given, duplicates as given, and deletes keys XML cannot carry", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("delete-order")
      const stored = ["b", "a", "c", "control\u0001key", "tab\tcr\rlf\n", "z\u001f"]
      for (const key of stored) yield* s3.upload(bucket, key, key)
      const given = ["c", "missing", "a", "c", "control\u0001key", "b", "tab\tcr\rlf\n", "a", "z\u001f"]
      // S3 reports a key that did not exist as deleted.
      assert.deepStrictEqual(yield* s3.deleteMany(bucket, given), { deleted: given, failed: [] })
      assert.deepStrictEqual(yield* listAll(bucket), [])

      // Across several DeleteObjects requests of 1000 keys, answered in any order.
      const many = Array.from({ length: 1100 }, (_, i) => `k-${String(i).padStart(4, "0")}`)
      yield* batch(many, (key) => s3.upload(bucket, key, ""), { concurrency: 32 })
      const shuffled = [...many.slice(600).reverse(), ...many.slice(0, 600), "k-0001", "k-1099"]
      assert.deepStrictEqual(yield* s3.deleteMany(bucket, shuffled), { deleted: shuffled, failed: [] })
      assert.deepStrictEqual(yield* listAll(bucket), [])
    }))
}

const errorsAndBatches = (it: SuiteMethods) => {
  it.effect("NoSuchBucket names the bucket and the key", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const absent = uniqueBucket("absent")
      for (
        const failing of [
          s3.downloadString(absent, "some/key.txt"),
          s3.upload(absent, "some/key.txt", "v"),
          s3.delete(absent, "some/key.txt")
        ]
      ) {
        const error = yield* Effect.flip<unknown, S3Po.ReadError | S3Po.WriteError | S3Po.DeleteError, never>(failing)
        assert.strictEqual(error._tag, "NoSuchBucket")
        if (error._tag !== "NoSuchBucket") continue
        assert.strictEqual(error.bucket, absent)
        assert.strictEqual(error.key, "some/key.txt")
        assert.include(error.message, `s3://${absent}/some/key.txt`)
      }
    }))
  it.effect("object requests on names CreateBucket refuses reach the server, which answers for them", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      // A legacy us-east-1 name, an access point alias, an S3 Express directory bucket: none exists here.
      for (const bucket of ["My_Legacy_Bucket", "myap-abc123-s3alias", "mybucket--use1-az4--x-s3"]) {
        assert.strictEqual(yield* tagOf(s3.download(bucket, "k")), "NoSuchBucket")
        // A HEAD answer has no body: a missing bucket is a bare 404, as for a missing key.
        assert.oneOf(yield* tagOf(s3.head(bucket, "k")), ["NoSuchKey", "NoSuchBucket"])
        const exists = yield* Effect.either(s3.exists(bucket, "k"))
        assert.isTrue(
          exists._tag === "Right" ? exists.right === false : exists.left._tag === "NoSuchBucket",
          String(exists)
        )
      }
    }))
  it.effect("batch keeps input order, runs every item, and reports success", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("batch")
      const keys = Array.from({ length: 60 }, (_, i) => `item-${i}`)
      const uploaded = yield* batch(keys, (key) => s3.upload(bucket, key, key), { concurrency: 16 })
      assert.isTrue(uploaded.success)
      assert.strictEqual(uploaded.results.length, 60)

      const seen: Array<string> = []
      const wanted = [...keys.slice(0, 30), "missing-1", ...keys.slice(30), "missing-2"]
      const downloaded = yield* batch(
        wanted,
        (key) => s3.downloadString(bucket, key).pipe(Effect.tap((text) => Effect.sync(() => seen.push(text)))),
        { concurrency: 8 }
      )
      assert.isFalse(downloaded.success)
      assert.strictEqual(downloaded.results.length, wanted.length)
      downloaded.results.forEach((result, index) => {
        if (wanted[index]!.startsWith("missing")) {
          assert.isTrue(Either.isLeft(result) && result.left._tag === "NoSuchKey")
        } else {
          assert.deepStrictEqual(result, Either.right(wanted[index]!))
        }
      })
      assert.sameMembers(seen, keys)
    }))
}

const tracing = (it: SuiteMethods) => {
  it.effect("records a span per operation, with bucket and key, under an installed tracer", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("traced")
      const { spans, tracer: recording } = yield* recordingTracer
      yield* Effect.gen(function*() {
        yield* s3.upload(bucket, "a.txt", "a")
        yield* Effect.flip(s3.download(bucket, "missing"))
      }).pipe(Effect.withTracer(recording))
      assert.deepStrictEqual(
        spans.map((span) => [span.name, Object.fromEntries(span.attributes), span.status._tag]),
        [
          ["S3Po.upload", { "s3.bucket": bucket, "s3.key": "a.txt" }, "Ended"],
          ["S3Po.download", { "s3.bucket": bucket, "s3.key": "missing" }, "Ended"]
        ]
      )
      const failed = spans[1]!.status
      assert.isTrue(failed._tag === "Ended" && failed.exit._tag === "Failure")
    }))
}

export const coreSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    roundTrips(it)
    keysAndMissing(it)
    listingOrder(it)
    listObjects(it)
    copiesAndMultipart(it)
    streamsAndFiles(it)
    badInputAndDeletes(it)
    errorsAndBatches(it)
    tracing(it)
  })
