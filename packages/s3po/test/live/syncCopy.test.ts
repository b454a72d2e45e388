import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { S3Po, Sync } from "s3po"
import { bytesEqual, freshBucket, randomBody } from "../utils/fixtures.js"
import { liveLayer } from "../utils/live.js"

const MiB = 1024 * 1024

const keysOf = (s3: S3Po.Service, bucket: string) =>
  Effect.map(Stream.runCollect(s3.list(bucket)), Chunk.toReadonlyArray)

layer(liveLayer(), { timeout: "120 seconds", excludeTestServices: true })("Sync.syncCopy on S3PoLive", (it) => {
  it.effect("copies server-side what differs by aws's rule, deletes within the filters, and the copies read back", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const source = yield* freshBucket("sync-copy-src")
      const destination = yield* freshBucket("sync-copy-dst")
      const large = randomBody(12 * MiB)
      yield* s3.upload(source, "p/large.bin", large, { partSize: 5 * MiB })
      yield* s3.upload(source, "p/a.txt", "alpha", { contentType: "text/plain" })
      yield* s3.upload(source, "p/sub/c.log", "log")
      yield* s3.upload(destination, "q/extra.txt", "extra")
      yield* s3.upload(destination, "q/keep.log", "kept")
      const from = { bucket: source, prefix: "p" }
      const to = { bucket: destination, prefix: "q/" }

      const first = yield* Sync.syncCopy(from, to)
      assert.deepStrictEqual([first.copied, first.copiedBytes, first.failed.length], [3, large.length + 8, 0])
      assert.isTrue(bytesEqual(yield* s3.download(destination, "q/large.bin"), large))
      assert.strictEqual((yield* s3.head(destination, "q/a.txt")).contentType, "text/plain")

      const second = yield* Sync.syncCopy(from, to)
      assert.deepStrictEqual([second.copied, second.skipped], [0, 3])

      // RGW keeps times to the second: a rewrite a second later is newer than its copy.
      yield* Effect.sleep("1100 millis")
      yield* s3.upload(source, "p/a.txt", "ALPHA")
      const plan = Chunk.toReadonlyArray(yield* Stream.runCollect(Sync.planCopy(from, to, { delete: true })))
      assert.deepStrictEqual(plan.map((action) => `${action._tag} ${action.relative}`), [
        "Copy a.txt",
        "DeleteObject extra.txt",
        "DeleteObject keep.log",
        "Skip large.bin",
        "Skip sub/c.log"
      ])
      const third = yield* Sync.syncCopy(from, to, { delete: true, filters: [{ exclude: "*.log" }] })
      assert.deepStrictEqual([third.copied, third.deleted, third.skipped], [1, 1, 1])
      assert.strictEqual(yield* s3.downloadString(destination, "q/a.txt"), "ALPHA")
      assert.deepStrictEqual(yield* keysOf(s3, destination), ["q/a.txt", "q/keep.log", "q/large.bin", "q/sub/c.log"])
      yield* s3.emptyBucket(source)
      yield* s3.emptyBucket(destination)
      yield* s3.deleteBucket(source)
      yield* s3.deleteBucket(destination)
    }))
})
