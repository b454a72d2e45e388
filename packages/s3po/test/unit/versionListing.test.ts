import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { AccessDenied, type DeleteMarker, type ObjectVersion, S3Po } from "s3po"
import type { Backend, VersionsPage } from "../../src/internal/core/backend.js"
import { layerOver, mockBackend } from "../utils/backends.js"

const version = (key: string, versionId: string): ObjectVersion => ({
  _tag: "Version",
  key,
  versionId,
  isLatest: false,
  size: 1,
  etag: "\"e\"",
  lastModified: new Date(0),
  storageClass: "STANDARD"
})

const marker = (key: string, versionId: string): DeleteMarker => ({
  _tag: "DeleteMarker",
  key,
  versionId,
  isLatest: true,
  lastModified: new Date(0)
})

/** A backend whose ListObjectVersions answers `pages` in turn (the last one again after the end), counting its calls. */
const scripted = (pages: ReadonlyArray<VersionsPage>) => {
  const backend = mockBackend()
  const asked: Array<readonly [string | undefined, string | undefined]> = []
  const scriptedBackend: Backend = {
    ...backend,
    listVersionsPage: (request) =>
      Effect.sync(() => {
        asked.push([request.keyMarker, request.versionIdMarker])
        return pages[Math.min(asked.length - 1, pages.length - 1)]!
      })
  }
  return { layer: layerOver(scriptedBackend, "off"), asked }
}

const listed = Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.listObjectVersions("bkt")))

describe("listObjectVersions pages", () => {
  it.effect("follows the key and version markers, versions and common prefixes merged in S3 order", () => {
    const { asked, layer } = scripted([
      {
        versions: [marker("a", "m1"), version("a", "v1")],
        commonPrefixes: ["b/"],
        isTruncated: true,
        nextKeyMarker: "b/",
        nextVersionIdMarker: undefined
      },
      { versions: [version("c", "v2")], commonPrefixes: [], isTruncated: false }
    ])
    return Effect.gen(function*() {
      const entries = Chunk.toArray(yield* listed)
      assert.deepStrictEqual(
        entries.map((entry) => entry._tag === "CommonPrefix" ? entry.prefix : `${entry.key}@${entry.versionId}`),
        ["a@m1", "a@v1", "b/", "c@v2"]
      )
      assert.deepStrictEqual(asked, [[undefined, undefined], ["b/", undefined]])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a truncated page without a key marker is a BrokenListing, not the end", () => {
    const { layer } = scripted([{ versions: [version("a", "v1")], commonPrefixes: [], isTruncated: true }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(listed)
      assert.strictEqual(error._tag, "BrokenListing")
      if (error._tag === "BrokenListing") {
        assert.strictEqual(error.operation, "ListObjectVersions")
        assert.include(error.reason, "NextKeyMarker")
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("markers given again are a BrokenListing instead of a listing that goes round forever", () => {
    const page: VersionsPage = {
      versions: [version("a", "v1")],
      commonPrefixes: [],
      isTruncated: true,
      nextKeyMarker: "a",
      nextVersionIdMarker: "v1"
    }
    const { asked, layer } = scripted([page, page])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(listed)
      assert.strictEqual(error._tag, "BrokenListing")
      assert.strictEqual(asked.length, 2)
    }).pipe(Effect.provide(layer))
  })
})

describe("a delete refused with 403", () => {
  /** A backend that refuses every delete of a version with AccessDenied, its lock as given. */
  const refusing = (lock: { readonly hold: boolean; readonly until?: Date }) => {
    const backend = mockBackend()
    const denied: Backend = {
      ...backend,
      deleteObject: (request) =>
        Effect.fail(
          new AccessDenied({
            operation: "DeleteObject",
            bucket: request.bucket,
            key: request.key,
            code: "AccessDenied"
          })
        ),
      getObjectLegalHold: () => Effect.succeed(lock.hold),
      getObjectRetention: () =>
        Effect.succeed(lock.until === undefined ? undefined : { mode: "GOVERNANCE" as const, retainUntil: lock.until })
    }
    return layerOver(denied, "off")
  }

  // Live: a retention's date is compared with the clock's time.
  it.live("is ObjectLocked when the version's legal hold or retention is why, with the reason", () =>
    Effect.gen(function*() {
      const hold = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k", { versionId: "v1" })),
          refusing({ hold: true })
        )
      )
      assert.strictEqual(hold._tag, "ObjectLocked")
      if (hold._tag === "ObjectLocked") {
        assert.strictEqual(hold.reason, "legal hold")
        assert.strictEqual(hold.versionId, "v1")
        assert.include(hold.message, "version v1 of s3://bkt/k is locked: legal hold")
      }
      const until = new Date(Math.ceil((Date.now() + 60 * 60 * 1000) / 1000) * 1000)
      const retained = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k", { versionId: "v1" })),
          refusing({ hold: false, until })
        )
      )
      assert.strictEqual(retained._tag, "ObjectLocked")
      if (retained._tag === "ObjectLocked") {
        assert.strictEqual(retained.reason, `retention GOVERNANCE until ${until.toISOString().replace(".000Z", "Z")}`)
      }
    }))

  it.live("stays AccessDenied when no lock explains it: a permissions problem, or a bypassed GOVERNANCE retention", () =>
    Effect.gen(function*() {
      const free = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k", { versionId: "v1" })),
          refusing({ hold: false })
        )
      )
      assert.strictEqual(free._tag, "AccessDenied")
      const past = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k", { versionId: "v1" })),
          refusing({ hold: false, until: new Date(Date.now() - 1000) })
        )
      )
      assert.strictEqual(past._tag, "AccessDenied")
      const bypassed = yield* Effect.flip(
        Effect.provide(
          Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k", { versionId: "v1", bypassGovernanceRetention: true })),
          refusing({ hold: false, until: new Date(Date.now() + 60_000) })
        )
      )
      assert.strictEqual(bypassed._tag, "AccessDenied")
      // Without a version id there is no version to ask about: the answer stands.
      const latest = yield* Effect.flip(
        Effect.provide(Effect.flatMap(S3Po, (s3) => s3.delete("bkt", "k")), refusing({ hold: true }))
      )
      assert.strictEqual(latest._tag, "AccessDenied")
    }))
})
