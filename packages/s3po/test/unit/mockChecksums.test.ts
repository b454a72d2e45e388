import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { type Checksum, type ChecksumAlgorithm, layerMock, MockFault, S3Po, S3PoMockControl } from "s3po"
import type { Backend } from "../../src/internal/core/backend.js"
import * as FaultInjection from "../../src/internal/core/faultInjection.js"
import * as MockBackend from "../../src/internal/mock/backend.js"
import type * as ChecksumRules from "../../src/internal/mock/checksumRules.js"
import { bytesEqual, randomBody } from "../utils/fixtures.js"

const MiB = 1024 * 1024

// Checksums computed here, bit by bit from the polynomials, apart from s3po's own code.

/** A reflected CRC of up to 64 bits (initial value and final XOR all ones), as two 32-bit halves for speed. */
const referenceCrc = (poly: bigint, bits: 32 | 64) => {
  const high = new Uint32Array(256)
  const low = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n)
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n
    high[n] = Number(c >> 32n)
    low[n] = Number(c & 0xffffffffn)
  }
  return (bytes: Uint8Array): Uint8Array => {
    let hi = bits === 64 ? 0xffffffff : 0
    let lo = 0xffffffff
    for (const byte of bytes) {
      const index = (lo ^ byte) & 0xff
      lo = ((lo >>> 8) | (hi << 24)) ^ low[index]!
      hi = (hi >>> 8) ^ high[index]!
    }
    const digest = new DataView(new ArrayBuffer(bits / 8))
    if (bits === 64) {
      digest.setUint32(0, ~hi >>> 0)
      digest.setUint32(4, ~lo >>> 0)
    } else {
      digest.setUint32(0, ~lo >>> 0)
    }
    return new Uint8Array(digest.buffer)
  }
}

const digestOf: Record<ChecksumAlgorithm, (bytes: Uint8Array) => Uint8Array> = {
  CRC32: referenceCrc(0xedb88320n, 32),
  CRC32C: referenceCrc(0x82f63b78n, 32),
  CRC64NVME: referenceCrc(0x9a6c9329ac4bc9b5n, 64),
  SHA1: (bytes) => createHash("sha1").update(bytes).digest(),
  SHA256: (bytes) => createHash("sha256").update(bytes).digest()
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64")

const fullObject = (algorithm: ChecksumAlgorithm, bytes: Uint8Array): Checksum => ({
  algorithm,
  value: base64(digestOf[algorithm](bytes)),
  type: "FULL_OBJECT"
})

const composite = (algorithm: ChecksumAlgorithm, parts: ReadonlyArray<Uint8Array>): Checksum => ({
  algorithm,
  value: `${
    base64(digestOf[algorithm](Buffer.concat(parts.map((part) => digestOf[algorithm](part)))))
  }-${parts.length}`,
  type: "COMPOSITE"
})

const algorithms: ReadonlyArray<ChecksumAlgorithm> = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"]
const crcs = algorithms.filter((algorithm) => algorithm.startsWith("CRC"))

const withBucket = <A, E>(f: (backend: Backend) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const backend = yield* MockBackend.makeEmpty
    yield* backend.createBucket({ bucket: "bkt" })
    return yield* f(backend)
  })

const bodyOf = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => new Uint8Array(Buffer.concat(Chunk.toArray(chunks))))

const codeOf = <A>(effect: Effect.Effect<A, { readonly _tag: string; readonly code?: string }>) =>
  Effect.map(Effect.flip(effect), (error) => error.code ?? error._tag)

describe("reference checksums", () => {
  it("match the published check values of \"123456789\"", () => {
    const check = new TextEncoder().encode("123456789")
    const hex = (algorithm: ChecksumAlgorithm) => Buffer.from(digestOf[algorithm](check)).toString("hex")
    assert.strictEqual(hex("CRC32"), "cbf43926")
    assert.strictEqual(hex("CRC32C"), "e3069283")
    assert.strictEqual(hex("CRC64NVME"), "ae8b14860a799888")
  })
})

