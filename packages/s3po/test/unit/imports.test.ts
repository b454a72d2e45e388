import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { promisify } from "node:util"
import * as s3po from "s3po"
import * as S3PoLiveModule from "s3po/S3PoLive"
import { tempDir } from "../utils/fixtures.js"

const run = promisify(execFile)

describe("what importing s3po costs", () => {
  it("importing s3po evaluates no module of the AWS SDK or of undici", async () => {
    const script = path.join(import.meta.dirname, "..", "utils", "importedModules.ts")
    const { stdout } = await run(process.execPath, ["--import", "tsx", script, "s3po"], {
      cwd: path.join(import.meta.dirname, "..", ".."),
      maxBuffer: 64 * 1024 * 1024
    })
    const { commonJs, resolved } = JSON.parse(stdout) as {
      readonly resolved: ReadonlyArray<string>
      readonly commonJs: ReadonlyArray<string>
    }
    const loaded = [...resolved, ...commonJs]
    assert.isTrue(loaded.some((module) => module.includes("/src/S3PoLive.ts")), "S3PoLive.ts itself is loaded")
    assert.deepStrictEqual(loaded.filter((module) => /@aws-sdk|@smithy|undici|live\/layer\.ts/.test(module)), [])
  }, 60_000)
})

describe("names", () => {
  it("today's layer names still resolve, as the deprecated aliases of the S3PoLive module's", () => {
    assert.strictEqual(s3po.layerLive, S3PoLiveModule.layer)
    assert.strictEqual(s3po.layerLiveFromClient, S3PoLiveModule.layerFromClient)
    assert.strictEqual(s3po.layerLiveConfig, S3PoLiveModule.layerConfig)
    assert.strictEqual(s3po.liveConfig, S3PoLiveModule.config)
    assert.strictEqual(s3po.S3PoLive, S3PoLiveModule.S3PoLive)
    assert.isTrue(Layer.isLayer(s3po.S3PoLive))
  })

  it("isS3PoError tells s3po's errors from others", () => {
    assert.isTrue(s3po.isS3PoError(new s3po.NoSuchKey({ operation: "GetObject", bucket: "b", key: "k" })))
    assert.isTrue(s3po.isS3PoError(new s3po.ValidationError({ operation: "upload", field: "key", reason: "empty" })))
    assert.isFalse(s3po.isS3PoError(new Error("not ours")))
    assert.isFalse(s3po.isS3PoError(new s3po.PendingUploadsLeft({ uploads: [] })))
    assert.isFalse(s3po.isS3PoError(undefined))
  })
})

describe("the file system", () => {
  it.scoped("uploadFile and downloadFile on S3PoMock use the FileSystem that the context provides", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const node = yield* Effect.provide(FileSystem.FileSystem, NodeFileSystem.layer)
      // Paths are taken relative to `dir`: a path that only this file system knows.
      const asked: Array<string> = []
      const at = (file: string) => {
        asked.push(file)
        return path.join(dir, file)
      }
      const rooted = FileSystem.makeNoop({
        stat: (file) => node.stat(at(file)),
        readFile: (file) => node.readFile(at(file)),
        open: (file, options) => node.open(at(file), options),
        sink: (file, options) => node.sink(at(file), options),
        rename: (from, to) => node.rename(at(from), at(to)),
        remove: (file, options) => node.remove(at(file), options)
      })
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "in.txt"), "from the provided file system"))
      yield* Effect.gen(function*() {
        const s3 = yield* s3po.S3Po
        yield* s3.createBucket("bkt")
        yield* s3.uploadFile("bkt", "k", "in.txt")
        yield* s3.downloadFile("bkt", "k", "out.txt")
      }).pipe(Effect.provide(s3po.S3PoMock.pipe(Layer.provide(Layer.succeed(FileSystem.FileSystem, rooted)))))
      assert.strictEqual(
        yield* Effect.promise(() => fs.readFile(path.join(dir, "out.txt"), "utf8")),
        "from the provided file system"
      )
      assert.includeMembers(asked, ["in.txt", "out.txt"])
    }))
})
