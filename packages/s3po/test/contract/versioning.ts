import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, type VersionEntry } from "s3po"
import { type Capabilities, withDefaults } from "../../src/internal/testing/capabilities.js"
import type { SuiteMethods } from "../../src/internal/testing/fixtures.js"
import { freshBucket, tagOf, tempDir } from "../utils/fixtures.js"

/**
 * Versioned buckets through the service, walked transition by transition: the `null` version
 * before versioning and while it is suspended, delete markers, reads of a version, the latest after
 * a marker goes, listings of versions, deletes of versions, copies of a version, conditional deletes
 * and copies, `emptyBucket` and `deletePrefix`, and a sync of a versioned bucket. Where a store
 * answers otherwise than S3, a capability says so.
 */

const versions = (bucket: string, options?: { readonly prefix?: string; readonly delimiter?: string }) =>
  Effect.flatMap(S3Po, (s3) => Effect.map(Stream.runCollect(s3.listObjectVersions(bucket, options)), Chunk.toArray))

/** A listing of versions as `key@version` (markers `key@version(marker)`, latest starred), in the order listed. */
const shape = (entries: ReadonlyArray<VersionEntry>, names: Record<string, string> = {}) =>
  entries.map((entry) =>
    entry._tag === "CommonPrefix"
      ? `prefix ${entry.prefix}`
      : `${entry.key}@${names[entry.versionId] ?? entry.versionId}${entry._tag === "DeleteMarker" ? "(marker)" : ""}${
        entry.isLatest ? "*" : ""
      }`
  )

const enabled = (label: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = yield* freshBucket(label)
    yield* s3.setBucketVersioning(bucket, "Enabled")
    return bucket
  })

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString()

