import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock, MockFault, type ObjectInfo, Retry, S3Po, type S3PoError, S3PoMockControl, Sync } from "s3po"
import type { Backend, GetObjectResponse } from "../../src/internal/core/backend.js"
import { checksumOf, compositeOf, hasher, partSizeMetadataKey } from "../../src/internal/core/checksums.js"
import { fromBackend } from "../../src/internal/core/layer.js"
import { verifierOf } from "../../src/internal/core/verification.js"
import * as MockPresign from "../../src/internal/mock/presign.js"
import { layerOver, mockBackend } from "../utils/backends.js"
import { bytesEqual, md5ETag, multipartETag, tempDir } from "../utils/fixtures.js"
import { readPathsWith } from "../utils/readPaths.js"

/**
 * Every whole-object read checks its bytes: against the server's checksum, the part size a
 * multipart upload recorded, or an MD5 ETag. A GET whose body has one byte flipped (its length
 * kept) is read again, pinned to the same ETag; when every read is corrupt the download fails with
 * `ChecksumMismatch`, and no wrong byte (nor file) is handed out. With verification off, the same
 * corrupt reads come back as success: what these tests would see without it.
 */

const MiB = 1024 * 1024
const quickRetry = Retry.exponential({ base: "1 millis", maxDelay: "2 millis", maxRetries: 3 })

/** A body of printable text, so that `downloadString` gives back its bytes. */
const textBody = (size: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(size)
  let state = seed
  for (let at = 0; at < size; at++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    bytes[at] = 97 + ((state >>> 16) % 26)
  }
  return bytes
}

/** The body with one byte flipped, in its first chunk that has bytes; the chunk is copied, never changed. */
const flipped = (response: GetObjectResponse): GetObjectResponse => {
  let done = false
  const flip = (chunk: Uint8Array) => {
    if (done || chunk.length === 0) return chunk
    done = true
    const copy = new Uint8Array(chunk)
    copy[copy.length >> 1] ^= 0x20
    return copy
  }
  return {
    ...response,
    body: Stream.map(response.body, flip),
    forEachChunk: (f) => response.forEachChunk((chunk) => f(flip(chunk)))
  }
}

/**
 * The mock's primitives with the GETs that `corrupt` picks (by number, from 1) answered with a
 * flipped byte; `keepsChecksums: false` answers no checksum, as a server that keeps none (Ceph RGW).
 */
const corrupting = (options: { readonly keepsChecksums: boolean }) => {
  const base = mockBackend()
  let gets = 0
  let corrupt: (get: number) => boolean = () => false
  const plain = (info: ObjectInfo): ObjectInfo => {
    if (options.keepsChecksums || info.checksum === undefined) return info
    const { checksum: _, ...rest } = info
    return rest
  }
  const backend: Backend = {
    ...base,
    headObject: (request) => Effect.map(base.headObject(request), plain),
    getObject: (request) =>
      Effect.map(base.getObject(request), (response) => {
        gets++
        const answered = { ...response, info: plain(response.info) }
        return corrupt(gets) ? flipped(answered) : answered
      })
  }
  return {
    backend,
    gets: () => gets,
    /** From now on, corrupts the GETs `pick` picks, counted afresh. */
    corrupt: (pick: (get: number) => boolean) => {
      gets = 0
      corrupt = pick
    }
  }
}

const layerWith = (backend: Backend, verifyDownloads?: boolean): Layer.Layer<S3Po> =>
  verifyDownloads === undefined
    ? layerOver(backend, quickRetry)
    : fromBackend(
      Effect.succeed({
        backend,
        presigner: MockPresign.make().presigner,
        settings: { retry: quickRetry, verifyDownloads }
      })
    )

const ranged = { concurrency: 3, partSize: 1 * MiB }

const readPaths = readPathsWith(ranged.partSize)

/** The objects read: how each is written, and what its bytes are checked against. */
interface Kind {
  readonly name: string
  readonly keepsChecksums: boolean
  readonly size: number
  readonly upload: (
    s3: S3Po.Service,
    bucket: string,
    key: string,
    body: Uint8Array
  ) => Effect.Effect<unknown, S3PoError>
  /** The algorithm a mismatch names. */
  readonly algorithm: (name: string) => boolean
}

