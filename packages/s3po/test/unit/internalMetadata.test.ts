/**
 * s3po's own metadata on the mock's controls: the snapshot shows none, a restored snapshot is still
 * read and checked, a seed cannot carry it, and metadata under s3po's names makes no request.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { layerMock, S3Po, S3PoMockControl } from "s3po"
import { partSizeMetadataKey } from "../../src/internal/core/checksums.js"
import { internalNames, userInfo, userMetadata, writeIdName } from "../../src/internal/core/internalMetadata.js"
import { bytesEqual, md5ETag, randomBody, tagOf } from "../utils/fixtures.js"

const MiB = 1024 * 1024

describe("s3po's own metadata", () => {
  it("is every name under s3po-, in any case, and nothing else", () => {
    assert.deepStrictEqual(internalNames, ["s3po-write-id", "s3po-part-size"])
    const metadata: Record<string, string> = {
      owner: "r2",
      "S3PO-Write-Id": "1",
      [partSizeMetadataKey]: "5242880",
      "s3po-later": "x",
      s3po: "y"
    }
    assert.deepStrictEqual(userMetadata(metadata), { owner: "r2", s3po: "y" })
    const plain = { owner: "r2" }
    assert.strictEqual(userMetadata(plain), plain)
    const info = { key: "k", size: 1, etag: "\"e\"", lastModified: new Date(0), contentType: "text/plain", metadata }
    assert.deepStrictEqual(userInfo(info), { ...info, metadata: { owner: "r2", s3po: "y" } })
  })

  it.live("the mock's snapshot shows none; restored, the objects are read and checked all the same", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMockControl
      const parted = randomBody(11 * MiB)
      yield* s3.upload("bkt", "parted", Stream.make(parted), {
        partSize: 5 * MiB,
        multipartThreshold: 5 * MiB,
        metadata: { owner: "r2" }
      })
      yield* s3.upload("bkt", "conditional", "once", { ifNoneMatch: "*", metadata: { owner: "r2" } })

      const snapshot = yield* control.snapshot
      assert.deepStrictEqual(snapshot["bkt"]!["parted"]!.metadata, { owner: "r2" })
      assert.deepStrictEqual(snapshot["bkt"]!["conditional"]!.metadata, { owner: "r2" })
      for (const [key, object] of Object.entries(snapshot["bkt"]!)) {
        assert.notInclude(JSON.stringify({ ...object, body: undefined }), "s3po-", key)
      }

      yield* control.restore(snapshot)
      // A restored object's ETag is its body's MD5, which a read checks it by: no record needed.
      const restored = yield* s3.head("bkt", "parted")
      assert.strictEqual(restored.etag, md5ETag(parted))
      assert.deepStrictEqual(restored.metadata, { owner: "r2" })
      assert.isTrue(bytesEqual(yield* s3.download("bkt", "parted", { verify: true }), parted))
      assert.strictEqual(yield* s3.downloadString("bkt", "conditional"), "once")
    }).pipe(Effect.provide(layerMock({ seed: { bkt: {} } }))))

  it.effect("a seed or a restore under s3po's names is refused", () =>
    Effect.gen(function*() {
      const control = yield* S3PoMockControl
      const seed = { bkt: { k: { body: "x", metadata: { [writeIdName]: "0123456789abcdef" } } } }
      assert.strictEqual(yield* tagOf(control.restore(seed)), "ValidationError")
      assert.strictEqual(yield* tagOf(Effect.provide(S3Po, layerMock({ seed }))), "ValidationError")
    }).pipe(Effect.provide(layerMock())))

  it.effect("metadata under s3po's names makes no request: the call log stays empty", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMockControl
      const error = yield* Effect.flip(s3.upload("bkt", "k", "x", { metadata: { "s3po-part-size": "1" } }))
      assert.strictEqual(error._tag, "ValidationError")
      assert.include(error.message, "s3po-part-size")
      assert.deepStrictEqual(yield* control.calls, [])
    }).pipe(Effect.provide(layerMock({ seed: { bkt: {} } }))))
})
