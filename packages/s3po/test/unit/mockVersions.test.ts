import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { createHash } from "node:crypto"
import { S3PoMock } from "s3po"
import type { Backend, ListVersionsPageRequest } from "../../src/internal/core/backend.js"
import * as MockBackend from "../../src/internal/mock/backend.js"

// The mock's versions, object lock, customer keys and lifecycle rules, driven through its
// primitives, as AWS S3 documents them (where Ceph RGW differs, the mock follows AWS).

const day = 24 * 60 * 60 * 1000
const text = (body: string) => new TextEncoder().encode(body)
const md5ETag = (body: string) => `"${createHash("md5").update(body).digest("hex")}"`

/** The error a request fails with: its tag, and S3's code and status where it has them. */
const failure = <A>(
  effect: Effect.Effect<A, { readonly _tag: string; readonly code?: string; readonly status?: number }>
) => Effect.map(Effect.flip(effect), (error) => ({ tag: error._tag, code: error.code, status: error.status }))

const bodyOf = (backend: Backend, request: Parameters<Backend["getObject"]>[0]) =>
  Effect.flatMap(
    backend.getObject(request),
    (answer) => Effect.map(Stream.runCollect(answer.body), (chunks) => Buffer.concat(Chunk.toArray(chunks)).toString())
  )

/** Every version and marker of the bucket, by key then newest first: `key@versionId` (`!` for a marker, `*` for latest). */
const versionsOf = (backend: Backend, bucket: string, request: Omit<ListVersionsPageRequest, "bucket"> = {}) =>
  Effect.map(
    backend.listVersionsPage({ bucket, ...request }),
    (page) =>
      page.versions.map((entry) =>
        `${entry.key}@${entry.versionId}${entry._tag === "DeleteMarker" ? "!" : ""}${entry.isLatest ? "*" : ""}`
      )
  )

/** A fresh mock and a bucket in it (versioning as asked; `"Locked"` creates it with object lock). */
const withBucket = <A, E>(
  versioning: "Unversioned" | "Enabled" | "Suspended" | "Locked",
  f: (backend: Backend, bucket: string) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const backend = yield* MockBackend.makeEmpty
    const bucket = "versions"
    yield* backend.createBucket({ bucket, objectLockEnabled: versioning === "Locked" })
    if (versioning === "Enabled" || versioning === "Suspended") {
      yield* backend.putBucketVersioning({ bucket, status: versioning })
    }
    return yield* f(backend, bucket)
  })

