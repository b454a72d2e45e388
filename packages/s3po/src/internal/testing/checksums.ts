import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import type { Checksum, ChecksumAlgorithm, ObjectInfo } from "../../S3Po.js"
import { S3Po } from "../../S3Po.js"
import { type S3PoError, TransportError } from "../../S3PoError.js"
import type { Backend } from "../core/backend.js"
import { algorithms, partSizeMetadataKey } from "../core/checksums.js"
import type { BackendSettings } from "../core/layer.js"
import { recordedPartSize } from "../core/partSizeRecord.js"
import { type BackendSource, layerOver as serviceOver, quickRetry } from "./backends.js"
import type { Capabilities } from "./capabilities.js"
import { bytesEqual, multipartETag, randomBody, uniqueBucket } from "./fixtures.js"

const MiB = 1024 * 1024

// The reference digests come from the AWS SDK's own implementations, not s3po's hashers. Its
// checksum package is a dependency of @aws-sdk/client-s3, not of s3po: reach it through it.
interface SdkChecksum {
  update(bytes: Uint8Array): void
  digest(): Promise<Uint8Array>
}
type SdkCrcs = Record<string, new() => SdkChecksum>
let sdkCrcs: SdkCrcs | undefined
/** Loaded on first use: importing the suites loads no AWS SDK module. */
const sdkCrc = (name: string): new() => SdkChecksum => {
  sdkCrcs ??= createRequire(createRequire(import.meta.url).resolve("@aws-sdk/client-s3"))(
    "@aws-sdk/checksums/crc"
  ) as SdkCrcs
  return sdkCrcs[name]!
}
const sdkDigest = (implementation: new() => SdkChecksum, bytes: Uint8Array) => {
  const h = new implementation()
  h.update(bytes)
  return h.digest()
}
const reference: Record<ChecksumAlgorithm, (bytes: Uint8Array) => Promise<Uint8Array>> = {
  CRC32: (bytes) => sdkDigest(sdkCrc("Crc32Js"), bytes),
  CRC32C: (bytes) => sdkDigest(sdkCrc("Crc32cJs"), bytes),
  CRC64NVME: (bytes) => sdkDigest(sdkCrc("Crc64NvmeJs"), bytes),
  SHA1: (bytes) => Promise.resolve(new Uint8Array(createHash("sha1").update(bytes).digest())),
  SHA256: (bytes) => Promise.resolve(new Uint8Array(createHash("sha256").update(bytes).digest()))
}
const base64 = (digest: Uint8Array) => Buffer.from(digest).toString("base64")
const digestOf = (algorithm: ChecksumAlgorithm, bytes: Uint8Array) => Effect.promise(() => reference[algorithm](bytes))

/** The checksum S3 keeps for a multipart object: of the full object for the CRCs, else composite. */
const expectedMultipart = (algorithm: ChecksumAlgorithm, body: Uint8Array, parts: ReadonlyArray<Uint8Array>) =>
  Effect.gen(function*() {
    if (algorithm.startsWith("CRC")) {
      return { algorithm, value: base64(yield* digestOf(algorithm, body)), type: "FULL_OBJECT" } satisfies Checksum
    }
    const digests = yield* Effect.forEach(parts, (part) => digestOf(algorithm, part))
    const composite = yield* digestOf(algorithm, Buffer.concat(digests))
    return { algorithm, value: `${base64(composite)}-${parts.length}`, type: "COMPOSITE" } satisfies Checksum
  })

/** What the uploads' requests carried: each write's checksum, and the metadata multipart uploads were created with. */
interface Sent {
  readonly operation: string
  readonly checksum: unknown
  readonly partsChecksums?: ReadonlyArray<string | undefined>
  readonly metadata?: Readonly<Record<string, string>> | undefined
}

