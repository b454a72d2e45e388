import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { Fault, layerMock, S3Po, S3PoMockControl, Sync, ValidationError } from "s3po"

const keysOf = (bucket: string, prefix = "") =>
  Effect.flatMap(S3Po, (s3) => Effect.map(Stream.runCollect(s3.list(bucket, { prefix })), Chunk.toReadonlyArray))

const read = (bucket: string, key: string) => Effect.flatMap(S3Po, (s3) => s3.downloadString(bucket, key))

const write = (bucket: string, key: string, body: string) => Effect.flatMap(S3Po, (s3) => s3.upload(bucket, key, body))

const seeded = layerMock({
  seed: {
    src: { "p/a.txt": "alpha", "p/sub/b.txt": "beta", "p/sub/c.log": "log", "p2/other": "x", "outside": "o" },
    dst: { "q/extra.txt": "extra", "q/keep.log": "kept" }
  }
})

const source = { bucket: "src", prefix: "p" }
const destination = { bucket: "dst", prefix: "q/" }

describe("Sync.syncCopy between two prefixes", () => {
  it.effect("copies what the destination lacks, then nothing the second time; `p` holds p/..., not p2/...", () =>
    Effect.gen(function*() {
      const first = yield* Sync.syncCopy(source, destination)
      assert.deepStrictEqual({ ...first, failed: first.failed.length }, {
        copied: 3,
        copiedBytes: 12,
        skipped: 0,
        deleted: 0,
        failed: 0,
        dryRun: false
      })
      assert.deepStrictEqual(yield* keysOf("dst"), [
        "q/a.txt",
        "q/extra.txt",
        "q/keep.log",
        "q/sub/b.txt",
        "q/sub/c.log"
      ])
      assert.strictEqual(yield* read("dst", "q/sub/b.txt"), "beta")
      const second = yield* Sync.syncCopy(source, destination)
      assert.deepStrictEqual([second.copied, second.skipped, second.deleted], [0, 3, 0])
    }).pipe(Effect.provide(seeded)))

  it.effect("by size and time as aws decides between buckets: a newer source is copied, a newer destination kept", () =>
    Effect.gen(function*() {
      yield* Sync.syncCopy(source, destination)
      yield* TestClock.adjust("2 seconds")
      // Same size, newer in the source: copied.
      yield* write("src", "p/a.txt", "ALPHA")
      // Same size, newer in the destination: kept, whatever it holds.
      yield* write("dst", "q/sub/b.txt", "BETA")
      const actions: Array<string> = []
      const summary = yield* Sync.syncCopy(source, destination, {
        onAction: (action) => Effect.sync(() => actions.push(`${action._tag} ${action.relative}`))
      })
      assert.deepStrictEqual(actions.sort(), ["Copy a.txt", "Skip sub/b.txt", "Skip sub/c.log"])
      assert.strictEqual(summary.copied, 1)
      assert.strictEqual(yield* read("dst", "q/a.txt"), "ALPHA")
      assert.strictEqual(yield* read("dst", "q/sub/b.txt"), "BETA")
      // By ETag, the destination's other bytes are seen; by size only, nothing is.
      const bySize = yield* Sync.syncCopy(source, destination, { compare: "size-only" })
      assert.deepStrictEqual([bySize.copied, bySize.skipped], [0, 3])
      const byETag = yield* Sync.syncCopy(source, destination, { compare: "etag" })
      assert.deepStrictEqual([byETag.copied, byETag.skipped], [1, 2])
      assert.strictEqual(yield* read("dst", "q/sub/b.txt"), "beta")
      const everything = yield* Sync.syncCopy(source, destination, { compare: "none" })
      assert.strictEqual(everything.copied, 3)
    }).pipe(Effect.provide(seeded)))

  it.effect("with delete, removes what the source lacks, except what the filters leave out on both sides", () =>
    Effect.gen(function*() {
      const summary = yield* Sync.syncCopy(source, destination, { delete: true, filters: [{ exclude: "*.log" }] })
      assert.deepStrictEqual([summary.copied, summary.deleted], [2, 1])
      assert.deepStrictEqual(yield* keysOf("dst"), ["q/a.txt", "q/keep.log", "q/sub/b.txt"])
      // The last matching rule wins: an include before an exclude of everything takes nothing.
      const none = yield* Sync.syncCopy(source, destination, {
        delete: true,
        compare: "none",
        filters: [{ include: "*.txt" }, { exclude: "*" }]
      })
      assert.deepStrictEqual([none.copied, none.deleted, none.skipped], [0, 0, 0])
      const logsOnly = yield* Sync.syncCopy(source, destination, {
        delete: true,
        filters: [{ exclude: "*" }, { include: "*.log" }]
      })
      assert.deepStrictEqual([logsOnly.copied, logsOnly.deleted], [1, 1])
      assert.deepStrictEqual(yield* keysOf("dst"), ["q/a.txt", "q/sub/b.txt", "q/sub/c.log"])
    }).pipe(Effect.provide(seeded)))

  it.effect("a dry run reports the plan and changes nothing; planCopy streams it in key order", () =>
    Effect.gen(function*() {
      const reported: Array<string> = []
      const summary = yield* Sync.syncCopy(source, destination, {
        delete: true,
        dryRun: true,
        onAction: (action, error) =>
          Effect.sync(() => reported.push(`${action._tag} ${action.relative}${error === undefined ? "" : " failed"}`))
      })
      assert.deepStrictEqual({ ...summary, failed: summary.failed.length }, {
        copied: 3,
        copiedBytes: 12,
        skipped: 0,
        deleted: 2,
        failed: 0,
        dryRun: true
      })
      assert.sameMembers(reported, [
        "Copy a.txt",
        "DeleteObject extra.txt",
        "DeleteObject keep.log",
        "Copy sub/b.txt",
        "Copy sub/c.log"
      ])
      assert.deepStrictEqual(yield* keysOf("dst"), ["q/extra.txt", "q/keep.log"])
      const plan = Chunk.toReadonlyArray(yield* Stream.runCollect(Sync.planCopy(source, destination, { delete: true })))
      assert.deepStrictEqual(plan.map((action) => action.relative), [
        "a.txt",
        "extra.txt",
        "keep.log",
        "sub/b.txt",
        "sub/c.log"
      ])
      assert.deepStrictEqual(plan[0], {
        _tag: "Copy",
        relative: "a.txt",
        from: { bucket: "src", key: "p/a.txt" },
        to: { bucket: "dst", key: "q/a.txt" },
        size: 5
      })
      assert.deepStrictEqual(plan[1], {
        _tag: "DeleteObject",
        relative: "extra.txt",
        to: { bucket: "dst", key: "q/extra.txt" }
      })
    }).pipe(Effect.provide(seeded)))

  it.effect("a failed copy or deletion is reported alone; the others go on", () =>
    Effect.gen(function*() {
      const control = yield* S3PoMockControl
      yield* control.addFault({ operation: "CopyObject", key: "q/sub/b.txt", fault: Fault.accessDenied() })
      yield* control.addFault({ operation: "DeleteObjects", fault: Fault.accessDenied() })
      const summary = yield* Sync.syncCopy(source, destination, { delete: true })
      assert.deepStrictEqual([summary.copied, summary.deleted], [2, 0])
      assert.deepStrictEqual(
        summary.failed.map(({ action, error }) => `${action._tag} ${action.relative} ${error._tag}`).sort(),
        ["Copy sub/b.txt AccessDenied", "DeleteObject extra.txt AccessDenied", "DeleteObject keep.log AccessDenied"]
      )
      assert.deepStrictEqual(yield* keysOf("dst"), ["q/a.txt", "q/extra.txt", "q/keep.log", "q/sub/c.log"])
    }).pipe(Effect.provide(seeded)))

  it.effect("keeps the source's attributes unless given, and gives those given to every copy", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.upload("src", "p/page.html", "<p>", { contentType: "text/html", metadata: { owner: "me" } })
      yield* Sync.syncCopy(source, destination, { filters: [{ exclude: "*" }, { include: "*.html" }] })
      const kept = yield* s3.head("dst", "q/page.html")
      assert.deepStrictEqual([kept.contentType, kept.metadata], ["text/html", { owner: "me" }])
      yield* Sync.syncCopy(source, { bucket: "dst", prefix: "r" }, { storageClass: "STANDARD_IA", compare: "none" })
      assert.strictEqual((yield* s3.head("dst", "r/a.txt")).storageClass, "STANDARD_IA")
    }).pipe(Effect.provide(seeded)))

  it.effect("refuses, before any request, prefixes of one bucket that hold each other's keys, and bad options", () =>
    Effect.gen(function*() {
      const control = yield* S3PoMockControl
      yield* control.clearCalls
      const problems = yield* Effect.all([
        Effect.flip(Sync.syncCopy({ bucket: "src", prefix: "p/" }, { bucket: "src", prefix: "p/sub" })),
        Effect.flip(Sync.syncCopy({ bucket: "src", prefix: "p" }, { bucket: "src", prefix: "p/" })),
        Effect.flip(Sync.syncCopy({ bucket: "src" }, { bucket: "src", prefix: "x/" })),
        Effect.flip(Sync.syncCopy(source, destination, { compare: "mtime" as never })),
        Effect.flip(Sync.syncCopy(source, destination, { filters: [{ exclude: "[z-a]" }] })),
        Effect.flip(Sync.syncCopy(source, destination, { concurrency: 0 })),
        Effect.flip(Stream.runDrain(Sync.planCopy(source, { bucket: "" })))
      ])
      for (const problem of problems) assert.isTrue(problem instanceof ValidationError, problem._tag)
      assert.deepStrictEqual(problems.map((problem) => (problem as ValidationError).field), [
        "destination",
        "destination",
        "destination",
        "compare",
        "filters[0]",
        "concurrency",
        "bucket"
      ])
      assert.strictEqual((yield* control.calls).length, 0)
      // Other prefixes of one bucket are fine.
      const sideBySide = yield* Sync.syncCopy({ bucket: "src", prefix: "p/sub" }, { bucket: "src", prefix: "p2" })
      assert.strictEqual(sideBySide.copied, 2)
    }).pipe(Effect.provide(seeded)))
})
