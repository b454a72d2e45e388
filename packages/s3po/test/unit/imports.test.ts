import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { promisify } from "node:util"
import * as s3po from "s3po"
import * as S3PoLiveModule from "s3po/S3PoLive"
import * as S3PoMockModule from "s3po/S3PoMock"
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
    // s3po/testing's test runner (an optional peer dependency) is for test files only.
    assert.deepStrictEqual(loaded.filter((module) => /vitest|\/src\/testing\.ts/.test(module)), [])
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

  it("S3PoLive is its module as one value, and still the layer it was", () => {
    assert.strictEqual(s3po.S3PoLive.layer, S3PoLiveModule.layer)
    assert.strictEqual(s3po.S3PoLive.layerConfig, S3PoLiveModule.layerConfig)
    assert.strictEqual(s3po.S3PoLive.layerFromClient, S3PoLiveModule.layerFromClient)
    assert.strictEqual(s3po.S3PoLive.config, S3PoLiveModule.config)
    // The types, through the value's name.
    const options: s3po.S3PoLive.Options = { region: "eu-west-1", idleTimeout: "2 minutes" }
    const clientOptions: s3po.S3PoLive.ClientOptions = { transport: "sdk" satisfies s3po.S3PoLive.Transport }
    const credentials: s3po.S3PoLive.Credentials = { accessKeyId: "id", secretAccessKey: Redacted.make("secret") }
    const old: s3po.LiveOptions = { ...options, credentials }
    assert.deepStrictEqual([old.region, clientOptions.transport], ["eu-west-1", "sdk"])
  })

  it.effect("S3PoMock is its module as one value, and still the plain layer it was", () =>
    Effect.gen(function*() {
      assert.isTrue(Layer.isLayer(s3po.S3PoMock))
      assert.strictEqual(s3po.S3PoMock.layer, s3po.layerMock)
      assert.strictEqual(s3po.S3PoMock.layer, S3PoMockModule.layer)
      assert.strictEqual(s3po.S3PoMock.Control, s3po.S3PoMockControl)
      assert.strictEqual(s3po.S3PoMock.Control, S3PoMockModule.Control)
      assert.strictEqual(s3po.S3PoMock.PendingUploadsLeft, s3po.PendingUploadsLeft)
      // Provided itself (the deprecated form), it serves S3Po over an empty store, without the control.
      const plain = yield* Effect.gen(function*() {
        const s3 = yield* s3po.S3Po
        yield* s3.createBucket("bkt")
        yield* s3.upload("bkt", "k", "v")
        return [yield* s3.downloadString("bkt", "k"), Option.isNone(yield* Effect.serviceOption(s3po.S3PoMock.Control))]
      }).pipe(Effect.provide(s3po.S3PoMock))
      assert.deepStrictEqual(plain, ["v", true])
      // The new form, with its control; the types through the value's name.
      const layer: Layer.Layer<s3po.S3Po | s3po.S3PoMock.Control, s3po.ValidationError> = s3po.S3PoMock.layer()
      assert.isTrue(Layer.isLayer(layer))
      const seed: s3po.S3PoMock.Seed = { bkt: { "a.txt": "hello" } }
      const options: s3po.S3PoMock.Options = { seed, latency: "1 millis" satisfies s3po.S3PoMock.Latency }
      const snapshot = yield* Effect.gen(function*() {
        const control: s3po.S3PoMock.Control.Service = yield* s3po.S3PoMock.Control
        const snapshot: s3po.S3PoMock.Snapshot = yield* control.snapshot
        const calls: ReadonlyArray<s3po.S3PoMock.Call> = yield* control.calls
        const counts: s3po.S3PoMock.CallCounts = yield* control.callCounts
        const pending: ReadonlyArray<s3po.S3PoMock.PendingUpload> = yield* control.pendingUploads
        const object: s3po.S3PoMock.StoredObject | undefined = snapshot.bkt?.["a.txt"]
        return [Object.keys(snapshot.bkt ?? {}), calls.length, counts.total, pending.length, object?.body.length]
      }).pipe(Effect.provide(s3po.S3PoMock.layer(options)))
      assert.deepStrictEqual(snapshot, [["a.txt"], 0, 0, 0, 5])
      // The old names still name the same things.
      const tag: typeof s3po.S3PoMockControl = s3po.S3PoMock.Control
      const oldService: s3po.S3PoMockControl.Service | undefined = undefined
      const oldOptions: s3po.MockOptions = options
      const oldTypes: readonly [
        s3po.MockSeed?,
        s3po.MockSeedContent?,
        s3po.MockSeedObject?,
        s3po.MockSnapshot?,
        s3po.MockObject?,
        s3po.MockPendingUpload?,
        s3po.MockCall?,
        s3po.MockCallCounts?,
        s3po.MockLatency?
      ] = [seed]
      assert.strictEqual(tag.key, "s3po/S3PoMockControl")
      assert.deepStrictEqual([oldService, oldOptions.seed, oldTypes.length], [undefined, seed, 1])
    }))

  it("Fault: every constructor a function; MockFault the same faults under the old names", () => {
    const made: ReadonlyArray<s3po.Fault.Fault> = [
      s3po.Fault.internalError(),
      s3po.Fault.serviceUnavailable(),
      s3po.Fault.noSuchKey(),
      s3po.Fault.accessDenied(),
      s3po.Fault.connectionReset(),
      s3po.Fault.timeout(),
      s3po.Fault.truncatedBody(),
      s3po.Fault.corruptedBody(),
      s3po.Fault.throttled(),
      s3po.Fault.errorResponse({ status: 500, code: "InternalError" })
    ]
    assert.deepStrictEqual(made.map((fault) => fault._tag), [
      "ErrorResponse",
      "ErrorResponse",
      "ErrorResponse",
      "ErrorResponse",
      "ConnectionReset",
      "Timeout",
      "TruncatedBody",
      "CorruptedBody",
      "ErrorResponse",
      "ErrorResponse"
    ])
    assert.deepStrictEqual(s3po.MockFault.internalError, s3po.Fault.internalError())
    assert.deepStrictEqual(s3po.MockFault.serviceUnavailable, s3po.Fault.serviceUnavailable())
    assert.deepStrictEqual(s3po.MockFault.noSuchKey, s3po.Fault.noSuchKey())
    assert.deepStrictEqual(s3po.MockFault.accessDenied, s3po.Fault.accessDenied())
    assert.deepStrictEqual(s3po.MockFault.connectionReset, s3po.Fault.connectionReset())
    assert.deepStrictEqual(s3po.MockFault.timeout, s3po.Fault.timeout())
    assert.deepStrictEqual(s3po.MockFault.truncatedBody, s3po.Fault.truncatedBody())
    assert.strictEqual(s3po.MockFault.throttled, s3po.Fault.throttled)
    assert.strictEqual(s3po.MockFault.errorResponse, s3po.Fault.errorResponse)
    assert.strictEqual(s3po.MockFault.corruptedBody, s3po.Fault.corruptedBody)
    const rule: s3po.Fault.Rule = {
      fault: s3po.Fault.throttled({ retryAfter: "1 second" }),
      match: (request: s3po.Fault.Request) => request.attempt === 1
    }
    const oldRule: s3po.MockFault.FaultRule = rule
    const oldRequest: s3po.MockFault.MockRequest = { operation: "GetObject", bucket: "b", attempt: 1 }
    const oldFault: s3po.MockFault.Fault = oldRule.fault
    assert.isTrue(oldRule.match?.(oldRequest))
    assert.strictEqual(oldFault._tag, "ErrorResponse")
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
  it.scoped("uploadFile and downloadFile on S3PoMock use a FileSystem given through LocalFiles.layerFileSystem", () =>
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
      }).pipe(
        Effect.provide(
          s3po.S3PoMock.pipe(
            Layer.provide(s3po.LocalFiles.layerFileSystem),
            Layer.provide(Layer.succeed(FileSystem.FileSystem, rooted)),
            Layer.provide(NodePath.layer)
          )
        )
      )
      assert.strictEqual(
        yield* Effect.promise(() => fs.readFile(path.join(dir, "out.txt"), "utf8")),
        "from the provided file system"
      )
      assert.includeMembers(asked, ["in.txt", "out.txt"])
    }))
})
