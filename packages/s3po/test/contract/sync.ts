import { assert, layer } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, Sync } from "s3po"
import { compareKeys } from "../../src/internal/core/keyOrder.js"
import { freshBucket, md5ETag, randomBody, tempDir } from "../utils/fixtures.js"

const MiB = 1024 * 1024

/** Writes `files` (path below `root` to content) with their folders. */
const writeTree = (root: string, files: Record<string, string | Uint8Array>) =>
  Effect.promise(async () => {
    for (const [relative, content] of Object.entries(files)) {
      const file = path.join(root, ...relative.split("/"))
      await fs.mkdir(path.dirname(file), { recursive: true })
      await fs.writeFile(file, content)
    }
  })

/** Every regular file below `root`, as path below it to content, in key order. */
const readTree = (root: string) =>
  Effect.promise(async () => {
    const found: Array<[string, string]> = []
    const walk = async (directory: string, prefix: string): Promise<void> => {
      for (const entry of await fs.readdir(directory, { withFileTypes: true })) {
        const relative = prefix + entry.name
        if (entry.isDirectory()) await walk(path.join(directory, entry.name), `${relative}/`)
        else if (entry.isFile()) found.push([relative, await fs.readFile(path.join(directory, entry.name), "latin1")])
      }
    }
    await walk(root, "")
    return found.sort(([left], [right]) => compareKeys(left, right))
  })

/** Every object below `prefix`, as key below it to content, in key order. */
const readBucket = (bucket: string, prefix: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const keys = Chunk.toArray(yield* Stream.runCollect(s3.list(bucket, { prefix })))
    return yield* Effect.forEach(keys, (key) =>
      Effect.map(
        s3.download(bucket, key),
        (bytes) => [key.slice(prefix.length), Buffer.from(bytes).toString("latin1")] as [string, string]
      ), { concurrency: 8 })
  })

const sorted = (files: Record<string, string>) =>
  Object.entries(files).sort(([left], [right]) => compareKeys(left, right))

/** Paths whose order differs between UTF-16 and UTF-8, nested folders, a name sorting between `a` and `a/`. */
const tree = {
  "a.txt": "alpha",
  "a/b.txt": "nested",
  "a/c/d.txt": "deeper",
  "a-b.txt": "dash sorts before /",
  "empty": "",
  "\u{ff5e}.txt": "fullwidth tilde",
  "\u{1f600}.txt": "emoji, after it in UTF-8",
  "café/menu.txt": "accents"
}

/**
 * Directory sync over any layer: both directions, what is compared, deletions, filters, dry runs,
 * keys that must not be written, and failures that stop only their own file.
 */
