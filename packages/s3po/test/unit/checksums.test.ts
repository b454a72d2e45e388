/**
 * The checksum hashers: the CRC catalogue's check values, incremental hashing equal to one-shot
 * over any split, agreement with the AWS SDK's own implementations on random inputs, and the
 * composite checksum of a multipart object. The CRCs s3po computes in WebAssembly or with
 * `zlib.crc32` have JavaScript fallbacks (`--jitless`, Node before 20.15): both are checked.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { createRequire } from "node:module"
import type { ChecksumAlgorithm } from "s3po"
import {
  algorithms,
  checksumOf,
  compositeOf,
  crc32cSoftwareHasher,
  crc32SoftwareHasher,
  crc64nvmeSoftwareHasher,
  crcInWebAssembly,
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

/** Every hasher of an algorithm: the one `hasher` picks, and the JavaScript fallback where there is one. */
const variants = (algorithm: ChecksumAlgorithm): ReadonlyArray<readonly [string, () => Hasher]> => {
  const fallback = { CRC32: crc32SoftwareHasher, CRC32C: crc32cSoftwareHasher, CRC64NVME: crc64nvmeSoftwareHasher }[
    algorithm as "CRC32"
  ] as (() => Hasher) | undefined
  return [
    [algorithm, () => hasher(algorithm)],
    ...(fallback === undefined ? [] : [[`${algorithm} in JavaScript`, fallback] as const])
  ]
}
const allVariants = algorithms.flatMap(variants)

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
      for (const [name, make] of variants(algorithm)) {
        assert.strictEqual(digestOf(make(), ascii("123456789")), checkValues[algorithm], name)
      }
    }
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
      for (const [name, make] of variants(algorithm)) {
        assert.strictEqual(digestOf(make()), empty[algorithm], name)
        assert.strictEqual(digestOf(make(), new Uint8Array(0), new Uint8Array(0)), empty[algorithm], name)
      }
    }
  })

  it("carries the CRC's value across every alignment: 1 to 17 bytes of 0xff, one at a time and at once", () => {
    // The slicing loops fold eight bytes at a time: lengths around 8 and 16 take both the loop and the tail.
    for (const [name, make] of allVariants) {
      for (let length = 1; length <= 17; length++) {
        const bytes = new Uint8Array(length).fill(0xff)
        const oneByOne = make()
        for (let i = 0; i < length; i++) oneByOne.update(bytes.subarray(i, i + 1))
        assert.strictEqual(hex(oneByOne.digest()), digestOf(make(), bytes), `${name}, ${length} bytes`)
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
          for (const [name, make] of variants(algorithm)) {
            assert.strictEqual(digestOf(make(), ...splitAt(bytes, cuts)), whole, name)
          }
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
          const expected = await sdkDigest(algorithm, bytes)
          for (const [name, make] of variants(algorithm)) assert.strictEqual(digestOf(make(), view), expected, name)
        }
      ),
      { numRuns: 500 }
    )
    // Large inputs, past any table-sized pattern, at and around the 64 KiB the WebAssembly module takes at a time.
    for (const length of [65535, 65536, 65537, 3 * 65536 + 5, 1 << 20]) {
      const large = new Uint8Array(length)
      for (let i = 0; i < large.length; i++) large[i] = (i * 2654435761) >>> 24
      for (const algorithm of algorithms) {
        const expected = await sdkDigest(algorithm, large)
        for (const [name, make] of variants(algorithm)) {
          assert.strictEqual(digestOf(make(), large), expected, `${name}, ${length} bytes`)
        }
      }
    }
  })

  it("computes CRC-32C and CRC-64/NVME in WebAssembly under Node", () => {
    assert.isTrue(crcInWebAssembly())
  })

  it("keeps each hasher's register its own while others use the same WebAssembly instance", () => {
    const bytes = ascii("123456789")
    const interleaved = algorithms.flatMap((algorithm) => [hasher(algorithm), hasher(algorithm)])
    for (const byte of bytes) for (const h of interleaved) h.update(new Uint8Array([byte]))
    for (const h of interleaved) assert.strictEqual(hex(h.digest()), checkValues[h.algorithm], h.algorithm)
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
