import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type ListEntry, S3Po, S3PoMock, Sync } from "s3po"
import { syncSuite } from "../contract/sync.js"
import { tempDir } from "../utils/fixtures.js"

syncSuite("S3PoMock sync", S3PoMock)

describe("Sync over a listing out of key order", () => {
  it.scoped("fails with UnorderedListing and deletes nothing", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("unordered")
      yield* s3.upload("unordered", "b.txt", "b")
      yield* s3.upload("unordered", "a.txt", "a")
      const root = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(root, "a.txt"), "a"))
      // A server that lists `b.txt` before `a.txt`, as S3 Express directory buckets may.
      const disordered = Layer.succeed(S3Po, {
        ...s3,
        listObjects: (bucket, options) =>
          Stream.flatMap(
            Stream.runCollect(s3.listObjects(bucket, options)),
            (entries) => Stream.fromIterable<ListEntry>([...entries].reverse())
          )
      })
      const error = yield* Effect.flip(
        Effect.provide(Sync.syncUp(root, { bucket: "unordered" }, { delete: true }), disordered)
      )
      assert.strictEqual(error._tag, "S3ServiceError")
      if (error._tag === "S3ServiceError") assert.strictEqual(error.code, "UnorderedListing")
      assert.isTrue(yield* s3.exists("unordered", "b.txt"))
    }).pipe(Effect.provide(S3PoMock)))
})
