import { assert, describe, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { LocalFiles, S3Po, S3PoMock, Sync } from "s3po"
import { exactNames, foldedNames, nameFoldOf } from "../../src/internal/sync/nameFolding.js"
import * as Plan from "../../src/internal/sync/plan.js"
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

layer(S3PoMock, { excludeTestServices: true })("sync safety", (it) => {
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

  describe("names like a download's partial file", () => {
    const keys = (bucket: string) =>
      Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.list(bucket))).pipe(Effect.map(Chunk.toArray))

    it.scoped("a key ending in .s3po-partial round-trips like any other, with delete, both ways", () =>
      Effect.gen(function*() {
        const bucket = yield* freshBucket("sync-partial-name")
        const root = yield* tempDir
        yield* writeTree(root, { "report.s3po-partial": "mine", "a.txt": "a" })
        const up = yield* Sync.syncUp(root, { bucket }, { delete: true })
        assert.deepStrictEqual([up.copied, up.deleted], [2, 0])
        const again = yield* Sync.syncUp(root, { bucket }, { delete: true })
        assert.deepStrictEqual([again.copied, again.skipped, again.deleted], [0, 2, 0])
        assert.deepStrictEqual(yield* keys(bucket), ["a.txt", "report.s3po-partial"])
        const copy = path.join(root, "copy")
        const down = yield* Sync.syncDown({ bucket }, copy, { delete: true })
        assert.deepStrictEqual([down.copied, down.deleted], [2, 0])
        const downAgain = yield* Sync.syncDown({ bucket }, copy, { delete: true })
        assert.deepStrictEqual([downAgain.copied, downAgain.skipped, downAgain.deleted], [0, 2, 0])
        assert.strictEqual(
          yield* Effect.promise(() => fs.readFile(path.join(copy, "report.s3po-partial"), "utf8")),
          "mine"
        )
      }))

    it.scoped("a partial file a killed download left is neither uploaded nor deleted, nor hides a key of its name", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-partial-left")
        const root = yield* tempDir
        const leftover = `.a.txt.${"0f".repeat(16)}.s3po-partial`
        const twin = `.b.txt.${"1e".repeat(16)}.s3po-partial`
        yield* writeTree(root, { [leftover]: "half", [twin]: "a key's", "a.txt": "a" })
        yield* s3.upload(bucket, twin, "a key's")
        const up = yield* Sync.syncUp(root, { bucket }, { delete: true })
        assert.deepStrictEqual([up.copied, up.deleted, up.failed.length], [1, 0, 0])
        assert.deepStrictEqual(yield* keys(bucket), [twin, "a.txt"])
        const down = yield* Sync.syncDown({ bucket }, root, { delete: true })
        assert.deepStrictEqual([down.deleted, down.failed.length], [0, 0])
        assert.strictEqual(yield* Effect.promise(() => fs.readFile(path.join(root, leftover), "utf8")), "half")
        yield* s3.delete(bucket, twin)
        const downAfter = yield* Sync.syncDown({ bucket }, root, { delete: true })
        assert.deepStrictEqual([downAfter.deleted], [0])
      }))
  })

  describe("keys that differ only in case, into a directory that does not tell case apart", () => {
    const planOf = (bucket: string, root: string, fold: typeof exactNames) =>
      Effect.flatMap(
        S3Po,
        (s3) => Stream.runCollect(Plan.planDown(s3, LocalFiles.nodeFiles, { bucket }, root, { delete: true }, fold))
      ).pipe(
        Effect.map((actions) =>
          Chunk.toArray(actions).map((action) =>
            action._tag === "Refuse"
              ? `Refuse ${action.relative} ${action.error._tag}`
              : `${action._tag} ${action.relative}`
          )
        )
      )

    it.scoped("the later key is refused, and a file named by a key in another case is not deleted", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-case")
        const root = yield* tempDir
        yield* writeTree(root, { "B.txt": "the file of key b.txt, as the file system keeps it", "gone.txt": "no key" })
        for (const key of ["A.txt", "Dir/x", "a.txt", "b.txt", "dir/x", "dir/y", "\u00e9.txt", "e\u0301.txt"]) {
          yield* s3.upload(bucket, key, key)
        }
        assert.deepStrictEqual(yield* planOf(bucket, root, foldedNames), [
          "Download A.txt",
          "Download Dir/x",
          "Refuse a.txt UnsafeKey",
          "Download b.txt",
          "Refuse dir/x UnsafeKey",
          "Download dir/y",
          "Download e\u0301.txt",
          "Refuse \u00e9.txt UnsafeKey",
          "DeleteFile gone.txt"
        ])
        // Where names are exact, every key is its own file and B.txt is a file the bucket lacks.
        assert.include(yield* planOf(bucket, root, exactNames), "DeleteFile B.txt")
      }))

    it.scoped("how a directory tells names apart is found by looking it up in the other case", () =>
      Effect.gen(function*() {
        const outer = yield* tempDir
        const probed = path.join(outer, "probed")
        yield* Effect.promise(() => fs.mkdir(probed))
        assert.strictEqual(yield* nameFoldOf(LocalFiles.nodeFiles, probed), exactNames)
        // A folder that answers to its name in upper case too, as on macOS or Windows.
        yield* Effect.promise(() => fs.symlink(probed, path.join(outer, "PROBED")))
        assert.strictEqual(yield* nameFoldOf(LocalFiles.nodeFiles, probed), foldedNames)
        assert.strictEqual(yield* nameFoldOf(LocalFiles.nodeFiles, path.join(probed, "not-made-yet")), foldedNames)
      }))
  })
})
