import * as Either from "effect/Either"
import type { Checksum, ChecksumAlgorithm } from "../../S3Po.js"
import { ChecksumMismatch, type S3PoError, S3ServiceError } from "../../S3PoError.js"
import type { CreateMultipartRequest, ObjectRequest } from "../core/backend.js"
import { algorithms, checksumOf, compositeOf, fullObjectCapable } from "../core/checksums.js"

/**
 * S3's checksum rules, as the mock applies them: a sent checksum is checked against the bytes
 * received and kept with them; an object written without one gets S3's default; a multipart
 * upload's checksum is of the full object or composite, as it was declared.
 */

/** What an upload declares in CreateMultipartUpload: each part's algorithm, and the object's kind of checksum. */
export type Declared = NonNullable<CreateMultipartRequest["checksum"]>

/** The checksum S3 computes for an object written without one (since 2025): CRC64NVME of the full object. */
export const defaultAlgorithm: ChecksumAlgorithm = "CRC64NVME"

/** S3's default checksum of `bytes`. */
export const defaultOf = (bytes: Uint8Array): Checksum => checksumOf(defaultAlgorithm, bytes)

const invalidRequest = (operation: string, request: ObjectRequest, detail: string) =>
  Either.left(
    new S3ServiceError({
      operation,
      bucket: request.bucket,
      key: request.key,
      status: 400,
      code: "InvalidRequest",
      detail,
      retryable: false
    })
  )

/**
 * S3's `400 BadDigest` ("The CRC32 you specified did not match the calculated checksum"): the typed
 * error for it is `ChecksumMismatch`, with what was sent and what the bytes received hash to. It is
 * retryable, as the live layer's: a byte flipped on the way is usually not flipped again.
 */
const badDigest = (operation: string, request: ObjectRequest, sent: Checksum, actual: string) =>
  Either.left(
    new ChecksumMismatch({
      operation,
      bucket: request.bucket,
      key: request.key,
      algorithm: sent.algorithm,
      expected: sent.value,
      actual
    })
  )

const isAlgorithm = (algorithm: unknown): algorithm is ChecksumAlgorithm =>
  algorithms.includes(algorithm as ChecksumAlgorithm)

/** An algorithm S3 does not know, as S3 refuses it. */
const unknownAlgorithm = (operation: string, request: ObjectRequest, algorithm: unknown) =>
  isAlgorithm(algorithm)
    ? undefined
    : invalidRequest(operation, request, `Value for x-amz-checksum-algorithm header is invalid: ${String(algorithm)}`)

/**
 * The checksum a PUT (or a part) stores: the one sent, when the bytes received match it, else
 * `BadDigest`; without one, `fallback`.
 */
export const checked = (
  operation: string,
  request: ObjectRequest,
  bytes: Uint8Array,
  sent: Checksum | undefined,
  fallback: () => Checksum | undefined
): Either.Either<Checksum | undefined, S3PoError> => {
  if (sent === undefined) return Either.right(fallback())
  const unknown = unknownAlgorithm(operation, request, sent.algorithm)
  if (unknown !== undefined) return unknown
  const received = checksumOf(sent.algorithm, bytes)
  return received.value === sent.value ? Either.right(received) : badDigest(operation, request, sent, received.value)
}

/** The kinds of checksum S3 offers each algorithm for a multipart upload. */
export const declarationRefused = (request: CreateMultipartRequest) => {
  const declared = request.checksum
  if (declared === undefined) return undefined
  const unknown = unknownAlgorithm("CreateMultipartUpload", request, declared.algorithm)
  if (unknown !== undefined) return unknown
  const offered = declared.type === "FULL_OBJECT"
    ? fullObjectCapable(declared.algorithm)
    : declared.type === "COMPOSITE" && declared.algorithm !== "CRC64NVME"
  return offered ? undefined : invalidRequest(
    "CreateMultipartUpload",
    request,
    `The ${
      String(declared.type)
    } checksum type cannot be used with the ${declared.algorithm.toLowerCase()} checksum algorithm.`
  )
}

