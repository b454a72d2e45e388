/** Content types from file extensions against the real server: what it stores is what a GET serves. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, Sync } from "s3po"
import { tempDir, uniqueBucket } from "../utils/fixtures.js"
import { liveLayer } from "../utils/live.js"

const files: Record<string, string> = {
  "index.html": "text/html",
  "app.js": "text/javascript",
  "module.wasm": "application/wasm",
  "README": "application/octet-stream"
}

describe("S3PoLive content types", () => {
  it.scoped("uploadFile and syncUp store each file's type; a contentType given wins", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("content-types")
      yield* s3.createBucket(bucket)
      yield* Effect.addFinalizer(() => Effect.ignore(Effect.zipRight(s3.emptyBucket(bucket), s3.deleteBucket(bucket))))
      const dir = yield* tempDir
      for (const name of Object.keys(files)) {
        yield* Effect.promise(() => fs.writeFile(path.join(dir, name), name))
      }
      yield* s3.uploadFile(bucket, "one/index.html", path.join(dir, "index.html"))
      yield* s3.uploadFile(bucket, "one/given.js", path.join(dir, "app.js"), { contentType: "application/javascript" })
      yield* Sync.syncUp(dir, { bucket, prefix: "sync/" })
      assert.strictEqual((yield* s3.head(bucket, "one/index.html")).contentType, "text/html")
      assert.strictEqual((yield* s3.head(bucket, "one/given.js")).contentType, "application/javascript")
      for (const [name, type] of Object.entries(files)) {
        assert.strictEqual((yield* s3.head(bucket, `sync/${name}`)).contentType, type, name)
      }
    }).pipe(Effect.provide(liveLayer())), 60_000)
})
