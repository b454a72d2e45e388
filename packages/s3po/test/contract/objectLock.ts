import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type Retention, S3Po } from "s3po"
import { type Capabilities, withDefaults } from "../../src/internal/testing/capabilities.js"
import type { SuiteMethods } from "../../src/internal/testing/fixtures.js"
import { freshBucket, tagOf, uniqueBucket } from "../utils/fixtures.js"

/**
 * Object lock through the service: buckets created with it, their default retention, a version's
 * retention (`GOVERNANCE`, lifted with `bypassGovernanceRetention`; `COMPLIANCE`, never) and legal
 * hold, locks given on writes, `ObjectLocked` with its reason for a delete a lock refuses, and
 * `emptyBucket` reporting the locked versions it could not delete, once.
 */

const day = 24 * 60 * 60 * 1000

/** A time `ms` from now, to the second (S3 keeps retention dates to the second). */
const fromNow = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000)

const iso = (date: Date) => date.toISOString().replace(".000Z", "Z")

const locked = (label: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = uniqueBucket(label)
    yield* s3.createBucket(bucket, { objectLock: true })
    return bucket
  })

const lockedError = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.flip(effect), (error) => {
    assert.strictEqual(error._tag, "ObjectLocked")
    return error as unknown as { readonly reason: string; readonly versionId: string; readonly key: string }
  })