/** The backend, recording what its writes carry; `alterPart` changes a part's bytes after its checksum was computed. */
const recording = (backend: Backend, alterPart?: (partNumber: number, attempt: number) => boolean) => {
  const sent: Array<Sent> = []
  const attempts = new Map<number, number>()
  const wrapped: Backend = {
    ...backend,
    putObject: (request) => {
      sent.push({ operation: "PutObject", checksum: request.checksum, metadata: request.metadata })
      return backend.putObject(request)
    },
    createMultipartUpload: (request) => {
      sent.push({ operation: "CreateMultipartUpload", checksum: request.checksum, metadata: request.metadata })
      return backend.createMultipartUpload(request)
    },
    uploadPart: (request) =>
      Effect.suspend(() => {
        sent.push({ operation: "UploadPart", checksum: request.checksum })
        const attempt = (attempts.get(request.partNumber) ?? 0) + 1
        attempts.set(request.partNumber, attempt)
        if (alterPart === undefined || !alterPart(request.partNumber, attempt)) return backend.uploadPart(request)
        const altered = request.body.slice()
        altered[altered.length >> 1]! ^= 0x01
        return backend.uploadPart({ ...request, body: altered })
      }),
    completeMultipartUpload: (request) => {
      sent.push({
        operation: "CompleteMultipartUpload",
        checksum: request.checksum,
        partsChecksums: request.parts.map((part) => part.checksum)
      })
      return backend.completeMultipartUpload(request)
    }
  }
  return { backend: wrapped, sent }
}

/** The service over `backend`, as a layer builds it with `settings`, retrying quickly. */
const layerOver = (backend: Backend, settings: BackendSettings = {}) =>
  serviceOver(backend, { retry: quickRetry(3), ...settings })

/** A body as a stream of 64 KiB chunks, so that parts are assembled across chunks. */
const chunked = (body: Uint8Array) =>
  Stream.fromIterable(
    Array.from({ length: Math.ceil(body.length / (64 * 1024)) }, (_, i) =>
      body.subarray(i * 64 * 1024, (i + 1) * 64 * 1024))
  )

const partsOf = (body: Uint8Array, partSize: number) =>
  Array.from({ length: Math.ceil(body.length / partSize) }, (_, i) => body.subarray(i * partSize, (i + 1) * partSize))

const newBucket = (label: string) =>
  Effect.flatMap(S3Po, (s3) => {
    const bucket = uniqueBucket(label)
    return Effect.as(s3.createBucket(bucket), bucket)
  })

const everyAlgorithm = (acquire: BackendSource, support: Capabilities) => {
  it.scopedLive("every algorithm round-trips in one PUT and in parts, sending the checksum of the body, each part and the object", () =>
    Effect.gen(function*() {
      const { backend, sent } = recording(yield* acquire)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("checksums")
        const small = randomBody(70_000)
        const large = randomBody(11 * MiB + 5)
        const parts = partsOf(large, 5 * MiB)
        for (const algorithm of algorithms) {
          sent.length = 0
          const whole: Checksum = {
            algorithm,
            value: base64(yield* digestOf(algorithm, small)),
            type: "FULL_OBJECT"
          }
          const single = yield* s3.upload(bucket, `single-${algorithm}`, small, { checksumAlgorithm: algorithm })
          assert.deepStrictEqual(sent, [{ operation: "PutObject", checksum: whole, metadata: undefined }], algorithm)
          // A store that keeps no checksum (Ceph RGW 16) echoes none: the upload reports none rather than one it does not keep.
          assert.deepStrictEqual(single.checksum, support.keepsChecksums ? whole : undefined, algorithm)
          assert.isTrue(bytesEqual(yield* s3.download(bucket, `single-${algorithm}`), small), algorithm)

          sent.length = 0
          const object = yield* expectedMultipart(algorithm, large, parts)
          const partChecksums = yield* Effect.forEach(
            parts,
            (part) =>
              Effect.map(digestOf(algorithm, part), (digest): Checksum => ({
                algorithm,
                value: base64(digest),
                type: "FULL_OBJECT"
              }))
          )
          const multipart = yield* s3.upload(bucket, `multipart-${algorithm}`, chunked(large), {
            partSize: 5 * MiB,
            checksumAlgorithm: algorithm
          })
          assert.strictEqual(multipart.parts, 3)
          assert.deepStrictEqual(sent.find((request) => request.operation === "CreateMultipartUpload")?.checksum, {
            algorithm,
            type: object.type
          })
          assert.deepStrictEqual(
            sent.filter((request) => request.operation === "UploadPart").map((request) => request.checksum),
            partChecksums,
            algorithm
          )
          const complete = sent.find((request) => request.operation === "CompleteMultipartUpload")
          assert.deepStrictEqual(complete?.partsChecksums, partChecksums.map((checksum) => checksum.value))
          // A full-object checksum goes with Complete for the server to check; a composite one is the server's to compute.
          assert.deepStrictEqual(complete?.checksum, object.type === "FULL_OBJECT" ? object : undefined)
          assert.deepStrictEqual(multipart.checksum, support.keepsChecksums ? object : undefined, algorithm)
          assert.isTrue(bytesEqual(yield* s3.download(bucket, `multipart-${algorithm}`), large), algorithm)
        }
      }).pipe(Effect.provide(layerOver(backend)))
    }))
}

