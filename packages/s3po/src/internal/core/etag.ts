import * as crypto from "node:crypto"

const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: "hex") => string }).hash

const hashHex = (algorithm: "md5" | "sha256", bytes: Uint8Array): string =>
  oneShotHash !== undefined
    ? oneShotHash(algorithm, bytes, "hex")
    : crypto.createHash(algorithm).update(bytes).digest("hex")

export const md5Hex = (bytes: Uint8Array): string => hashHex("md5", bytes)

/** The SHA-256 of a body, as SigV4 signs it. */
export const sha256Hex = (bytes: Uint8Array): string => hashHex("sha256", bytes)

/**
 * S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-N`. Holds where part
 * ETags are MD5s (not for SSE-KMS or SSE-C objects).
 */
export const multipartETag = (partETags: ReadonlyArray<string>): string => {
  const digests = Buffer.concat(partETags.map((etag) => Buffer.from(etag.replaceAll("\"", "").split("-")[0]!, "hex")))
  return `"${md5Hex(digests)}-${partETags.length}"`
}