const transitions = (it: SuiteMethods, capabilities: Capabilities) => {
  it.effect("a bucket is Unversioned, then Enabled, then Suspended, never Unversioned again", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("versioning-status")
      assert.strictEqual(yield* s3.getBucketVersioning(bucket), "Unversioned")
      yield* s3.setBucketVersioning(bucket, "Enabled")
      assert.strictEqual(yield* s3.getBucketVersioning(bucket), "Enabled")
      yield* s3.setBucketVersioning(bucket, "Suspended")
      assert.strictEqual(yield* s3.getBucketVersioning(bucket), "Suspended")
      const refused = yield* Effect.flip(s3.setBucketVersioning(bucket, "Unversioned" as "Enabled"))
      assert.strictEqual(refused._tag, "ValidationError")
      assert.strictEqual(yield* tagOf(s3.getBucketVersioning("no/such")), "ValidationError")
    }))

  it.effect("the null version: written before versioning, read by \"null\", replaced while suspended", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("null-version")
      const before = yield* s3.upload(bucket, "doc", "before")
      assert.isUndefined(before.versionId)
      yield* s3.setBucketVersioning(bucket, "Enabled")
      const first = yield* s3.upload(bucket, "doc", "first")
      assert.isString(first.versionId)
      assert.notStrictEqual(first.versionId, "null")
      const names = { [first.versionId!]: "first" }
      assert.deepStrictEqual(shape(yield* versions(bucket), names), ["doc@first*", "doc@null"])
      assert.strictEqual(yield* s3.downloadString(bucket, "doc", { versionId: "null" }), "before")
      assert.strictEqual(yield* s3.downloadString(bucket, "doc"), "first")

      yield* s3.setBucketVersioning(bucket, "Suspended")
      const suspended = yield* s3.upload(bucket, "doc", "suspended")
      // S3 answers "null" for a write while suspended; a store may answer no id at all.
      assert.include([undefined, "null"], suspended.versionId)
      // The write replaced the null version: the first one stays, behind it.
      assert.deepStrictEqual(shape(yield* versions(bucket), names), ["doc@null*", "doc@first"])
      assert.strictEqual(yield* s3.downloadString(bucket, "doc", { versionId: "null" }), "suspended")
      assert.strictEqual(yield* s3.downloadString(bucket, "doc", { versionId: first.versionId! }), "first")
    }))

  it.effect("a delete lays a marker: the key is gone, the marker read by id refused, deleting it brings back the latest", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("markers")
      const one = yield* s3.upload(bucket, "k", "one")
      const two = yield* s3.upload(bucket, "k", "two")
      const marker = yield* s3.delete(bucket, "k")
      assert.isTrue(marker.deleteMarker)
      assert.isString(marker.versionId)
      const names = { [one.versionId!]: "one", [two.versionId!]: "two", [marker.versionId!]: "m" }
      assert.deepStrictEqual(shape(yield* versions(bucket), names), ["k@m(marker)*", "k@two", "k@one"])
      assert.strictEqual(yield* tagOf(s3.download(bucket, "k")), "NoSuchKey")
      assert.strictEqual(yield* tagOf(s3.head(bucket, "k")), "NoSuchKey")
      assert.isFalse(yield* s3.exists(bucket, "k"))
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), [])
      // A version behind the marker is still read by its id.
      assert.strictEqual(yield* s3.downloadString(bucket, "k", { versionId: two.versionId! }), "two")

      const readMarker = yield* Effect.flip(s3.download(bucket, "k", { versionId: marker.versionId! }))
      if (capabilities.readOfDeleteMarker === "MethodNotAllowed") {
        assert.strictEqual(readMarker._tag, "S3ServiceError")
        if (readMarker._tag === "S3ServiceError") assert.strictEqual(readMarker.status, 405)
      } else {
        // Ceph RGW 16 answers 404 NoSuchKey to a GET of a marker by its id.
        assert.strictEqual(readMarker._tag, "NoSuchKey")
      }

      const unmarked = yield* s3.delete(bucket, "k", { versionId: marker.versionId! })
      assert.deepStrictEqual(unmarked, { deleteMarker: true, versionId: marker.versionId })
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "two")
      const removed = yield* s3.delete(bucket, "k", { versionId: two.versionId! })
      assert.deepStrictEqual(removed, { deleteMarker: false, versionId: two.versionId })
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "one")
      assert.deepStrictEqual(shape(yield* versions(bucket), names), ["k@one*"])
      assert.strictEqual(yield* tagOf(s3.delete(bucket, "k", { versionId: "" })), "ValidationError")
    }))

  it.effect("every read takes a versionId: download, string, stream, get, getStream, getJson, head, in parallel parts", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("read-version")
      const Doc = Schema.Struct({ n: Schema.Number })
      const first = yield* s3.putJson(bucket, "doc.json", Doc, { n: 1 })
      const second = yield* s3.putJson(bucket, "doc.json", Doc, { n: 2 })
      assert.isString(first.versionId)
      assert.notStrictEqual(first.versionId, second.versionId)
      const versionId = first.versionId!
      const expected = JSON.stringify({ n: 1 })
      assert.strictEqual(text(yield* s3.download(bucket, "doc.json", { versionId })), expected)
      assert.strictEqual(yield* s3.downloadString(bucket, "doc.json", { versionId }), expected)
      const streamed = yield* Stream.runCollect(s3.downloadStream(bucket, "doc.json", { versionId }))
      assert.strictEqual(Buffer.concat(Chunk.toArray(streamed)).toString(), expected)
      const got = yield* s3.get(bucket, "doc.json", { versionId })
      assert.strictEqual(text(got.body), expected)
      assert.strictEqual(got.info.versionId, versionId)
      const parts = yield* s3.get(bucket, "doc.json", { versionId, concurrency: 3, partSize: 2 })
      assert.strictEqual(text(parts.body), expected)
      const opened = yield* Effect.scoped(
        Effect.flatMap(
          s3.getStream(bucket, "doc.json", { versionId }),
          ({ info, stream }) =>
            Effect.map(Stream.runCollect(stream), (chunks) => [info, Buffer.concat(Chunk.toArray(chunks))] as const)
        )
      )
      assert.strictEqual(opened[0].versionId, versionId)
      assert.strictEqual(opened[1].toString(), expected)
      assert.deepStrictEqual((yield* s3.getJson(bucket, "doc.json", Doc, { versionId })).value, { n: 1 })
      const head = yield* s3.head(bucket, "doc.json", { versionId })
      assert.strictEqual(head.versionId, versionId)
      assert.strictEqual(head.etag, got.info.etag)
      assert.strictEqual((yield* s3.head(bucket, "doc.json")).versionId, second.versionId)
      // The update's result says the version it wrote. Ceph RGW 16 refuses every PUT with If-Match
      // in a versioned bucket (412 even when the ETag matches): there the update cannot succeed.
      if (capabilities.ifMatchInVersionedBuckets) {
        const updated = yield* s3.updateJson(bucket, "doc.json", Doc, () => ({ n: 3 }))
        assert.isString(updated.versionId)
        assert.strictEqual((yield* s3.head(bucket, "doc.json")).versionId, updated.versionId)
      } else {
        const created = yield* s3.updateJson(bucket, "fresh.json", Doc, () => ({ n: 3 }))
        assert.isString(created.versionId)
      }
      for (const bad of ["", 7]) {
        assert.strictEqual(
          yield* tagOf(s3.download(bucket, "doc.json", { versionId: bad as string })),
          "ValidationError"
        )
      }
    }))

  it.effect("a read in parallel parts keeps to the version it began with while a new one is written", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("pinned-read")
      const old = "0123456789".repeat(8)
      yield* s3.upload(bucket, "big", old)
      let wrote = false
      const read = s3.downloadStream(bucket, "big", { concurrency: 2, partSize: 4 }).pipe(
        Stream.tap(() =>
          wrote ? Effect.void : Effect.andThen(s3.upload(bucket, "big", "x".repeat(80)), () => {
            wrote = true
          })
        ),
        Stream.runCollect
      )
      const bytes = Buffer.concat(Chunk.toArray(yield* read))
      assert.isTrue(wrote)
      // Pinned by the version id the first answer gave: the rest is the same version, never mixed.
      assert.strictEqual(bytes.toString(), old)
      assert.strictEqual(yield* s3.downloadString(bucket, "big"), "x".repeat(80))
    }))

  it.effect("copy takes a source version; a copy onto its own key restores it; ifNoneMatch \"*\" creates only", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("copy-version")
      const one = yield* s3.upload(bucket, "src", "one")
      yield* s3.upload(bucket, "src", "two")
      const copied = yield* s3.copy({ bucket, key: "src" }, { bucket, key: "dst" }, { sourceVersionId: one.versionId! })
      assert.strictEqual(yield* s3.downloadString(bucket, "dst"), "one")
      if (capabilities.copyVersionIds) {
        assert.isString(copied.versionId)
        assert.strictEqual((yield* s3.head(bucket, "dst")).versionId, copied.versionId)
      }
      yield* s3.copy({ bucket, key: "src" }, { bucket, key: "src" }, { sourceVersionId: one.versionId! })
      assert.strictEqual(yield* s3.downloadString(bucket, "src"), "one")
      assert.strictEqual(
        (yield* versions(bucket, { prefix: "src" })).length,
        3
      )
      const taken = yield* Effect.flip(
        s3.copy({ bucket, key: "src" }, { bucket, key: "dst" }, { ifNoneMatch: "*" })
      )
      assert.strictEqual(taken._tag, "PreconditionFailed")
      yield* s3.copy({ bucket, key: "src" }, { bucket, key: "fresh" }, { ifNoneMatch: "*" })
      assert.strictEqual(yield* s3.downloadString(bucket, "fresh"), "one")
      assert.strictEqual(
        yield* tagOf(s3.copy({ bucket, key: "src" }, { bucket, key: "x" }, { sourceVersionId: "" })),
        "ValidationError"
      )
      // A move of a version copies it and deletes that version.
      const moved = yield* s3.upload(bucket, "m", "moved")
      yield* s3.upload(bucket, "m", "latest")
      yield* s3.move({ bucket, key: "m" }, { bucket, key: "m2" }, { sourceVersionId: moved.versionId! })
      assert.strictEqual(yield* s3.downloadString(bucket, "m2"), "moved")
      assert.deepStrictEqual(
        (yield* versions(bucket, { prefix: "m" })).filter((entry) => entry._tag !== "CommonPrefix" && entry.key === "m")
          .length,
        1
      )
    }))

  it.effect("multipart uploads and copies answer their version; a multipart copy onto a taken key is refused", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("multipart-versions")
      const MiB = 1024 * 1024
      const body = new Uint8Array(5 * MiB + 1).fill(7)
      const parts = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
      const written = yield* s3.upload(bucket, "big", body, parts)
      assert.strictEqual(written.parts, 2)
      assert.isString(written.versionId)
      assert.strictEqual((yield* s3.head(bucket, "big")).versionId, written.versionId)
      const copied = yield* s3.copy({ bucket, key: "big" }, { bucket, key: "copy" }, parts)
      assert.strictEqual(copied.parts, 2)
      // A multipart copy ends in CompleteMultipartUpload, which answers the version on every store.
      assert.isString(copied.versionId)
      assert.strictEqual((yield* s3.head(bucket, "copy")).versionId, copied.versionId)
      const taken = yield* Effect.flip(
        s3.copy({ bucket, key: "big" }, { bucket, key: "copy" }, { ...parts, ifNoneMatch: "*" })
      )
      assert.strictEqual(taken._tag, "PreconditionFailed")
      assert.strictEqual(
        (yield* versions(bucket, { prefix: "copy" })).length,
        1
      )
    }))

  it.effect("listObjectVersions: by key, newest first, markers among them; prefix and delimiter; paged past 1000", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("list-versions")
      for (const key of ["b/2", "a", "b/1", "a"]) yield* s3.upload(bucket, key, key)
      yield* s3.delete(bucket, "b/1")
      const listed = yield* versions(bucket)
      assert.deepStrictEqual(
        listed.map((entry) => entry._tag === "CommonPrefix" ? "" : `${entry.key} ${entry._tag} ${entry.isLatest}`),
        ["a Version true", "a Version false", "b/1 DeleteMarker true", "b/1 Version false", "b/2 Version true"]
      )
      const newest = listed[0]!
      const older = listed[1]!
      assert.isTrue(newest._tag === "Version" && older._tag === "Version")
      if (newest._tag === "Version" && older._tag === "Version") {
        assert.isTrue(newest.lastModified.getTime() >= older.lastModified.getTime())
        assert.strictEqual(newest.size, 1)
        assert.strictEqual(newest.etag, (yield* s3.head(bucket, "a")).etag)
      }
      assert.deepStrictEqual(shape(yield* versions(bucket, { delimiter: "/" })).map((line) => line.split("@")[0]), [
        "a",
        "a",
        "prefix b/"
      ])
      assert.deepStrictEqual((yield* versions(bucket, { prefix: "b/2" })).length, 1)
      assert.strictEqual(yield* tagOf(Stream.runDrain(s3.listObjectVersions("no/such"))), "ValidationError")

      // More versions of one key than a page holds: the pages go on inside the key's versions.
      const many = 1001
      yield* Effect.forEach(Array.from({ length: many }), () => s3.upload(bucket, "many", ""), { concurrency: 16 })
      const all = yield* versions(bucket, { prefix: "many" })
      assert.strictEqual(all.length, many)
      const ids = new Set(all.map((entry) => entry._tag === "CommonPrefix" ? "" : entry.versionId))
      assert.strictEqual(ids.size, many)
      assert.strictEqual(all.filter((entry) => entry._tag !== "CommonPrefix" && entry.isLatest).length, 1)
      // emptyBucket deletes every version and marker, page after page, so that the bucket can go.
      const emptied = yield* s3.emptyBucket(bucket)
      assert.deepStrictEqual(emptied, { deleted: many + 5, aborted: 0, failed: [] })
      assert.deepStrictEqual(yield* versions(bucket), [])
      yield* s3.deleteBucket(bucket)
    }))

  it.effect("deleteMany and deleteManyStream take versions: each result says the version deleted or the marker laid", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("delete-versions")
      const one = yield* s3.upload(bucket, "k", "one")
      const two = yield* s3.upload(bucket, "k", "two")
      yield* s3.upload(bucket, "other", "o")
      const result = yield* s3.deleteMany(bucket, [{ key: "k", versionId: one.versionId! }, "other"])
      assert.deepStrictEqual(result.deleted, ["k", "other"])
      assert.deepStrictEqual(result.failed, [])
      const [version, marker] = result.versions ?? []
      assert.deepStrictEqual(version, { key: "k", deleteMarker: false, versionId: one.versionId })
      assert.strictEqual(marker?.key, "other")
      assert.isTrue(marker?.deleteMarker)
      assert.isString(marker?.versionId)
      assert.strictEqual(yield* s3.downloadString(bucket, "k"), "two")
      assert.isFalse(yield* s3.exists(bucket, "other"))

      const streamed = Chunk.toArray(
        yield* Stream.runCollect(
          s3.deleteManyStream(
            bucket,
            Stream.make({ key: "k", versionId: two.versionId! }, { key: "other", versionId: marker!.versionId! })
          )
        )
      )
      assert.deepStrictEqual(streamed.map((entry) => [entry.key, entry.deleted, entry.versionId]), [
        ["k", true, two.versionId],
        ["other", true, marker!.versionId]
      ])
      assert.strictEqual(yield* s3.downloadString(bucket, "other"), "o")
      assert.strictEqual(
        yield* tagOf(s3.deleteMany(bucket, [{ key: "k", versionId: "" }])),
        "ValidationError"
      )
    }))

  it.effect("a conditional delete deletes only the ETag it names, else PreconditionFailed", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("delete-if-match")
      const one = yield* s3.upload(bucket, "k", "one")
      yield* s3.upload(bucket, "k", "two")
      if (capabilities.conditionalDeletes) {
        const stale = yield* Effect.flip(s3.delete(bucket, "k", { ifMatch: one.etag }))
        assert.strictEqual(stale._tag, "PreconditionFailed")
        assert.strictEqual(yield* s3.downloadString(bucket, "k"), "two")
      }
      // Ceph RGW 16 ignores If-Match on DeleteObject (it deletes anyway): only the delete that must
      // succeed is tried there; the mock and the fake AWS server of the live tests check the refusal.
      const current = yield* s3.head(bucket, "k")
      yield* s3.delete(bucket, "k", { ifMatch: current.etag })
      assert.isFalse(yield* s3.exists(bucket, "k"))
      assert.strictEqual(yield* tagOf(s3.delete(bucket, "k", { ifMatch: "" })), "ValidationError")
    }))

  it.effect("deletePrefix in a versioned bucket lays markers and keeps the versions", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("delete-prefix-versions")
      yield* Effect.forEach(["p/a", "p/b", "q"], (key) => s3.upload(bucket, key, key))
      assert.strictEqual(yield* s3.deletePrefix(bucket, "p/"), 2)
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), ["q"])
      const listed = yield* versions(bucket, { prefix: "p/" })
      assert.deepStrictEqual(listed.map((entry) => entry._tag), ["DeleteMarker", "Version", "DeleteMarker", "Version"])
    }))

  it.effect("a prefix's handle lists versions and deletes version refs below its prefix", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("handle-versions")
      const tenant = s3.bucket(bucket).prefix("tenant/")
      const one = yield* tenant.upload("k", "one")
      yield* tenant.upload("k", "two")
      yield* s3.upload(bucket, "outside", "x")
      const listed = Chunk.toArray(yield* Stream.runCollect(tenant.listObjectVersions()))
      assert.deepStrictEqual(listed.map((entry) => entry._tag === "CommonPrefix" ? entry.prefix : entry.key), [
        "k",
        "k"
      ])
      const result = yield* tenant.deleteMany([{ key: "k", versionId: one.versionId! }])
      assert.deepStrictEqual(result.deleted, ["k"])
      assert.strictEqual(result.versions?.[0]?.key, "k")
      // S3 answers 404 NoSuchVersion for a version that is gone, Ceph RGW 16 NoSuchKey.
      const gone = yield* Effect.flip(tenant.downloadString("k", { versionId: one.versionId! }))
      assert.include(["NoSuchKey", "NoSuchVersion"], gone._tag === "S3ServiceError" ? gone.code : gone._tag)
      assert.strictEqual(yield* tagOf(tenant.deleteMany([{ key: "../outside", versionId: "v" }])), "ValidationError")
      const marker = yield* tenant.delete("k")
      assert.isTrue(marker.deleteMarker)
      assert.isFalse(yield* s3.exists(bucket, "tenant/k"))
    }))
}

