import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import type { LocalFiles } from "../../LocalFiles.js"
import { defaultPartSize } from "../core/limits.js"
import { multipartETagDigest, type Verifier } from "../core/verification.js"

const MiB = 1024 * 1024

/**
 * The part sizes a multipart ETag of `parts` parts over `size` bytes may have been made with: the
 * common defaults (s3po's and the AWS CLI's 8 MiB, the 5 MiB minimum, 16 and 64 MiB) and the
 * least whole number of MiB that gives that many parts, those that do.
 */
const partSizesFor = (size: number, parts: number): ReadonlyArray<number> => {
  const candidates = [defaultPartSize, 5 * MiB, 16 * MiB, 64 * MiB, Math.ceil(size / parts / MiB) * MiB]
  return Array.from(new Set(candidates)).filter((partSize) => partSize > 0 && Math.ceil(size / partSize) === parts)
}

/**
 * Whether a local file has the content an object's ETag stands for: its MD5 for an object put
 * whole, the MD5 of its parts' MD5s (`…-N`) for a multipart one, tried with each part size that
 * ETag may have been made with. The file is read once. An ETag of another form (SSE-KMS, SSE-C)
 * never matches.
 */
export const matchesETag = (
  files: LocalFiles,
  file: string,
  size: number,
  etag: string
): Effect.Effect<boolean, PlatformError> => {
  const unquoted = etag.replaceAll("\"", "").toLowerCase()
  const [digest, partCount] = unquoted.split("-")
  if (digest === undefined || !/^[0-9a-f]{32}$/.test(digest)) return Effect.succeed(false)
  if (partCount === undefined) {
    const whole = createHash("md5")
    return Effect.map(readEach(files, file, (chunk) => whole.update(chunk)), () => whole.digest("hex") === digest)
  }
  const digests = partSizesFor(size, Number(partCount)).map((partSize) => multipartETagDigest(partSize))
  if (digests.length === 0) return Effect.succeed(false)
  return Effect.map(
    readEach(files, file, (chunk) => {
      for (const parted of digests) parted.update(chunk)
    }),
    () => digests.some((parted) => parted.etag() === unquoted)
  )
}

/** Whether an ETag is an MD5 alone (an object put whole), which the file's MD5 is compared with as it is. */
export const isSinglePartETag = (etag: string): boolean =>
  /^[0-9a-f]{32}$/.test(etag.replaceAll("\"", "").toLowerCase())

/** Whether a local file's bytes pass `verifier`, made from what an object stores. The file is read once. */
export const passesVerifier = (
  files: LocalFiles,
  file: string,
  verifier: Verifier
): Effect.Effect<boolean, PlatformError> =>
  Effect.map(readEach(files, file, (chunk) => verifier.update(chunk)), () => verifier.check() === undefined)

/** Reads a file once, a MiB at a time, handing each chunk to `f`. */
const readEach = (files: LocalFiles, file: string, f: (chunk: Uint8Array) => void) =>
  Stream.runForEach(files.readStream(file, { chunkSize: MiB }), (chunk) => Effect.sync(() => f(chunk)))
