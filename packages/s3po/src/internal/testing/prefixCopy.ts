import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { batch } from "../../Batch.js"
import * as Fault from "../../Fault.js"
import { type PrefixCopyProgress, S3Po } from "../../S3Po.js"
import { freshBucket, type SuiteMethods, uniqueBucket } from "./fixtures.js"

/**
 * The faults the suite's layer must have: a CopyObject onto a key ending in `/refused` is denied,
 * so that one object of a prefix fails and the others do not.
 */
export const prefixCopyFaults: ReadonlyArray<Fault.Rule> = [
  { operation: "CopyObject", key: (key) => key.endsWith("/refused"), fault: Fault.accessDenied() }
]

const keysOf = (bucket: string, prefix = "") =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.list(bucket, { prefix }))).pipe(Effect.map(Chunk.toArray))

/** `count` objects `<prefix>NNNN` whose body is their key, uploaded 32 at once. */
const seed = (bucket: string, prefix: string, count: number) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const keys = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`)
    const { success } = yield* batch(keys, (key) => s3.upload(bucket, key, key), { concurrency: 32 })
    assert.isTrue(success)
    return keys
  })

/** `copyPrefix` and `movePrefix` over any `S3Po` layer built with `prefixCopyFaults`. */
const copiesAndMoves = (it: SuiteMethods) => {
  it.effect(
    "copyPrefix copies every object of a prefix over two pages, into the same bucket and another",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("prefix-copy")
        const other = yield* freshBucket("prefix-copy-to")
        const keys = yield* seed(bucket, "src/", 1001)
        // Under the text "src" but not the prefix "src/": left alone.
        yield* s3.upload(bucket, "src2/outside", "outside", { metadata: { kept: "no" } })
        yield* s3.upload(bucket, "src/meta", "with metadata", {
          metadata: { color: "blue" },
          contentType: "text/plain"
        })
        const reports: Array<PrefixCopyProgress> = []
        const summary = yield* s3.copyPrefix({ bucket, prefix: "src/" }, { bucket, prefix: "copies/" }, {
          concurrency: 24,
          onProgress: (progress) => Effect.sync(() => reports.push(progress))
        })
        const bytes = keys.reduce((sum, key) => sum + key.length, 0) + "with metadata".length
        assert.deepStrictEqual(summary, { copied: 1002, copiedBytes: bytes, deleted: 0, failed: [] })
        assert.deepStrictEqual(
          yield* keysOf(bucket, "copies/"),
          [...keys, "src/meta"].map((key) => key.replace("src/", "copies/")).sort()
        )
        assert.strictEqual(yield* s3.downloadString(bucket, "copies/0999"), "src/0999")
        const info = yield* s3.head(bucket, "copies/meta")
        assert.deepStrictEqual([info.metadata, info.contentType], [{ color: "blue" }, "text/plain"])
        // The sources are all still there.
        assert.strictEqual((yield* keysOf(bucket, "src/")).length, 1002)
        assert.strictEqual(reports.length, 1002)
        assert.deepStrictEqual(reports.at(-1), {
          listed: 1002,
          listedBytes: bytes,
          copied: 1002,
          copiedBytes: bytes,
          deleted: 0,
          failed: 0,
          listingDone: true
        })

        // Into another bucket.
        const into = yield* s3.copyPrefix({ bucket, prefix: "src2/" }, { bucket: other, prefix: "backup/" })
        assert.deepStrictEqual(into, { copied: 1, copiedBytes: "outside".length, deleted: 0, failed: [] })
        assert.deepStrictEqual(yield* keysOf(other), ["backup/outside"])
        assert.deepStrictEqual((yield* s3.head(other, "backup/outside")).metadata, { kept: "no" })
      }),
    240_000
  )
}

const faultsAndRefusals = (it: SuiteMethods) => {
  it.effect(
    "movePrefix deletes each source once its copy succeeded; a refused copy is reported, its source kept",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("prefix-move")
        const keys = yield* seed(bucket, "in/", 40)
        yield* s3.upload(bucket, "in/refused", "stays")
        const summary = yield* s3.movePrefix({ bucket, prefix: "in/" }, { bucket, prefix: "out/" }, {
          concurrency: 8
        })
        assert.strictEqual(summary.copied, 40)
        assert.strictEqual(summary.deleted, 40)
        assert.strictEqual(summary.failed.length, 1)
        const [failure] = summary.failed
        assert.deepStrictEqual([failure!.from, failure!.to, failure!.step, failure!.error._tag], [
          { bucket, key: "in/refused" },
          { bucket, key: "out/refused" },
          "copy",
          "AccessDenied"
        ])
        assert.deepStrictEqual(yield* keysOf(bucket, "in/"), ["in/refused"])
        assert.deepStrictEqual(yield* keysOf(bucket, "out/"), keys.map((key) => key.replace("in/", "out/")))
        assert.strictEqual(yield* s3.downloadString(bucket, "in/refused"), "stays")

        // Moved on to another bucket, with a new storage of the attributes given.
        const other = yield* freshBucket("prefix-move-to")
        const again = yield* s3.movePrefix({ bucket, prefix: "out/" }, { bucket: other, prefix: "" }, {
          contentType: "text/x-moved"
        })
        assert.deepStrictEqual([again.copied, again.deleted, again.failed.length], [40, 40, 0])
        assert.deepStrictEqual(yield* keysOf(bucket, "out/"), [])
        assert.strictEqual((yield* s3.head(other, "0007")).contentType, "text/x-moved")
        assert.strictEqual(yield* s3.downloadString(other, "0007"), "in/0007")

        // A whole bucket (no prefix) under a prefix of another.
        const whole = yield* s3.copyPrefix({ bucket: other }, { bucket, prefix: "back/" })
        assert.deepStrictEqual([whole.copied, whole.failed.length], [40, 0])
        assert.strictEqual(yield* s3.downloadString(bucket, "back/0039"), "in/0039")
      }),
    120_000
  )
  it.effect("overlapping prefixes of one bucket are refused before any request; a missing bucket fails the call", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("prefix-overlap")
      yield* s3.upload(bucket, "a/x", "x")
      for (
        const [from, to] of [["a/", "a/b/"], ["a/b/", "a/"], ["a/", "a/"], ["", "z/"], ["a", "ab/"]] as const
      ) {
        const copyError = yield* Effect.flip(s3.copyPrefix({ bucket, prefix: from }, { bucket, prefix: to }))
        assert.deepStrictEqual([copyError._tag, "field" in copyError && copyError.field], ["ValidationError", "to"])
        const moveError = yield* Effect.flip(s3.movePrefix({ bucket, prefix: from }, { bucket, prefix: to }))
        assert.strictEqual(moveError._tag, "ValidationError")
      }
      assert.deepStrictEqual(yield* keysOf(bucket), ["a/x"])
      // Siblings do not overlap: "a/" and "ab/" hold none of each other's keys.
      assert.strictEqual((yield* s3.copyPrefix({ bucket, prefix: "a/" }, { bucket, prefix: "ab/" })).copied, 1)

      const missing = yield* Effect.flip(s3.copyPrefix({ bucket: uniqueBucket("absent") }, { bucket }))
      assert.strictEqual(missing._tag, "NoSuchBucket")
      const badOption = yield* Effect.flip(s3.copyPrefix({ bucket, prefix: "a/" }, { bucket, prefix: "c/" }, {
        concurrency: 0
      }))
      assert.strictEqual(badOption._tag, "ValidationError")
      assert.deepStrictEqual(yield* keysOf(bucket), ["a/x", "ab/x"])
    }))
}

export const prefixCopySuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "240 seconds", excludeTestServices: true })(name, (it) => {
    copiesAndMoves(it)
    faultsAndRefusals(it)
  })