describe("the mock keeps checksums as S3 does", () => {
  for (const algorithm of algorithms) {
    it.effect(`PutObject with ${algorithm}: checked, kept, echoed, answered in checksum mode only`, () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const body = randomBody(100_000)
          const expected = fullObject(algorithm, body)
          const written = yield* backend.putObject({ bucket: "bkt", key: "k", body, checksum: expected })
          assert.deepStrictEqual(written.checksum, expected)
          const request = { bucket: "bkt", key: "k" }
          assert.deepStrictEqual((yield* backend.headObject({ ...request, checksumMode: true })).checksum, expected)
          assert.isUndefined((yield* backend.headObject(request)).checksum)
          const read = yield* backend.getObject({ ...request, checksumMode: true })
          assert.deepStrictEqual(read.info.checksum, expected)
          assert.isTrue(bytesEqual(yield* bodyOf(read.body), body))
          assert.isUndefined((yield* backend.getObject(request)).info.checksum)
          // No stored checksum covers a range, so none is answered for one, however much it spans.
          for (const range of [{ start: 10, end: 99 }, { start: 0 }, { suffix: 5 }]) {
            const ranged = yield* backend.getObject({ ...request, range, checksumMode: true })
            assert.isUndefined(ranged.info.checksum)
          }
        })
      ))
  }

  it.effect("a PutObject whose checksum does not match its body is refused as BadDigest and stores nothing", () =>
    withBucket((backend) =>
      Effect.gen(function*() {
        const body = randomBody(1000)
        const sent = fullObject("CRC32", randomBody(1000))
        const error = yield* Effect.flip(backend.putObject({ bucket: "bkt", key: "k", body, checksum: sent }))
        assert.strictEqual(error._tag, "ChecksumMismatch")
        assert.deepInclude(error, {
          operation: "PutObject",
          bucket: "bkt",
          key: "k",
          algorithm: "CRC32",
          expected: sent.value,
          actual: fullObject("CRC32", body).value
        })
        assert.strictEqual(yield* codeOf(backend.headObject({ bucket: "bkt", key: "k" })), "NoSuchKey")
      })
    ))

  it.effect("an unknown algorithm is refused as InvalidRequest, on PutObject and CreateMultipartUpload", () =>
    withBucket((backend) =>
      Effect.gen(function*() {
        const checksum = { algorithm: "MD5", value: "x", type: "FULL_OBJECT" } as unknown as Checksum
        assert.strictEqual(
          yield* codeOf(backend.putObject({ bucket: "bkt", key: "k", body: randomBody(10), checksum })),
          "InvalidRequest"
        )
        const declared = { algorithm: "MD5", type: "COMPOSITE" } as unknown as ChecksumRules.Declared
        assert.strictEqual(
          yield* codeOf(backend.createMultipartUpload({ bucket: "bkt", key: "k", checksum: declared })),
          "InvalidRequest"
        )
      })
    ))

  it.effect("without a checksum, an object gets S3's default, CRC64NVME of the full object", () =>
    withBucket((backend) =>
      Effect.gen(function*() {
        const body = randomBody(1000)
        const written = yield* backend.putObject({ bucket: "bkt", key: "k", body })
        const head = yield* backend.headObject({ bucket: "bkt", key: "k", checksumMode: true })
        const expected = fullObject("CRC64NVME", body)
        assert.deepStrictEqual(written.checksum, expected)
        assert.deepStrictEqual(head.checksum, expected)
      })
    ))

  describe("multipart", () => {
    const first = randomBody(5 * MiB)
    const last = randomBody(1234)
    const whole = Buffer.concat([first, last])

    /** Creates an upload of "mpu" declaring `declared`, uploads both parts with their checksums, and lists them. */
    const uploadBoth = (backend: Backend, declared: ChecksumRules.Declared) =>
      Effect.gen(function*() {
        const uploadId = yield* backend.createMultipartUpload({ bucket: "bkt", key: "mpu", checksum: declared })
        const ref = { bucket: "bkt", key: "mpu", uploadId }
        const parts = yield* Effect.forEach([first, last], (body, index) =>
          Effect.gen(function*() {
            const checksum = fullObject(declared.algorithm, body)
            const written = yield* backend.uploadPart({ ...ref, partNumber: index + 1, body, checksum })
            assert.deepStrictEqual(written.checksum, checksum)
            return { partNumber: index + 1, etag: written.etag, checksum: checksum.value }
          }))
        return { ref, parts }
      })

    for (const algorithm of crcs) {
      it.effect(`FULL_OBJECT ${algorithm}: the checksum of every byte, checked against the one Complete sends`, () =>
        withBucket((backend) =>
          Effect.gen(function*() {
            const { parts, ref } = yield* uploadBoth(backend, { algorithm, type: "FULL_OBJECT" })
            const expected = fullObject(algorithm, whole)
            const wrong = fullObject(algorithm, first)
            const refused = yield* Effect.flip(backend.completeMultipartUpload({ ...ref, parts, checksum: wrong }))
            assert.deepInclude(refused, {
              _tag: "ChecksumMismatch",
              operation: "CompleteMultipartUpload",
              expected: wrong.value,
              actual: expected.value
            })
            // Refused, the upload is still pending: the caller aborts it or completes it right.
            const completed = yield* backend.completeMultipartUpload({ ...ref, parts, checksum: expected })
            assert.deepStrictEqual(completed.checksum, expected)
            const head = yield* backend.headObject({ bucket: "bkt", key: "mpu", checksumMode: true })
            assert.deepStrictEqual(head.checksum, expected)
          })
        ))
    }

    for (const algorithm of algorithms.filter((algorithm) => algorithm !== "CRC64NVME")) {
      it.effect(`COMPOSITE ${algorithm}: the checksum of the parts' digests, then -N`, () =>
        withBucket((backend) =>
          Effect.gen(function*() {
            const { parts, ref } = yield* uploadBoth(backend, { algorithm, type: "COMPOSITE" })
            const expected = composite(algorithm, [first, last])
            const completed = yield* backend.completeMultipartUpload({ ...ref, parts })
            assert.deepStrictEqual(completed.checksum, expected)
            const read = yield* backend.getObject({ bucket: "bkt", key: "mpu", checksumMode: true })
            assert.deepStrictEqual(read.info.checksum, expected)
            assert.isTrue(bytesEqual(yield* bodyOf(read.body), whole))
          })
        ))
    }

    it.effect("a composite Complete sent with the right checksum succeeds, with a wrong one is BadDigest", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const { parts, ref } = yield* uploadBoth(backend, { algorithm: "SHA256", type: "COMPOSITE" })
          const wrong = composite("SHA256", [last, first])
          assert.strictEqual(
            yield* codeOf(backend.completeMultipartUpload({ ...ref, parts, checksum: wrong })),
            "ChecksumMismatch"
          )
          const expected = composite("SHA256", [first, last])
          assert.deepStrictEqual(
            (yield* backend.completeMultipartUpload({ ...ref, parts, checksum: expected })).checksum,
            expected
          )
        })
      ))

    it.effect("an upload that declared no checksum gets S3's default, CRC64NVME of the full object", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const uploadId = yield* backend.createMultipartUpload({ bucket: "bkt", key: "mpu" })
          const ref = { bucket: "bkt", key: "mpu", uploadId }
          const parts = yield* Effect.forEach([first, last], (body, index) =>
            Effect.map(
              backend.uploadPart({ ...ref, partNumber: index + 1, body }),
              (written) => ({ partNumber: index + 1, etag: written.etag })
            ))
          const expected = fullObject("CRC64NVME", whole)
          assert.deepStrictEqual((yield* backend.completeMultipartUpload({ ...ref, parts })).checksum, expected)
          const head = yield* backend.headObject({ bucket: "bkt", key: "mpu", checksumMode: true })
          assert.deepStrictEqual(head.checksum, expected)
        })
      ))

    it.effect("a Complete's checksum of another algorithm or kind than the upload's is InvalidRequest", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const { parts, ref } = yield* uploadBoth(backend, { algorithm: "CRC32", type: "FULL_OBJECT" })
          for (
            const checksum of [fullObject("SHA256", whole), {
              ...fullObject("CRC32", whole),
              type: "COMPOSITE" as const
            }]
          ) {
            assert.strictEqual(
              yield* codeOf(backend.completeMultipartUpload({ ...ref, parts, checksum })),
              "InvalidRequest"
            )
          }
        })
      ))

    it.effect("S3's combinations only: FULL_OBJECT for the CRCs, COMPOSITE for all but CRC64NVME", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const create = (checksum: ChecksumRules.Declared) =>
            codeOf(backend.createMultipartUpload({ bucket: "bkt", key: "k", checksum }))
          assert.strictEqual(yield* create({ algorithm: "SHA1", type: "FULL_OBJECT" }), "InvalidRequest")
          assert.strictEqual(yield* create({ algorithm: "SHA256", type: "FULL_OBJECT" }), "InvalidRequest")
          assert.strictEqual(yield* create({ algorithm: "CRC64NVME", type: "COMPOSITE" }), "InvalidRequest")
          const accepted = [
            { algorithm: "CRC32", type: "FULL_OBJECT" },
            { algorithm: "CRC32C", type: "FULL_OBJECT" },
            { algorithm: "CRC64NVME", type: "FULL_OBJECT" },
            { algorithm: "CRC32", type: "COMPOSITE" },
            { algorithm: "CRC32C", type: "COMPOSITE" },
            { algorithm: "SHA1", type: "COMPOSITE" },
            { algorithm: "SHA256", type: "COMPOSITE" }
          ] as const
          for (const checksum of accepted) {
            assert.isString(yield* backend.createMultipartUpload({ bucket: "bkt", key: "k", checksum }))
          }
        })
      ))

    it.effect("a part is refused: BadDigest when its checksum is wrong, InvalidRequest without the upload's", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const uploadId = yield* backend.createMultipartUpload({
            bucket: "bkt",
            key: "mpu",
            checksum: { algorithm: "CRC32", type: "FULL_OBJECT" }
          })
          const part = { bucket: "bkt", key: "mpu", uploadId, partNumber: 1, body: last }
          const wrong = fullObject("CRC32", first)
          const refused = yield* Effect.flip(backend.uploadPart({ ...part, checksum: wrong }))
          assert.deepInclude(refused, {
            _tag: "ChecksumMismatch",
            operation: "UploadPart",
            algorithm: "CRC32",
            expected: wrong.value,
            actual: fullObject("CRC32", last).value
          })
          assert.strictEqual(yield* codeOf(backend.uploadPart(part)), "InvalidRequest")
          assert.strictEqual(
            yield* codeOf(backend.uploadPart({ ...part, checksum: fullObject("SHA256", last) })),
            "InvalidRequest"
          )
          // An upload that declared none takes no part checksum of any kind.
          const plain = yield* backend.createMultipartUpload({ bucket: "bkt", key: "plain" })
          assert.strictEqual(
            yield* codeOf(
              backend.uploadPart({ ...part, key: "plain", uploadId: plain, checksum: fullObject("CRC32", last) })
            ),
            "InvalidRequest"
          )
          // None of the refused parts was kept.
          const pending = yield* backend.listMultipartUploads({ bucket: "bkt" })
          assert.strictEqual(pending.uploads.length, 2)
          assert.strictEqual(
            yield* codeOf(backend.completeMultipartUpload({
              bucket: "bkt",
              key: "mpu",
              uploadId,
              parts: [{ partNumber: 1, etag: `"${createHash("md5").update(last).digest("hex")}"` }]
            })),
            "InvalidPart"
          )
        })
      ))

    it.effect("a composite Complete must list each part's checksum, as it was uploaded", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const { parts, ref } = yield* uploadBoth(backend, { algorithm: "SHA1", type: "COMPOSITE" })
          const [one, two] = parts
          assert.strictEqual(
            yield* codeOf(backend.completeMultipartUpload({ ...ref, parts: [one!, { ...two!, checksum: undefined }] })),
            "InvalidRequest"
          )
          assert.strictEqual(
            yield* codeOf(
              backend.completeMultipartUpload({ ...ref, parts: [one!, { ...two!, checksum: one!.checksum }] })
            ),
            "InvalidPart"
          )
          // A full-object upload needs no part checksum listed.
          const full = yield* uploadBoth(backend, { algorithm: "CRC32", type: "FULL_OBJECT" })
          const bare = full.parts.map(({ etag, partNumber }) => ({ etag, partNumber }))
          assert.deepStrictEqual(
            (yield* backend.completeMultipartUpload({ ...full.ref, parts: bare })).checksum,
            fullObject("CRC32", whole)
          )
        })
      ))

    it.effect("a copied part gets the upload's checksum of its bytes", () =>
      withBucket((backend) =>
        Effect.gen(function*() {
          const source = yield* backend.putObject({ bucket: "bkt", key: "src", body: whole })
          const uploadId = yield* backend.createMultipartUpload({
            bucket: "bkt",
            key: "copy",
            checksum: { algorithm: "SHA256", type: "COMPOSITE" }
          })
          const ref = { bucket: "bkt", key: "copy", uploadId }
          const copied = yield* backend.uploadPartCopy({
            ...ref,
            partNumber: 1,
            source: { bucket: "bkt", key: "src", ifMatch: source.etag },
            range: { start: 0, end: first.length - 1 }
          })
          const checksum = fullObject("SHA256", last)
          const uploaded = yield* backend.uploadPart({ ...ref, partNumber: 2, body: last, checksum })
          const completed = yield* backend.completeMultipartUpload({
            ...ref,
            parts: [
              { partNumber: 1, etag: copied.etag, checksum: fullObject("SHA256", first).value },
              { partNumber: 2, etag: uploaded.etag, checksum: checksum.value }
            ]
          })
          assert.deepStrictEqual(completed.checksum, composite("SHA256", [first, last]))
        })
      ))
  })

  it.effect("CopyObject keeps a full-object checksum and makes a composite one full-object, same algorithm", () =>
    withBucket((backend) =>
      Effect.gen(function*() {
        const body = randomBody(6 * MiB)
        const put = yield* backend.putObject({ bucket: "bkt", key: "single", body, checksum: fullObject("SHA1", body) })
        const uploadId = yield* backend.createMultipartUpload({
          bucket: "bkt",
          key: "multi",
          checksum: { algorithm: "SHA256", type: "COMPOSITE" }
        })
        const part = fullObject("SHA256", body)
        const written = yield* backend.uploadPart({
          bucket: "bkt",
          key: "multi",
          uploadId,
          partNumber: 1,
          body,
          checksum: part
        })
        const multi = yield* backend.completeMultipartUpload({
          bucket: "bkt",
          key: "multi",
          uploadId,
          parts: [{ partNumber: 1, etag: written.etag, checksum: part.value }]
        })
        assert.strictEqual(multi.checksum?.type, "COMPOSITE")
        for (const [key, etag, expected] of [["single", put.etag, "SHA1"], ["multi", multi.etag, "SHA256"]] as const) {
          yield* backend.copyObject({
            bucket: "bkt",
            key: `${key}-copy`,
            source: { bucket: "bkt", key, ifMatch: etag }
          })
          const head = yield* backend.headObject({ bucket: "bkt", key: `${key}-copy`, checksumMode: true })
          assert.deepStrictEqual(head.checksum, fullObject(expected, body))
        }
      })
    ))
})