const kinds: ReadonlyArray<Kind> = [
  {
    name: "one PUT, the server's checksum",
    keepsChecksums: true,
    size: 3 * MiB + 17,
    upload: (s3, bucket, key, body) => s3.upload(bucket, key, body, { checksumAlgorithm: "CRC32C" }),
    algorithm: (name) => name === "CRC32C"
  },
  {
    name: "one PUT, no checksum kept: its MD5 ETag",
    keepsChecksums: false,
    size: 3 * MiB + 17,
    upload: (s3, bucket, key, body) => s3.upload(bucket, key, body),
    algorithm: (name) => name === "MD5"
  },
  {
    name: "multipart, no checksum kept: its ETag from the recorded part size",
    keepsChecksums: false,
    size: 11 * MiB + 5,
    upload: (s3, bucket, key, body) => s3.upload(bucket, key, Stream.make(body), { partSize: 5 * MiB }),
    algorithm: (name) => name === "MD5-of-parts"
  },
  {
    name: "multipart, the server's composite checksum with the recorded part size",
    keepsChecksums: true,
    size: 11 * MiB + 5,
    upload: (s3, bucket, key, body) =>
      s3.upload(bucket, key, Stream.make(body), { partSize: 5 * MiB, checksumAlgorithm: "SHA256" }),
    algorithm: (name) => name === "SHA256 (composite)"
  }
]

/** What a failed read path left in the directory: nothing, not even a partial file. */
const filesIn = (dir: string) => Effect.promise(() => fs.readdir(dir))

