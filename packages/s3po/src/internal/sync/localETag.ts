import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
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
export const matchesETag = async (file: string, size: number, etag: string): Promise<boolean> => {
  const unquoted = etag.replaceAll("\"", "").toLowerCase()
  const [digest, partCount] = unquoted.split("-")
  if (digest === undefined || !/^[0-9a-f]{32}$/.test(digest)) return false
  if (partCount === undefined) {
    const whole = createHash("md5")
    for await (const chunk of createReadStream(file, { highWaterMark: MiB })) whole.update(chunk as Buffer)
    return whole.digest("hex") === digest
  }
  const digests = partSizesFor(size, Number(partCount)).map((partSize) => multipartETagDigest(partSize))
  if (digests.length === 0) return false
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    for (const parted of digests) parted.update(chunk as Buffer)
  }
  return digests.some((parted) => parted.etag() === unquoted)
}

/** Whether an ETag is an MD5 alone (an object put whole), which the file's MD5 is compared with as it is. */
export const isSinglePartETag = (etag: string): boolean =>
  /^[0-9a-f]{32}$/.test(etag.replaceAll("\"", "").toLowerCase())

/** Whether a local file's bytes pass `verifier`, made from what an object stores. The file is read once. */
export const passesVerifier = async (file: string, verifier: Verifier): Promise<boolean> => {
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) verifier.update(chunk as Buffer)
  return verifier.check() === undefined
}