const nameOf = (algorithm: ChecksumAlgorithm | undefined) => algorithm?.toLowerCase() ?? "null"

/**
 * A part's checksum, checked as S3 checks it: of the upload's algorithm (a part of an upload that
 * declared one must carry it, a part of one that declared none must carry none), and matching the
 * part's bytes.
 */
export const checkedPart = (
  request: ObjectRequest,
  declared: Declared | undefined,
  bytes: Uint8Array,
  sent: Checksum | undefined
): Either.Either<Checksum | undefined, S3PoError> =>
  sent?.algorithm === declared?.algorithm
    ? checked("UploadPart", request, bytes, sent, () => undefined)
    : invalidRequest(
      "UploadPart",
      request,
      `Checksum Type mismatch occurred, expected checksum Type: ${nameOf(declared?.algorithm)}, ` +
        `actual checksum Type: ${nameOf(sent?.algorithm)}`
    )

/** A part as Complete needs it: its bytes, and its checksum when its upload declared one. */
export interface ChecksummedPart {
  readonly body: Uint8Array
  readonly checksum?: Checksum | undefined
}

/**
 * The part checksums a Complete lists, against those the parts were uploaded with: a composite
 * checksum needs every part's, and any part's listed must be the one it was uploaded with.
 */
export const listedPartRefused = (
  request: ObjectRequest,
  declared: Declared | undefined,
  partNumber: number,
  listed: string | undefined,
  uploaded: ChecksummedPart
) => {
  if (listed === undefined) {
    return declared?.type === "COMPOSITE"
      ? invalidRequest(
        "CompleteMultipartUpload",
        request,
        `The upload was created using a ${nameOf(declared.algorithm)} checksum. The complete request must ` +
          `include the checksum for each part. It was missing for part ${partNumber} in the request.`
      )
      : undefined
  }
  return declared !== undefined && listed !== uploaded.checksum?.value
    ? Either.left(
      new S3ServiceError({
        operation: "CompleteMultipartUpload",
        bucket: request.bucket,
        key: request.key,
        status: 400,
        code: "InvalidPart",
        detail: `part ${partNumber} was not uploaded with the ${declared.algorithm} checksum ${listed}`,
        retryable: false
      })
    )
    : undefined
}

/**
 * The checksum of an object completed from `parts` (`body`, their bytes joined): of every byte for
 * a full-object upload, of the parts' digests for a composite one, S3's default for an upload that
 * declared none. A checksum the Complete sends must be of the same algorithm and kind, and match.
 */
export const completed = (
  request: ObjectRequest,
  declared: Declared | undefined,
  parts: ReadonlyArray<ChecksummedPart>,
  body: Uint8Array,
  sent: Checksum | undefined
): Either.Either<Checksum | undefined, S3PoError> => {
  const object = declared === undefined
    ? defaultOf(body)
    : declared.type === "FULL_OBJECT"
    ? checksumOf(declared.algorithm, body)
    : compositeOf(
      declared.algorithm,
      parts.map((part) => Buffer.from(part.checksum?.value ?? "", "base64"))
    )
  if (sent === undefined) return Either.right(object)
  if (object === undefined || sent.algorithm !== object.algorithm || sent.type !== object.type) {
    return invalidRequest(
      "CompleteMultipartUpload",
      request,
      `The upload was created using the ${object?.type ?? "null"} checksum mode with the ` +
        `${nameOf(object?.algorithm)} checksum algorithm. The complete request must use the same.`
    )
  }
  return sent.value === object.value ? Either.right(object) : badDigest(
    "CompleteMultipartUpload",
    request,
    sent,
    object.value
  )
}

/**
 * The checksum of a whole object copied in one request: the source's algorithm over the copy's
 * bytes, of the full object (a composite one cannot be recomputed without the parts, and S3 makes
 * it full-object), or S3's default when the source has none.
 */
export const copied = (source: Checksum | undefined, bytes: Uint8Array): Checksum | undefined =>
  source === undefined
    ? defaultOf(bytes)
    : source.type === "FULL_OBJECT"
    ? source
    : checksumOf(source.algorithm, bytes)