describe("the mock's snapshot and seed carry checksums", () => {
  // A seeded checksum that does not match the body: a corrupt object, for verification to catch.
  const wrong = fullObject("CRC32", randomBody(10))

  it.effect("a snapshot shows each object's checksum; a seed keeps the one it gives, else gets the default", () =>
    Effect.gen(function*() {
      const control = yield* S3PoMockControl
      const body = new TextEncoder().encode("seeded")
      const defaulted = fullObject("CRC64NVME", body)
      const snapshot = yield* control.snapshot
      assert.deepStrictEqual(snapshot.bkt?.plain?.checksum, defaulted)
      assert.deepStrictEqual(snapshot.bkt?.given?.checksum, wrong)
      // A snapshot restored is the same store again, checksums included.
      yield* control.restore(snapshot)
      assert.deepStrictEqual((yield* control.snapshot).bkt?.given?.checksum, wrong)
      assert.deepStrictEqual((yield* control.snapshot).bkt?.plain?.checksum, defaulted)
    }).pipe(
      Effect.provide(layerMock({ seed: { bkt: { plain: "seeded", given: { body: "seeded", checksum: wrong } } } }))
    ))

  it.effect("a seeded checksum that is no checksum is a ValidationError naming it", () =>
    Effect.gen(function*() {
      for (
        const checksum of [
          "CRC32",
          { algorithm: "MD5", value: "x", type: "FULL_OBJECT" },
          { algorithm: "CRC32", value: 1, type: "FULL_OBJECT" },
          { algorithm: "CRC32", value: "x", type: "PARTIAL" }
        ]
      ) {
        const seed = { bkt: { k: { body: "x", checksum: checksum as unknown as Checksum } } }
        const error = yield* Effect.flip(Effect.provide(S3Po, layerMock({ seed })))
        assert.strictEqual(error._tag, "ValidationError")
        assert.strictEqual(error.field, "seed.bkt.k.checksum")
      }
    }))
})

