import { createHash } from "node:crypto"
import * as zlib from "node:zlib"
import type { Checksum, ChecksumAlgorithm } from "../../S3Po.js"
import { crcWasmBase64 } from "./crcWasm.js"

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

/**
 * Lookup tables of a reflected 32-bit CRC for slicing-by-8: table `s` (entries `256 * s` on) is the
 * CRC of a byte followed by `s` zero bytes, so that eight bytes are folded in with eight lookups.
 */
const slicingTables32 = (polynomial: number): Int32Array => {
  const table = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? polynomial ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  for (let at = 256; at < table.length; at++) {
    const previous = table[at - 256]!
    table[at] = (previous >>> 8) ^ table[previous & 0xff]!
  }
  return table
}

/** Folds `bytes` into the register `c` (the CRC before its final inversion) of a reflected 32-bit CRC. */
const update32 = (table: Int32Array, c: number, bytes: Uint8Array): number => {
  const length = bytes.length
  const whole = length - (length & 7)
  let i = 0
  for (; i < whole; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
    c = table[1792 + (c & 0xff)]! ^ table[1536 + ((c >>> 8) & 0xff)]! ^ table[1280 + ((c >>> 16) & 0xff)]! ^
      table[1024 + (c >>> 24)]! ^ table[768 + bytes[i + 4]!]! ^ table[512 + bytes[i + 5]!]! ^
      table[256 + bytes[i + 6]!]! ^ table[bytes[i + 7]!]!
  }
  for (; i < length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8)
  return c
}

/** What `make` makes, made on first use: the CRC tables when a hasher first needs them, not as s3po loads. */
const onFirstUse = <A>(make: () => A): () => A => {
  let made: A | undefined
  return () => made ??= make()
}

const crc32Tables = onFirstUse(() => slicingTables32(0xedb88320))
const crc32cTables = onFirstUse(() => slicingTables32(0x82f63b78))

/** CRC-32 in JavaScript, for a Node without `zlib.crc32` (before 20.15): about a quarter of its speed. */
export const crc32SoftwareHasher = (): Hasher => {
  const table = crc32Tables()
  let register = -1
  return {
    algorithm: "CRC32",
    update: (bytes) => {
      register = update32(table, register, bytes)
    },
    digest: () => bigEndian32(~register)
  }
}

const crc32Hasher = (native: (data: Uint8Array, value?: number) => number): Hasher => {
  let value = 0
  return {
    algorithm: "CRC32",
    update: (bytes) => {
      value = native(bytes, value)
    },
    digest: () => bigEndian32(value)
  }
}

/** CRC-32C (Castagnoli) in JavaScript, where WebAssembly is not (`node --jitless`). */
export const crc32cSoftwareHasher = (): Hasher => {
  const table = crc32cTables()
  let register = -1
  return {
    algorithm: "CRC32C",
    update: (bytes) => {
      register = update32(table, register, bytes)
    },
    digest: () => bigEndian32(~register)
  }
}

/**
 * CRC-64/NVME's slicing-by-8 tables (reflected polynomial 0x9a6c9329ac4bc9b5), each 64-bit entry
 * as two 32-bit halves: JavaScript's bitwise operators work on 32 bits, and BigInt is an
 * allocation per operation.
 */
const crc64Tables = onFirstUse(() => {
  const high = new Int32Array(8 * 256)
  const low = new Int32Array(8 * 256)
  for (let n = 0; n < 256; n++) {
    let h = 0
    let l = n
    for (let k = 0; k < 8; k++) {
      const carry = l & 1
      l = (l >>> 1) | (h << 31)
      h >>>= 1
      if (carry) {
        h ^= 0x9a6c9329
        l ^= 0xac4bc9b5
      }
    }
    high[n] = h
    low[n] = l
  }
  for (let at = 256; at < high.length; at++) {
    const h = high[at - 256]!
    const l = low[at - 256]!
    high[at] = (h >>> 8) ^ high[l & 0xff]!
    low[at] = ((l >>> 8) | (h << 24)) ^ low[l & 0xff]!
  }
  return { high, low }
})

/** CRC-64/NVME in JavaScript, where WebAssembly is not (`node --jitless`). */
export const crc64nvmeSoftwareHasher = (): Hasher => {
  const { high, low } = crc64Tables()
  let registerHigh = -1
  let registerLow = -1
  return {
    algorithm: "CRC64NVME",
    update: (bytes) => {
      // The register in locals while the loop runs: a closure's variables are slower to read and write.
      let h = registerHigh
      let l = registerLow
      const length = bytes.length
      const whole = length - (length & 7)
      let i = 0
      for (; i < whole; i += 8) {
        l ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
        h ^= bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24)
        const a0 = 1792 + (l & 0xff)
        const a1 = 1536 + ((l >>> 8) & 0xff)
        const a2 = 1280 + ((l >>> 16) & 0xff)
        const a3 = 1024 + (l >>> 24)
        const a4 = 768 + (h & 0xff)
        const a5 = 512 + ((h >>> 8) & 0xff)
        const a6 = 256 + ((h >>> 16) & 0xff)
        const a7 = h >>> 24
        l = low[a0]! ^ low[a1]! ^ low[a2]! ^ low[a3]! ^ low[a4]! ^ low[a5]! ^ low[a6]! ^ low[a7]!
        h = high[a0]! ^ high[a1]! ^ high[a2]! ^ high[a3]! ^ high[a4]! ^ high[a5]! ^ high[a6]! ^ high[a7]!
      }
      for (; i < length; i++) {
        const at = (l ^ bytes[i]!) & 0xff
        l = ((l >>> 8) | (h << 24)) ^ low[at]!
        h = (h >>> 8) ^ high[at]!
      }
      registerHigh = h
      registerLow = l
    },
    digest: () => {
      const bytes = new Uint8Array(8)
      const view = new DataView(bytes.buffer)
      view.setUint32(0, ~registerHigh >>> 0)
      view.setUint32(4, ~registerLow >>> 0)
      return bytes
    }
  }
}

