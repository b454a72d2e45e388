/**
 * Every way an s3po operation can fail, as tagged errors: catch them with `Effect.catchTag`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as internalPrintable from "./internal/core/printable.js"

/**
 * Marks every s3po error.
 *
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("s3po/S3PoError")

/**
 * @since 0.2.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * Text made safe to show on a terminal, and still exact: control characters (C0 such as NUL, ESC,
 * CR, LF and TAB; DEL; C1), the bidirectional marks, overrides and isolates, and the line and
 * paragraph separators are written as a JavaScript string literal writes them (`\x1b`, `\u202e`),
 * and a backslash as `\\`, so the text can be read back. Every s3po error's `message` shows keys,
 * paths and server text this way (its fields keep them exact); use it for lines of your own.
 *
 * @example
 * ```ts
 * import { printable } from "s3po"
 *
 * printable("report\x1b]52;c;aGk=\x07.txt") // "report\\x1b]52;c;aGk=\\x07.txt"
 * ```
 *
 * @since 0.3.0
 * @category formatting
 */
export const printable: (text: string) => string = internalPrintable.printable

const where = (bucket: string, key?: string): string => key === undefined ? `s3://${bucket}` : `s3://${bucket}/${key}`

const requestIdOf = (requestId: string | undefined): string => requestId === undefined ? "" : ` [request ${requestId}]`

/**
 * The object does not exist (S3 `NoSuchKey`, or the bare 404 of a HEAD request).
 *
 * @since 0.1.0
 * @category errors
 */
export class NoSuchKey extends Data.TaggedError("NoSuchKey")<{
  readonly operation: string
  readonly bucket: string
  readonly key: string
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: no such key ${where(this.bucket, this.key)}`)
  }
}

/**
 * The bucket does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class NoSuchBucket extends Data.TaggedError("NoSuchBucket")<{
  readonly operation: string
  readonly bucket: string
  /** The key the request was for, if any. */
  readonly key?: string | undefined
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const of = this.key === undefined ? "" : ` (for ${where(this.bucket, this.key)})`
    return printable(`${this.operation}: no such bucket ${where(this.bucket)}${of}${requestIdOf(this.requestId)}`)
  }
}

const accessDeniedHints: Record<string, string> = {
  Forbidden: "403 without an error code, as a HEAD answer has none: check the access key and secret, " +
    "the system clock (S3 refuses requests more than 15 minutes off), the bucket policy and the region",
  SignatureDoesNotMatch: "SignatureDoesNotMatch: check the secret access key, and the region",
  InvalidAccessKeyId: "InvalidAccessKeyId: the server knows no such access key",
  RequestTimeTooSkewed: "RequestTimeTooSkewed: the system clock is more than 15 minutes off"
}

/**
 * A bucket that still holds objects cannot be deleted (S3 `BucketNotEmpty`, 409): empty it first.
 *
 * @since 0.2.0
 * @category errors
 */
export class BucketNotEmpty extends Data.TaggedError("BucketNotEmpty")<{
  readonly operation: string
  readonly bucket: string
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(
      `${this.operation}: ${where(this.bucket)} is not empty: delete its objects first (emptyBucket)${
        requestIdOf(this.requestId)
      }`
    )
  }
}

/**
 * The credentials in use may not do this (HTTP 403). `code` is S3's error code (`AccessDenied`,
 * `SignatureDoesNotMatch`, `InvalidAccessKeyId`, `RequestTimeTooSkewed`, ...), or `Forbidden` when
 * the answer had none (a HEAD answer has no body).
 *
 * @since 0.1.0
 * @category errors
 */
export class AccessDenied extends Data.TaggedError("AccessDenied")<{
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  readonly code: string
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const reason = accessDeniedHints[this.code] ?? this.code
    return printable(
      `${this.operation}: access denied (${reason}) on ${where(this.bucket, this.key)}${requestIdOf(this.requestId)}`
    )
  }
}

/**
 * Bad input, rejected before any request was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Data.TaggedError("ValidationError")<{
  readonly operation: string
  readonly field: string
  readonly reason: string
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: invalid ${this.field}: ${this.reason}`)
  }
}

/**
 * A condition of the request did not hold (HTTP 412): the object is not the version `ifMatch`
 * named, a create-only write (`ifNoneMatch: "*"`) found the key taken, or the object changed while
 * it was being read or copied, so its bytes were not mixed with those of another version.
 * `condition` names the condition, as its header (`If-None-Match: *`).
 *
 * @since 0.1.0
 * @category errors
 */
export class PreconditionFailed extends Data.TaggedError("PreconditionFailed")<{
  readonly operation: string
  readonly bucket: string
  readonly key: string
  /** The ETag the request required, when it named one. */
  readonly expectedETag?: string | undefined
  readonly condition?: string | undefined
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const condition = this.condition ??
      (this.expectedETag === undefined ? "the request's conditions" : `If-Match: ${this.expectedETag}`)
    return printable(
      `${this.operation}: precondition failed: ${where(this.bucket, this.key)} does not meet ${condition}${
        requestIdOf(this.requestId)
      }`
    )
  }
}

/**
 * The caller's copy is current (HTTP 304): the object still has the ETag `ifNoneMatch` named, or
 * has not changed since `ifModifiedSince`. `etag` is the object's ETag, or the one sent where the
 * server's answer omits it.
 *
 * @since 0.2.0
 * @category errors
 */