const suite = (it: SuiteMethods, capabilities: Capabilities) => {
  it.effect("a bucket created with object lock says so, with versioning on; another says it has none", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("lock-config")
      assert.deepStrictEqual(yield* s3.getObjectLockConfiguration(bucket), { enabled: true })
      assert.strictEqual(yield* s3.getBucketVersioning(bucket), "Enabled")
      const plain = yield* freshBucket("no-lock")
      assert.deepStrictEqual(yield* s3.getObjectLockConfiguration(plain), { enabled: false })
    }))

  it.effect("a default retention is set, given to each version written without one, and removed", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("default-retention")
      yield* s3.setObjectLockConfiguration(bucket, { defaultRetention: { mode: "GOVERNANCE", days: 1 } })
      assert.deepStrictEqual(yield* s3.getObjectLockConfiguration(bucket), {
        enabled: true,
        defaultRetention: { mode: "GOVERNANCE", days: 1 }
      })
      const written = yield* s3.upload(bucket, "k", "v")
      const retention = yield* s3.getRetention(bucket, "k", { versionId: written.versionId! })
      assert.isTrue(Option.isSome(retention))
      if (Option.isSome(retention)) {
        assert.strictEqual(retention.value.mode, "GOVERNANCE")
        assert.isTrue(Math.abs(retention.value.retainUntil.getTime() - (Date.now() + day)) < 5 * 60_000)
      }
      yield* s3.setObjectLockConfiguration(bucket, { defaultRetention: undefined })
      assert.deepStrictEqual(yield* s3.getObjectLockConfiguration(bucket), { enabled: true })
      const unlocked = yield* s3.upload(bucket, "free", "v")
      assert.isTrue(Option.isNone(yield* s3.getRetention(bucket, "free", { versionId: unlocked.versionId! })))
      yield* s3.delete(bucket, "free", { versionId: unlocked.versionId! })
      yield* s3.delete(bucket, "k", { versionId: written.versionId!, bypassGovernanceRetention: true })

      for (
        const bad of [
          { mode: "FOREVER", days: 1 },
          { mode: "GOVERNANCE", days: 0 },
          { mode: "GOVERNANCE", days: 1.5 },
          { mode: "GOVERNANCE", days: 1, years: 1 },
          { mode: "GOVERNANCE" }
        ]
      ) {
        assert.strictEqual(
          yield* tagOf(s3.setObjectLockConfiguration(bucket, { defaultRetention: bad as never })),
          "ValidationError"
        )
      }
    }))

  it.effect("GOVERNANCE retention: a delete of the version is ObjectLocked with its date, unless bypassed", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("governance")
      const until = fromNow(day)
      const written = yield* s3.upload(bucket, "k", "v", { retention: { mode: "GOVERNANCE", retainUntil: until } })
      const versionId = written.versionId!
      const retention = yield* s3.getRetention(bucket, "k", { versionId })
      assert.deepStrictEqual(retention, Option.some<Retention>({ mode: "GOVERNANCE", retainUntil: until }))
      const error = yield* lockedError(s3.delete(bucket, "k", { versionId }))
      assert.strictEqual(error.reason, `retention GOVERNANCE until ${iso(until)}`)
      assert.strictEqual(error.versionId, versionId)
      assert.strictEqual(error.key, "k")
      // A delete without a version lays a marker: the locked version stays.
      const marker = yield* s3.delete(bucket, "k")
      assert.isTrue(marker.deleteMarker)
      assert.strictEqual(yield* s3.downloadString(bucket, "k", { versionId }), "v")
      // Shortened only with the bypass.
      const sooner = fromNow(60 * 60 * 1000)
      assert.strictEqual(
        yield* tagOf(s3.setRetention(bucket, "k", { mode: "GOVERNANCE", retainUntil: sooner }, { versionId })),
        "AccessDenied"
      )
      yield* s3.setRetention(bucket, "k", { mode: "GOVERNANCE", retainUntil: sooner }, {
        versionId,
        bypassGovernanceRetention: true
      })
      assert.deepStrictEqual(
        yield* s3.getRetention(bucket, "k", { versionId }),
        Option.some<Retention>({ mode: "GOVERNANCE", retainUntil: sooner })
      )
      const deleted = yield* s3.delete(bucket, "k", { versionId, bypassGovernanceRetention: true })
      assert.deepStrictEqual(deleted, { deleteMarker: false, versionId })
    }))

  it.effect("COMPLIANCE retention: no bypass lets the version go before its date", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("compliance")
      // Seconds only: the version cannot be deleted by anyone until then.
      const until = fromNow(5_000)
      const written = yield* s3.upload(bucket, "k", "v", { retention: { mode: "COMPLIANCE", retainUntil: until } })
      const versionId = written.versionId!
      const error = yield* lockedError(s3.delete(bucket, "k", { versionId, bypassGovernanceRetention: true }))
      assert.strictEqual(error.reason, `retention COMPLIANCE until ${iso(until)}`)
      assert.include(
        (yield* Effect.flip(s3.delete(bucket, "k", { versionId }))).message,
        `retention COMPLIANCE until ${iso(until)}`
      )
    }))

  it.effect("a legal hold keeps a version until it is lifted, whatever its retention", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("legal-hold")
      const written = yield* s3.upload(bucket, "k", "v")
      const versionId = written.versionId!
      assert.isFalse(yield* s3.getLegalHold(bucket, "k", { versionId }))
      yield* s3.setLegalHold(bucket, "k", true, { versionId })
      assert.isTrue(yield* s3.getLegalHold(bucket, "k", { versionId }))
      const error = yield* lockedError(s3.delete(bucket, "k", { versionId, bypassGovernanceRetention: true }))
      assert.strictEqual(error.reason, "legal hold")
      yield* s3.setLegalHold(bucket, "k", false, { versionId })
      yield* s3.delete(bucket, "k", { versionId })
      // Given on a write, and through a prefix's handle.
      const held = yield* s3.bucket(bucket).prefix("p/").upload("held", "v", { legalHold: true })
      assert.isTrue(yield* s3.getLegalHold(bucket, "p/held", { versionId: held.versionId! }))
      assert.isTrue(yield* s3.bucket(bucket).prefix("p/").getLegalHold("held"))
      yield* s3.bucket(bucket).prefix("p/").setLegalHold("held", false)
      assert.isFalse(yield* s3.getLegalHold(bucket, "p/held"))
      // And on a copy, where the store keeps it (Ceph RGW 16 ignores the lock headers of CopyObject).
      yield* s3.copy({ bucket, key: "p/held" }, { bucket, key: "copy" }, { legalHold: true })
      assert.strictEqual(yield* s3.getLegalHold(bucket, "copy"), capabilities.locksOnCopy)
      yield* s3.setLegalHold(bucket, "copy", false)
    }))

  it.effect("emptyBucket reports a locked version once, deletes the rest, and empties the bucket once it is free", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* locked("empty-locked")
      yield* Effect.forEach(["a", "b", "c"], (key) => s3.upload(bucket, key, key))
      const held = yield* s3.upload(bucket, "held", "v", { legalHold: true })
      yield* s3.delete(bucket, "a")
      const first = yield* s3.emptyBucket(bucket)
      assert.strictEqual(first.deleted, 4)
      assert.deepStrictEqual(first.failed.map(({ code, key, versionId }) => ({ code, key, versionId })), [
        { code: "ObjectLocked", key: "held", versionId: held.versionId }
      ])
      assert.strictEqual(first.failed[0]?.message, "legal hold")
      assert.strictEqual(yield* tagOf(s3.deleteBucket(bucket)), "BucketNotEmpty")
      yield* s3.setLegalHold(bucket, "held", false, { versionId: held.versionId! })
      assert.deepStrictEqual(yield* s3.emptyBucket(bucket), { deleted: 1, aborted: 0, failed: [] })
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.listObjectVersions(bucket))), [])
      yield* s3.deleteBucket(bucket)
    }))

  it.effect("bad retention, legal hold and version ids fail before any request", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("lock-input")
      const tags = [
        yield* tagOf(s3.setRetention(bucket, "k", { mode: "FOREVER", retainUntil: fromNow(day) } as never)),
        yield* tagOf(s3.setRetention(bucket, "k", { mode: "GOVERNANCE", retainUntil: new Date(Number.NaN) })),
        yield* tagOf(s3.getRetention(bucket, "k", { versionId: "" })),
        yield* tagOf(s3.setLegalHold(bucket, "k", "yes" as never)),
        yield* tagOf(s3.getLegalHold(bucket, "", {})),
        yield* tagOf(s3.upload(bucket, "k", "v", { retention: { mode: "NEVER" } as never })),
        yield* tagOf(s3.upload(bucket, "k", "v", { legalHold: "on" as never })),
        yield* tagOf(s3.copy({ bucket, key: "a" }, { bucket, key: "b" }, { retention: {} as never }))
      ]
      assert.deepStrictEqual(tags, Array.from({ length: tags.length }, () => "ValidationError"))
    }))
}

export const objectLockSuite = (
  name: string,
  s3Layer: Layer.Layer<S3Po, unknown>,
  options: { readonly capabilities?: Partial<Capabilities> } = {}
) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    suite(it, withDefaults(options.capabilities))
  })
