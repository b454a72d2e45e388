/**
 * Every way an s3po operation can fail, as tagged errors: catch them with `Effect.catchTag`. Each
 * is a `Schema.TaggedError` class, and `S3PoError` is also the schema of them all: an error
 * encodes to plain JSON and decodes back to an equal error of its class, across a worker or RPC
 * boundary. Each operation's own error type (`S3Po.ReadError`, ...) names those it can fail with.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as internal from "./internal/core/errorClass.js"
import * as internalPrintable from "./internal/core/printable.js"
import * as internalUnsafeKey from "./internal/sync/unsafeKey.js"

/**
 * Marks every s3po error.
 *
 * @since 0.2.0
 * @category type ids
 */
export const TypeId: typeof internal.TypeId = internal.TypeId

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

const { requestIdOf, where } = internal

const optional = internal.optionalField

/**
 * The object does not exist (S3 `NoSuchKey`, or the bare 404 of a HEAD request).
 *
 * @since 0.1.0
 * @category errors
 */
export class NoSuchKey extends internal.lazyTaggedError<NoSuchKey>()("NoSuchKey", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  requestId: optional(Schema.String)
})) {
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
export class NoSuchBucket extends internal.lazyTaggedError<NoSuchBucket>()("NoSuchBucket", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  /** The key the request was for, if any. */
  key: optional(Schema.String),
  requestId: optional(Schema.String)
})) {
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
export class BucketNotEmpty extends internal.lazyTaggedError<BucketNotEmpty>()("BucketNotEmpty", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  requestId: optional(Schema.String)
})) {
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
export class AccessDenied extends internal.lazyTaggedError<AccessDenied>()("AccessDenied", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: optional(Schema.String),
  code: Schema.String,
  requestId: optional(Schema.String)
})) {
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
export class ValidationError extends internal.lazyTaggedError<ValidationError>()("ValidationError", () => ({
  operation: Schema.String,
  field: Schema.String,
  reason: Schema.String
})) {
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
export class PreconditionFailed extends internal.lazyTaggedError<PreconditionFailed>()("PreconditionFailed", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  /** The ETag the request required, when it named one. */
  expectedETag: optional(Schema.String),
  condition: optional(Schema.String),
  requestId: optional(Schema.String)
})) {
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
export class NotModified extends internal.lazyTaggedError<NotModified>()("NotModified", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  etag: optional(Schema.String),
  requestId: optional(Schema.String)
})) {
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
export class Throttled extends internal.lazyTaggedError<Throttled>()("Throttled", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: optional(Schema.String),
  status: Schema.Number,
  code: Schema.String,
  retryAfter: optional(Schema.Duration),
  requestId: optional(Schema.String)
})) {
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
export class S3ServiceError extends internal.lazyTaggedError<S3ServiceError>()("S3ServiceError", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: optional(Schema.String),
  status: Schema.Number,
  code: Schema.String,
  detail: Schema.String,
  retryable: Schema.Boolean,
  requestId: optional(Schema.String)
})) {
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
export class TransportError extends internal.lazyTaggedError<TransportError>()("TransportError", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: optional(Schema.String),
  reason: Schema.String,
  retryable: Schema.Boolean,
  cause: optional(Schema.Defect)
})) {
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
export class LocalFileError extends internal.lazyTaggedError<LocalFileError>()("LocalFileError", () => ({
  operation: Schema.String,
  path: Schema.String,
  reason: Schema.String,
  cause: optional(Schema.Defect)
})) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: ${this.path}: ${this.reason}`)
  }
}

/**
 * A key that would be written outside the directory a sync downloads into: a `Sync` error, not an
 * error of the service's operations.
 *
 * @deprecated Use `Sync.UnsafeKey`; this alias goes in 1.0.
 * @since 0.3.0
 * @category errors
 */
export const UnsafeKey: typeof internalUnsafeKey.UnsafeKey = internalUnsafeKey.UnsafeKey

/**
 * @deprecated Use `Sync.UnsafeKey`; this alias goes in 1.0.
 * @since 0.3.0
 * @category errors
 */
export type UnsafeKey = internalUnsafeKey.UnsafeKey

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
export class BrokenListing extends internal.lazyTaggedError<BrokenListing>()("BrokenListing", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  reason: Schema.String
})) {
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
export class ChecksumMismatch extends internal.lazyTaggedError<ChecksumMismatch>()("ChecksumMismatch", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  algorithm: Schema.String,
  expected: Schema.String,
  actual: Schema.String,
  /** The server's request id, when the server refused the bytes it received (`BadDigest`). */
  requestId: optional(Schema.String)
})) {
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
 * A stored JSON document, or a value to store as one, that its schema does not take. `stage` says
 * where it failed: `"json"`, the object's body is not JSON text in UTF-8; `"decode"`, the parsed
 * JSON is not what the schema decodes (a read: nothing was written); `"encode"`, the value given
 * is not what the schema encodes (a write: no request was sent). `reason` is the schema's own
 * message (`ParseResult.TreeFormatter`) or the JSON parser's; `etag` the version read, if any.
 * Not retryable: the same document gives the same answer.
 *
 * @since 0.5.0
 * @category errors
 */
export class InvalidDocument extends internal.lazyTaggedError<InvalidDocument>()("InvalidDocument", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  stage: Schema.Literal("json", "decode", "encode"),
  reason: Schema.String,
  etag: optional(Schema.String)
})) {
  /** @since 0.5.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const what = this.stage === "encode"
      ? `the value for ${where(this.bucket, this.key)} does not encode`
      : this.stage === "decode"
      ? `${where(this.bucket, this.key)} does not decode`
      : `${where(this.bucket, this.key)} is not JSON`
    return printable(`${this.operation}: ${what}: ${this.reason}`)
  }
}

/**
 * `updateJson` lost the race for a document `attempts` times in a row: each time another writer
 * changed it between the read and the conditional write (`PreconditionFailed`), and the bound
 * (`maxAttempts`) was reached. Nothing of this update was written.
 *
 * @since 0.5.0
 * @category errors
 */
export class UpdateConflict extends internal.lazyTaggedError<UpdateConflict>()("UpdateConflict", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  attempts: Schema.Number
})) {
  /** @since 0.5.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(
      `${this.operation}: ${where(this.bucket, this.key)} was changed by another writer during each of ` +
        `${this.attempts} attempts; nothing was written`
    )
  }
}

/**
 * A version under object lock that the delete may not remove: `reason` says why, as
 * `retention COMPLIANCE until 2027-01-01T00:00:00Z` (or `GOVERNANCE`, lifted only with
 * `bypassGovernanceRetention` where the credentials may) or `legal hold`. S3 answers such a delete
 * with 403 `AccessDenied`; s3po asks the version's retention and legal hold to tell a lock from a
 * real permissions problem (which stays `AccessDenied`).
 *
 * @since 0.7.0
 * @category errors
 */
export class ObjectLocked extends internal.lazyTaggedError<ObjectLocked>()("ObjectLocked", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  versionId: Schema.String,
  reason: Schema.String,
  requestId: optional(Schema.String)
})) {
  /** @since 0.7.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    return printable(
      `${this.operation}: version ${this.versionId} of ${where(this.bucket, this.key)} is locked: ${this.reason}${
        requestIdOf(this.requestId)
      }`
    )
  }
}

/**
 * A read (or a copy's read of its source) of an object encrypted with a customer key (SSE-C) that
 * did not give that key: `customerKeyGiven` false, the request gave none (S3 answers 400
 * `InvalidRequest`); true, it gave another key (AWS answers 403, Ceph RGW 400 `InvalidArgument`),
 * or gave one for an object that is not encrypted with any. `code` is the server's answer's. The
 * key is never part of it. Not retryable: the same key gets the same answer.
 *
 * @since 0.7.0
 * @category errors
 */
export class CustomerKeyMismatch extends internal.lazyTaggedError<CustomerKeyMismatch>()("CustomerKeyMismatch", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  customerKeyGiven: Schema.Boolean,
  status: Schema.Number,
  code: Schema.String,
  requestId: optional(Schema.String)
})) {
  /** @since 0.7.0 */
  readonly [TypeId]: TypeId = TypeId

  override get message(): string {
    const why = this.customerKeyGiven
      ? "is not encrypted with the customer key given (SSE-C): another key, or none"
      : "is encrypted with a customer key (SSE-C): give it (customerKey)"
    return printable(
      `${this.operation}: ${where(this.bucket, this.key)} ${why} (${this.status} ${this.code})${
        requestIdOf(this.requestId)
      }`
    )
  }
}

/**
 * Every error an s3po operation can fail with. Each operation's own error type names those it can
 * fail with (`S3Po.ReadError`, `S3Po.WriteError`, ...); `Sync`'s `UnsafeKey` is not one of them.
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
  | BrokenListing
  | ChecksumMismatch
  | InvalidDocument
  | UpdateConflict
  | CustomerKeyMismatch
  | ObjectLocked

/**
 * The schema of every s3po error, to send one across a worker or RPC boundary: `Schema.encode`
 * makes plain JSON of it and decoding that JSON gives back an error of the same class with the same
 * fields (`Equal` to the one encoded), `message` and `isRetryable`. A `retryAfter` is encoded as
 * `Schema.Duration` encodes it (`{ "_tag": "Millis", "millis": 2000 }`); a `cause` as
 * `Schema.Defect` does, its name and message (no stack), decoded as an `Error` with them.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { NoSuchKey, S3PoError } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const json = yield* Schema.encode(S3PoError)(new NoSuchKey({ operation: "download", bucket: "b", key: "k" }))
 *   // { _tag: "NoSuchKey", operation: "download", bucket: "b", key: "k" }
 *   const error = yield* Schema.decodeUnknown(S3PoError)(JSON.parse(JSON.stringify(json)))
 *   console.log(error instanceof NoSuchKey, error.message) // true "download: no such key s3://b/k"
 * })
 * ```
 *
 * @since 0.5.0
 * @category schemas
 */
export const S3PoError = internal.lazyUnion(() => [
  NoSuchKey,
  NoSuchBucket,
  BucketNotEmpty,
  AccessDenied,
  ValidationError,
  PreconditionFailed,
  NotModified,
  Throttled,
  S3ServiceError,
  TransportError,
  LocalFileError,
  BrokenListing,
  ChecksumMismatch,
  InvalidDocument,
  UpdateConflict,
  CustomerKeyMismatch,
  ObjectLocked
])

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
 * Whether a value is one of s3po's errors: an `S3PoError`, or `Sync`'s `UnsafeKey`.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isS3PoError = (u: unknown): u is S3PoError | internalUnsafeKey.UnsafeKey =>
  Predicate.hasProperty(u, TypeId)