describe("mock versioning", () => {
  it.effect("an unversioned bucket answers no version ids, and holds one null version per key", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        assert.strictEqual(yield* backend.getBucketVersioning({ bucket }), "Unversioned")
        const written = yield* backend.putObject({ bucket, key: "k", body: text("one") })
        assert.isUndefined(written.versionId)
        assert.isUndefined((yield* backend.headObject({ bucket, key: "k" })).versionId)
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), ["k@null*"])
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k", versionId: "null" }), "one")
        assert.deepStrictEqual(yield* backend.deleteObject({ bucket, key: "k" }), { deleteMarker: false })
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [])
      })))

  it.effect("each write while enabled is a new version with an opaque id; reads by id read that one", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        assert.strictEqual(yield* backend.getBucketVersioning({ bucket }), "Enabled")
        const first = yield* backend.putObject({ bucket, key: "k", body: text("one") })
        const second = yield* backend.putObject({ bucket, key: "k", body: text("two") })
        assert.isString(first.versionId)
        assert.isString(second.versionId)
        assert.notStrictEqual(first.versionId, second.versionId)
        assert.notStrictEqual(first.versionId, "null")
        assert.notMatch(first.versionId!, /^\d+$/)
        const head = yield* backend.headObject({ bucket, key: "k" })
        assert.strictEqual(head.versionId, second.versionId)
        assert.strictEqual(head.etag, md5ETag("two"))
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k", versionId: first.versionId }), "one")
        assert.strictEqual(
          (yield* backend.headObject({ bucket, key: "k", versionId: first.versionId })).etag,
          md5ETag("one")
        )
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [`k@${second.versionId}*`, `k@${first.versionId}`])
      })))

  it.effect("a delete lays a marker: the key reads as missing, the marker by id is 405, deleting it brings the version back", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const first = yield* backend.putObject({ bucket, key: "k", body: text("one") })
        const second = yield* backend.putObject({ bucket, key: "k", body: text("two") })
        const deleted = yield* backend.deleteObject({ bucket, key: "k" })
        assert.isTrue(deleted && deleted.deleteMarker)
        const markerId = deleted ? deleted.versionId! : ""
        assert.isString(markerId)
        assert.notInclude([first.versionId, second.versionId, "null"], markerId)
        assert.deepStrictEqual(yield* failure(backend.headObject({ bucket, key: "k" })), {
          tag: "NoSuchKey",
          code: undefined,
          status: undefined
        })
        assert.strictEqual((yield* failure(backend.getObject({ bucket, key: "k" }))).tag, "NoSuchKey")
        assert.deepStrictEqual(yield* failure(backend.getObject({ bucket, key: "k", versionId: markerId })), {
          tag: "S3ServiceError",
          code: "MethodNotAllowed",
          status: 405
        })
        assert.deepStrictEqual(yield* failure(backend.headObject({ bucket, key: "k", versionId: markerId })), {
          tag: "S3ServiceError",
          code: "MethodNotAllowed",
          status: 405
        })
        // The versions under the marker are still there, by id.
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k", versionId: second.versionId }), "two")
        assert.deepStrictEqual((yield* backend.listPage({ bucket })).objects, [])
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [
          `k@${markerId}!*`,
          `k@${second.versionId}`,
          `k@${first.versionId}`
        ])
        assert.deepStrictEqual(yield* backend.deleteObject({ bucket, key: "k", versionId: markerId }), {
          deleteMarker: true,
          versionId: markerId
        })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k" }), "two")
        assert.deepStrictEqual(yield* backend.deleteObject({ bucket, key: "k", versionId: second.versionId }), {
          deleteMarker: false,
          versionId: second.versionId
        })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k" }), "one")
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [`k@${first.versionId}*`])
      })))

  it.effect("an unknown version id: NoSuchVersion on GET, the bare 404 (NoSuchKey) on HEAD; deleting it succeeds", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "k", body: text("one") })
        assert.deepStrictEqual(yield* failure(backend.getObject({ bucket, key: "k", versionId: "nope" })), {
          tag: "S3ServiceError",
          code: "NoSuchVersion",
          status: 404
        })
        assert.strictEqual(
          (yield* failure(backend.headObject({ bucket, key: "k", versionId: "nope" }))).tag,
          "NoSuchKey"
        )
        assert.strictEqual(
          (yield* failure(backend.getObject({ bucket, key: "k", versionId: "null" }))).code,
          "NoSuchVersion"
        )
        assert.deepStrictEqual(yield* backend.deleteObject({ bucket, key: "k", versionId: "nope" }), {
          deleteMarker: false,
          versionId: "nope"
        })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k" }), "one")
      })))

  it.effect("a delete of a key that never existed still lays a marker", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const deleted = yield* backend.deleteObject({ bucket, key: "never" })
        assert.isTrue(deleted && deleted.deleteMarker)
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [`never@${deleted ? deleted.versionId : ""}!*`])
        // A bucket holding only markers is not empty.
        assert.strictEqual((yield* failure(backend.deleteBucket({ bucket }))).tag, "BucketNotEmpty")
      })))

  it.effect("the null version: written before versioning, kept when enabled, replaced while suspended", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "k", body: text("before") })
        yield* backend.putBucketVersioning({ bucket, status: "Enabled" })
        assert.strictEqual((yield* backend.headObject({ bucket, key: "k" })).versionId, "null")
        const enabled = yield* backend.putObject({ bucket, key: "k", body: text("enabled") })
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [`k@${enabled.versionId}*`, "k@null"])
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k", versionId: "null" }), "before")

        yield* backend.putBucketVersioning({ bucket, status: "Suspended" })
        assert.strictEqual(yield* backend.getBucketVersioning({ bucket }), "Suspended")
        const suspended = yield* backend.putObject({ bucket, key: "k", body: text("suspended") })
        assert.strictEqual(suspended.versionId, "null")
        // The old null version is gone, replaced; the enabled one stays.
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), ["k@null*", `k@${enabled.versionId}`])
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k", versionId: "null" }), "suspended")
        const again = yield* backend.putObject({ bucket, key: "k", body: text("again") })
        assert.strictEqual(again.versionId, "null")
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), ["k@null*", `k@${enabled.versionId}`])

        // A delete while suspended lays the null marker, in place of the null version.
        assert.deepStrictEqual(yield* backend.deleteObject({ bucket, key: "k" }), {
          deleteMarker: true,
          versionId: "null"
        })
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), ["k@null!*", `k@${enabled.versionId}`])
        assert.strictEqual((yield* failure(backend.getObject({ bucket, key: "k" }))).tag, "NoSuchKey")
        yield* backend.deleteObject({ bucket, key: "k", versionId: "null" })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k" }), "enabled")

        // Enabled again, writes are new versions on top of the rest.
        yield* backend.putBucketVersioning({ bucket, status: "Enabled" })
        const later = yield* backend.putObject({ bucket, key: "k", body: text("later") })
        assert.notStrictEqual(later.versionId, "null")
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [`k@${later.versionId}*`, `k@${enabled.versionId}`])
      })))

  it.effect("multipart uploads and copies are versions too; a copy answers the source version it copied", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const source = yield* backend.putObject({ bucket, key: "src", body: text("first") })
        yield* backend.putObject({ bucket, key: "src", body: text("second") })
        const copied = yield* backend.copyObject({
          bucket,
          key: "dst",
          source: { bucket, key: "src", versionId: source.versionId, ifMatch: md5ETag("first") }
        })
        assert.strictEqual(copied.etag, md5ETag("first"))
        assert.strictEqual(copied.sourceVersionId, source.versionId)
        assert.isString(copied.versionId)
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "dst" }), "first")
        assert.strictEqual((yield* backend.headObject({ bucket, key: "dst" })).versionId, copied.versionId)

        const uploadId = yield* backend.createMultipartUpload({ bucket, key: "dst" })
        const part = yield* backend.uploadPart({ bucket, key: "dst", uploadId, partNumber: 1, body: text("parts") })
        const done = yield* backend.completeMultipartUpload({
          bucket,
          key: "dst",
          uploadId,
          parts: [{ partNumber: 1, etag: part.etag }]
        })
        assert.isString(done.versionId)
        assert.deepStrictEqual(yield* versionsOf(backend, bucket, { prefix: "dst" }), [
          `dst@${done.versionId}*`,
          `dst@${copied.versionId}`
        ])

        // A marker named as a copy's source is refused; under a marker the source is missing.
        const marker = yield* backend.deleteObject({ bucket, key: "src" })
        const markerId = marker ? marker.versionId : undefined
        assert.deepStrictEqual(
          yield* failure(backend.copyObject({
            bucket,
            key: "x",
            source: { bucket, key: "src", versionId: markerId, ifMatch: md5ETag("second") }
          })),
          { tag: "S3ServiceError", code: "InvalidRequest", status: 400 }
        )
        assert.strictEqual(
          (yield* failure(
            backend.copyObject({ bucket, key: "x", source: { bucket, key: "src", ifMatch: md5ETag("second") } })
          ))
            .tag,
          "NoSuchKey"
        )
      })))

  it.effect("an unversioned bucket's copy answers no version ids", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "src", body: text("a") })
        const copied = yield* backend.copyObject({
          bucket,
          key: "dst",
          source: { bucket, key: "src", ifMatch: md5ETag("a") }
        })
        assert.deepStrictEqual(copied, { etag: md5ETag("a") })
      })))

  it.effect("ListObjectsV2 shows only keys whose latest is no marker, and no common prefix of markers alone", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        for (const key of ["a/1", "b/1", "b/2", "c"]) yield* backend.putObject({ bucket, key, body: text(key) })
        yield* backend.deleteObject({ bucket, key: "a/1" })
        yield* backend.deleteObject({ bucket, key: "b/1" })
        yield* backend.deleteObject({ bucket, key: "c" })
        const flat = yield* backend.listPage({ bucket })
        assert.deepStrictEqual(flat.objects.map((object) => object.key), ["b/2"])
        const rolled = yield* backend.listPage({ bucket, delimiter: "/" })
        assert.deepStrictEqual(rolled.commonPrefixes, ["b/"])
        assert.deepStrictEqual(rolled.objects, [])
      })))

  it.effect("DeleteObjects deletes versions by index and says what each delete did", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const first = yield* backend.putObject({ bucket, key: "a", body: text("1") })
        yield* backend.putObject({ bucket, key: "a", body: text("2") })
        yield* backend.putObject({ bucket, key: "b", body: text("3") })
        const result = yield* backend.deleteObjects({
          bucket,
          keys: ["a", "b", "missing"],
          versionIds: [first.versionId, undefined, "unknown"]
        })
        assert.deepStrictEqual(result.deleted, ["a", "b", "missing"])
        assert.deepStrictEqual(result.failed, [])
        const marker = result.versions?.[1]
        assert.deepStrictEqual(result.versions?.[0], { key: "a", deleteMarker: false, versionId: first.versionId })
        assert.isTrue(marker?.deleteMarker)
        assert.isString(marker?.versionId)
        assert.deepStrictEqual(result.versions?.[2], { key: "missing", deleteMarker: false, versionId: "unknown" })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "a" }), "2")
        assert.strictEqual((yield* failure(backend.headObject({ bucket, key: "b" }))).tag, "NoSuchKey")
      })))

  it.effect("ListObjectVersions pages inside one key's versions, 1000 at a time, newest first", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const ids: Array<string> = []
        for (let i = 0; i < 1003; i++) {
          ids.unshift((yield* backend.putObject({ bucket, key: "many", body: text(String(i)) })).versionId!)
        }
        yield* backend.putObject({ bucket, key: "next", body: text("n") })
        const first = yield* backend.listVersionsPage({ bucket })
        assert.strictEqual(first.versions.length, 1000)
        assert.isTrue(first.isTruncated)
        assert.strictEqual(first.nextKeyMarker, "many")
        assert.strictEqual(first.nextVersionIdMarker, ids[999])
        assert.deepStrictEqual(first.versions.map((entry) => entry.versionId), ids.slice(0, 1000))
        assert.isTrue(first.versions[0]!.isLatest)
        assert.isFalse(first.versions[1]!.isLatest)
        const second = yield* backend.listVersionsPage({
          bucket,
          keyMarker: first.nextKeyMarker,
          versionIdMarker: first.nextVersionIdMarker
        })
        assert.isFalse(second.isTruncated)
        assert.deepStrictEqual(second.versions.map((entry) => `${entry.key}@${entry.versionId}`), [
          ...ids.slice(1000).map((id) => `many@${id}`),
          `next@${(yield* backend.headObject({ bucket, key: "next" })).versionId}`
        ])
        // A key marker alone starts after every version of that key.
        assert.deepStrictEqual(
          (yield* backend.listVersionsPage({ bucket, keyMarker: "many" })).versions.map((entry) => entry.key),
          ["next"]
        )
      })))

  it.effect("ListObjectVersions rolls keys up into common prefixes by the delimiter, under the prefix", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        for (const key of ["dir/a", "dir/sub/b", "dir/sub/c", "dir/z", "other"]) {
          yield* backend.putObject({ bucket, key, body: text(key) })
        }
        yield* backend.deleteObject({ bucket, key: "dir/z" })
        const page = yield* backend.listVersionsPage({ bucket, prefix: "dir/", delimiter: "/" })
        assert.deepStrictEqual(page.commonPrefixes, ["dir/sub/"])
        assert.deepStrictEqual(page.versions.map((entry) => `${entry.key}:${entry._tag}`), [
          "dir/a:Version",
          "dir/z:DeleteMarker",
          "dir/z:Version"
        ])
        // After a common prefix, the next page starts after all its keys.
        const after = yield* backend.listVersionsPage({ bucket, prefix: "dir/", delimiter: "/", keyMarker: "dir/sub/" })
        assert.deepStrictEqual(after.versions.map((entry) => entry.key), ["dir/z", "dir/z"])
        assert.deepStrictEqual(after.commonPrefixes, [])
      })))

  it.effect("the mock's control shows the latest objects in its snapshot, and every version in versions", () =>
    Effect.gen(function*() {
      const { backend, control } = yield* S3PoMock.backend({ seed: { seeded: { k: "seed" } } })
      yield* backend.putBucketVersioning({ bucket: "seeded", status: "Enabled" })
      const written = yield* backend.putObject({ bucket: "seeded", key: "k", body: text("new") })
      yield* backend.putObject({ bucket: "seeded", key: "gone", body: text("x") })
      yield* backend.deleteObject({ bucket: "seeded", key: "gone" })
      const snapshot = yield* control.snapshot
      assert.deepStrictEqual(Object.keys(snapshot.seeded!), ["k"])
      assert.strictEqual(new TextDecoder().decode(snapshot.seeded!.k!.body), "new")
      const versions = yield* control.versions("seeded")
      assert.deepStrictEqual(versions.map((entry) => `${entry.key}@${entry.versionId}:${entry._tag}`), [
        `gone@${versions[0]!.versionId}:DeleteMarker`,
        `gone@${versions[1]!.versionId}:Version`,
        `k@${written.versionId}:Version`,
        "k@null:Version"
      ])
      assert.deepStrictEqual(yield* control.versions("no-such-bucket"), [])
    }))
})