describe("MockFault.corruptedBody", () => {
  /** Where two bodies of one length differ. */
  const differences = (left: Uint8Array, right: Uint8Array) => {
    assert.strictEqual(left.length, right.length)
    return Array.from(left.keys()).filter((index) => left[index] !== right[index])
  }

  const onMock = <A, E>(effect: Effect.Effect<A, E, S3Po>, fault: MockFault.Fault) =>
    effect.pipe(Effect.provide(layerMock({ seed: { bkt: {} }, faults: [{ operation: "GetObject", fault }] })))

  it.effect("changes exactly one byte of a download that does not verify, the middle one, and keeps the length", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const body = randomBody(3 * MiB + 17)
        yield* s3.upload("bkt", "k", body)
        const read = yield* s3.download("bkt", "k", { verify: false })
        assert.deepStrictEqual(differences(read, body), [Math.floor(body.length / 2)])
        assert.strictEqual(read[body.length / 2 | 0], ~body[body.length / 2 | 0]! & 0xff)
        const streamed = yield* bodyOf(s3.downloadStream("bkt", "k", { verify: false }))
        assert.deepStrictEqual(differences(streamed, body), [Math.floor(body.length / 2)])
      }),
      MockFault.corruptedBody()
    ))

  it.effect("at: the byte it names; past the end, the last; an empty body is answered as it is", () =>
    Effect.gen(function*() {
      const body = randomBody(1000)
      for (const [at, changed] of [[0, 0], [999, 999], [5000, 999], [321, 321]] as const) {
        const read = yield* onMock(
          Effect.flatMap(
            S3Po,
            (s3) => Effect.zipRight(s3.upload("bkt", "k", body), s3.download("bkt", "k", { verify: false }))
          ),
          MockFault.corruptedBody({ at })
        )
        assert.deepStrictEqual(differences(read, body), [changed])
      }
      const empty = yield* onMock(
        Effect.flatMap(
          S3Po,
          (s3) => Effect.zipRight(s3.upload("bkt", "k", new Uint8Array(0)), s3.download("bkt", "k", { verify: false }))
        ),
        MockFault.corruptedBody()
      )
      assert.strictEqual(empty.length, 0)
    }))

  it.effect("changes the body answered, not the store, on both ways of reading it, for a range too", () =>
    Effect.gen(function*() {
      const backend = yield* MockBackend.makeEmpty
      const body = randomBody(70_000)
      yield* backend.createBucket({ bucket: "bkt" })
      yield* backend.putObject({ bucket: "bkt", key: "k", body })
      const injection = FaultInjection.make(backend, {
        faults: [{ operation: "GetObject", fault: MockFault.corruptedBody({ at: 10 }) }]
      })
      const request = { bucket: "bkt", key: "k" }
      const read = yield* injection.backend.getObject(request)
      assert.strictEqual(read.contentLength, body.length)
      assert.deepStrictEqual(differences(yield* bodyOf(read.body), body), [10])
      const chunks: Array<Uint8Array> = []
      yield* (yield* injection.backend.getObject(request)).forEachChunk((chunk) => chunks.push(chunk.slice()))
      assert.deepStrictEqual(differences(Buffer.concat(chunks), body), [10])
      const ranged = yield* injection.backend.getObject({ ...request, range: { start: 100, end: 199 } })
      assert.deepStrictEqual(differences(yield* bodyOf(ranged.body), body.subarray(100, 200)), [10])
      // The store still holds the object as written.
      assert.isTrue(bytesEqual(yield* bodyOf((yield* backend.getObject(request)).body), body))
    }))

  it.effect("matches GetObject only, and is recorded in the call log", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMockControl
      yield* s3.upload("bkt", "k", "hello")
      assert.strictEqual((yield* s3.head("bkt", "k")).size, 5)
      assert.deepStrictEqual(Array.from(yield* s3.download("bkt", "k", { verify: false })), [
        0x68,
        0x65,
        0x93,
        0x6c,
        0x6f
      ])
      const calls = yield* control.calls
      assert.includeMembers(calls.map((call) => call.operation), ["PutObject", "HeadObject", "GetObject"])
      for (const call of calls) {
        assert.strictEqual(call.fault?._tag, call.operation === "GetObject" ? "CorruptedBody" : undefined)
      }
    }).pipe(Effect.provide(layerMock({ seed: { bkt: {} }, faults: [{ fault: MockFault.corruptedBody() }] }))))

  it.effect("made from options it cannot take, or by hand with a bad position, it is refused typed", () =>
    Effect.gen(function*() {
      const made = [{ at: -1 }, { at: 1.5 }, { at: "3" }, null, 7].map((options) =>
        MockFault.corruptedBody(options as unknown as { at?: number })
      )
      const byHand = [{ _tag: "CorruptedBody", at: -1 }, { _tag: "CorruptedBody", at: "x" }] as unknown as Array<
        MockFault.Fault
      >
      for (const fault of [...made, ...byHand]) {
        const error = yield* Effect.flip(Effect.provide(S3Po, layerMock({ faults: [{ fault }] })))
        assert.deepInclude(error, { _tag: "ValidationError", field: "faults" })
        const added = yield* Effect.flip(
          Effect.flatMap(S3PoMockControl, (control) => control.addFault({ fault })).pipe(
            Effect.provide(layerMock())
          )
        )
        assert.deepInclude(added, { _tag: "ValidationError", field: "rule.fault" })
      }
      for (const fault of [MockFault.corruptedBody({ at: 3 }), { _tag: "CorruptedBody" } as const]) {
        yield* Effect.flatMap(S3PoMockControl, (control) => control.addFault({ fault })).pipe(
          Effect.provide(layerMock())
        )
      }
    }))
})
