/**
 * The `checksums` section's micro-benchmark: MB/s of each checksum implementation s3po uses and of
 * the alternatives it was chosen against, over 64 MiB of random bytes fed in 64 KiB chunks (what a
 * socket hands over), the implementations taking turns run by run.
 *
 * Packages s3po does not depend on (native and WebAssembly CRCs) are measured when
 * `S3PO_BENCH_PACKAGES` names a folder whose `node_modules` holds them
 * (`npm install @node-rs/crc32 aws-crt hash-wasm` there); each one missing is reported as such.
 */
import { createHash, randomFillSync } from "node:crypto"
import { createRequire } from "node:module"
import * as path from "node:path"
import * as zlib from "node:zlib"
import {
  crc32cSoftwareHasher,
  crc32SoftwareHasher,
  crc64nvmeSoftwareHasher,
  crcInWebAssembly,
  type Hasher,
  hasher
} from "../src/internal/core/checksums.js"
import type { ChecksumAlgorithm } from "../src/S3Po.js"
import { median, round } from "./measure.js"

/** One pass over the input: fed chunk by chunk, then finished. */
type Pass = (chunks: ReadonlyArray<Uint8Array>) => unknown

export interface Implementation {
  readonly name: string
  readonly algorithm: ChecksumAlgorithm | "MD5"
  /** s3po's own choice for the algorithm. */
  readonly used: boolean
  readonly pass: Pass
}

interface SdkChecksum {
  update(bytes: Uint8Array): void
  digest(): Promise<Uint8Array>
}
type SdkChecksumClass = new() => SdkChecksum

const sdkPass = (Checksum: SdkChecksumClass): Pass => (chunks) => {
  const h = new Checksum()
  for (const chunk of chunks) h.update(chunk)
  return h.digest()
}

const hasherPass = (make: () => Hasher): Pass => (chunks) => {
  const h = make()
  for (const chunk of chunks) h.update(chunk)
  return h.digest()
}

const s3poPass = (algorithm: ChecksumAlgorithm): Pass => hasherPass(() => hasher(algorithm))

const nodeCryptoPass = (name: string): Pass => (chunks) => {
  const h = createHash(name)
  for (const chunk of chunks) h.update(chunk)
  return h.digest()
}

/** A byte-at-a-time table CRC-32C, the textbook form the slicing-by-8 one in s3po is measured against. */
const crc32cByteTable = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  const pass: Pass = (chunks) => {
    let c = -1
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.length; i++) c = table[(c ^ chunk[i]!) & 0xff]! ^ (c >>> 8)
    }
    return ~c >>> 0
  }
  return pass
})()

/** The AWS SDK's checksum classes, reached through `@aws-sdk/client-s3` (s3po does not depend on them). */
const sdkImplementations = (): Array<Implementation> => {
  const sdkRequire = createRequire(createRequire(import.meta.url).resolve("@aws-sdk/client-s3"))
  const crc = sdkRequire("@aws-sdk/checksums/crc") as Record<string, SdkChecksumClass>
  const sha = sdkRequire("@aws-sdk/checksums/sha") as Record<string, SdkChecksumClass>
  return [
    { name: "AWS SDK Crc32 (zlib.crc32)", algorithm: "CRC32", used: false, pass: sdkPass(crc.Crc32!) },
    { name: "AWS SDK Crc32cJs (byte-wise table)", algorithm: "CRC32C", used: false, pass: sdkPass(crc.Crc32cJs!) },
    { name: "AWS SDK Crc64NvmeJs", algorithm: "CRC64NVME", used: false, pass: sdkPass(crc.Crc64NvmeJs!) },
    { name: "AWS SDK Sha256 (node:crypto)", algorithm: "SHA256", used: false, pass: sdkPass(sha.Sha256!) }
  ]
}