/** Sync looks at the latest versions: a key under a delete marker is no file, an older version is not synced. */
const sync = (it: SuiteMethods) => {
  it.scoped("syncDown of a versioned bucket copies the latest versions; a key under a delete marker is gone", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* enabled("sync-versions")
      yield* s3.upload(bucket, "p/kept.txt", "old")
      yield* s3.upload(bucket, "p/kept.txt", "new")
      yield* s3.upload(bucket, "p/gone.txt", "gone")
      yield* s3.delete(bucket, "p/gone.txt")
      const root = yield* tempDir
      const summary = yield* s3.bucket(bucket).prefix("p/").syncDown(root)
      assert.strictEqual(summary.copied, 1)
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(root)), ["kept.txt"])
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(path.join(root, "kept.txt"), "utf8")), "new")
      // Up again with delete: what the bucket lacks is laid as a marker, and nothing else changes.
      yield* Effect.promise(() => fs.writeFile(path.join(root, "added.txt"), "added"))
      yield* Effect.promise(() => fs.rm(path.join(root, "kept.txt")))
      const up = yield* s3.bucket(bucket).prefix("p/").syncUp(root, { delete: true })
      assert.strictEqual(up.copied, 1)
      assert.strictEqual(up.deleted, 1)
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket, { prefix: "p/" }))), [
        "p/added.txt"
      ])
      assert.strictEqual(
        (yield* versions(bucket, { prefix: "p/kept.txt" })).filter((entry) => entry._tag === "Version").length,
        2
      )
    }))
}

export const versioningSuite = (
  name: string,
  s3Layer: Layer.Layer<S3Po, unknown>,
  options: { readonly capabilities?: Partial<Capabilities> } = {}
) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    transitions(it, withDefaults(options.capabilities))
    sync(it)
  })
