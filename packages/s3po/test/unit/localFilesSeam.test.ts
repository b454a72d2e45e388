import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { existsSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Fault, LocalFiles, S3Po, S3PoMock, Sync } from "s3po"
import { tempDir } from "../utils/fixtures.js"

const decoder = new TextDecoder()
const textOf = (files: ReadonlyMap<string, Uint8Array>): Record<string, string> =>
  Object.fromEntries(Array.from(files, ([path, bytes]) => [path, decoder.decode(bytes)]))

/** A root no disk of this machine has: what is found there was found in memory. */
const root = `/s3po-memory-${process.pid}`

const keysOf = (bucket: string, prefix = "") =>
  Effect.flatMap(S3Po, (s3) => Effect.map(Stream.runCollect(s3.list(bucket, { prefix })), Chunk.toArray))

describe("LocalFiles: uploadFile, downloadFile and Sync reach files only through it", () => {
  it.effect("a sync up from an in-memory folder and down into another: the same files, and no disk touched", () =>
    Effect.gen(function*() {
      const files = yield* LocalFiles.makeMemory({
        [`${root}/site/index.html`]: "<h1>hello</h1>",
        [`${root}/site/css/main.css`]: "body {}",
        [`${root}/site/a-b.txt`]: "dash",
        [`${root}/site/a/z.txt`]: "below a/"
      })
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("memory-sync")
        const up = yield* Sync.syncUp(`${root}/site`, { bucket: "memory-sync", prefix: "v1/" })
        assert.strictEqual(up.copied, 4)
        // In key order: `a-b.txt` before `a/`, as S3 lists them.
        assert.deepStrictEqual(yield* keysOf("memory-sync", "v1/"), [
          "v1/a-b.txt",
          "v1/a/z.txt",
          "v1/css/main.css",
          "v1/index.html"
        ])
        const down = yield* Sync.syncDown({ bucket: "memory-sync", prefix: "v1/" }, `${root}/copy`)
        assert.strictEqual(down.copied, 4)
        // Nothing is left to do the second time, judged by the in-memory files' sizes and times.
        const again = yield* Sync.syncUp(`${root}/site`, { bucket: "memory-sync", prefix: "v1/" })
        assert.deepStrictEqual([again.copied, again.skipped], [0, 4])
      }).pipe(Effect.provide(S3PoMock.layer()), Effect.provideService(LocalFiles.LocalFiles, files))
      const copied = Object.entries(textOf(yield* files.snapshot)).filter(([path]) => path.startsWith(`${root}/copy/`))
      assert.deepStrictEqual(Object.fromEntries(copied), {
        [`${root}/copy/a-b.txt`]: "dash",
        [`${root}/copy/a/z.txt`]: "below a/",
        [`${root}/copy/css/main.css`]: "body {}",
        [`${root}/copy/index.html`]: "<h1>hello</h1>"
      })
      assert.isFalse(existsSync(root))
    }))

  it.effect("files given to the layer are used by its calls; files in the call's context come first", () =>
    Effect.gen(function*() {
      const layerFiles = yield* LocalFiles.makeMemory({ [`${root}/in.txt`]: "the layer's" })
      const callFiles = yield* LocalFiles.makeMemory({ [`${root}/in.txt`]: "the call's" })
      const store = S3PoMock.layer({ seed: { bucket: {} } }).pipe(
        Layer.provide(Layer.succeed(LocalFiles.LocalFiles, layerFiles))
      )
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.uploadFile("bucket", "from-layer", `${root}/in.txt`)
        yield* s3.uploadFile("bucket", "from-call", `${root}/in.txt`).pipe(
          Effect.provideService(LocalFiles.LocalFiles, callFiles)
        )
        assert.strictEqual(yield* s3.downloadString("bucket", "from-layer"), "the layer's")
        assert.strictEqual(yield* s3.downloadString("bucket", "from-call"), "the call's")
        yield* s3.downloadFile("bucket", "from-call", `${root}/out.txt`)
        // A handle's sync runs on the layer's files too.
        const summary = yield* s3.bucket("bucket").syncDown(`${root}/all`)
        assert.strictEqual(summary.copied, 2)
      }).pipe(Effect.provide(store))
      const layerSide = textOf(yield* layerFiles.snapshot)
      assert.strictEqual(layerSide[`${root}/out.txt`], "the call's")
      assert.strictEqual(layerSide[`${root}/all/from-layer`], "the layer's")
      assert.strictEqual(textOf(yield* callFiles.snapshot)[`${root}/out.txt`], undefined)
      assert.isFalse(existsSync(root))
    }))

  // Live clock: the download reads again, after the retry policy's pause, before it gives up.
  it.live("a download that fails leaves nothing behind in memory: no file, no partial file", () =>
    Effect.gen(function*() {
      const files = yield* LocalFiles.makeMemory({ [`${root}/keep.txt`]: "old" })
      const result = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        return yield* Effect.either(s3.downloadFile("bucket", "key", `${root}/keep.txt`))
      }).pipe(
        Effect.provide(S3PoMock.layer({
          seed: { bucket: { key: "new content" } },
          faults: [{ operation: "GetObject", fault: Fault.corruptedBody() }]
        })),
        Effect.provideService(LocalFiles.LocalFiles, files)
      )
      assert.isTrue(Either.isLeft(result))
      assert.deepStrictEqual(textOf(yield* files.snapshot), { [`${root}/keep.txt`]: "old" })
    }))

  it.effect("a missing file and a folder are refused by uploadFile with a LocalFileError, before any request", () =>
    Effect.gen(function*() {
      const files = yield* LocalFiles.makeMemory({ [`${root}/folder/file.txt`]: "x" })
      const [missing, folder] = yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        return yield* Effect.all([
          Effect.flip(s3.uploadFile("bucket", "k", `${root}/nothing.txt`)),
          Effect.flip(s3.uploadFile("bucket", "k", `${root}/folder`))
        ])
      }).pipe(
        Effect.provide(S3PoMock.layer({ seed: { bucket: {} } })),
        Effect.provideService(LocalFiles.LocalFiles, files)
      )
      assert.strictEqual(missing._tag, "LocalFileError")
      assert.include(missing.message, "no such file")
      assert.strictEqual(folder._tag, "LocalFileError")
      assert.include(folder.message, "is not a file")
    }))

  it.scopedLive("Node's writeAtomically, one effect run twice at once: each run its own partial file, both complete", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const destination = path.join(dir, "twice.txt")
      const release = yield* Deferred.make<void>()
      const body = Stream.concat(
        Stream.make(new TextEncoder().encode("one ")),
        Stream.fromEffect(Effect.as(Deferred.await(release), new TextEncoder().encode("body")))
      )
      const write = LocalFiles.nodeFiles.writeAtomically(destination, body)
      const first = yield* Effect.fork(write)
      const second = yield* Effect.fork(write)
      yield* Effect.sleep("50 millis")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(destination, "utf8")), "one body")
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), ["twice.txt"])
    }))
})
