import { assert, describe, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, S3PoMock, Sync } from "s3po"
import { freshBucket, tempDir } from "../utils/fixtures.js"

/** Writes `files` (path below `root` to content) with their folders. */
const writeTree = (root: string, files: Record<string, string>) =>
  Effect.promise(async () => {
    for (const [relative, content] of Object.entries(files)) {
      const file = path.join(root, ...relative.split("/"))
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, content)
    }
  })

const exists = (file: string) => Effect.promise(() => fs.lstat(file).then(() => true, () => false))

const failedOf = (summary: Sync.SyncSummary) =>
  summary.failed.map((failure) => [failure.action.relative, failure.error._tag]).sort()

layer(S3PoMock)("sync and symbolic links", (it) => {
  describe("syncDown deletes and writes nothing through a link, whatever followSymlinks says", () => {
    it.scoped("a folder linking out of the directory keeps its files when the bucket lacks them", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-link-delete")
        const outer = yield* tempDir
        const root = path.join(outer, "root")
        yield* writeTree(outer, { "elsewhere/a.txt": "a", "elsewhere/deep/b.txt": "b", "root/kept.txt": "kept" })
        yield* Effect.promise(() => fs.symlink(path.join(outer, "elsewhere"), path.join(root, "link")))
        yield* s3.upload(bucket, "kept.txt", "kept")
        for (const followSymlinks of [true, false]) {
          const summary = yield* Sync.syncDown({ bucket }, root, { delete: true, followSymlinks })
          assert.deepStrictEqual([summary.deleted, summary.failed.length], [0, 0], `followSymlinks: ${followSymlinks}`)
        }
        assert.isTrue(yield* exists(path.join(outer, "elsewhere", "a.txt")))
        assert.isTrue(yield* exists(path.join(outer, "elsewhere", "deep", "b.txt")))
        assert.isTrue(yield* exists(path.join(root, "link")))
      }))

    it.scoped("a folder linking to another inside is neither deleted from nor written through", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-link-alias")
        const root = yield* tempDir
        yield* writeTree(root, { "real/x.txt": "x" })
        yield* Effect.promise(() => fs.symlink(path.join(root, "real"), path.join(root, "alias")))
        // The bucket holds real/x.txt: a delete of alias/x.txt would remove it under its other name.
        yield* s3.upload(bucket, "real/x.txt", "x")
        yield* s3.upload(bucket, "alias/new.txt", "through the link")
        const summary = yield* Sync.syncDown({ bucket }, root, { delete: true, followSymlinks: true })
        assert.strictEqual(summary.deleted, 0)
        assert.deepStrictEqual(failedOf(summary), [["alias/new.txt", "LocalFileError"]])
        assert.isTrue(yield* exists(path.join(root, "real", "x.txt")))
        assert.isFalse(yield* exists(path.join(root, "real", "new.txt")))
      }))

    it.scoped("syncUp still reads through the link when asked", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-link-read")
        const outer = yield* tempDir
        const root = path.join(outer, "root")
        yield* writeTree(outer, { "elsewhere/a.txt": "a", "root/kept.txt": "kept" })
        yield* Effect.promise(() => fs.symlink(path.join(outer, "elsewhere"), path.join(root, "link")))
        yield* Sync.syncUp(root, { bucket }, { followSymlinks: true })
        assert.strictEqual(yield* s3.downloadString(bucket, "link/a.txt"), "a")
      }))
  })
})
