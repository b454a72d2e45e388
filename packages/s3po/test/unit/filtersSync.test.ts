/**
 * Ordered filters through the operations that take them, on the mock: a sync up and down (copies
 * and deletions), a plan, a prefix copy and move; and filters that are no rules refused before
 * any request.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, S3PoMock, Sync } from "s3po"
import { tempDir } from "../utils/fixtures.js"

const tree = ["a.txt", "b.log", "c.jpg", "sub/c.txt", "sub/d.log", "sub/deep/e.txt"]

/** The three command lines, and what aws takes of `tree` with each. */
const examples: ReadonlyArray<readonly [ReadonlyArray<Sync.SyncFilter>, ReadonlyArray<string>]> = [
  [[{ include: "*.txt" }, { exclude: "*" }], []],
  [[{ exclude: "*" }, { include: "*.txt" }], ["a.txt", "sub/c.txt", "sub/deep/e.txt"]],
  [[{ include: "sub/*" }, { exclude: "*.log" }], ["a.txt", "c.jpg", "sub/c.txt", "sub/deep/e.txt"]]
]

const writeTree = (root: string, paths: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    for (const relative of paths) {
      await fs.mkdir(path.dirname(path.join(root, relative)), { recursive: true })
      await fs.writeFile(path.join(root, relative), relative)
    }
  })

const filesBelow = (root: string) =>
  Effect.promise(async () =>
    (await fs.readdir(root, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
      .sort()
  )

const keysBelow = (bucket: string, prefix: string) =>
  Effect.flatMap(S3Po, (s3) =>
    Effect.map(
      Stream.runCollect(s3.listObjects(bucket, { prefix })),
      (entries) => Chunk.toReadonlyArray(entries).flatMap((entry) => entry._tag === "Object" ? [entry.key] : [])
    ))

const seed = (bucket: string, prefix: string, keys: ReadonlyArray<string>) =>
  Effect.flatMap(S3Po, (s3) => Effect.forEach(keys, (key) => s3.upload(bucket, prefix + key, key), { discard: true }))

describe("ordered filters", () => {
  it.scoped("syncUp takes what aws takes for each of the issue's examples", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("upward")
      const root = yield* tempDir
      yield* writeTree(root, tree)
      for (const [index, [filters, taken]] of examples.entries()) {
        const summary = yield* Sync.syncUp(root, { bucket: "upward", prefix: `${index}/` }, { filters })
        assert.strictEqual(summary.copied, taken.length)
        assert.deepStrictEqual(yield* keysBelow("upward", `${index}/`), taken.map((relative) => `${index}/${relative}`))
      }
    }).pipe(Effect.provide(S3PoMock)))

  it.scoped("syncDown takes what aws takes, and deletes only files the filters take", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("down")
      yield* seed("down", "p/", tree)
      for (const [filters, taken] of examples) {
        const root = yield* tempDir
        yield* Sync.syncDown({ bucket: "down", prefix: "p" }, root, { filters })
        assert.deepStrictEqual(yield* filesBelow(root), taken)
      }
      // With --delete, a local file the source lacks goes only if the filters take it.
      const root = yield* tempDir
      yield* writeTree(root, ["stale.txt", "stale.log", "sub/stale.log"])
      const summary = yield* Sync.syncDown({ bucket: "down", prefix: "p/" }, root, {
        delete: true,
        filters: [{ exclude: "*" }, { include: "*.log" }, { exclude: "sub/*" }]
      })
      assert.strictEqual(summary.deleted, 1)
      assert.deepStrictEqual(yield* filesBelow(root), ["b.log", "stale.txt", "sub/stale.log"])
    }).pipe(Effect.provide(S3PoMock)))

  it.scoped("filters come after exclude and include; the plan shows what they take", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("plan")
      const root = yield* tempDir
      yield* writeTree(root, tree)
      const planned = (options: Sync.SyncOptions) =>
        Effect.map(
          Stream.runCollect(Sync.planUp(root, { bucket: "plan" }, options)),
          (actions) => Chunk.toReadonlyArray(actions).map((action) => action.relative)
        )
      // The arrays alone: an include takes back any exclude.
      assert.deepStrictEqual(yield* planned({ exclude: ["*"], include: ["*.txt"] }), [
        "a.txt",
        "sub/c.txt",
        "sub/deep/e.txt"
      ])
      // A filter after them has the last word.
      assert.deepStrictEqual(yield* planned({ exclude: ["*"], include: ["*.txt"], filters: [{ exclude: "sub/*" }] }), [
        "a.txt"
      ])
      assert.deepStrictEqual(yield* planned({ include: ["sub/*"], filters: [{ exclude: "*.log" }] }), [
        "a.txt",
        "c.jpg",
        "sub/c.txt",
        "sub/deep/e.txt"
      ])
    }).pipe(Effect.provide(S3PoMock)))

  it.effect("copyPrefix and movePrefix copy what the filters take, below the source prefix", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("copies")
      yield* seed("copies", "src/", tree)
      const copied = yield* s3.copyPrefix({ bucket: "copies", prefix: "src/" }, { bucket: "copies", prefix: "dst/" }, {
        filters: [{ include: "sub/*" }, { exclude: "*.log" }]
      })
      assert.strictEqual(copied.copied, 4)
      assert.deepStrictEqual(yield* keysBelow("copies", "dst/"), [
        "dst/a.txt",
        "dst/c.jpg",
        "dst/sub/c.txt",
        "dst/sub/deep/e.txt"
      ])
      const moved = yield* s3.movePrefix({ bucket: "copies", prefix: "src/" }, { bucket: "copies", prefix: "moved/" }, {
        filters: [{ exclude: "*" }, { include: "sub/*" }, { exclude: "sub/deep/*" }]
      })
      assert.deepStrictEqual([moved.copied, moved.deleted], [2, 2])
      assert.deepStrictEqual(yield* keysBelow("copies", "moved/"), ["moved/sub/c.txt", "moved/sub/d.log"])
      assert.deepStrictEqual(yield* keysBelow("copies", "src/"), [
        "src/a.txt",
        "src/b.log",
        "src/c.jpg",
        "src/sub/deep/e.txt"
      ])
    }).pipe(Effect.provide(S3PoMock.layer())))

  it.scoped("filters that are no rules fail with ValidationError before any request", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const root = yield* tempDir
      const bad = [{ include: "*.txt" }, { exclude: "[z-a]" }] as const
      const up = yield* Effect.flip(Sync.syncUp(root, { bucket: "absent" }, { filters: bad }))
      assert.strictEqual(up._tag, "ValidationError")
      if (up._tag === "ValidationError") assert.strictEqual(up.field, "filters[1]")
      const both = [{ include: "a", exclude: "b" }] as unknown as ReadonlyArray<Sync.SyncFilter>
      const down = yield* Effect.flip(Sync.syncDown({ bucket: "absent" }, root, { filters: both }))
      assert.strictEqual(down._tag, "ValidationError")
      const copy = yield* Effect.flip(
        s3.copyPrefix({ bucket: "absent", prefix: "a/" }, { bucket: "absent", prefix: "b/" }, { filters: bad })
      )
      assert.strictEqual(copy._tag, "ValidationError")
      assert.deepStrictEqual(yield* Effect.flatMap(S3PoMock.Control, (control) => control.calls), [])
    }).pipe(Effect.provide(S3PoMock.layer())))
})
