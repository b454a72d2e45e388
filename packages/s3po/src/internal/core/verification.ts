import { createHash } from "node:crypto"
import type { ObjectInfo } from "../../S3Po.js"
import { ChecksumMismatch } from "../../S3PoError.js"
import { hasher, toBase64 } from "./checksums.js"
import { recordedPartSize } from "./partSizeRecord.js"

/**
 * How the bytes of a whole object read are checked: against the checksum the server keeps (a
 * `FULL_OBJECT` one directly, a `COMPOSITE` one when the part size is recorded), else against the
 * multipart ETag recomputed with the part size the upload recorded (`s3po-part-size`), else against
 * an ETag that is the body's MD5 (a single PUT, not encrypted with KMS nor a customer key). Otherwise
 * nothing checks it.
 */

/** Checks the bytes of a whole object, given in order as they arrive: no byte is read twice. */
export interface Verifier {
  readonly update: (bytes: Uint8Array) => void
  /** After the last byte: why the bytes are not the object's, if they are not. */
  readonly check: () => ChecksumMismatch | undefined
}

/** A digest computed as the bytes go by. */
interface Digest {
  readonly update: (bytes: Uint8Array) => void
  readonly digest: () => Uint8Array
}

const md5 = (): Digest => {
  const hash = createHash("md5")
  return {
    update: (bytes) => {
      hash.update(bytes)
    },
    digest: () => hash.digest()
  }
}

/**
 * The digest of the digests of each `partSize` bytes, as multipart ETags (MD5) and composite
 * checksums are made; `parts` counts the parts seen.
 */
export class PartedDigest {
  private readonly partDigests: Array<Uint8Array> = []
  private part: Digest
  private inPart = 0

  constructor(readonly partSize: number, private readonly make: () => Digest) {
    this.part = make()
  }

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(this.partSize - this.inPart, bytes.length - at)
      this.part.update(at === 0 && take === bytes.length ? bytes : bytes.subarray(at, at + take))
      this.inPart += take
      at += take
      if (this.inPart === this.partSize) this.closePart()
    }
  }

  /** The digest of the parts' digests; the digest is not updated after. An empty body is one empty part. */
  digest(): Uint8Array {
    if (this.inPart > 0 || this.partDigests.length === 0) this.closePart()
    const whole = this.make()
    for (const digest of this.partDigests) whole.update(digest)
    return whole.digest()
  }

  get parts(): number {
    return Math.max(1, this.partDigests.length + (this.inPart > 0 ? 1 : 0))
  }

  private closePart() {
    this.partDigests.push(this.part.digest())
    this.part = this.make()
    this.inPart = 0
  }
}

/** The multipart ETag (without quotes) of bytes uploaded in parts of `partSize`: the MD5 of the parts' MD5s, `-N`. */
export const multipartETagDigest = (partSize: number) => {
  const parted = new PartedDigest(partSize, md5)
  return {
    update: (bytes: Uint8Array) => parted.update(bytes),
    etag: () => {
      const parts = parted.parts
      return `${Buffer.from(parted.digest()).toString("hex")}-${parts}`
    }
  }
}

/** What the bytes are checked against, and how their own value is computed. */
interface Expectation {
  /** As `ChecksumMismatch` names it. */
  readonly algorithm: string
  readonly expected: string
  readonly update: (bytes: Uint8Array) => void
  readonly actual: () => string
}

/** Whether `parts` parts of `partSize` bytes make an object of `size` bytes. */
const partsFit = (size: number, partSize: number, parts: number) => parts === Math.max(1, Math.ceil(size / partSize))

/** The server's checksum: of the full object, or composite when the part size is known. */
const fromChecksum = (info: ObjectInfo): Expectation | undefined => {
  const checksum = info.checksum
  if (checksum === undefined) return undefined
  const algorithm = checksum.algorithm
  if (checksum.type === "FULL_OBJECT") {
    const digest = hasher(algorithm)
    return {
      algorithm,
      expected: checksum.value,
      update: digest.update,
      actual: () => toBase64(digest.digest())
    }
  }
  const parts = /-([1-9][0-9]*)$/.exec(checksum.value)?.[1]
  const partSize = recordedPartSize(info)
  if (parts === undefined || partSize === undefined || !partsFit(info.size, partSize, Number(parts))) return undefined
  const parted = new PartedDigest(partSize, () => hasher(algorithm))
  return {
    algorithm: `${algorithm} (composite)`,
    expected: checksum.value,
    update: (bytes) => parted.update(bytes),
    actual: () => {
      const count = parted.parts
      return `${toBase64(parted.digest())}-${count}`
    }
  }
}

/**
 * The ETag without quotes, in lower case, when it may be an MD5: under SSE-KMS and SSE-C (an object
 * answered with its customer key's MD5) it is not on AWS, single part or multipart, though Ceph RGW
 * makes it one: nothing tells the two apart, so neither is checked by its ETag.
 */
const md5ETagOf = (info: ObjectInfo): string | undefined =>
  info.serverSideEncryption?.type === "aws:kms" || info.customerKeyMd5 !== undefined
    ? undefined
    : info.etag.replaceAll("\"", "").toLowerCase()

/** The multipart ETag, recomputed with the part size the upload recorded (which gives the ETag's part count). */
const fromRecord = (info: ObjectInfo): Expectation | undefined => {
  const partSize = recordedPartSize(info)
  const etag = md5ETagOf(info)
  if (partSize === undefined || etag === undefined || !/^[0-9a-f]{32}-[1-9][0-9]*$/.test(etag)) return undefined
  const digest = multipartETagDigest(partSize)
  return { algorithm: "MD5-of-parts", expected: etag, update: digest.update, actual: digest.etag }
}

/** An ETag that is the body's MD5: an object put whole. */
const fromETag = (info: ObjectInfo): Expectation | undefined => {
  const etag = md5ETagOf(info)
  if (etag === undefined || !/^[0-9a-f]{32}$/.test(etag)) return undefined
  const digest = md5()
  return {
    algorithm: "MD5",
    expected: etag,
    update: digest.update,
    actual: () => Buffer.from(digest.digest()).toString("hex")
  }
}

/**
 * A verifier of the whole object `info` describes (as its first GET or a HEAD answered it), or
 * `undefined` when nothing the server keeps can check its bytes.
 */
export const verifierOf = (operation: string, bucket: string, key: string, info: ObjectInfo): Verifier | undefined => {
  const expectation = fromChecksum(info) ?? fromRecord(info) ?? fromETag(info)
  if (expectation === undefined) return undefined
  return {
    update: expectation.update,
    check: () => {
      const actual = expectation.actual()
      return actual === expectation.expected
        ? undefined
        : new ChecksumMismatch({
          operation,
          bucket,
          key,
          algorithm: expectation.algorithm,
          expected: expectation.expected,
          actual
        })
    }
  }
}