const defaultAndBadAlgorithms = (acquire: BackendSource) => {
  it.scopedLive("uploads carry CRC32 unless they name another; \"none\" sends no checksum", () =>
    Effect.gen(function*() {
      const { backend, sent } = recording(yield* acquire)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("checksum-none")
        const small = randomBody(1000)
        const large = randomBody(6 * MiB)
        yield* s3.upload(bucket, "default", small)
        assert.deepStrictEqual(sent.map((request) => request.checksum), [
          { algorithm: "CRC32", value: base64(yield* digestOf("CRC32", small)), type: "FULL_OBJECT" }
        ])
        sent.length = 0
        yield* s3.upload(bucket, "none", small, { checksumAlgorithm: "none" })
        yield* s3.upload(bucket, "none-parts", Stream.make(large), {
          partSize: 5 * MiB,
          multipartThreshold: 5 * MiB,
          checksumAlgorithm: "none"
        })
        assert.deepStrictEqual(sent.map((request) => request.operation), [
          "PutObject",
          "CreateMultipartUpload",
          "UploadPart",
          "UploadPart",
          "CompleteMultipartUpload"
        ])
        for (const request of sent) {
          assert.isUndefined(request.checksum, request.operation)
          for (const checksum of request.partsChecksums ?? []) assert.isUndefined(checksum)
        }
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "none-parts"), large))
      }).pipe(Effect.provide(layerOver(backend)))
    }))

  it.scopedLive("a checksum algorithm S3 does not have is a ValidationError before any request", () =>
    Effect.gen(function*() {
      const { backend, sent } = recording(yield* acquire)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        for (const checksumAlgorithm of ["MD5", "crc32", ""]) {
          const options = { checksumAlgorithm: checksumAlgorithm as ChecksumAlgorithm }
          for (
            const upload of [
              s3.upload("some-bucket", "k", "text", options),
              s3.upload("some-bucket", "k", Stream.make(randomBody(10)), options),
              s3.uploadFile("some-bucket", "k", "/no/such/file", options)
            ]
          ) {
            const error = yield* Effect.flip(upload)
            assert.strictEqual(error._tag, "ValidationError")
            assert.strictEqual((error as { readonly field?: string }).field, "checksumAlgorithm")
          }
        }
        assert.deepStrictEqual(sent, [])
      }).pipe(Effect.provide(layerOver(backend)))
    }))
}

const echoesOfAnotherChecksum = (acquire: BackendSource) => {
  it.scopedLive("an echo of another checksum than the one sent fails the upload as ChecksumMismatch", () =>
    Effect.gen(function*() {
      const base = yield* acquire
      // The server answers that it keeps another checksum than the one the bytes were sent with.
      const otherEcho = (checksum: Checksum | undefined) =>
        checksum === undefined ? undefined : { ...checksum, value: `AAAA${checksum.value.slice(4)}` }
      const backend: Backend = {
        ...base,
        putObject: (request) =>
          Effect.map(base.putObject(request), (written) => ({ ...written, checksum: otherEcho(request.checksum) })),
        completeMultipartUpload: (request) =>
          Effect.map(
            base.completeMultipartUpload(request),
            (written) => ({ ...written, checksum: otherEcho(request.checksum) })
          )
      }
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("checksum-echo")
        const small = randomBody(1000)
        const single = yield* Effect.flip(s3.upload(bucket, "single", small))
        assert.strictEqual(single._tag, "ChecksumMismatch")
        assert.strictEqual(
          (single as { readonly expected?: string }).expected,
          base64(yield* digestOf("CRC32", small))
        )
        const large = randomBody(6 * MiB)
        const parts = yield* Effect.flip(
          s3.upload(bucket, "parts", Stream.make(large), { partSize: 5 * MiB, multipartThreshold: 5 * MiB })
        )
        assert.strictEqual(parts._tag, "ChecksumMismatch")
        assert.strictEqual((parts as { readonly operation?: string }).operation, "CompleteMultipartUpload")
      }).pipe(Effect.provide(layerOver(backend)))
    }))
}