describe("mock conditional delete and copy", () => {
  it.effect("a delete with If-Match deletes only the object with that ETag; of a missing key, NoSuchKey", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "k", body: text("one") })
        assert.strictEqual(
          (yield* failure(backend.deleteObject({ bucket, key: "k", ifMatch: md5ETag("two") }))).tag,
          "PreconditionFailed"
        )
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "k" }), "one")
        assert.strictEqual(
          (yield* failure(backend.deleteObject({ bucket, key: "nope", ifMatch: "*" }))).tag,
          "NoSuchKey"
        )
        yield* backend.deleteObject({ bucket, key: "k", ifMatch: md5ETag("one") })
        assert.strictEqual((yield* failure(backend.headObject({ bucket, key: "k" }))).tag, "NoSuchKey")
      })))

  it.effect("a delete with If-Match under a delete marker fails its precondition, and lays no marker", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "k", body: text("one") })
        yield* backend.deleteObject({ bucket, key: "k" })
        assert.strictEqual(
          (yield* failure(backend.deleteObject({ bucket, key: "k", ifMatch: "*" }))).tag,
          "PreconditionFailed"
        )
        assert.strictEqual((yield* versionsOf(backend, bucket)).length, 2)
      })))

  it.effect("a copy's conditions are on the destination: create only, or only over that ETag", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "src", body: text("src") })
        yield* backend.putObject({ bucket, key: "dst", body: text("dst") })
        const source = { bucket, key: "src", ifMatch: md5ETag("src") }
        assert.strictEqual(
          (yield* failure(backend.copyObject({ bucket, key: "dst", source, ifNoneMatch: "*" }))).tag,
          "PreconditionFailed"
        )
        assert.strictEqual(
          (yield* failure(backend.copyObject({ bucket, key: "dst", source, ifMatch: md5ETag("other") }))).tag,
          "PreconditionFailed"
        )
        yield* backend.copyObject({ bucket, key: "dst", source, ifMatch: md5ETag("dst") })
        yield* backend.copyObject({ bucket, key: "new", source, ifNoneMatch: "*" })
        // Under a delete marker the key is free.
        yield* backend.deleteObject({ bucket, key: "new" })
        yield* backend.copyObject({ bucket, key: "new", source, ifNoneMatch: "*" })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "new" }), "src")
      })))
})

