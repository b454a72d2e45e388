import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import type { CustomerKey, ObjectInfo } from "../../S3Po.js"
import { CustomerKeyMismatch, type S3PoError, ValidationError } from "../../S3PoError.js"
import type { Backend, CopyObjectRequest, UploadPartCopyRequest } from "./backend.js"

/**
 * Encryption with the caller's key (SSE-C): the key checked before any request, its headers, reads
 * that carry it, and S3's answers to a read without it or with another one as `CustomerKeyMismatch`.
 * The key is only ever read here and where a layer writes its headers: never shown.
 */

/** AES-256: the only algorithm S3 takes for customer keys. */
export const algorithm = "AES256"
const keyBytes = 32

/** Why `value` is no customer key (a `Redacted` of 32 bytes), saying nothing of its bytes; `undefined` when absent or one. */
export const problem = (operation: string, field: string, value: unknown): ValidationError | undefined => {
  if (value === undefined) return undefined
  const invalid = (reason: string) => new ValidationError({ operation, field, reason })
  if (!Redacted.isRedacted(value)) return invalid("must be a Redacted Uint8Array of 32 bytes (CustomerKeys.make)")
  const bytes: unknown = Redacted.value(value)
  if (!(bytes instanceof Uint8Array)) return invalid("must hold a Uint8Array of 32 bytes (CustomerKeys.make)")
  return bytes.length === keyBytes
    ? undefined
    : invalid(`must be ${keyBytes} bytes (AES-256), got ${bytes.length} bytes`)
}

/** The key in base64, and its MD5 in base64: what S3's headers carry. */
export const encoded = (key: CustomerKey): { readonly key: string; readonly md5: string } => {
  const bytes = Redacted.value(key)
  return {
    key: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
    md5: createHash("md5").update(bytes).digest("base64")
  }
}

/** The MD5 (base64) of the key, as S3 answers it (`x-amz-server-side-encryption-customer-key-MD5`): not the key. */
export const md5Of = (key: CustomerKey): string => createHash("md5").update(Redacted.value(key)).digest("base64")

/** The headers of a request on an object encrypted with `key`; with `copySource`, those naming a copy's source's key. */
export const headersOf = (key: CustomerKey, copySource = false): Record<string, string> => {
  const prefix = copySource
    ? "x-amz-copy-source-server-side-encryption-customer-"
    : "x-amz-server-side-encryption-customer-"
  const { key: base64, md5 } = encoded(key)
  return { [`${prefix}algorithm`]: algorithm, [`${prefix}key`]: base64, [`${prefix}key-MD5`]: md5 }
}

/**
 * The info of an object read with `key`, saying it is encrypted with it: S3 answers only a read
 * with the key the object is encrypted with, and a backend may not say so itself.
 */
const keyedInfo = <A extends ObjectInfo>(info: A, key: CustomerKey): A =>
  info.customerKeyMd5 !== undefined ? info : { ...info, customerKeyMd5: md5Of(key) }

/** Reads (GET and HEAD) that carry `key`; the backend as it is without one. */
export const keyedReads = (backend: Backend, key: CustomerKey | undefined): Backend => {
  if (key === undefined) return backend
  return {
    ...backend,
    headObject: (request) =>
      Effect.map(backend.headObject({ ...request, customerKey: key }), (info) => keyedInfo(info, key)),
    getObject: (request) =>
      Effect.map(
        backend.getObject({ ...request, customerKey: key }),
        (response) =>
          response.info.customerKeyMd5 !== undefined
            ? response
            // The response's other fields are kept as they are (some are getters made when read).
            : Object.create(response, { info: { value: keyedInfo(response.info, key), enumerable: true } })
      )
  }
}

/** The codes of S3's 400 to a read whose key is not the object's: AWS's, Ceph RGW's, and a HEAD's (no body, no code). */
const mismatchCodes: ReadonlySet<string> = new Set(["InvalidRequest", "InvalidArgument", "BadRequest"])

/**
 * Whether an error answer to a read that gave a key (`given`) or none says the key is not the
 * object's. A key given for an object stored without one is refused as another key is (AWS: 400
 * `InvalidRequest`, "not applicable"), and so is any key by a server that takes none (Ceph RGW over
 * plain HTTP): the object is not encrypted with the key given either way.
 */
const isMismatch = (error: S3PoError, given: boolean): error is S3PoError & { readonly code: string } => {
  const status = error._tag === "AccessDenied" ? 403 : error._tag === "S3ServiceError" ? error.status : undefined
  const code = "code" in error ? error.code : undefined
  if (status === undefined || code === undefined) return false
  return (status === 400 && mismatchCodes.has(code)) || (given && status === 403)
}

const mismatch = (
  error: S3PoError & { readonly code: string },
  location: { readonly bucket: string; readonly key: string },
  given: boolean
) =>
  new CustomerKeyMismatch({
    operation: error.operation,
    bucket: location.bucket,
    key: location.key,
    customerKeyGiven: given,
    status: error._tag === "AccessDenied" ? 403 : "status" in error ? error.status : 400,
    code: error.code,
    requestId: "requestId" in error ? error.requestId : undefined
  })

/** The object a request reads, and the keys it carries. */
interface KeyedRead {
  readonly bucket: string
  readonly key: string
  /** Whether the request gave the object's key. */
  readonly given: boolean
  /** Whether any customer key went with the request (a copy's destination's too). */
  readonly anyKeySent: boolean
}

/**
 * `effect`, its failures that mean a wrong or missing key on the object it reads failing as
 * `CustomerKeyMismatch`. What the request read is worked out only when it fails.
 */
const mismatchesOf = <A, Request>(
  effect: Effect.Effect<A, S3PoError>,
  request: Request,
  readOf: (request: Request) => KeyedRead
): Effect.Effect<A, S3PoError> =>
  Effect.catchAll(effect, (error) => {
    const read = readOf(request)
    return Effect.fail(
      isMismatch(error, read.given) && (read.given || !read.anyKeySent) ? mismatch(error, read, read.given) : error
    )
  })

const readOf = (request: { readonly bucket: string; readonly key: string; readonly customerKey?: unknown }) => ({
  bucket: request.bucket,
  key: request.key,
  given: request.customerKey !== undefined,
  anyKeySent: request.customerKey !== undefined
})

const sourceReadOf = (request: CopyObjectRequest | UploadPartCopyRequest) => ({
  bucket: request.source.bucket,
  key: request.source.key,
  given: request.source.customerKey !== undefined,
  anyKeySent: request.source.customerKey !== undefined || request.customerKey !== undefined
})

/**
 * The backend, its reads of objects (GET, HEAD, and a copy's reads of its source) failing with
 * `CustomerKeyMismatch` where S3 says the key given is not the object's, or that it needs one:
 * AWS answers a read without the key 400 `InvalidRequest` and one with another key 403; Ceph RGW 16
 * 400 `InvalidArgument` to both; a HEAD's answers carry no code.
 */
export const withMismatches = (backend: Backend): Backend => ({
  ...backend,
  getObject: (request) => mismatchesOf(backend.getObject(request), request, readOf),
  headObject: (request) => mismatchesOf(backend.headObject(request), request, readOf),
  copyObject: (request) => mismatchesOf(backend.copyObject(request), request, sourceReadOf),
  uploadPartCopy: (request) => mismatchesOf(backend.uploadPartCopy(request), request, sourceReadOf)
})