/**
 * CRC-64/NVME and CRC-32C in WebAssembly (`crcWasm.wat`), 1.5-2 times the JavaScript ones here
 * (measured: README, Performance): the same slicing-by-8 on 64-bit integers. One instance serves
 * every hasher, each keeping its own register: an update copies its bytes in and folds them at once.
 */
interface CrcWasm {
  readonly input: Uint8Array
  readonly words: Int32Array
  readonly crc64nvme: (high: number, low: number, length: number) => void
  readonly crc32c: (register: number, length: number) => number
}

const wasmInputAt = 24592
const wasmInputSize = 65536

let crcWasm: CrcWasm | undefined | null = null

/** The part of the WebAssembly API used here (Node's types leave it out); absent with `--jitless`. */
const webAssembly = (globalThis as {
  readonly WebAssembly?: {
    readonly Module: new(bytes: Uint8Array) => object
    readonly Instance: new(module: object) => { readonly exports: object }
  }
}).WebAssembly

/** The module, compiled and its tables filled when first asked for; undefined where WebAssembly is not. */
const loadCrcWasm = (): CrcWasm | undefined => {
  if (crcWasm !== null) return crcWasm
  crcWasm = undefined
  if (webAssembly === undefined) return crcWasm
  try {
    const instance = new webAssembly.Instance(new webAssembly.Module(Buffer.from(crcWasmBase64, "base64")))
    const { crc32c, crc64nvme, memory } = instance.exports as {
      readonly memory: { readonly buffer: ArrayBuffer }
      readonly crc64nvme: CrcWasm["crc64nvme"]
      readonly crc32c: CrcWasm["crc32c"]
    }
    const words = new Int32Array(memory.buffer)
    // Each i64 entry little-endian: its low half first.
    const { high, low } = crc64Tables()
    for (let at = 0; at < low.length; at++) {
      words[2 * at] = low[at]!
      words[2 * at + 1] = high[at]!
    }
    words.set(crc32cTables(), 16384 / 4)
    crcWasm = { input: new Uint8Array(memory.buffer), words, crc64nvme, crc32c }
  } catch {
    // Without WebAssembly (`--jitless`), the JavaScript hashers.
  }
  return crcWasm
}

/** Whether CRC-32C and CRC-64/NVME are computed in WebAssembly here (else in JavaScript). */
export const crcInWebAssembly = (): boolean => loadCrcWasm() !== undefined

/** `bytes` through the module's input, a window at a time. */
const forEachWindow = (wasm: CrcWasm, bytes: Uint8Array, fold: (length: number) => void) => {
  for (let at = 0; at < bytes.length; at += wasmInputSize) {
    const window = bytes.subarray(at, at + wasmInputSize)
    wasm.input.set(window, wasmInputAt)
    fold(window.length)
  }
}

const crc32cWasmHasher = (wasm: CrcWasm): Hasher => {
  let register = -1
  return {
    algorithm: "CRC32C",
    update: (bytes) => {
      forEachWindow(wasm, bytes, (length) => {
        register = wasm.crc32c(register, length)
      })
    },
    digest: () => bigEndian32(~register)
  }
}

const crc64nvmeWasmHasher = (wasm: CrcWasm): Hasher => {
  let high = -1
  let low = -1
  return {
    algorithm: "CRC64NVME",
    update: (bytes) => {
      forEachWindow(wasm, bytes, (length) => {
        wasm.crc64nvme(high, low, length)
        low = wasm.words[24576 / 4]!
        high = wasm.words[24576 / 4 + 1]!
      })
    },
    digest: () => {
      const digest = new Uint8Array(8)
      const view = new DataView(digest.buffer)
      view.setUint32(0, ~high >>> 0)
      view.setUint32(4, ~low >>> 0)
      return digest
    }
  }
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
      return nativeCrc32 === undefined ? crc32SoftwareHasher() : crc32Hasher(nativeCrc32)
    case "SHA1":
      return cryptoHasher("SHA1", "sha1")
    case "SHA256":
      return cryptoHasher("SHA256", "sha256")
    case "CRC32C": {
      const wasm = loadCrcWasm()
      return wasm === undefined ? crc32cSoftwareHasher() : crc32cWasmHasher(wasm)
    }
    case "CRC64NVME": {
      const wasm = loadCrcWasm()
      return wasm === undefined ? crc64nvmeSoftwareHasher() : crc64nvmeWasmHasher(wasm)
    }
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
