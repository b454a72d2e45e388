import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { S3Po, S3PoMock } from "s3po"
import { flakyServer, interruptedDownloads, lostResponses, mockLayer, strandingFaults, throttling } from "s3po/testing"

const run = <A, E>(effect: Effect.Effect<A, E, S3Po | S3PoMock.Control>, layer: ReturnType<typeof mockLayer>) =>
  Effect.provide(effect, layer)

describe("s3po/testing's mock layer and fault presets", () => {
  it.effect("mockLayer starts from its seed, with the mock's Control beside it", () =>
    run(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        assert.strictEqual(yield* s3.downloadString("photos", "index.json"), "[]")
        assert.isTrue(yield* s3.exists("photos", "cat.jpg"))
        const control = yield* S3PoMock.Control
        assert.strictEqual((yield* control.callCounts).total, 2)
      }),
      mockLayer({ photos: { "cat.jpg": new Uint8Array([0xff, 0xd8]), "index.json": "[]" } })
    ))

  it.effect("flakyServer(1) answers every request 503 ServiceUnavailable; throttling(1) 503 SlowDown", () =>
    Effect.gen(function*() {
      const flaky = yield* run(
        Effect.flip(Effect.flatMap(S3Po, (s3) => s3.upload("bucket", "k", "v"))),
        mockLayer({ bucket: {} }, { faults: flakyServer(1), retry: "off" })
      )
      assert.deepInclude(flaky, { _tag: "S3ServiceError", status: 503, code: "ServiceUnavailable" })
      const throttled = yield* run(
        Effect.flip(Effect.flatMap(S3Po, (s3) => s3.upload("bucket", "k", "v"))),
        mockLayer({ bucket: {} }, { faults: throttling(1), retry: "off" })
      )
      assert.strictEqual(throttled._tag, "Throttled")
    }))

  it.effect("lostResponses(1): a write takes effect though its answer is lost; reads are untouched", () =>
    run(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const lost = yield* Effect.flip(s3.upload("bucket", "k", "stored"))
        assert.strictEqual(lost._tag, "TransportError")
        assert.strictEqual(yield* s3.downloadString("bucket", "k"), "stored")
      }),
      mockLayer({ bucket: {} }, { faults: lostResponses(1), retry: "off" })
    ))

  it.effect("interruptedDownloads(1): every GetObject body ends short, and the download fails", () =>
    run(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const failed = yield* Effect.flip(s3.download("bucket", "big.bin"))
        assert.strictEqual(failed._tag, "TransportError")
        assert.isTrue(yield* s3.exists("bucket", "big.bin"))
      }),
      mockLayer({ bucket: { "big.bin": new Uint8Array(1024) } }, { faults: interruptedDownloads(1), retry: "off" })
    ))

  it("strandingFaults deny parts under stuck/ and the first two aborts", () => {
    assert.deepStrictEqual(strandingFaults.map((rule) => [rule.operation, rule.times]), [
      ["UploadPart", undefined],
      ["AbortMultipartUpload", 2]
    ])
  })
})