const lostAnswers = (acquire: BackendSource, support: Capabilities) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (no ifNoneMatch on PutObject); s3po's layers and RGW run it.
  it.scopedLive.skipIf(!support.conditionalWrites)(
    "a conditional PUT whose answer was lost still reports the checksum the server keeps",
    () =>
      Effect.gen(function*() {
        const base = yield* acquire
        let puts = 0
        // The first PUT is stored, and its answer lost: the retry finds its own write.
        const backend: Backend = {
          ...base,
          putObject: (request) =>
            Effect.suspend(() => {
              const attempt = ++puts
              return Effect.flatMap(base.putObject(request), (written) =>
                attempt === 1
                  ? Effect.fail(
                    new TransportError({
                      operation: "PutObject",
                      bucket: request.bucket,
                      reason: "lost",
                      retryable: true
                    })
                  )
                  : Effect.succeed(written))
            })
        }
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          const bucket = yield* newBucket("checksum-lost-answer")
          const body = randomBody(1000)
          const put = yield* s3.upload(bucket, "k", body, { ifNoneMatch: "*" })
          assert.strictEqual(puts, 2)
          assert.deepStrictEqual(
            put.checksum,
            support.keepsChecksums
              ? { algorithm: "CRC32", value: base64(yield* digestOf("CRC32", body)), type: "FULL_OBJECT" }
              : undefined
          )
        }).pipe(Effect.provide(layerOver(backend)))
      })
  )
}

const partSizeRecords = (acquire: BackendSource) => {
  it.scopedLive("a multipart upload records its part size, which head's metadata does not show; a single PUT records none", () =>
    Effect.gen(function*() {
      const raw = yield* acquire
      const head = (bucket: string, key: string): Effect.Effect<ObjectInfo, S3PoError> =>
        raw.headObject({ bucket, key })
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("part-size-record")
        const body = randomBody(11 * MiB)
        const metadata = { owner: "c-3po" }
        const upload = yield* s3.upload(bucket, "parts", chunked(body), { partSize: 5 * MiB, metadata })
        assert.strictEqual(upload.etag, multipartETag(partsOf(body, 5 * MiB)))
        const stored = yield* head(bucket, "parts")
        assert.strictEqual(stored.metadata[partSizeMetadataKey], String(5 * MiB))
        assert.strictEqual(recordedPartSize(stored), 5 * MiB)
        assert.deepStrictEqual((yield* s3.head(bucket, "parts")).metadata, { owner: "c-3po" })

        yield* s3.upload(bucket, "single", body.subarray(0, 1000), { metadata: { owner: "c-3po" } })
        assert.deepStrictEqual((yield* head(bucket, "single")).metadata, { owner: "c-3po" })
      }).pipe(Effect.provide(layerOver(raw)))

      // Metadata that fills S3's 2 KB leaves no room for the record: the upload goes without it.
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("full-metadata")
        const metadata = { a: "x".repeat(2047) }
        yield* s3.upload(bucket, "parts", Stream.make(randomBody(6 * MiB)), {
          partSize: 5 * MiB,
          multipartThreshold: 5 * MiB,
          metadata
        })
        assert.deepStrictEqual((yield* head(bucket, "parts")).metadata, metadata)
      }).pipe(Effect.provide(layerOver(raw)))

      // Opted out: no record.
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("no-record")
        yield* s3.upload(bucket, "parts", Stream.make(randomBody(6 * MiB)), {
          partSize: 5 * MiB,
          multipartThreshold: 5 * MiB,
          metadata: { owner: "c-3po" }
        })
        assert.deepStrictEqual((yield* head(bucket, "parts")).metadata, { owner: "c-3po" })
      }).pipe(Effect.provide(layerOver(raw, { recordPartSize: false })))
    }))
}