describe("verified downloads on the mock", () => {
  for (const kind of kinds) {
    describe(kind.name, () => {
      const body = textBody(kind.size, kind.size)
      for (const readPath of readPaths) {
        it.scopedLive(`${readPath.name}: a corrupt read is read again; every read corrupt is ChecksumMismatch`, () =>
          Effect.gen(function*() {
            const dir = yield* tempDir
            const mock = corrupting({ keepsChecksums: kind.keepsChecksums })
            yield* Effect.gen(function*() {
              const s3 = yield* S3Po
              yield* s3.createBucket("bkt")
              yield* kind.upload(s3, "bkt", "k", body)

              mock.corrupt((get) => get === 1)
              assert.isTrue(bytesEqual(yield* readPath.read(s3, "bkt", "k", dir), body))
              assert.isAbove(mock.gets(), 1)

              mock.corrupt(() => true)
              yield* Effect.promise(() => fs.rm(dir, { recursive: true, force: true }).then(() => fs.mkdir(dir)))
              const error = yield* Effect.flip(readPath.read(s3, "bkt", "k", dir))
              assert.strictEqual(error._tag, "ChecksumMismatch")
              if (error._tag === "ChecksumMismatch") {
                assert.isTrue(kind.algorithm(error.algorithm), error.algorithm)
                assert.strictEqual(error.key, "k")
                assert.notStrictEqual(error.expected, error.actual)
              }
              assert.deepStrictEqual(yield* filesIn(dir), [])
              // As the retry policy allows: the first read and 3 more, each whole.
              assert.isAtLeast(mock.gets(), 4)

              // Without verification, the flipped byte would be handed out as the object's.
              const unverified = yield* readPath.read(s3, "bkt", "k", dir, { verify: false })
              assert.strictEqual(unverified.length, body.length)
              assert.isFalse(bytesEqual(unverified, body))
            }).pipe(Effect.provide(layerWith(mock.backend)))
          }))
      }

      it.live("downloadStream: a corrupt read fails the stream, its last chunk held back; read again, it is whole", () =>
        Effect.gen(function*() {
          const mock = corrupting({ keepsChecksums: kind.keepsChecksums })
          yield* Effect.gen(function*() {
            const s3 = yield* S3Po
            yield* s3.createBucket("bkt")
            yield* kind.upload(s3, "bkt", "k", body)
            for (const options of [{}, ranged]) {
              mock.corrupt((get) => get === 1)
              let handedOut = 0
              const exit = yield* Effect.exit(
                Stream.runForEach(s3.downloadStream("bkt", "k", options), (chunk) =>
                  Effect.sync(() => {
                    handedOut += chunk.length
                  }))
              )
              assert.isTrue(Exit.isFailure(exit))
              if (Exit.isFailure(exit)) assert.include(String(exit.cause), "ChecksumMismatch")
              assert.isBelow(handedOut, body.length)
              const again = yield* Stream.runCollect(s3.downloadStream("bkt", "k", options))
              assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(again)), body))
            }
          }).pipe(Effect.provide(layerWith(mock.backend)))
        }))
    })
  }

  it.scopedLive("verifyDownloads: false on the layer hands out what is read, unless a call asks to verify", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const mock = corrupting({ keepsChecksums: false })
      const body = textBody(100_000, 7)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("bkt")
        yield* s3.upload("bkt", "k", body)
        mock.corrupt(() => true)
        for (const readPath of readPaths) {
          const read = yield* readPath.read(s3, "bkt", "k", dir)
          assert.isFalse(bytesEqual(read, body), readPath.name)
          const error = yield* Effect.flip(readPath.read(s3, "bkt", "k", dir, { verify: true }))
          assert.strictEqual(error._tag, "ChecksumMismatch", readPath.name)
        }
      }).pipe(Effect.provide(layerWith(mock.backend, false)))
    }))

  it.live("a range the caller gives is not verified (no stored checksum covers it), and asks for none", () =>
    Effect.gen(function*() {
      const mock = corrupting({ keepsChecksums: true })
      const body = textBody(100_000, 9)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("bkt")
        yield* s3.upload("bkt", "k", body)
        mock.corrupt(() => true)
        const read = yield* s3.download("bkt", "k", { range: { start: 10, end: 1009 } })
        assert.strictEqual(read.length, 1000)
        assert.isFalse(bytesEqual(read, body.subarray(10, 1010)))
        assert.strictEqual(mock.gets(), 1)
      }).pipe(Effect.provide(layerWith(mock.backend)))
    }))

  it.live("an object replaced between a corrupt read and its re-read fails with PreconditionFailed", () =>
    Effect.gen(function*() {
      const mock = corrupting({ keepsChecksums: false })
      const body = textBody(100_000, 11)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("bkt")
        yield* s3.upload("bkt", "k", body)
        mock.corrupt((get) => {
          // The first read is corrupt; the object is replaced before the second.
          if (get === 1) {
            Effect.runSync(Effect.ignore(mock.backend.putObject({ bucket: "bkt", key: "k", body: body.slice(1) })))
          }
          return get === 1
        })
        const error = yield* Effect.flip(s3.download("bkt", "k"))
        assert.strictEqual(error._tag, "PreconditionFailed")
      }).pipe(Effect.provide(layerWith(mock.backend)))
    }))

  it.scopedLive("syncDown: a corrupt download is read again; one that stays corrupt is a failed action, no file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const mock = corrupting({ keepsChecksums: false })
      const small = textBody(10_000, 1)
      const large = textBody(11 * MiB + 5, 2)
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("bkt")
        yield* s3.upload("bkt", "small.txt", small)
        yield* s3.upload("bkt", "large.bin", Stream.make(large), { partSize: 5 * MiB })

        mock.corrupt((get) => get <= 2)
        const healed = yield* Sync.syncDown({ bucket: "bkt" }, dir)
        assert.strictEqual(healed.copied, 2)
        assert.deepStrictEqual(healed.failed, [])
        assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "small.txt"))), small))
        assert.isTrue(bytesEqual(yield* Effect.promise(() => fs.readFile(path.join(dir, "large.bin"))), large))

        const fresh = path.join(dir, "fresh")
        mock.corrupt(() => true)
        const failed = yield* Sync.syncDown({ bucket: "bkt" }, fresh)
        assert.strictEqual(failed.copied, 0)
        assert.deepStrictEqual(failed.failed.map(({ error }) => error._tag), ["ChecksumMismatch", "ChecksumMismatch"])
        assert.deepStrictEqual((yield* filesIn(fresh)).sort(), [])
      }).pipe(Effect.provide(layerWith(mock.backend)))
    }))
})

describe("verified downloads on layerMock, with its checksums and its corruptedBody fault", () => {
  it.scopedLive("a corrupt GET is read again; every GET corrupt is ChecksumMismatch of the mock's checksum", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMockControl
      const dir = yield* tempDir
      const single = textBody(1 * MiB + 3, 5)
      const multipart = textBody(11 * MiB + 5, 6)
      yield* s3.upload("bkt", "single", single)
      yield* s3.upload("bkt", "multipart", Stream.make(multipart), { partSize: 5 * MiB })
      for (const [key, body] of [["single", single], ["multipart", multipart]] as const) {
        for (const readPath of readPaths) {
          yield* control.clearFaults
          yield* control.addFault({ operation: "GetObject", fault: MockFault.corruptedBody(), times: 1 })
          assert.isTrue(bytesEqual(yield* readPath.read(s3, "bkt", key, dir), body), `${key} ${readPath.name}`)

          yield* control.clearFaults
          yield* control.addFault({ operation: "GetObject", fault: MockFault.corruptedBody() })
          yield* Effect.promise(() => fs.rm(dir, { recursive: true, force: true }).then(() => fs.mkdir(dir)))
          const error = yield* Effect.flip(readPath.read(s3, "bkt", key, dir))
          assert.strictEqual(error._tag, "ChecksumMismatch", `${key} ${readPath.name}`)
          // The upload's default checksum, kept by the mock for the full object, single PUT or parts.
          if (error._tag === "ChecksumMismatch") assert.strictEqual(error.algorithm, "CRC32")
          assert.deepStrictEqual(yield* filesIn(dir), [])
        }
      }
    }).pipe(Effect.provide(layerMock({ seed: { bkt: {} }, retry: quickRetry }))))
})

