import { createHash } from "node:crypto"
import * as zlib from "node:zlib"
import type { Checksum, ChecksumAlgorithm } from "../../S3Po.js"

/** A digest computed as the bytes go by, so that no byte is read twice. */
export interface Hasher {
  readonly algorithm: ChecksumAlgorithm
  readonly update: (bytes: Uint8Array) => void
  /** The digest's bytes; the hasher is not used after. */
  readonly digest: () => Uint8Array
}

const nativeCrc32 = (zlib as { readonly crc32?: (data: Uint8Array, value?: number) => number }).crc32

const bigEndian32 = (value: number): Uint8Array => {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, value >>> 0)
  return bytes
}

const crc32Table = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

const crc32Hasher = (): Hasher => {
  let value = 0
  const update = nativeCrc32 !== undefined
    ? (bytes: Uint8Array) => {
      value = nativeCrc32(bytes, value)
    }
    : (bytes: Uint8Array) => {
      let c = ~value
      for (let i = 0; i < bytes.length; i++) c = crc32Table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
      value = ~c >>> 0
    }
  return { algorithm: "CRC32", update, digest: () => bigEndian32(value) }
}

const cryptoHasher = (algorithm: "SHA1" | "SHA256", name: string): Hasher => {
  const hash = createHash(name)
  return {
    algorithm,
    update: (bytes) => {
      hash.update(bytes)
    },
    digest: () => new Uint8Array(hash.digest())
  }
}

/** A hasher for one of S3's checksum algorithms. */
export const hasher = (algorithm: ChecksumAlgorithm): Hasher => {
  switch (algorithm) {
    case "CRC32":
      return crc32Hasher()
    case "SHA1":
      return cryptoHasher("SHA1", "sha1")
    case "SHA256":
      return cryptoHasher("SHA256", "sha256")
    case "CRC32C":
    case "CRC64NVME":
      throw new Error(`${algorithm} is not implemented yet`)
  }
}

export const toBase64 = (digest: Uint8Array): string => Buffer.from(digest).toString("base64")

/** The full-object checksum of `bytes`, in base64 as S3's headers carry it. */
export const checksumOf = (algorithm: ChecksumAlgorithm, bytes: Uint8Array): Checksum => {
  const h = hasher(algorithm)
  h.update(bytes)
  return { algorithm, value: toBase64(h.digest()), type: "FULL_OBJECT" }
}

/** A multipart object's composite checksum: the checksum of its parts' digests, then `-N`. */
export const compositeOf = (algorithm: ChecksumAlgorithm, partDigests: ReadonlyArray<Uint8Array>): Checksum => {
  const h = hasher(algorithm)
  for (const digest of partDigests) h.update(digest)
  return { algorithm, value: `${toBase64(h.digest())}-${partDigests.length}`, type: "COMPOSITE" }
}

/** The algorithms whose multipart checksum can be of the full object (the CRCs); the others are composite. */
export const fullObjectCapable = (algorithm: ChecksumAlgorithm): boolean => algorithm.startsWith("CRC")

/** S3's header for an algorithm's checksum: `x-amz-checksum-crc32`, ... */
export const headerOf = (algorithm: ChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`

export const algorithms: ReadonlyArray<ChecksumAlgorithm> = ["CRC64NVME", "CRC32", "CRC32C", "SHA1", "SHA256"]

/**
 * The user metadata (`x-amz-meta-s3po-part-size`) in which a multipart upload records its part
 * size, so that a later read can recompute the multipart ETag (the MD5 of the parts' MD5s, `-N`)
 * on a server that keeps no checksum: the part size is known when the upload is created, a
 * full-object checksum of a stream only after it is complete, when metadata can no longer change.
 */
export const partSizeMetadataKey = "s3po-part-size"
