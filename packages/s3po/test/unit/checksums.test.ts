/**
 * The checksum hashers: the CRC catalogue's check values, incremental hashing equal to one-shot
 * over any split, agreement with the AWS SDK's own implementations on random inputs, and the
 * composite checksum of a multipart object.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { createRequire } from "node:module"
import type { ChecksumAlgorithm } from "s3po"
import {
  algorithms,
  checksumOf,
  compositeOf,
  crc32SoftwareHasher,
  type Hasher,
  hasher,
  toBase64
} from "../../src/internal/core/checksums.js"

interface SdkChecksum {
  update(bytes: Uint8Array): void
  digest(): Promise<Uint8Array>
}
type SdkChecksumClass = new() => SdkChecksum

// The SDK's checksum package is a dependency of @aws-sdk/client-s3, not of s3po: reach it through it.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve("@aws-sdk/client-s3"))
const sdkCrc = sdkRequire("@aws-sdk/checksums/crc") as Record<string, SdkChecksumClass>
const sdkSha = sdkRequire("@aws-sdk/checksums/sha") as Record<string, SdkChecksumClass>
const sdkImplementations: Record<ChecksumAlgorithm, SdkChecksumClass> = {
  CRC32: sdkCrc.Crc32Js!,
  CRC32C: sdkCrc.Crc32cJs!,
  CRC64NVME: sdkCrc.Crc64NvmeJs!,
  SHA1: sdkSha.Sha1Js!,
  SHA256: sdkSha.Sha256Js!
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")
const ascii = (text: string) => new TextEncoder().encode(text)

const digestOf = (h: Hasher, ...pieces: ReadonlyArray<Uint8Array>) => {
  for (const piece of pieces) h.update(piece)
  return hex(h.digest())
}

const sdkDigest = async (algorithm: ChecksumAlgorithm, bytes: Uint8Array) => {
  const h = new sdkImplementations[algorithm]()
  h.update(bytes)
  return hex(await h.digest())
}

/** `bytes` cut at the given offsets (sorted, each within the array). */
const splitAt = (bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const offsets = [0, ...cuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]
  return offsets.slice(1).map((end, i) => bytes.subarray(offsets[i]!, end))
}

const checkValues: Record<ChecksumAlgorithm, string> = {
  CRC32: "cbf43926",
  CRC32C: "e3069283",
  CRC64NVME: "ae8b14860a799888",
  SHA1: "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
  SHA256: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
}

describe("checksums", () => {
  it("gives the catalogue's check value of \"123456789\", big-endian", () => {
    for (const algorithm of algorithms) {
      assert.strictEqual(digestOf(hasher(algorithm), ascii("123456789")), checkValues[algorithm], algorithm)
    }
    assert.strictEqual(digestOf(crc32SoftwareHasher(), ascii("123456789")), checkValues.CRC32)
  })

  it("gives the empty input's value and a digest of the algorithm's width", () => {
    const empty: Record<ChecksumAlgorithm, string> = {
      CRC32: "00000000",
      CRC32C: "00000000",
      CRC64NVME: "0000000000000000",
      SHA1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
      SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }
    for (const algorithm of algorithms) {
      assert.strictEqual(digestOf(hasher(algorithm)), empty[algorithm], algorithm)
      assert.strictEqual(digestOf(hasher(algorithm), new Uint8Array(0), new Uint8Array(0)), empty[algorithm])
    }
  })

  it("carries the CRC's value across every alignment: 1 to 17 bytes of 0xff, one at a time and at once", () => {
    // The slicing loops fold eight bytes at a time: lengths around 8 and 16 take both the loop and the tail.
    for (const algorithm of [...algorithms, "software CRC32"] as const) {
      const make = () => algorithm === "software CRC32" ? crc32SoftwareHasher() : hasher(algorithm)
      for (let length = 1; length <= 17; length++) {
        const bytes = new Uint8Array(length).fill(0xff)
        const oneByOne = make()
        for (let i = 0; i < length; i++) oneByOne.update(bytes.subarray(i, i + 1))
        assert.strictEqual(hex(oneByOne.digest()), digestOf(make(), bytes), `${algorithm}, ${length} bytes`)
      }
    }
  })

  it("hashes incrementally exactly as in one piece, over any split", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithms),
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (algorithm, bytes, cuts) => {
          const whole = digestOf(hasher(algorithm), bytes)
          assert.strictEqual(digestOf(hasher(algorithm), ...splitAt(bytes, cuts)), whole)
          if (algorithm === "CRC32") assert.strictEqual(digestOf(crc32SoftwareHasher(), ...splitAt(bytes, cuts)), whole)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("agrees with the AWS SDK's implementations on random inputs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...algorithms),
        fc.uint8Array({ maxLength: 2000 }),
        fc.integer({ min: 0, max: 7 }),
        async (algorithm, bytes, offset) => {
          // A view at an odd offset into a larger buffer, as a network chunk is.
          const backing = new Uint8Array(bytes.length + offset)
          backing.set(bytes, offset)
          const view = backing.subarray(offset)
          assert.strictEqual(digestOf(hasher(algorithm), view), await sdkDigest(algorithm, bytes), algorithm)
        }
      ),
      { numRuns: 500 }
    )
    // One large input, past any table-sized pattern.
    const large = new Uint8Array(1 << 20)
    for (let i = 0; i < large.length; i++) large[i] = (i * 2654435761) >>> 24
    for (const algorithm of algorithms) {
      assert.strictEqual(digestOf(hasher(algorithm), large), await sdkDigest(algorithm, large), algorithm)
    }
    assert.strictEqual(digestOf(crc32SoftwareHasher(), large), await sdkDigest("CRC32", large))
  })

  it("makes S3's full-object checksum in base64", () => {
    assert.deepStrictEqual(checksumOf("CRC32", ascii("123456789")), {
      algorithm: "CRC32",
      value: "y/Q5Jg==",
      type: "FULL_OBJECT"
    })
    assert.strictEqual(checksumOf("CRC64NVME", ascii("123456789")).value, "rosUhgp5mIg=")
    assert.strictEqual(checksumOf("CRC32C", ascii("123456789")).value, "4waSgw==")
  })

  it("makes a composite checksum from the parts' digests: the checksum of the digests, then -N", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...algorithms),
        fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 1, maxLength: 6 }),
        async (algorithm, parts) => {
          const digests = parts.map((part) => {
            const h = hasher(algorithm)
            h.update(part)
            return h.digest()
          })
          const sdk = new sdkImplementations[algorithm]()
          for (const part of parts) {
            const partHash = new sdkImplementations[algorithm]()
            partHash.update(part)
            sdk.update(await partHash.digest())
          }
          assert.deepStrictEqual(compositeOf(algorithm, digests), {
            algorithm,
            value: `${toBase64(await sdk.digest())}-${parts.length}`,
            type: "COMPOSITE"
          })
        }
      ),
      { numRuns: 100 }
    )
  })
})