describe("mock object lock", () => {
  const inDays = (days: number) => new Date(days * day)

  it.effect("a bucket created with object lock is versioned and cannot be suspended", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        assert.strictEqual(yield* backend.getBucketVersioning({ bucket }), "Enabled")
        assert.deepStrictEqual(yield* backend.getObjectLockConfiguration({ bucket }), { enabled: true })
        assert.deepStrictEqual(yield* failure(backend.putBucketVersioning({ bucket, status: "Suspended" })), {
          tag: "S3ServiceError",
          code: "InvalidBucketState",
          status: 409
        })
      })))

  it.effect("lock requests on a bucket without object lock fail with 400 InvalidRequest", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* backend.getObjectLockConfiguration({ bucket }), { enabled: false })
        yield* backend.putObject({ bucket, key: "k", body: text("x") })
        const refused = { tag: "S3ServiceError", code: "InvalidRequest", status: 400 }
        const retention = { mode: "GOVERNANCE", retainUntil: inDays(1) } as const
        assert.deepStrictEqual(
          yield* failure(
            backend.putObjectLockConfiguration({ bucket, defaultRetention: { mode: "GOVERNANCE", days: 1 } })
          ),
          refused
        )
        assert.deepStrictEqual(yield* failure(backend.putObjectRetention({ bucket, key: "k", retention })), refused)
        assert.deepStrictEqual(yield* failure(backend.getObjectRetention({ bucket, key: "k" })), refused)
        assert.deepStrictEqual(
          yield* failure(backend.putObjectLegalHold({ bucket, key: "k", legalHold: true })),
          refused
        )
        assert.deepStrictEqual(yield* failure(backend.getObjectLegalHold({ bucket, key: "k" })), refused)
        assert.deepStrictEqual(
          yield* failure(backend.putObject({ bucket, key: "k", body: text("y"), retention })),
          refused
        )
        assert.deepStrictEqual(
          yield* failure(backend.createMultipartUpload({ bucket, key: "k", legalHold: true })),
          refused
        )
      })))

  it.effect("the default retention is given to new versions when they are written", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "before", body: text("x") })
        yield* backend.putObjectLockConfiguration({ bucket, defaultRetention: { mode: "GOVERNANCE", days: 2 } })
        assert.deepStrictEqual(yield* backend.getObjectLockConfiguration({ bucket }), {
          enabled: true,
          defaultRetention: { mode: "GOVERNANCE", days: 2 }
        })
        yield* TestClock.adjust("1 day")
        yield* backend.putObject({ bucket, key: "after", body: text("y") })
        assert.isUndefined(yield* backend.getObjectRetention({ bucket, key: "before" }))
        const expected = { mode: "GOVERNANCE", retainUntil: inDays(3) }
        assert.deepStrictEqual(yield* backend.getObjectRetention({ bucket, key: "after" }), expected)
        assert.deepStrictEqual((yield* backend.headObject({ bucket, key: "after" })).retention, expected)
        yield* backend.putObjectLockConfiguration({ bucket, defaultRetention: { mode: "COMPLIANCE", years: 1 } })
        yield* backend.putObject({ bucket, key: "yearly", body: text("z") })
        assert.deepStrictEqual(yield* backend.getObjectRetention({ bucket, key: "yearly" }), {
          mode: "COMPLIANCE",
          retainUntil: new Date("1971-01-02T00:00:00Z")
        })
        yield* backend.putObjectLockConfiguration({ bucket, defaultRetention: undefined })
        assert.deepStrictEqual(yield* backend.getObjectLockConfiguration({ bucket }), { enabled: true })
      })))

  it.effect("a version under retention is not deleted before its date; a delete without version id lays a marker", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        const written = yield* backend.putObject({
          bucket,
          key: "k",
          body: text("kept"),
          retention: { mode: "COMPLIANCE", retainUntil: inDays(2) }
        })
        const versionId = written.versionId!
        const byVersion = { bucket, key: "k", versionId }
        assert.deepStrictEqual(yield* failure(backend.deleteObject(byVersion)), {
          tag: "AccessDenied",
          code: "AccessDenied",
          status: undefined
        })
        assert.strictEqual(
          (yield* failure(backend.deleteObject({ ...byVersion, bypassGovernanceRetention: true }))).tag,
          "AccessDenied"
        )
        const marker = yield* backend.deleteObject({ bucket, key: "k" })
        assert.isTrue(marker && marker.deleteMarker)
        const many = yield* backend.deleteObjects({ bucket, keys: ["k"], versionIds: [versionId] })
        assert.deepStrictEqual(many.deleted, [])
        assert.strictEqual(many.failed[0]?.code, "AccessDenied")
        assert.strictEqual(many.failed[0]?.versionId, versionId)
        assert.include(many.failed[0]?.message, "COMPLIANCE retention until 1970-01-03T00:00:00.000Z")
        // No one shortens a COMPLIANCE retention or makes it GOVERNANCE; lengthening it is allowed.
        assert.strictEqual(
          (yield* failure(backend.putObjectRetention({
            ...byVersion,
            retention: { mode: "COMPLIANCE", retainUntil: inDays(1) },
            bypassGovernanceRetention: true
          }))).tag,
          "AccessDenied"
        )
        assert.strictEqual(
          (yield* failure(backend.putObjectRetention({
            ...byVersion,
            retention: { mode: "GOVERNANCE", retainUntil: inDays(5) }
          }))).tag,
          "AccessDenied"
        )
        yield* backend.putObjectRetention({ ...byVersion, retention: { mode: "COMPLIANCE", retainUntil: inDays(3) } })
        assert.deepStrictEqual((yield* backend.getObjectRetention(byVersion))?.retainUntil, inDays(3))
        yield* TestClock.adjust("3 days")
        assert.deepStrictEqual(yield* backend.deleteObject(byVersion), { deleteMarker: false, versionId })
      })))

  it.effect("a GOVERNANCE retention is lifted or shortened only with bypassGovernanceRetention", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        const written = yield* backend.putObject({
          bucket,
          key: "k",
          body: text("kept"),
          retention: { mode: "GOVERNANCE", retainUntil: inDays(10) }
        })
        const byVersion = { bucket, key: "k", versionId: written.versionId }
        assert.strictEqual((yield* failure(backend.deleteObject(byVersion))).tag, "AccessDenied")
        const shorter = { mode: "GOVERNANCE", retainUntil: inDays(1) } as const
        assert.strictEqual(
          (yield* failure(backend.putObjectRetention({ ...byVersion, retention: shorter }))).tag,
          "AccessDenied"
        )
        yield* backend.putObjectRetention({ ...byVersion, retention: shorter, bypassGovernanceRetention: true })
        assert.deepStrictEqual(yield* backend.getObjectRetention(byVersion), shorter)
        // A retention already over is refused.
        assert.deepStrictEqual(
          yield* failure(
            backend.putObjectRetention({ ...byVersion, retention: { mode: "GOVERNANCE", retainUntil: new Date(0) } })
          ),
          { tag: "S3ServiceError", code: "InvalidArgument", status: 400 }
        )
        yield* backend.deleteObject({ ...byVersion, bypassGovernanceRetention: true })
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [])
      })))

  it.effect("a legal hold keeps a version until it is lifted, whatever the retention and bypass", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        const uploadId = yield* backend.createMultipartUpload({ bucket, key: "k", legalHold: true })
        const part = yield* backend.uploadPart({ bucket, key: "k", uploadId, partNumber: 1, body: text("held") })
        const done = yield* backend.completeMultipartUpload({
          bucket,
          key: "k",
          uploadId,
          parts: [{ partNumber: 1, etag: part.etag }]
        })
        const byVersion = { bucket, key: "k", versionId: done.versionId }
        assert.isTrue(yield* backend.getObjectLegalHold(byVersion))
        assert.isTrue((yield* backend.headObject({ bucket, key: "k" })).legalHold)
        assert.strictEqual(
          (yield* failure(backend.deleteObject({ ...byVersion, bypassGovernanceRetention: true }))).tag,
          "AccessDenied"
        )
        yield* backend.putObjectLegalHold({ ...byVersion, legalHold: false })
        assert.isFalse(yield* backend.getObjectLegalHold(byVersion))
        yield* backend.deleteObject(byVersion)
        assert.deepStrictEqual(yield* versionsOf(backend, bucket), [])
      })))

  it.effect("lock requests on a delete marker: by its id 405, as the latest NoSuchKey", () =>
    withBucket("Locked", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "k", body: text("x") })
        const marker = yield* backend.deleteObject({ bucket, key: "k" })
        assert.strictEqual((yield* failure(backend.getObjectLegalHold({ bucket, key: "k" }))).tag, "NoSuchKey")
        assert.strictEqual(
          (yield* failure(backend.getObjectRetention({ bucket, key: "k", versionId: marker ? marker.versionId : "" })))
            .code,
          "MethodNotAllowed"
        )
      })))
})

