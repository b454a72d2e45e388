import * as Redacted from "effect/Redacted"
import type { CustomerKey } from "../../S3Po.js"
import { md5Hex } from "../core/etag.js"

/**
 * SSE-C as S3 checks it: the store keeps the MD5 of the key an object was written with, never the
 * key, and compares the MD5 of the key each request gives.
 */

/** Why S3 refuses a request's customer key: an answer's status, code and message (which never show the key). */
export interface KeyRefusal {
  readonly status: number
  readonly code: string
  readonly message: string
}

const keyBytes = 32

/** The key's MD5 in base64, as S3 answers it (`x-amz-server-side-encryption-customer-key-MD5`). */
export const md5Of = (key: CustomerKey): string => Buffer.from(md5Hex(Redacted.value(key)), "hex").toString("base64")

/** A key S3 cannot encrypt with: AES-256 takes 32 bytes. */
export const malformed = (key: CustomerKey | undefined): KeyRefusal | undefined =>
  key === undefined || Redacted.value(key).length === keyBytes ? undefined : {
    status: 400,
    code: "InvalidArgument",
    message: "The secret key was invalid for the specified algorithm."
  }

/** The MD5 a write stores for its key, or the refusal of a malformed one. */
export const writtenWith = (key: CustomerKey | undefined): KeyRefusal | string | undefined =>
  malformed(key) ?? (key === undefined ? undefined : md5Of(key))

/**
 * Why a request on an object encrypted with the key of MD5 `stored` (or not encrypted with one)
 * may not read it with `given`: no key for an encrypted object, or a key for one that is not, is
 * 400 `InvalidRequest`; another key is 403 `AccessDenied`.
 */
export const readRefusal = (stored: string | undefined, given: CustomerKey | undefined): KeyRefusal | undefined => {
  if (stored === undefined && given === undefined) return undefined
  if (given === undefined) {
    return {
      status: 400,
      code: "InvalidRequest",
      message: "The object was stored using a form of Server Side Encryption. " +
        "The correct parameters must be provided to retrieve the object."
    }
  }
  if (stored === undefined) {
    return {
      status: 400,
      code: "InvalidRequest",
      message: "The encryption parameters are not applicable to this object."
    }
  }
  const refused = malformed(given)
  if (refused !== undefined) return refused
  return md5Of(given) === stored ? undefined : {
    status: 403,
    code: "AccessDenied",
    message: "The calculated MD5 hash of the key did not match the hash that was provided."
  }
}

/** A part of a multipart upload gives the key the upload was created with, or fails as S3 fails it. */
export const partRefusal = (stored: string | undefined, given: CustomerKey | undefined): KeyRefusal | undefined =>
  stored === undefined && given === undefined
    ? undefined
    : malformed(given) ?? (given !== undefined && stored !== undefined && md5Of(given) === stored ? undefined : {
      status: 400,
      code: "InvalidRequest",
      message: "The provided encryption parameters did not match the ones used originally."
    })

/** An SSE-C object's ETag: not the MD5 of its bytes, as S3 documents (a digest of that MD5 and the key's). */
export const encryptedETag = (unquotedMd5: string, keyMd5: string): string =>
  md5Hex(new TextEncoder().encode(`${unquotedMd5}:${keyMd5}`))