export const syncSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    it.scoped("syncUp copies a tree, then finds nothing to do; changes, additions and deletions after", () =>
      Effect.gen(function*() {
        const bucket = yield* freshBucket("sync-up")
        const root = yield* tempDir
        yield* writeTree(root, tree)
        const first = yield* Sync.syncUp(root, { bucket, prefix: "site" })
        assert.deepStrictEqual(
          { copied: first.copied, skipped: first.skipped, deleted: first.deleted, failed: first.failed },
          { copied: 8, skipped: 0, deleted: 0, failed: [] }
        )
        assert.strictEqual(first.copiedBytes, Buffer.byteLength(Object.values(tree).join("")))
        assert.deepStrictEqual(yield* readBucket(bucket, "site/"), yield* readTree(root))

        const again = yield* Sync.syncUp(root, { bucket, prefix: "site/" })
        assert.deepStrictEqual([again.copied, again.skipped, again.deleted], [0, 8, 0])

        yield* writeTree(root, { "a/b.txt": "nested, longer now", "new/file.txt": "new" })
        yield* Effect.promise(() => fs.rm(path.join(root, "a-b.txt")))
        const kept = yield* Sync.syncUp(root, { bucket, prefix: "site" })
        assert.deepStrictEqual([kept.copied, kept.skipped, kept.deleted], [2, 6, 0])
        assert.isTrue(yield* Effect.flatMap(S3Po, (s3) => s3.exists(bucket, "site/a-b.txt")))
        const mirrored = yield* Sync.syncUp(root, { bucket, prefix: "site" }, { delete: true })
        assert.deepStrictEqual([mirrored.copied, mirrored.skipped, mirrored.deleted], [0, 8, 1])
        assert.deepStrictEqual(yield* readBucket(bucket, "site/"), yield* readTree(root))
      }))

    it.scoped("syncDown copies a prefix with the objects' times, then finds nothing to do; delete removes extra files", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-down")
        for (const [relative, content] of Object.entries(tree)) yield* s3.upload(bucket, `p/${relative}`, content)
        yield* s3.upload(bucket, "p/folder/", "")
        yield* s3.upload(bucket, "other/not-below-the-prefix.txt", "x")
        const root = path.join(yield* tempDir, "made-by-the-sync")
        const first = yield* Sync.syncDown({ bucket, prefix: "p/" }, root)
        assert.deepStrictEqual([first.copied, first.skipped, first.deleted, first.failed.length], [8, 0, 0, 0])
        assert.deepStrictEqual(yield* readTree(root), sorted(tree))
        const info = yield* s3.head(bucket, "p/a/c/d.txt")
        const stats = yield* Effect.promise(() => fs.stat(path.join(root, "a", "c", "d.txt")))
        assert.strictEqual(Math.floor(stats.mtimeMs / 1000), Math.floor(info.lastModified.getTime() / 1000))

        yield* writeTree(root, { "extra/local.txt": "only here" })
        const again = yield* Sync.syncDown({ bucket, prefix: "p" }, root)
        assert.deepStrictEqual([again.copied, again.skipped, again.deleted], [0, 8, 0])
        const mirrored = yield* Sync.syncDown({ bucket, prefix: "p" }, root, { delete: true })
        assert.deepStrictEqual([mirrored.copied, mirrored.skipped, mirrored.deleted], [0, 8, 1])
        assert.deepStrictEqual(yield* readTree(root), sorted(tree))
      }))

    it.scoped("checksum compares contents: a same-size change with an old time is found, a multipart ETag recognised", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-checksum")
        const root = yield* tempDir
        const large = randomBody(11 * MiB)
        yield* writeTree(root, { "same.txt": "0123456789", "large.bin": large })
        // Uploaded with 5 MiB parts: its ETag is `…-3`, not the file's MD5.
        const uploaded = yield* s3.uploadFile(bucket, "large.bin", path.join(root, "large.bin"), { partSize: 5 * MiB })
        assert.match(uploaded.etag, /-3"$/)
        yield* s3.upload(bucket, "same.txt", "9876543210")
        // The local file, older than the object, with the same size: only its checksum tells them apart.
        const old = new Date("2020-01-01T00:00:00Z")
        yield* Effect.promise(() => fs.utimes(path.join(root, "same.txt"), old, old))
        const byTime = yield* Sync.syncUp(root, { bucket }, { dryRun: true })
        assert.deepStrictEqual([byTime.copied, byTime.skipped], [0, 2])
        const byChecksum = yield* Sync.syncUp(root, { bucket }, { compare: "checksum" })
        assert.deepStrictEqual([byChecksum.copied, byChecksum.skipped], [1, 1])
        assert.strictEqual(yield* s3.downloadString(bucket, "same.txt"), "0123456789")
        assert.strictEqual((yield* s3.head(bucket, "same.txt")).etag, md5ETag(new TextEncoder().encode("0123456789")))
      }))

    it.scoped("keys that would land outside the directory fail as UnsafeKey, write nothing, and the rest goes on", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-hostile")
        const hostile = ["../x", "a/../../x", "/abs", "C:\\x", "a\\..\\x", "a//b", "./y"]
        for (const key of [...hostile, "fine/one.txt", "two.txt"]) yield* s3.upload(bucket, key, `body of ${key}`)
        const outer = yield* tempDir
        const root = path.join(outer, "inside")
        const summary = yield* Sync.syncDown({ bucket }, root)
        assert.strictEqual(summary.copied, 2)
        assert.deepStrictEqual(
          summary.failed.map((failure) => [failure.action.relative, failure.error._tag]).sort(),
          hostile.map((key) => [key, "UnsafeKey"]).sort()
        )
        assert.deepStrictEqual((yield* readTree(root)).map(([relative]) => relative), ["fine/one.txt", "two.txt"])
        assert.deepStrictEqual((yield* Effect.promise(() => fs.readdir(outer))).sort(), ["inside"])
      }))

    it.scoped("a file that cannot be written fails alone; the summary matches what the directory holds", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-failure")
        const root = yield* tempDir
        // A folder where the object would go: its download cannot be moved into place.
        yield* writeTree(root, { "taken/inside.txt": "a folder's file" })
        for (const key of ["before.txt", "taken", "after.txt"]) yield* s3.upload(bucket, key, key)
        const progress: Array<Sync.SyncProgress> = []
        const summary = yield* Sync.syncDown({ bucket }, root, {
          exclude: ["taken/*"],
          onProgress: (reported) => Effect.sync(() => progress.push(reported))
        })
        assert.strictEqual(summary.copied, 2)
        assert.deepStrictEqual(summary.failed.map((failure) => [failure.action.relative, failure.error._tag]), [
          ["taken", "LocalFileError"]
        ])
        assert.deepStrictEqual(yield* readTree(root), [
          ["after.txt", "after.txt"],
          ["before.txt", "before.txt"],
          ["taken/inside.txt", "a folder's file"]
        ])
        const last = progress.at(-1)!
        assert.deepStrictEqual(
          [last.planned, last.filesDone, last.filesTotal, last.bytesDone, last.bytesTotal],
          [true, 3, 3, 24, 24]
        )
      }))

    it.scoped("progress moves within a large upload, part by part, and ends at the totals", () =>
      Effect.gen(function*() {
        const bucket = yield* freshBucket("sync-progress")
        const root = yield* tempDir
        yield* writeTree(root, { "large.bin": randomBody(20 * MiB), "small.txt": "small" })
        const reports: Array<Sync.SyncProgress> = []
        yield* Sync.syncUp(root, { bucket }, { onProgress: (progress) => Effect.sync(() => reports.push(progress)) })
        const total = 20 * MiB + 5
        assert.isTrue(
          reports.some((report) => report.bytesDone >= 8 * MiB && report.bytesDone < 20 * MiB),
          "a report while the large file is in flight, after its first part"
        )
        assert.deepStrictEqual(
          reports.map((report) => report.bytesDone),
          [...reports.map((report) => report.bytesDone)].sort((a, b) => a - b)
        )
        const last = reports.at(-1)!
        assert.deepStrictEqual([last.bytesDone, last.bytesTotal, last.filesDone, last.filesTotal, last.planned], [
          total,
          total,
          2,
          2,
          true
        ])
      }))

    it.scoped("filters apply on both sides: excluded files are neither copied nor deleted", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-filters")
        const root = yield* tempDir
        yield* writeTree(root, { "keep.jpg": "jpg", "skip.txt": "txt", "deep/also.jpg": "jpg" })
        yield* s3.upload(bucket, "remote-only.txt", "stays: excluded")
        yield* s3.upload(bucket, "remote-only.jpg", "goes: included")
        const summary = yield* Sync.syncUp(root, { bucket }, { exclude: ["*"], include: ["*.jpg"], delete: true })
        assert.deepStrictEqual([summary.copied, summary.deleted], [2, 1])
        assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), [
          "deep/also.jpg",
          "keep.jpg",
          "remote-only.txt"
        ])
      }))

    it.scoped("a dry run acts on nothing and says what it would do; the plan is a stream", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-dry")
        const root = yield* tempDir
        yield* writeTree(root, { "up.txt": "up" })
        yield* s3.upload(bucket, "down.txt", "down")
        const actions: Array<string> = []
        const summary = yield* Sync.syncUp(root, { bucket }, {
          dryRun: true,
          delete: true,
          onAction: (action) => Effect.sync(() => actions.push(`${action._tag} ${action.relative}`))
        })
        assert.deepStrictEqual([summary.dryRun, summary.copied, summary.copiedBytes, summary.deleted], [true, 1, 2, 1])
        assert.deepStrictEqual(actions.sort(), ["DeleteObject down.txt", "Upload up.txt"])
        assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), ["down.txt"])
        const plan = Chunk.toArray(yield* Stream.runCollect(Sync.planDown({ bucket }, path.join(root, "absent"))))
        assert.deepStrictEqual(plan.map((action) => `${action._tag} ${action.relative}`), ["Download down.txt"])
        const down = yield* Sync.syncDown({ bucket }, path.join(root, "absent"), { dryRun: true })
        assert.deepStrictEqual([down.dryRun, down.copied, down.copiedBytes], [true, 1, 4])
        assert.isFalse(yield* Effect.promise(() => fs.access(path.join(root, "absent")).then(() => true, () => false)))
      }))

    it.scoped("a folder that links out of the directory is neither written through nor made in", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-link-out")
        const outer = yield* tempDir
        const root = path.join(outer, "root")
        yield* writeTree(outer, { "elsewhere/kept.txt": "kept", "root/here.txt": "here" })
        yield* Effect.promise(() => fs.symlink(path.join(outer, "elsewhere"), path.join(root, "link")))
        for (const key of ["link/kept.txt", "link/new/x.txt", "fine.txt"]) yield* s3.upload(bucket, key, `from ${key}`)
        const summary = yield* Sync.syncDown({ bucket }, root, { followSymlinks: true })
        assert.strictEqual(summary.copied, 1)
        assert.deepStrictEqual(
          summary.failed.map((failure) => [failure.action.relative, failure.error._tag]).sort(),
          [["link/kept.txt", "LocalFileError"], ["link/new/x.txt", "LocalFileError"]]
        )
        assert.deepStrictEqual(yield* readTree(path.join(outer, "elsewhere")), [["kept.txt", "kept"]])
      }))

    it.scoped("a failing callback stops the sync with its defect; the sync does not hang", () =>
      Effect.gen(function*() {
        const bucket = yield* freshBucket("sync-defect")
        const root = yield* tempDir
        yield* writeTree(root, Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`f${index}`, "x"])))
        const exit = yield* Sync.syncUp(root, { bucket }, {
          concurrency: 2,
          onAction: () => Effect.die(new Error("callback broke"))
        }).pipe(Effect.timeout("20 seconds"), Effect.exit)
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), String(exit))
      }))

    it.scoped("symbolic links: one to a file inside is followed, one out of the directory only when asked", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("sync-links")
        const outer = yield* tempDir
        const root = path.join(outer, "root")
        yield* writeTree(outer, { "secret.txt": "outside", "root/real.txt": "inside" })
        yield* Effect.promise(async () => {
          await fs.symlink(path.join(root, "real.txt"), path.join(root, "link-in.txt"))
          await fs.symlink(path.join(outer, "secret.txt"), path.join(root, "link-out.txt"))
          await fs.symlink(outer, path.join(root, "folder-out"))
        })
        yield* Sync.syncUp(root, { bucket })
        assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list(bucket))), ["link-in.txt", "real.txt"])
        yield* Sync.syncUp(root, { bucket, prefix: "followed" }, { followSymlinks: true })
        const followed = Chunk.toArray(yield* Stream.runCollect(s3.list(bucket, { prefix: "followed/" })))
        assert.includeMembers(followed, ["followed/link-out.txt", "followed/folder-out/secret.txt"])
        // The link to the folder holding the root is not followed back into it.
        assert.notInclude(followed, "followed/folder-out/root/real.txt")
      }))

    it.scoped("bad input fails before any request: a bad bucket, concurrency, or a missing directory to upload", () =>
      Effect.gen(function*() {
        const root = yield* tempDir
        const tags = [
          yield* Effect.flip(Sync.syncUp(root, { bucket: "no/slash" })),
          yield* Effect.flip(Sync.syncDown({ bucket: "fine-bucket" }, root, { concurrency: 0 })),
          yield* Effect.flip(Sync.syncUp(path.join(root, "missing"), { bucket: "fine-bucket" }, { delete: true })),
          yield* Effect.flip(Sync.syncUp(root, { bucket: "fine-bucket" }, { exclude: ["[z-a]"] }))
        ].map((error) => error._tag)
        assert.deepStrictEqual(tags, ["ValidationError", "ValidationError", "LocalFileError", "ValidationError"])
      }))
  })