describe("what a whole object's bytes are checked against", () => {
  const body = textBody(12 * MiB + 1, 3)
  const partSize = 5 * MiB
  const parts = [body.subarray(0, partSize), body.subarray(partSize, 2 * partSize), body.subarray(2 * partSize)]
  const info = (fields: Partial<ObjectInfo>): ObjectInfo => ({
    key: "k",
    size: body.length,
    etag: "\"not-an-md5\"",
    lastModified: new Date(0),
    contentType: "",
    metadata: {},
    ...fields
  })
  /** The algorithm the verifier of `info` checks with, and whether it takes `bytes`, given in odd pieces. */
  const verdict = (of: ObjectInfo, bytes: Uint8Array = body) => {
    const verifier = verifierOf("download", "bkt", "k", of)
    if (verifier === undefined) return undefined
    for (let at = 0; at < bytes.length; at += 777_777) verifier.update(bytes.subarray(at, at + 777_777))
    const mismatch = verifier.check()
    return mismatch === undefined ? "match" : mismatch.algorithm
  }
  const corrupt = new Uint8Array(body)
  corrupt[6 * MiB] ^= 1
  const record = { [partSizeMetadataKey]: String(partSize) }
  const partDigests = (algorithm: "SHA256" | "CRC32") =>
    parts.map((part) => {
      const h = hasher(algorithm)
      h.update(part)
      return h.digest()
    })

  it("the server's full-object checksum first, whatever the ETag", () => {
    const checksum = checksumOf("CRC64NVME", body)
    assert.strictEqual(verdict(info({ checksum, etag: md5ETag(corrupt) })), "match")
    assert.strictEqual(verdict(info({ checksum, etag: md5ETag(body) }), corrupt), "CRC64NVME")
  })

  it("a composite checksum with the recorded part size; without the record, the next source", () => {
    const checksum = compositeOf("SHA256", partDigests("SHA256"))
    const etag = multipartETag(parts)
    assert.strictEqual(verdict(info({ checksum, etag, metadata: record })), "match")
    assert.strictEqual(verdict(info({ checksum, etag, metadata: record }), corrupt), "SHA256 (composite)")
    // A record whose part size gives another number of parts is not used.
    assert.strictEqual(
      verdict(info({ checksum, etag, metadata: { [partSizeMetadataKey]: String(8 * MiB) } })),
      undefined
    )
    assert.strictEqual(verdict(info({ checksum, etag })), undefined)
  })

  it("the multipart ETag from the recorded part size; an ETag of another part count, nothing", () => {
    const etag = multipartETag(parts)
    assert.strictEqual(verdict(info({ etag, metadata: record })), "match")
    assert.strictEqual(verdict(info({ etag, metadata: record }), corrupt), "MD5-of-parts")
    assert.strictEqual(verdict(info({ etag: multipartETag([body]), metadata: record })), undefined)
    assert.strictEqual(verdict(info({ etag })), undefined)
  })

  it("an MD5 ETag, unless the object is encrypted with KMS", () => {
    assert.strictEqual(verdict(info({ etag: md5ETag(body) })), "match")
    assert.strictEqual(verdict(info({ etag: md5ETag(body) }), corrupt), "MD5")
    assert.strictEqual(verdict(info({ etag: md5ETag(body), serverSideEncryption: { type: "aws:kms" } })), undefined)
    assert.strictEqual(verdict(info({ etag: md5ETag(body), serverSideEncryption: { type: "AES256" } })), "match")
  })

  it("an empty object, put whole or as one empty part", () => {
    const empty = new Uint8Array(0)
    assert.strictEqual(verdict(info({ size: 0, etag: md5ETag(empty) }), empty), "match")
    assert.strictEqual(
      verdict(info({ size: 0, etag: multipartETag([empty]), metadata: record }), empty),
      "match"
    )
  })
})