const copiesAndAlteredParts = (acquire: BackendSource, support: Capabilities) => {
  it.scopedLive("copies keep the record true to their ETag: a multipart copy records its own part size", () =>
    Effect.gen(function*() {
      const raw = yield* acquire
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* newBucket("copy-record")
        const body = randomBody(13 * MiB)
        const source = yield* s3.upload(bucket, "source", chunked(body), { partSize: 6 * MiB })
        assert.strictEqual(source.parts, 3)

        // One CopyObject, giving new metadata: the copy keeps the source's ETag on Ceph RGW and the
        // mock, so the source's record goes with it; were the ETag another, the record must not hold.
        const copied = yield* s3.copy({ bucket, key: "source" }, { bucket, key: "copied" }, {
          metadata: { note: "copied" }
        })
        const copiedInfo = yield* raw.headObject({ bucket, key: "copied" })
        assert.strictEqual(copiedInfo.etag, copied.etag)
        if (copied.etag === source.etag) {
          assert.strictEqual(copiedInfo.metadata[partSizeMetadataKey], String(6 * MiB))
          assert.strictEqual(recordedPartSize(copiedInfo), 6 * MiB)
        } else {
          assert.isUndefined(recordedPartSize(copiedInfo))
        }
        assert.deepStrictEqual((yield* s3.head(bucket, "copied")).metadata, { note: "copied" })

        // A multipart copy of 5 MiB ranges: its own part size replaces the source's.
        const parted = yield* s3.copy({ bucket, key: "source" }, { bucket, key: "parted" }, {
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB
        })
        assert.strictEqual(parted.parts, 3)
        assert.strictEqual(parted.etag, multipartETag(partsOf(body, 5 * MiB)))
        const partedInfo = yield* raw.headObject({ bucket, key: "parted" })
        assert.strictEqual(partedInfo.metadata[partSizeMetadataKey], String(5 * MiB))
        assert.strictEqual(recordedPartSize(partedInfo), 5 * MiB)
        assert.deepStrictEqual((yield* s3.head(bucket, "parted")).metadata, {})
        assert.isTrue(bytesEqual(yield* s3.download(bucket, "parted"), body))
      }).pipe(Effect.provide(layerOver(raw)))
    }))

  // Skipped only on a backend declaring `keepsChecksums: false` (it checks no checksum, so an altered part is stored):
  // Ceph RGW 16 and the local-directory example; the mock runs it.
  it.scopedLive.skipIf(!support.keepsChecksums)(
    "a part altered after its checksum was computed is refused: once, the retry heals it; always, the upload fails and is aborted",
    () =>
      Effect.gen(function*() {
        const base = yield* acquire
        const body = randomBody(11 * MiB)
        const bucket = yield* Effect.provide(newBucket("altered-part"), layerOver(base))

        const once = recording(base, (partNumber, attempt) => partNumber === 2 && attempt === 1)
        yield* Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.upload(bucket, "healed", chunked(body), { partSize: 5 * MiB })
          assert.strictEqual(once.sent.filter((request) => request.operation === "UploadPart").length, 4)
          assert.isTrue(bytesEqual(yield* s3.download(bucket, "healed"), body))
        }).pipe(Effect.provide(layerOver(once.backend)))

        for (const checksumAlgorithm of ["CRC32", "SHA256"] as const) {
          const always = recording(base, (partNumber) => partNumber === 2)
          yield* Effect.gen(function*() {
            const s3 = yield* S3Po
            const error = yield* Effect.flip(
              s3.upload(bucket, "refused", chunked(body), { partSize: 5 * MiB, checksumAlgorithm })
            )
            assert.strictEqual(error._tag, "ChecksumMismatch", checksumAlgorithm)
            assert.isFalse(yield* s3.exists(bucket, "refused"))
            const pending = yield* Stream.runCollect(s3.listPendingUploads(bucket))
            assert.strictEqual(pending.length, 0)
          }).pipe(Effect.provide(layerOver(always.backend)))
        }
      })
  )
}

/**
 * Checksums on upload and the part-size record, over any backend (the mock's, or the live one
 * against a real server): what each write sends, what the result reports, what the object keeps.
 * A store without `keepsChecksums` (Ceph RGW 16 drops the headers: a wrong checksum is stored all
 * the same, and none is echoed) reports no checksum on upload; the part-size record is then what a
 * read can check a multipart object by.
 */
export const checksumsSuite = (name: string, acquire: BackendSource, support: Capabilities) =>
  describe(name, { timeout: 300_000 }, () => {
    everyAlgorithm(acquire, support)
    defaultAndBadAlgorithms(acquire)
    echoesOfAnotherChecksum(acquire)
    lostAnswers(acquire, support)
    partSizeRecords(acquire)
    copiesAndAlteredParts(acquire, support)
  })