/** Native and WebAssembly packages, from `S3PO_BENCH_PACKAGES` when set. */
const optionalImplementations = async (): Promise<{ found: Array<Implementation>; missing: Array<string> }> => {
  const folder = process.env.S3PO_BENCH_PACKAGES
  const found: Array<Implementation> = []
  const missing: Array<string> = []
  const load = <A>(name: string): A | undefined => {
    if (folder === undefined) return undefined
    try {
      return createRequire(path.join(path.resolve(folder), "package.json"))(name) as A
    } catch {
      return undefined
    }
  }
  const nodeRs = load<{ crc32c(data: Uint8Array, initial?: number): number }>("@node-rs/crc32")
  if (nodeRs === undefined) missing.push("@node-rs/crc32")
  else {
    found.push({
      name: "@node-rs/crc32 crc32c (native, SSE4.2)",
      algorithm: "CRC32C",
      used: false,
      pass: (chunks) => {
        let value = 0
        for (const chunk of chunks) value = nodeRs.crc32c(chunk, value)
        return value
      }
    })
  }
  const crt = load<{ checksums: Record<"crc32c" | "crc64nvme", (data: Uint8Array, previous?: unknown) => unknown> }>(
    "aws-crt"
  )
  if (crt === undefined) missing.push("aws-crt")
  else {
    for (const [algorithm, name] of [["CRC32C", "crc32c"], ["CRC64NVME", "crc64nvme"]] as const) {
      found.push({
        name: `aws-crt checksums.${name} (native)`,
        algorithm,
        used: false,
        pass: (chunks) => {
          let previous: unknown
          for (const chunk of chunks) previous = crt.checksums[name](chunk, previous)
          return previous
        }
      })
    }
  }
  interface WasmHasher {
    init(): void
    update(data: Uint8Array): void
    digest(): string
  }
  const hashWasm = load<{
    createCRC32(polynomial: number): Promise<WasmHasher>
    createCRC64(polynomial: string): Promise<WasmHasher>
  }>("hash-wasm")
  if (hashWasm === undefined) missing.push("hash-wasm")
  else {
    // Its hashers are made asynchronously (the module is compiled first), and s3po's are synchronous.
    const crc32c = await hashWasm.createCRC32(0x82f63b78)
    const crc64 = await hashWasm.createCRC64("9a6c9329ac4bc9b5")
    for (const [algorithm, h] of [["CRC32C", crc32c], ["CRC64NVME", crc64]] as const) {
      found.push({
        name: `hash-wasm ${algorithm} (WebAssembly)`,
        algorithm,
        used: false,
        pass: (chunks) => {
          h.init()
          for (const chunk of chunks) h.update(chunk)
          return h.digest()
        }
      })
    }
  }
  return { found, missing }
}

export const implementations = async (): Promise<{ all: Array<Implementation>; missing: Array<string> }> => {
  const optional = await optionalImplementations()
  const nativeCrc32 = typeof (zlib as { crc32?: unknown }).crc32 === "function"
  const wasm = crcInWebAssembly() ? "WebAssembly" : "JS"
  return {
    all: [
      {
        name: `s3po CRC64NVME (${wasm}, slicing-by-8)`,
        algorithm: "CRC64NVME",
        used: true,
        pass: s3poPass("CRC64NVME")
      },
      {
        name: `s3po CRC32 (${nativeCrc32 ? "zlib.crc32, native" : "JS, slicing-by-8"})`,
        algorithm: "CRC32",
        used: true,
        pass: s3poPass("CRC32")
      },
      { name: `s3po CRC32C (${wasm}, slicing-by-8)`, algorithm: "CRC32C", used: true, pass: s3poPass("CRC32C") },
      { name: "s3po SHA1 (node:crypto)", algorithm: "SHA1", used: true, pass: s3poPass("SHA1") },
      { name: "s3po SHA256 (node:crypto)", algorithm: "SHA256", used: true, pass: s3poPass("SHA256") },
      { name: "MD5 (node:crypto, ETags)", algorithm: "MD5", used: true, pass: nodeCryptoPass("md5") },
      {
        name: "s3po CRC64NVME fallback (JS, slicing-by-8)",
        algorithm: "CRC64NVME",
        used: false,
        pass: hasherPass(crc64nvmeSoftwareHasher)
      },
      {
        name: "s3po CRC32 fallback (JS, slicing-by-8)",
        algorithm: "CRC32",
        used: false,
        pass: hasherPass(crc32SoftwareHasher)
      },
      {
        name: "s3po CRC32C fallback (JS, slicing-by-8)",
        algorithm: "CRC32C",
        used: false,
        pass: hasherPass(crc32cSoftwareHasher)
      },
      { name: "CRC32C byte-wise table (JS)", algorithm: "CRC32C", used: false, pass: crc32cByteTable },
      ...sdkImplementations(),
      ...optional.found
    ],
    missing: optional.missing
  }
}

const MiB = 1024 * 1024

/** Each implementation's median MB/s (10^6 bytes) over `runs` passes, all taking turns run by run. */
export const hashingSpeeds = async (
  all: ReadonlyArray<Implementation>,
  runs: number,
  bytes = 64 * MiB
): Promise<Array<{ implementation: Implementation; mbPerSecond: number; runs: Array<number> }>> => {
  const input = randomFillSync(new Uint8Array(bytes))
  const chunks: Array<Uint8Array> = []
  for (let at = 0; at < bytes; at += 64 * 1024) chunks.push(input.subarray(at, at + 64 * 1024))
  const speeds = all.map(() => [] as Array<number>)
  for (const implementation of all) await implementation.pass(chunks) // warm-up
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < all.length; i++) {
      const started = performance.now()
      await all[i]!.pass(chunks)
      speeds[i]!.push(bytes / 1e6 / ((performance.now() - started) / 1000))
    }
  }
  return all.map((implementation, i) => ({
    implementation,
    mbPerSecond: round(median(speeds[i]!), 0),
    runs: speeds[i]!.map((speed) => round(speed, 0))
  }))
}