describe("mock customer keys (SSE-C)", () => {
  const keyBytes = new Uint8Array(32).fill(7)
  const customerKey = Redacted.make(keyBytes)
  const otherKey = Redacted.make(new Uint8Array(32).fill(9))
  const keyMd5 = createHash("md5").update(keyBytes).digest("base64")
  const keyShown = [Buffer.from(keyBytes).toString("base64"), Buffer.from(keyBytes).toString("hex")]

  it.effect("an object written with a key is read only with that key, and says which key (by its MD5)", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        const written = yield* backend.putObject({ bucket, key: "secret", body: text("hidden"), customerKey })
        // S3's ETag of an SSE-C object is not the MD5 of its bytes.
        assert.notStrictEqual(written.etag, md5ETag("hidden"))
        const info = yield* backend.headObject({ bucket, key: "secret", customerKey })
        assert.strictEqual(info.customerKeyMd5, keyMd5)
        assert.strictEqual(info.etag, written.etag)
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "secret", customerKey }), "hidden")

        const errors = [
          yield* Effect.flip(backend.getObject({ bucket, key: "secret" })),
          yield* Effect.flip(backend.getObject({ bucket, key: "secret", customerKey: otherKey })),
          yield* Effect.flip(backend.headObject({ bucket, key: "secret" })),
          yield* Effect.flip(backend.headObject({ bucket, key: "secret", customerKey: otherKey }))
        ]
        assert.deepStrictEqual(
          errors.map((error) => [error._tag, "code" in error ? error.code : undefined]),
          [
            ["S3ServiceError", "InvalidRequest"],
            ["AccessDenied", "AccessDenied"],
            // A HEAD answer has no body: its bare status, as the live layer reads it.
            ["S3ServiceError", "BadRequest"],
            ["AccessDenied", "Forbidden"]
          ]
        )
        const shown = JSON.stringify([errors, errors.map(String), info])
        for (const form of keyShown) assert.notInclude(shown, form)
      })))

  it.effect("a key given for an object not written with one is refused (400 InvalidRequest), as a malformed key", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        yield* backend.putObject({ bucket, key: "plain", body: text("x") })
        assert.deepStrictEqual(yield* failure(backend.getObject({ bucket, key: "plain", customerKey })), {
          tag: "S3ServiceError",
          code: "InvalidRequest",
          status: 400
        })
        assert.isUndefined((yield* backend.headObject({ bucket, key: "plain" })).customerKeyMd5)
        assert.deepStrictEqual(
          yield* failure(
            backend.putObject({ bucket, key: "short", body: text("x"), customerKey: Redacted.make(new Uint8Array(16)) })
          ),
          { tag: "S3ServiceError", code: "InvalidArgument", status: 400 }
        )
      })))

  it.effect("a copy reads its source with the source's key and encrypts the copy with its own", () =>
    withBucket("Enabled", (backend, bucket) =>
      Effect.gen(function*() {
        const written = yield* backend.putObject({ bucket, key: "secret", body: text("hidden"), customerKey })
        const source = { bucket, key: "secret", ifMatch: written.etag }
        assert.strictEqual((yield* failure(backend.copyObject({ bucket, key: "copy", source }))).code, "InvalidRequest")
        assert.strictEqual(
          (yield* failure(backend.copyObject({ bucket, key: "copy", source: { ...source, customerKey: otherKey } })))
            .tag,
          "AccessDenied"
        )
        yield* backend.copyObject({ bucket, key: "plain", source: { ...source, customerKey } })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "plain" }), "hidden")
        yield* backend.copyObject({ bucket, key: "other", source: { ...source, customerKey }, customerKey: otherKey })
        assert.strictEqual(yield* bodyOf(backend, { bucket, key: "other", customerKey: otherKey }), "hidden")
        assert.strictEqual(
          (yield* failure(backend.getObject({ bucket, key: "other", customerKey }))).tag,
          "AccessDenied"
        )
      })))

  it.effect("every part of an SSE-C multipart upload gives the upload's key, as does a part copied from an SSE-C source", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        const uploadId = yield* backend.createMultipartUpload({ bucket, key: "mpu", customerKey })
        const ref = { bucket, key: "mpu", uploadId, partNumber: 1, body: text("part") }
        assert.strictEqual((yield* failure(backend.uploadPart(ref))).code, "InvalidRequest")
        assert.strictEqual(
          (yield* failure(backend.uploadPart({ ...ref, customerKey: otherKey }))).code,
          "InvalidRequest"
        )
        const part = yield* backend.uploadPart({ ...ref, customerKey })
        yield* backend.completeMultipartUpload({
          bucket,
          key: "mpu",
          uploadId,
          parts: [{ partNumber: 1, etag: part.etag }]
        })
        assert.strictEqual((yield* backend.headObject({ bucket, key: "mpu", customerKey })).customerKeyMd5, keyMd5)
        assert.strictEqual((yield* failure(backend.getObject({ bucket, key: "mpu" }))).code, "InvalidRequest")

        const etag = (yield* backend.headObject({ bucket, key: "mpu", customerKey })).etag
        const copyId = yield* backend.createMultipartUpload({ bucket, key: "copy" })
        const copyRef = { bucket, key: "copy", uploadId: copyId, partNumber: 1, range: { start: 0, end: 3 } }
        assert.strictEqual(
          (yield* failure(backend.uploadPartCopy({ ...copyRef, source: { bucket, key: "mpu", ifMatch: etag } }))).code,
          "InvalidRequest"
        )
        yield* backend.uploadPartCopy({ ...copyRef, source: { bucket, key: "mpu", ifMatch: etag, customerKey } })
      })))

  it.effect("the mock's snapshot and versions never show the key", () =>
    Effect.gen(function*() {
      const { backend, control } = yield* S3PoMock.backend({ seed: { bucket: {} } })
      yield* backend.putObject({ bucket: "bucket", key: "secret", body: text("hidden"), customerKey })
      const shown = JSON.stringify([yield* control.snapshot, yield* control.versions("bucket"), yield* control.calls])
      assert.include(shown, "secret")
      for (const form of keyShown) assert.notInclude(shown, form)
    }))
})