export class NotModified extends Data.TaggedError("NotModified")<{
  readonly operation: string
  readonly bucket: string
  readonly key: string
  readonly etag?: string | undefined
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const etag = this.etag === undefined ? "" : ` (ETag ${this.etag})`
    return printable(`${this.operation}: ${where(this.bucket, this.key)} is not modified${etag}`)
  }
}

/**
 * S3 asked the client to slow down (HTTP 429, `SlowDown`, `Throttling`, ...). Retried by default.
 *
 * @since 0.1.0
 * @category errors
 */
export class Throttled extends Data.TaggedError("Throttled")<{
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  readonly status: number
  readonly code: string
  readonly retryAfter?: Duration.Duration | undefined
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: throttled (${this.status} ${this.code}) on ${where(this.bucket, this.key)}`)
  }
}

/**
 * Any other error answered by the S3 service, with its HTTP status, S3 error code and request id.
 * `retryable` is true for 5xx, 408 and the transient codes (`InternalError`, `RequestTimeout`, and
 * `ConditionalRequestConflict`, S3's 409 for a conditional write raced by another).
 *
 * @since 0.1.0
 * @category errors
 */
export class S3ServiceError extends Data.TaggedError("S3ServiceError")<{
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly retryable: boolean
  readonly requestId?: string | undefined
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(
      `${this.operation}: ${this.status} ${this.code} on ${where(this.bucket, this.key)}: ${this.detail}${
        requestIdOf(this.requestId)
      }`
    )
  }
}

/**
 * The request never got a complete answer: connection refused or reset, timeout, DNS failure, or
 * a body cut short of its `Content-Length`. `retryable` is true for the transient kinds.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly operation: string
  readonly bucket: string
  readonly key?: string | undefined
  readonly reason: string
  readonly retryable: boolean
  readonly cause?: unknown
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: transport failure on ${where(this.bucket, this.key)}: ${this.reason}`)
  }
}

/**
 * A local file could not be read or written (upload from / download to a path).
 *
 * @since 0.1.0
 * @category errors
 */
export class LocalFileError extends Data.TaggedError("LocalFileError")<{
  readonly operation: string
  readonly path: string
  readonly reason: string
  readonly cause?: unknown
}> {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: ${this.path}: ${this.reason}`)
  }
}

/**
 * A key that would be written outside the directory a sync downloads into (`../x`, `/abs`, `C:\\x`,
 * a NUL byte, ...): the object is left where it is and nothing is written for it.
 *
 * @since 0.3.0
 * @category errors
 */
export class UnsafeKey extends Data.TaggedError("UnsafeKey")<{
  readonly operation: string
  readonly bucket: string
  readonly key: string
  readonly reason: string
}> {
  /** @since 0.3.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: ${where(this.bucket, this.key)}: ${this.reason}`)
  }
}

/**
 * A paginated listing the server broke off: a page said more followed but gave no token or marker
 * for it, or gave one it had given before (the listing would go round forever). `operation` is the
 * S3 request (`ListObjectsV2`, `ListMultipartUploads`, `ListBuckets`). Nothing was done on the
 * strength of the listing's end: a sync deletes nothing it did not list. Not retryable: the
 * server answers the same pages the same way (a proxy that drops or rewrites the token).
 *
 * @since 0.3.0
 * @category errors
 */
export class BrokenListing extends Data.TaggedError("BrokenListing")<{
  readonly operation: string
  readonly bucket: string
  readonly reason: string
}> {
  /** @since 0.3.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const listed = this.bucket === "" ? "the buckets" : where(this.bucket)
    return printable(`${this.operation}: broken listing of ${listed}: ${this.reason}`)
  }
}

/**
 * The bytes read do not match the object's checksum: `algorithm` names what was compared (one of
 * S3's checksums, or `MD5` for an ETag that is the body's MD5, or `MD5-of-parts` for a multipart
 * ETag recomputed from the part size the upload recorded), `expected` the object's, `actual` the
 * bytes'. For an upload, the server refused a body whose checksum did not match (`BadDigest`).
 * Retryable: a byte flipped on the way usually is not flipped again; when it persists, it is the
 * final failure, and no unverified byte was handed out.
 *
 * @since 0.4.0
 * @category errors
 */
export class ChecksumMismatch extends Data.TaggedError("ChecksumMismatch")<{
  readonly operation: string
  readonly bucket: string
  readonly key: string
  readonly algorithm: string
  readonly expected: string
  readonly actual: string
}> {
  /** @since 0.4.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(
      `${this.operation}: the bytes of ${where(this.bucket, this.key)} do not match its ${this.algorithm} ` +
        `(expected ${this.expected}, got ${this.actual})`
    )
  }
}

/**
 * Every error an s3po operation can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type S3PoError =
  | NoSuchKey
  | NoSuchBucket
  | BucketNotEmpty
  | AccessDenied
  | ValidationError
  | PreconditionFailed
  | NotModified
  | Throttled
  | S3ServiceError
  | TransportError
  | LocalFileError
  | UnsafeKey
  | BrokenListing
  | ChecksumMismatch

/**
 * Whether an error is transient and worth another attempt: throttling, 5xx, timeouts, dropped
 * connections, truncated bodies. Never a 4xx such as `NoSuchKey` or `AccessDenied`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (error: S3PoError): boolean => {
  switch (error._tag) {
    case "Throttled":
    case "ChecksumMismatch":
      return true
    case "S3ServiceError":
    case "TransportError":
      return error.retryable
    default:
      return false
  }
}

/**
 * Whether a value is one of s3po's errors.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isS3PoError = (u: unknown): u is S3PoError => Predicate.hasProperty(u, TypeId)