describe("mock lifecycle rules", () => {
  it.effect("keeps a copy of the rules, [] when none, and refuses duplicate ids", () =>
    withBucket("Unversioned", (backend, bucket) =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* backend.getBucketLifecycle({ bucket }), [])
        const rules = [
          { id: "logs", filter: { prefix: "logs/" }, expiration: { days: 30 } },
          {
            id: "old",
            expiration: { date: new Date("2030-01-01T00:00:00Z") },
            noncurrentVersionExpiration: { noncurrentDays: 7 }
          }
        ]
        yield* backend.putBucketLifecycle({ bucket, rules })
        ;(rules[0]!.filter as { prefix: string }).prefix = "changed/"
        const kept = yield* backend.getBucketLifecycle({ bucket })
        assert.deepStrictEqual(kept[0]?.filter, { prefix: "logs/" })
        assert.deepStrictEqual(kept[1]?.expiration, { date: new Date("2030-01-01T00:00:00Z") })
        assert.deepStrictEqual(
          yield* failure(
            backend.putBucketLifecycle({
              bucket,
              rules: [{ id: "a", expiration: { days: 1 } }, { id: "a", expiration: { days: 2 } }]
            })
          ),
          { tag: "S3ServiceError", code: "InvalidArgument", status: 400 }
        )
        assert.strictEqual((yield* backend.getBucketLifecycle({ bucket })).length, 2)
        yield* backend.deleteBucketLifecycle({ bucket })
        assert.deepStrictEqual(yield* backend.getBucketLifecycle({ bucket }), [])
        assert.strictEqual((yield* failure(backend.getBucketLifecycle({ bucket: "missing" }))).tag, "NoSuchBucket")
      })))
})
