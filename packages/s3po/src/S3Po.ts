/**
 * The `S3Po` service: upload, download, list and delete objects in S3 and S3-compatible stores.
 *
 * Provide `S3PoLive.layer(...)` (or `S3PoLive.layerConfig()`) in production and `S3PoMock.layer()`
 * in tests; every method has `R = never`, but `getStream`, whose answer is held open until its
 * `Scope` closes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as Sync from "./internal/sync/model.js"
import type {
  AccessDenied,
  BrokenListing,
  BucketNotEmpty,
  ChecksumMismatch,
  CustomerKeyMismatch,
  InvalidDocument,
  LocalFileError,
  NoSuchBucket,
  NoSuchKey,
  NotModified,
  ObjectLocked,
  PreconditionFailed,
  S3PoError,
  S3ServiceError,
  Throttled,
  TransportError,
  UpdateConflict,
  ValidationError
} from "./S3PoError.js"

/**
 * What `upload` accepts: a UTF-8 string, bytes, or a stream of bytes of any size.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadBody<E = never, R = never> = string | Uint8Array | Stream.Stream<Uint8Array, E, R>

/**
 * What every duration option takes: a `Duration` (`Duration.hours(1)`) or a text such as
 * `"1 hour"`, `"90 seconds"` or `"500 millis"`. Never a bare number: S3 and its tools count
 * seconds where Effect counts milliseconds, so `3600` would be an hour to one reader and 3.6
 * seconds to another. A number given anyway (plain JavaScript, `as any`) fails with a
 * `ValidationError` that says so.
 *
 * @example
 * ```ts
 * import * as Duration from "effect/Duration"
 * import type { DurationOption } from "s3po"
 *
 * const hour: DurationOption = "1 hour"
 * const sameHour: DurationOption = Duration.hours(1)
 * // @ts-expect-error: seconds or milliseconds? Say which.
 * const ambiguous: DurationOption = 3600
 * ```
 *
 * @since 0.5.0
 * @category models
 */
export type DurationOption = Duration.Duration | `${number} ${Duration.Unit}`

/**
 * How an upload is split into parts. Bodies under `multipartThreshold` bytes go up in one PUT;
 * larger ones as a multipart upload of `partSize`-byte parts, `partConcurrency` in flight.
 *
 * @since 0.1.0
 * @category options
 */
export interface MultipartOptions {
  /** Bodies of at least this many bytes are uploaded as multipart. Default 8 MiB, at most 5 GiB. */
  readonly multipartThreshold?: number
  /** Size of every part but the last. Default 8 MiB, at least 5 MiB, at most 5 GiB. */
  readonly partSize?: number
  /** Parts uploaded at once. Default 4. */
  readonly partConcurrency?: number
}

/**
 * Progress of an upload, reported each time S3 acknowledges a part (or the single PUT).
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadProgress {
  readonly bytes: number
  readonly totalBytes?: number | undefined
  readonly parts: number
}

/**
 * How S3 encrypts an object at rest: with its own keys (`AES256`, SSE-S3) or a KMS key (`aws:kms`,
 * the bucket's default KMS key without `keyId`).
 *
 * @since 0.2.0
 * @category models
 */
export type ServerSideEncryption =
  | { readonly type: "AES256" }
  | { readonly type: "aws:kms"; readonly keyId?: string | undefined }

/**
 * S3's storage classes; other servers may name their own.
 *
 * @since 0.2.0
 * @category models
 */
export type StorageClass =
  | "STANDARD"
  | "REDUCED_REDUNDANCY"
  | "STANDARD_IA"
  | "ONEZONE_IA"
  | "INTELLIGENT_TIERING"
  | "GLACIER"
  | "GLACIER_IR"
  | "DEEP_ARCHIVE"
  | "OUTPOSTS"
  | "SNOW"
  | "EXPRESS_ONEZONE"
  | (string & {})

/**
 * S3's canned ACLs for an object (`x-amz-acl`): who besides the owner may read or write it.
 * `public-read` lets anyone read it without signing; `bucket-owner-*` give the bucket's owner
 * access to an object another account wrote. A bucket's policy or Object Ownership setting may
 * refuse them (AWS's default for new buckets disables ACLs: any but `private` and
 * `bucket-owner-full-control` is then refused).
 *
 * @since 0.7.0
 * @category models
 */
export type CannedAcl =
  | "private"
  | "public-read"
  | "public-read-write"
  | "authenticated-read"
  | "aws-exec-read"
  | "bucket-owner-read"
  | "bucket-owner-full-control"

/**
 * Every canned ACL of an object, as `acl` takes them (a command line's choices, a form's options).
 *
 * @since 0.7.0
 * @category models
 */
export const cannedAcls: ReadonlyArray<CannedAcl> = [
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "aws-exec-read",
  "bucket-owner-read",
  "bucket-owner-full-control"
]

/**
 * What an object is stored with besides its bytes. The HTTP attributes (`cacheControl`,
 * `contentDisposition`, ...) are what S3 answers a GET with, so what a browser served the object
 * sees. Header values must be printable US-ASCII.
 *
 * @since 0.2.0
 * @category options
 */
export interface ObjectAttributes {
  /**
   * Default `application/octet-stream` on uploads; `uploadFile` and `Sync.syncUp` take it from the
   * file's extension (`UploadFileOptions.guessContentType`).
   */
  readonly contentType?: string | undefined
  /**
   * User metadata, sent as `x-amz-meta-*` headers; S3 lower-cases the keys. At most 2 KB. Names that
   * start with `s3po-` are s3po's own (refused with `ValidationError`, never shown in results).
   */
  readonly metadata?: Readonly<Record<string, string>> | undefined
  /** e.g. `public, max-age=31536000, immutable`. */
  readonly cacheControl?: string | undefined
  /** e.g. `attachment; filename="report.pdf"`. */
  readonly contentDisposition?: string | undefined
  /** e.g. `gzip`: the bytes are stored and returned as given, and the client decodes them. */
  readonly contentEncoding?: string | undefined
  readonly contentLanguage?: string | undefined
  readonly expires?: Date | undefined
  readonly storageClass?: StorageClass | undefined
  /**
   * The canned ACL the object is written with (default: the server's, `private`). Not read back by
   * `head`, and not carried by a copy: S3 gives a copy the default unless it is given again.
   *
   * @since 0.7.0
   */
  readonly acl?: CannedAcl | undefined
  readonly serverSideEncryption?: ServerSideEncryption | undefined
  /** Up to 10 tags: keys of 1 to 128 characters, values of up to 256. */
  readonly tags?: Readonly<Record<string, string>> | undefined
}

/**
 * Conditional writes, checked by S3 against the object the key holds when the write completes:
 * `ifNoneMatch: "*"` writes only if the key is free (create only), `ifMatch` only if the object
 * still has that ETag (compare-and-swap). Otherwise the write fails with `PreconditionFailed`.
 *
 * @since 0.2.0
 * @category options
 */
export interface WriteConditions {
  readonly ifNoneMatch?: "*" | undefined
  readonly ifMatch?: string | undefined
}

/**
 * Conditional reads: a read fails with `PreconditionFailed` when `ifMatch` or `ifUnmodifiedSince`
 * does not hold, and with `NotModified` when `ifNoneMatch` or `ifModifiedSince` shows the caller's
 * copy is current.
 *
 * @since 0.2.0
 * @category options
 */
export interface ReadConditions {
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: string | undefined
  readonly ifModifiedSince?: Date | undefined
  readonly ifUnmodifiedSince?: Date | undefined
}

/**
 * Which version of an object a read is of: the latest without `versionId`. A version id is what a
 * write answered (`UploadResult.versionId`) or `listObjectVersions` lists; `"null"` names the
 * version written while the bucket was unversioned or suspended.
 *
 * @since 0.7.0
 * @category options
 */
export interface VersionOptions {
  readonly versionId?: string | undefined
}

/**
 * The lock a write gives the version it creates, in a bucket with object lock: a retention (else
 * the bucket's default one, if any) and a legal hold.
 *
 * @since 0.7.0
 * @category options
 */
export interface LockOptions {
  readonly retention?: Retention | undefined
  readonly legalHold?: boolean | undefined
}

/**
 * Bytes of an object, as S3 counts them: from `start` to `end` inclusive (to the last byte
 * without `end`, or when `end` is past it), or the last `suffix` bytes.
 *
 * @since 0.2.0
 * @category models
 */
export type DownloadRange =
  | { readonly start: number; readonly end?: number | undefined }
  | { readonly suffix: number }

/**
 * Encryption with the caller's own key (SSE-C): S3 encrypts the object with `customerKey` and keeps
 * only the key's MD5, so every request on the object gives the key again: each request of an
 * upload (every part of a multipart one), every read (each range of a parallel or resumed one), a
 * `head`, and a copy of it (`CopyOptions.sourceCustomerKey`). A key other than 32 bytes fails with
 * `ValidationError` before any request; a read without the key, or with another, fails with
 * `CustomerKeyMismatch`. The key is never shown: not in an error, a log, a span or a result.
 *
 * @since 0.7.0
 * @category options
 */
export interface CustomerKeyOptions {
  readonly customerKey?: CustomerKey | undefined
}

/**
 * @since 0.1.0
 * @category options
 */
export interface UploadOptions
  extends MultipartOptions, ObjectAttributes, WriteConditions, CustomerKeyOptions, LockOptions
{
  readonly onProgress?: (progress: UploadProgress) => Effect.Effect<void>
  /**
   * The checksum every PUT and part carries, for the server to check: default `"CRC32"` (`"none"`
   * on a live layer whose `requestChecksumCalculation` is `WHEN_REQUIRED`); `"none"` sends none.
   * Multipart uploads get a full-object checksum with the CRCs, computed as the parts are read, a
   * composite one with `SHA1` and `SHA256`. A server that keeps no checksum (Ceph RGW 16) takes the
   * upload all the same; the result then reports none, and the part size multipart uploads record
   * (`recordPartSize`) lets downloads check the object by its ETag.
   */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
}

/**
 * How `uploadFile` uploads a local file: as `upload` does, and with the content type of the file's
 * extension (`.html` is `text/html`, `.js` `text/javascript`, `.wasm` `application/wasm`), from the
 * MIME database of the `mime` package (loaded on the first upload that needs it). A file without an
 * extension, or with one the database does not know, is stored as `application/octet-stream`. A
 * `contentType` given wins.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { S3Po } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   yield* s3.uploadFile("site", "index.html", "dist/index.html") // text/html
 *   yield* s3.uploadFile("site", "app.js", "dist/app.js", { contentType: "application/javascript" })
 *   yield* s3.uploadFile("site", "raw.html", "dist/index.html", { guessContentType: false }) // application/octet-stream
 * })
 * ```
 *
 * @since 0.6.0
 * @category options
 */
export interface UploadFileOptions extends UploadOptions {
  /** Take the content type from the file's extension when `contentType` is not given. Default `true`. */
  readonly guessContentType?: boolean | undefined
}

/**
 * The checksums S3 computes and checks (the `x-amz-checksum-*` headers).
 *
 * @since 0.4.0
 * @category models
 */
export type ChecksumAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C" | "SHA1" | "SHA256"

/**
 * An object's checksum as S3 keeps it: `FULL_OBJECT`, of every byte of the object; or `COMPOSITE`
 * (multipart uploads only), the checksum of the parts' checksums followed by `-N`, the number of
 * parts.
 *
 * @since 0.4.0
 * @category models
 */
export interface Checksum {
  readonly algorithm: ChecksumAlgorithm
  /** The digest in base64, as S3's headers carry it; a composite one ends with `-N`. */
  readonly value: string
  readonly type: "FULL_OBJECT" | "COMPOSITE"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadResult {
  readonly etag: string
  readonly size: number
  /** Number of parts: 0 for a single PUT. */
  readonly parts: number
  /** The checksum the server checked and keeps; absent when the upload sent none, or the server keeps none. */
  readonly checksum?: Checksum | undefined
  /**
   * The version written, in a bucket whose versioning is enabled (`"null"` while it is suspended);
   * absent in an unversioned bucket.
   *
   * @since 0.7.0
   */
  readonly versionId?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ObjectInfo {
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly cacheControl?: string | undefined
  readonly contentDisposition?: string | undefined
  readonly contentEncoding?: string | undefined
  readonly contentLanguage?: string | undefined
  readonly expires?: Date | undefined
  /** Absent for `STANDARD`, as S3 answers. */
  readonly storageClass?: StorageClass | undefined
  readonly serverSideEncryption?: ServerSideEncryption | undefined
  /** The checksum the server keeps for the object, when it answers one (reads ask for it). */
  readonly checksum?: Checksum | undefined
  /**
   * The version read, in a bucket that has had versioning enabled.
   *
   * @since 0.7.0
   */
  readonly versionId?: string | undefined
  /**
   * The version's retention, in a bucket with object lock, when it has one.
   *
   * @since 0.7.0
   */
  readonly retention?: Retention | undefined
  /**
   * Whether the version is under a legal hold, in a bucket with object lock.
   *
   * @since 0.7.0
   */
  readonly legalHold?: boolean | undefined
  /**
   * The MD5 (base64) of the customer key the object is encrypted with (SSE-C), as S3 answers it
   * (`x-amz-server-side-encryption-customer-key-MD5`): absent for an object without one. Not the key.
   *
   * @since 0.7.0
   */
  readonly customerKeyMd5?: string | undefined
}

/**
 * How `head` asks for an object's info: its read conditions, and the customer key it is encrypted
 * with (SSE-C), without which S3 does not answer for such an object.
 *
 * @since 0.7.0
 * @category options
 */
export interface HeadOptions extends ReadConditions, CustomerKeyOptions, VersionOptions {}

/**
 * @since 0.1.0
 * @category options
 */
export interface ListOptions {
  readonly prefix?: string
  /** Keys containing the delimiter after the prefix roll up into one common prefix, ending with the delimiter. */
  readonly delimiter?: string
}

/**
 * @since 0.2.0
 * @category options
 */
export interface ListObjectsOptions extends ListOptions {
  /** Only keys after this one, in S3 order (UTF-8 bytes). */
  readonly startAfter?: string
}

/**
 * One object of a listing, with what ListObjectsV2 says of it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListedObject {
  readonly _tag: "Object"
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
  readonly storageClass: string
}

/**
 * Keys that share the listing's prefix up to a delimiter, rolled up into one entry.
 *
 * @since 0.2.0
 * @category models
 */
export interface CommonPrefix {
  readonly _tag: "CommonPrefix"
  readonly prefix: string
}

/**
 * @since 0.2.0
 * @category models
 */
export type ListEntry = ListedObject | CommonPrefix

/**
 * Where an object is, or is to be.
 *
 * @since 0.2.0
 * @category models
 */
export interface ObjectLocation {
  readonly bucket: string
  readonly key: string
}

/**
 * How a copy is made. The source's attributes and tags are each kept unless given here: giving one
 * replaces only that one. `ifNoneMatch` and `ifMatch` are conditions on the destination. Sources
 * above `multipartThreshold` (default, and at most, 5 GiB: CopyObject's limit) are copied as a
 * multipart copy of `partSize` ranges.
 *
 * @since 0.2.0
 * @category options
 */
export interface CopyOptions
  extends MultipartOptions, ObjectAttributes, WriteConditions, CustomerKeyOptions, LockOptions
{
  /**
   * The version of the source to copy (the latest without it). The source is a location, `from`;
   * its version is an option, as the handle's `copy(from, to)` names its source by key alone.
   *
   * @since 0.7.0
   */
  readonly sourceVersionId?: string | undefined
  /**
   * The key the source is encrypted with (SSE-C), sent with every request that reads it (HEAD,
   * CopyObject, each UploadPartCopy). `customerKey` is the destination's: the copy is encrypted
   * with it (with no other key, and not at all without one).
   *
   * @since 0.7.0
   */
  readonly sourceCustomerKey?: CustomerKey | undefined
}

/**
 * The objects of a bucket whose keys start with `prefix`, matched as text as S3 matches it
 * (`logs/2024-` holds `logs/2024-01.txt`): end it with `/` for a folder. Without a prefix, the
 * whole bucket.
 *
 * @since 0.5.0
 * @category models
 */
export interface PrefixLocation {
  readonly bucket: string
  readonly prefix?: string | undefined
}

/**
 * How `copyPrefix` and `movePrefix` copy each object: as `copy` does, with the multipart options
 * and the attributes given here applied to every object (each attribute not given is kept from its
 * source).
 *
 * @since 0.5.0
 * @category options
 */
export interface PrefixCopyOptions extends MultipartOptions, ObjectAttributes {
  /** Objects copied at once. Default 16. */
  readonly concurrency?: number | undefined
  /**
   * Which objects are copied (or moved), by their keys below the source prefix: rules as a sync's
   * (`Sync.SyncFilter`), the last one that matches a key deciding, every key taken when none does.
   * The others are not copied, nor counted.
   *
   * @since 0.6.0
   */
  readonly filters?: ReadonlyArray<Sync.SyncFilter> | undefined
  /**
   * `"*"`: copy only onto free keys. An object already at a destination key is left as it is, its
   * source reported in `failed` with `PreconditionFailed` (and, for a move, kept).
   */
  readonly ifNoneMatch?: "*" | undefined
  /** Called after each object is copied or fails, and after each batch of deletions of a move. */
  readonly onProgress?: ((progress: PrefixCopyProgress) => Effect.Effect<void>) | undefined
  /**
   * Called with each object once it is done: copied (for a move, copied and its source deleted),
   * with no failure, or failed, with its failure (as `failed` lists it).
   */
  readonly onObject?:
    | ((object: PrefixCopyObject, failure: PrefixCopyFailure | undefined) => Effect.Effect<void>)
    | undefined
}

/**
 * One object of a prefix copy or move: where it was, where it goes, and its size.
 *
 * @since 0.5.0
 * @category models
 */
export interface PrefixCopyObject {
  readonly from: ObjectLocation
  readonly to: ObjectLocation
  readonly size: number
}

/**
 * Where a prefix copy or move stands. The listing goes on while objects are copied: until
 * `listingDone`, `listed` grows.
 *
 * @since 0.5.0
 * @category models
 */
export interface PrefixCopyProgress {
  /** Objects listed so far, and their bytes. */
  readonly listed: number
  readonly listedBytes: number
  readonly copied: number
  readonly copiedBytes: number
  /** Sources deleted once copied (`movePrefix`). */
  readonly deleted: number
  readonly failed: number
  /** Whether the listing has ended: `listed` is the total. */
  readonly listingDone: boolean
}

/**
 * One object of a prefix copy or move that failed: its copy (the source is untouched), or, in a
 * move, the deletion of its source once copied (both then exist).
 *
 * @since 0.5.0
 * @category models
 */
export interface PrefixCopyFailure {
  readonly from: ObjectLocation
  readonly to: ObjectLocation
  readonly step: "copy" | "delete"
  readonly error: S3Po.CopyError
}

/**
 * What `copyPrefix` or `movePrefix` did. One failed object never stops the others.
 *
 * @since 0.5.0
 * @category models
 */
export interface PrefixCopySummary {
  readonly copied: number
  readonly copiedBytes: number
  /** Sources deleted (`movePrefix`; 0 for `copyPrefix`). */
  readonly deleted: number
  readonly failed: ReadonlyArray<PrefixCopyFailure>
}

/**
 * A presigned URL: who holds it may make this one request, without credentials, until it expires.
 *
 * @since 0.2.0
 * @category options
 */
export interface PresignOptions {
  /** Default `GET`. */
  readonly method?: "GET" | "PUT" | "HEAD" | "DELETE"
  /** Default 15 minutes; from 1 second to 7 days. */
  readonly expiresIn?: DurationOption
  /** For a PUT: the Content-Type the upload must be sent with (it is signed). */
  readonly contentType?: string
  /** For a GET: the Content-Type S3 answers with. */
  readonly responseContentType?: string
  /** For a GET: the Content-Disposition S3 answers with, e.g. `attachment; filename="report.pdf"`. */
  readonly responseContentDisposition?: string
  /**
   * For an object encrypted with a customer key (SSE-C), or a PUT that is to be: the URL's signature
   * covers the key's headers, which are not in the URL. Whoever uses the URL sends them with it
   * (`CustomerKeys.headers(key)`): S3 refuses the request without them.
   *
   * @since 0.7.0
   */
  readonly customerKey?: CustomerKey | undefined
}

/**
 * A form upload for a browser: S3 enforces its size (`content-length-range`, `minBytes` and
 * `maxBytes` inclusive) and, with `keyPrefix`, that the key the uploader chooses starts with it.
 * Give one of `key`, `keyPrefix` or `anyKey: true`. The form carries only the fields its policy
 * names: S3 refuses a form with any other field (metadata or a Content-Type the uploader adds).
 *
 * @since 0.2.0
 * @category options
 */
export interface PresignPostOptions {
  readonly key?: string
  /** Not empty: an empty prefix would let the uploader write any key of the bucket (see `anyKey`). */
  readonly keyPrefix?: string
  /**
   * Lets the uploader choose any key of the bucket, overwriting any object in it: what an empty
   * `keyPrefix` means, which s3po refuses unless this says it is meant. Default false.
   *
   * @since 0.3.0
   */
  readonly anyKey?: boolean
  /** Default 15 minutes; from 1 second to 7 days. */
  readonly expiresIn?: DurationOption
  readonly maxBytes: number
  /** Default 0. */
  readonly minBytes?: number
  readonly contentType?: string
  readonly metadata?: Readonly<Record<string, string>>
}

/**
 * Where a form posts (`url`), and the fields it must carry before its `file` field. With a
 * `keyPrefix` the `key` field is `<prefix>${filename}`: the uploader may replace it with any key
 * that starts with the prefix.
 *
 * @since 0.2.0
 * @category models
 */
export interface PresignedPost {
  readonly url: string
  readonly fields: Readonly<Record<string, string>>
}

/**
 * @since 0.2.0
 * @category models
 */
export interface BucketInfo {
  readonly name: string
  readonly creationDate: Date
}

/**
 * A multipart upload created and neither completed nor aborted: it costs storage until it is.
 *
 * @since 0.2.0
 * @category models
 */
export interface PendingUpload {
  readonly key: string
  readonly uploadId: string
  readonly initiated: Date
}

/**
 * Parallel ranged download: objects larger than `partSize` are fetched as `concurrency` ranged GETs
 * at once, all pinned to the same version of the object, and reassembled in order.
 *
 * @since 0.1.0
 * @category options
 */
export interface DownloadOptions extends ReadConditions, CustomerKeyOptions, VersionOptions {
  /** Bytes per ranged GET. Default 8 MiB. */
  readonly partSize?: number
  /** Ranged GETs in flight. Default 1 (one streaming GET). */
  readonly concurrency?: number
  /** Only these bytes of the object; with `concurrency` > 1, fetched in parallel parts. */
  readonly range?: DownloadRange | undefined
  /**
   * Whether the bytes of the whole object are checked as they are read. Default true (or the
   * layer's `verifyDownloads`). They are checked against, in order: the checksum the server keeps
   * (asked for in checksum mode; a composite one when the upload recorded its part size), the
   * multipart ETag recomputed with the part size s3po's upload recorded (`s3po-part-size`), or an
   * ETag that is the object's MD5 (a single PUT, not under SSE-KMS or SSE-C). An object with none of
   * these (a multipart upload made elsewhere on a server that keeps no checksum) is not checked.
   * A mismatch is `ChecksumMismatch`: `download`, `downloadString` and `downloadFile` read the whole
   * object again, pinned to its ETag, as the retry policy allows, and hand out (or write) no byte
   * that did not match; `downloadStream` holds its last chunk back until the check passes and
   * otherwise fails, as a stream cannot take back what it has handed out. A `range` of the object
   * is covered by no stored checksum and is not checked.
   */
  readonly verify?: boolean | undefined
}

/**
 * Progress of a download to a file, reported as its bytes are written.
 *
 * @since 0.6.0
 * @category models
 */
export interface DownloadProgress {
  /** Bytes written so far. */
  readonly bytes: number
  /** The bytes the file will hold (the object's size, or the range's), when the answer said. */
  readonly totalBytes?: number | undefined
}

/**
 * `downloadFile`'s options: a download's, and its progress.
 *
 * @since 0.6.0
 * @category options
 */
export interface DownloadFileOptions extends DownloadOptions {
  /**
   * Called as the bytes are written, with how many so far: it moves with every chunk received, and
   * ends at the file's size. A download read again after a checksum mismatch starts again from 0.
   */
  readonly onProgress?: ((progress: DownloadProgress) => Effect.Effect<void>) | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DownloadResult {
  /** Bytes written: the object's size, or the range's. */
  readonly size: number
  readonly etag: string
}

/**
 * An object's bytes, or a range of them, with its info from the same answer: what `get` returns.
 * `info.size` is the whole object's size, for a range too (from the answer's `Content-Range`);
 * `body.length` is what was read. `info.etag` is the version the bytes are from: the `ifMatch` of
 * a compare-and-swap.
 *
 * @since 0.5.0
 * @category models
 */
export interface GetResult {
  readonly body: Uint8Array
  readonly info: ObjectInfo
}

/**
 * An object's info, known before any of its bytes is read, and its body as a stream: what
 * `getStream` returns. The stream is read once; the answer it reads is held open until the stream
 * ends or the scope `getStream` ran in closes, whichever comes first.
 *
 * @since 0.5.0
 * @category models
 */
export interface GetStreamResult {
  readonly info: ObjectInfo
  readonly stream: Stream.Stream<Uint8Array, S3Po.ReadError>
}

/**
 * A JSON document decoded by its schema, and the info of the version it was read from: what
 * `getJson` returns. `info.etag` is the `ifMatch` that replaces this version and no other.
 *
 * @since 0.5.0
 * @category models
 */
export interface JsonDocument<A> {
  readonly value: A
  readonly info: ObjectInfo
}

/**
 * How `getJson` reads a document: its read conditions, and the customer key it is encrypted with
 * (SSE-C).
 *
 * @since 0.7.0
 * @category options
 */
export interface GetJsonOptions extends ReadConditions, CustomerKeyOptions, VersionOptions {}

/**
 * How `putJson` writes a document: its attributes (`contentType` defaults to `application/json`)
 * and conditions (`ifNoneMatch: "*"` to create only, `ifMatch` to replace one version only).
 *
 * @since 0.5.0
 * @category options
 */
export interface PutJsonOptions extends ObjectAttributes, WriteConditions, CustomerKeyOptions {
  /** As `UploadOptions.checksumAlgorithm`. */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
}

/**
 * How `updateJson` writes: each write stores these attributes (`contentType` defaults to
 * `application/json`), not those of the version it replaces; and how many times it tries.
 *
 * @since 0.5.0
 * @category options
 */
export interface UpdateJsonOptions extends ObjectAttributes, CustomerKeyOptions {
  /** As `UploadOptions.checksumAlgorithm`. */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
  /**
   * Reads and conditional writes tried before `UpdateConflict`, each after another writer won the
   * race for the document. Default 10; at least 1.
   */
  readonly maxAttempts?: number | undefined
}

/**
 * What `updateJson` did: the value it wrote, the one it replaced (none when it created the
 * document), the ETag of the version written, and the attempts it took (1 when no other writer got
 * in between).
 *
 * @since 0.5.0
 * @category models
 */
export interface JsonUpdate<A> {
  readonly value: A
  readonly previous: Option.Option<A>
  readonly etag: string
  readonly attempts: number
  /**
   * The version written, in a bucket with versioning.
   *
   * @since 0.7.0
   */
  readonly versionId?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeleteManyResult {
  readonly deleted: ReadonlyArray<string>
  readonly failed: ReadonlyArray<
    { readonly key: string; readonly code: string; readonly message: string; readonly versionId?: string | undefined }
  >
  /**
   * What each delete did, in the order of `deleted`, where the server says: the version deleted
   * (when one was named), or the delete marker laid.
   *
   * @since 0.7.0
   */
  readonly versions?: ReadonlyArray<DeletedVersion> | undefined
}

/**
 * What one delete of `deleteMany` did: `versionId` is the version deleted (when the request named
 * one) or the marker laid (when `deleteMarker` is `true` and none was named).
 *
 * @since 0.7.0
 * @category models
 */
export interface DeletedVersion extends DeleteObjectResult {
  readonly key: string
}

/**
 * What became of one key of `deleteManyStream`: deleted (a key that did not exist is deleted too,
 * as S3 has it), or refused with S3's error code and message.
 *
 * @since 0.3.0
 * @category models
 */
export type DeleteResult =
  | {
    readonly key: string
    readonly deleted: true
    /** The version deleted (when one was named), or the marker laid (`deleteMarker`), where the server says. */
    readonly versionId?: string | undefined
    /** Whether the delete laid a delete marker, or removed one, where the server says. */
    readonly deleteMarker?: boolean | undefined
  }
  | {
    readonly key: string
    readonly deleted: false
    readonly code: string
    readonly message: string
    /** The version the delete named. */
    readonly versionId?: string | undefined
  }

// ---------------------------------------------------------------------------------------------
// versions, object lock, customer keys, lifecycle

/**
 * A bucket's versioning: `"Unversioned"` until it is first enabled; once enabled it can only be
 * suspended (new writes then replace the `null` version), never unversioned again.
 *
 * @since 0.7.0
 * @category models
 */
export type VersioningStatus = "Unversioned" | "Enabled" | "Suspended"

/**
 * One version of an object, as ListObjectVersions lists it. `versionId` is `"null"` for the
 * version written before versioning was enabled, or while it was suspended.
 *
 * @since 0.7.0
 * @category models
 */
export interface ObjectVersion {
  readonly _tag: "Version"
  readonly key: string
  readonly versionId: string
  /** Whether a read without a version id reads this one. */
  readonly isLatest: boolean
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
  readonly storageClass: string
}

/**
 * A delete marker: what a delete without a version id leaves in a versioned bucket. While it is
 * the latest version, the key reads as missing; deleting the marker (by its version id) brings
 * back the version before it.
 *
 * @since 0.7.0
 * @category models
 */
export interface DeleteMarker {
  readonly _tag: "DeleteMarker"
  readonly key: string
  readonly versionId: string
  readonly isLatest: boolean
  readonly lastModified: Date
}

/**
 * An entry of `listObjectVersions`: a version, a delete marker, or a common prefix, in S3 order (by
 * key, then newest first).
 *
 * @since 0.7.0
 * @category models
 */
export type VersionEntry = ObjectVersion | DeleteMarker | CommonPrefix

/**
 * One object, or one version of it, to delete: a key alone deletes as `delete` without a version
 * id does.
 *
 * @since 0.7.0
 * @category models
 */
export interface ObjectVersionRef {
  readonly key: string
  readonly versionId?: string | undefined
}

/**
 * What a delete did. In a versioned bucket a delete without a version id lays a delete marker
 * (`deleteMarker: true`, `versionId` the marker's); a delete of a version removes that version
 * (`deleteMarker` says whether it was a marker). In an unversioned bucket `deleteMarker` is `false`
 * and there is no `versionId`.
 *
 * @since 0.7.0
 * @category models
 */
export interface DeleteObjectResult {
  readonly deleteMarker: boolean
  readonly versionId?: string | undefined
}

/**
 * How long a locked version is kept: in `GOVERNANCE` mode a caller allowed to may lift or shorten
 * it (`bypassGovernanceRetention`); in `COMPLIANCE` mode no one can, until `retainUntil`.
 *
 * @since 0.7.0
 * @category models
 */
export type RetentionMode = "GOVERNANCE" | "COMPLIANCE"

/**
 * An object version's retention: no one deletes or overwrites the version before `retainUntil`
 * (but as `mode` allows).
 *
 * @since 0.7.0
 * @category models
 */
export interface Retention {
  readonly mode: RetentionMode
  readonly retainUntil: Date
}

/**
 * A bucket's default retention, given to every version written without one: for a number of
 * `days` or of `years` (one of the two).
 *
 * @since 0.7.0
 * @category models
 */
export type DefaultRetention =
  | { readonly mode: RetentionMode; readonly days: number }
  | { readonly mode: RetentionMode; readonly years: number }

/**
 * A bucket's object lock: whether the bucket was created with it (it cannot be turned on later),
 * and the retention versions get by default.
 *
 * @since 0.7.0
 * @category models
 */
export interface ObjectLockConfiguration {
  readonly enabled: boolean
  readonly defaultRetention?: DefaultRetention | undefined
}

/**
 * A customer-provided encryption key (SSE-C): 32 bytes (AES-256), kept `Redacted` so that it is
 * never shown. S3 encrypts with it and keeps only its MD5; every read must give the same key.
 *
 * @since 0.7.0
 * @category models
 */
export type CustomerKey = Redacted.Redacted<Uint8Array>

/**
 * Which objects a lifecycle rule applies to: all of them, or those under a prefix, with all the
 * given tags, and within the given sizes (bytes, exclusive).
 *
 * @since 0.7.0
 * @category models
 */
export interface LifecycleFilter {
  readonly prefix?: string | undefined
  readonly tags?: Readonly<Record<string, string>> | undefined
  readonly objectSizeGreaterThan?: number | undefined
  readonly objectSizeLessThan?: number | undefined
}

/**
 * One lifecycle rule of a bucket: what S3 does to the objects its filter selects, by itself, once a
 * day. At least one action.
 *
 * @since 0.7.0
 * @category models
 */
export interface LifecycleRule {
  /** Unique within the bucket's rules, 1 to 255 characters. */
  readonly id: string
  /** Default `true` (`Status` `Enabled`). */
  readonly enabled?: boolean | undefined
  readonly filter?: LifecycleFilter | undefined
  /** Current versions expire this many days after they were written, or at this date (midnight UTC). */
  readonly expiration?:
    | { readonly days: number }
    | { readonly date: Date }
    | { readonly expiredObjectDeleteMarker: true }
    | undefined
  /** Versions that are no longer current expire this many days after they stopped being current. */
  readonly noncurrentVersionExpiration?: {
    readonly noncurrentDays: number
    /** How many noncurrent versions to keep whatever their age. */
    readonly newerNoncurrentVersions?: number | undefined
  } | undefined
  /** Multipart uploads still pending this many days after they began are aborted. */
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number } | undefined
}

/**
 * How `createBucket` creates a bucket: with object lock (and so with versioning enabled), which
 * cannot be turned on later.
 *
 * @since 0.7.0
 * @category options
 */
export interface CreateBucketOptions {
  readonly objectLock?: boolean | undefined
}

/**
 * How `delete` deletes: one version (`versionId`; without it, in a versioned bucket, a delete marker
 * is laid), only while the object has an ETag (`ifMatch`, else `PreconditionFailed`), or a version
 * under `GOVERNANCE` retention (`bypassGovernanceRetention`, where the credentials may).
 *
 * @since 0.7.0
 * @category options
 */
export interface DeleteOptions extends VersionOptions {
  readonly ifMatch?: string | undefined
  readonly bypassGovernanceRetention?: boolean | undefined
}

/**
 * How `setRetention` sets a version's retention: of the version (the latest without it), and
 * whether a `GOVERNANCE` retention may be shortened or lifted.
 *
 * @since 0.7.0
 * @category options
 */
export interface RetentionOptions extends VersionOptions {
  readonly bypassGovernanceRetention?: boolean | undefined
}

/**
 * A bucket's object lock settings that can be changed: its default retention (`undefined` removes it).
 *
 * @since 0.7.0
 * @category options
 */
export interface ObjectLockSettings {
  readonly defaultRetention: DefaultRetention | undefined
}

/**
 * What `emptyBucket` did: objects (every version and delete marker, in a bucket that has had
 * versioning) deleted, pending uploads aborted, and the versions it could not delete (a locked one
 * with `code` `ObjectLocked` and its lock in `message`), each tried once.
 *
 * @since 0.7.0
 * @category models
 */
export interface EmptyBucketResult {
  readonly deleted: number
  readonly aborted: number
  readonly failed: ReadonlyArray<
    { readonly key: string; readonly versionId?: string | undefined; readonly code: string; readonly message: string }
  >
}

/**
 * The S3 API requests that s3po makes, by their S3 names: what retries log and the mock records.
 *
 * @since 0.1.0
 * @category models
 */
export type S3Operation =
  | "ListBuckets"
  | "HeadBucket"
  | "CreateBucket"
  | "DeleteBucket"
  | "PutObject"
  | "GetObject"
  | "HeadObject"
  | "ListObjectsV2"
  | "DeleteObject"
  | "DeleteObjects"
  | "CreateMultipartUpload"
  | "UploadPart"
  | "CopyObject"
  | "UploadPartCopy"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListMultipartUploads"
  | "GetObjectTagging"
  | "PutObjectTagging"
  | "GetBucketVersioning"
  | "PutBucketVersioning"
  | "ListObjectVersions"
  | "GetObjectLockConfiguration"
  | "PutObjectLockConfiguration"
  | "GetObjectRetention"
  | "PutObjectRetention"
  | "GetObjectLegalHold"
  | "PutObjectLegalHold"
  | "GetBucketLifecycleConfiguration"
  | "PutBucketLifecycleConfiguration"
  | "DeleteBucketLifecycle"

/**
 * @since 0.1.0
 */
export declare namespace S3Po {
  /**
   * What any request can fail with: bad input (before any request is sent), access denied,
   * throttling and other error answers (once the retry policy gives up), a failed connection. A
   * server can answer any error to any request: an answer that an operation's error type does not
   * name reaches it as an `S3ServiceError`, with its status, code and request id.
   *
   * @since 0.5.0
   * @category errors
   */
  export type RequestError = AccessDenied | Throttled | S3ServiceError | TransportError | ValidationError

  /**
   * What a request in a bucket can fail with: `RequestError`, or `NoSuchBucket`.
   *
   * @since 0.5.0
   * @category errors
   */
  export type BucketError = RequestError | NoSuchBucket

  /**
   * What a request about one object that must exist can fail with (`getTags`, `setTags`).
   *
   * @since 0.5.0
   * @category errors
   */
  export type ObjectError = BucketError | NoSuchKey

  /**
   * What asking for an object's info can fail with (`head`): `ObjectError`, or a read condition that
   * did not hold (`PreconditionFailed`, `NotModified`).
   *
   * @since 0.5.0
   * @category errors
   */
  export type HeadError = ObjectError | PreconditionFailed | NotModified | CustomerKeyMismatch

  /**
   * What reading an object's bytes can fail with (`download*`, `get`, `getStream`): `HeadError`, or
   * bytes that do not match the object's checksum.
   *
   * @example
   * ```ts
   * import { Effect } from "effect"
   * import { S3Po } from "s3po"
   *
   * const readme = (s3: S3Po.Service): Effect.Effect<string, S3Po.ReadError> => s3.downloadString("docs", "README.md")
   *
   * // NoSuchKey is one of a read's errors: it can be caught; a tag that is not (BucketNotEmpty) cannot.
   * const orEmpty = (s3: S3Po.Service) => Effect.catchTag(readme(s3), "NoSuchKey", () => Effect.succeed(""))
   * ```
   *
   * @since 0.5.0
   * @category errors
   */
  export type ReadError = HeadError | ChecksumMismatch

  /**
   * What writing an object can fail with (`upload`, `uploadFile`): `BucketError`, a write condition
   * that did not hold (`PreconditionFailed`), or bytes the server received otherwise than sent
   * (`ChecksumMismatch`).
   *
   * @since 0.5.0
   * @category errors
   */
  export type WriteError = BucketError | PreconditionFailed | ChecksumMismatch

  /**
   * What a server-side copy (or move) can fail with: `ObjectError` (the source is missing), or a
   * condition that did not hold (`PreconditionFailed`, also a source replaced during a multipart copy).
   *
   * @since 0.5.0
   * @category errors
   */
  export type CopyError = ObjectError | PreconditionFailed | CustomerKeyMismatch

  /**
   * What a listing, and what works through one (`deletePrefix`, `emptyBucket`,
   * `abortPendingUploads`), can fail with: `BucketError`, or `BrokenListing`.
   *
   * @since 0.5.0
   * @category errors
   */
  export type ListError = BucketError | BrokenListing

  /**
   * What deleting one object, or one version, can fail with: `BucketError`, an `ifMatch` that did
   * not hold (`PreconditionFailed`), or a version under object lock (`ObjectLocked`).
   *
   * @since 0.7.0
   * @category errors
   */
  export type DeleteError = BucketError | PreconditionFailed | ObjectLocked

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly createBucket: (bucket: string, options?: CreateBucketOptions) => Effect.Effect<void, RequestError>
    readonly upload: {
      (
        bucket: string,
        key: string,
        body: string | Uint8Array,
        options?: UploadOptions
      ): Effect.Effect<UploadResult, WriteError>
      <E, R>(
        bucket: string,
        key: string,
        body: Stream.Stream<Uint8Array, E, R>,
        options?: UploadOptions
      ): Effect.Effect<UploadResult, WriteError | E, R>
    }
    readonly uploadFile: (
      bucket: string,
      key: string,
      path: string,
      options?: UploadFileOptions
    ) => Effect.Effect<UploadResult, WriteError | LocalFileError>
    readonly download: (bucket: string, key: string, options?: DownloadOptions) => Effect.Effect<Uint8Array, ReadError>
    readonly downloadString: (
      bucket: string,
      key: string,
      options?: DownloadOptions
    ) => Effect.Effect<string, ReadError>
    readonly downloadStream: (
      bucket: string,
      key: string,
      options?: DownloadOptions
    ) => Stream.Stream<Uint8Array, ReadError>
    readonly downloadFile: (
      bucket: string,
      key: string,
      path: string,
      options?: DownloadFileOptions
    ) => Effect.Effect<DownloadResult, ReadError | LocalFileError>
    /**
     * The object's info (HEAD), its metadata without s3po's own (`s3po-*` names). A missing key fails
     * with `NoSuchKey`, a missing bucket with `NoSuchBucket`: S3 answers both with the same bare 404
     * to a HEAD, so on that answer only one HeadBucket more tells them apart.
     */
    readonly head: (bucket: string, key: string, options?: HeadOptions) => Effect.Effect<ObjectInfo, HeadError>
    /** The object's tags (GetObjectTagging). */
    readonly getTags: (bucket: string, key: string) => Effect.Effect<Readonly<Record<string, string>>, ObjectError>
    /** Replaces all the object's tags (PutObjectTagging); `{}` removes them. */
    readonly setTags: (
      bucket: string,
      key: string,
      tags: Readonly<Record<string, string>>
    ) => Effect.Effect<void, ObjectError>
    /**
     * Whether the key holds an object: `false` for a missing key, but a missing bucket fails with
     * `NoSuchBucket` (never `false`, so that a typo in a bucket name does not read as "not there yet").
     */
    readonly exists: (bucket: string, key: string) => Effect.Effect<boolean, BucketError>
    readonly list: (bucket: string, options?: ListOptions) => Stream.Stream<string, ListError>
    /**
     * Objects, with their size, ETag, time and storage class, and common prefixes, in S3 order,
     * paging under the hood: one page in memory at a time. A server that breaks the paging (a
     * truncated page without a token, a token given twice) fails it with `BrokenListing`.
     */
    readonly listObjects: (bucket: string, options?: ListObjectsOptions) => Stream.Stream<ListEntry, ListError>
    /**
     * Deletes the object (in a versioned bucket: lays a delete marker) or, with `versionId`, that
     * version, and says what it did. A locked version fails with `ObjectLocked`, naming the lock.
     */
    readonly delete: (
      bucket: string,
      key: string,
      options?: DeleteOptions
    ) => Effect.Effect<DeleteObjectResult, DeleteError>
    /** Deletes keys, or versions (`{ key, versionId }`), 1000 to a request; each one's failure is in `failed`. */
    readonly deleteMany: (
      bucket: string,
      keys: Iterable<string | ObjectVersionRef>
    ) => Effect.Effect<DeleteManyResult, BucketError>
    /**
     * `deleteMany` over a stream of any length, in bounded memory: keys go 1000 to a request, four
     * requests at once, and each key's result is emitted, in the order of the keys, as its request
     * completes. A key given twice within the same 1000 is sent once and reported twice; further
     * apart it is sent again (and reported deleted again). Each 1000 keys are checked before they
     * are sent: a bad key fails the stream with `ValidationError`, its 1000 unsent, the keys before
     * it perhaps already deleted. A failed request fails the stream with its error.
     */
    readonly deleteManyStream: <E = never, R = never>(
      bucket: string,
      keys: Stream.Stream<string | ObjectVersionRef, E, R> | Iterable<string | ObjectVersionRef>
    ) => Stream.Stream<DeleteResult, BucketError | E, R>
    /**
     * A server-side copy: no object bytes pass through the client. Returns the copy's ETag, size
     * and parts (0 for one CopyObject). Fails with `PreconditionFailed` if the source is replaced
     * while a multipart copy runs; a failed multipart copy is aborted.
     */
    readonly copy: (
      from: ObjectLocation,
      to: ObjectLocation,
      options?: CopyOptions
    ) => Effect.Effect<UploadResult, CopyError>
    /**
     * `copy`, then the source deleted. Not atomic: between the two, both exist; if the delete fails
     * both stay. A failed copy deletes nothing.
     */
    readonly move: (
      from: ObjectLocation,
      to: ObjectLocation,
      options?: CopyOptions
    ) => Effect.Effect<UploadResult, CopyError>
    /**
     * A URL signed with SigV4 query parameters (on the mock, with the mock's own signature, which
     * `S3PoMock.Control`'s `fetch` checks) for one request without credentials. No request is sent.
     */
    readonly presign: (bucket: string, key: string, options?: PresignOptions) => Effect.Effect<string, RequestError>
    /** A signed form for a browser's upload (POST Object), with its size enforced by S3. */
    readonly presignPost: (bucket: string, options: PresignPostOptions) => Effect.Effect<PresignedPost, RequestError>
    /**
     * A handle on the bucket: the object operations without the bucket argument. `.prefix("tenant-a/")`
     * on it scopes every key under a prefix (see `S3Po.Bucket`). No request is made: a bad name fails
     * each operation of the handle with `ValidationError`, as it fails the service's.
     *
     * @example
     * ```ts
     * import { Effect } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const photos = s3.bucket("photos")
     *   yield* photos.upload("a.jpg", new Uint8Array([0xff, 0xd8]))
     *   const tenant = photos.prefix("tenant-a/")
     *   yield* tenant.upload("b.jpg", new Uint8Array([0xff, 0xd8])) // photos/tenant-a/b.jpg
     *   const info = yield* tenant.head("b.jpg")
     *   yield* Effect.log(info.key) // "b.jpg"
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly bucket: (name: string) => S3Po.Bucket
    /**
     * The object's bytes and its info (ETag, size, time, content type, metadata, storage class,
     * checksum and attributes) from one GET: no `head` before, no race between the two. Takes every
     * option of `download` (conditions, `range`, parallel parts with `concurrency`, `verify`), with
     * the same guarantees. For a range, `info.size` is the whole object's.
     *
     * @example
     * ```ts
     * import { Effect } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const { body, info } = yield* s3.get("reports", "2024/q1.csv")
     *   yield* Effect.log(`${body.length} bytes of ${info.contentType}, version ${info.etag}`)
     *   // Replace that version only: another writer's change in between fails with PreconditionFailed.
     *   yield* s3.upload("reports", "2024/q1.csv", "revised", { ifMatch: info.etag })
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly get: (bucket: string, key: string, options?: DownloadOptions) => Effect.Effect<GetResult, ReadError>
    /**
     * The object's info, as soon as the GET is answered, and its body as a stream that reads the
     * answer's bytes as it is run: `downloadStream` with the info first. The answer is held open
     * until the stream ends or the scope closes (run it in `Effect.scoped`), so an info looked at and
     * a stream never run cost no connection beyond the scope. The stream is run once (again: a
     * `ValidationError`); run after the scope closed, it reads the object with a new GET pinned to
     * `info.etag`.
     *
     * @example
     * ```ts
     * import { Effect, Stream } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.scoped(
     *   Effect.gen(function*() {
     *     const s3 = yield* S3Po
     *     const { info, stream } = yield* s3.getStream("videos", "intro.mp4")
     *     if (info.contentType !== "video/mp4") return 0
     *     return yield* Stream.runFold(stream, 0, (bytes, chunk) => bytes + chunk.length)
     *   })
     * )
     * ```
     *
     * @since 0.5.0
     */
    readonly getStream: (
      bucket: string,
      key: string,
      options?: DownloadOptions
    ) => Effect.Effect<GetStreamResult, ReadError, Scope.Scope>
    /**
     * A JSON document, decoded by `schema`, with the info of the version read (one GET). Fails with
     * `InvalidDocument` when the body is not JSON in UTF-8 (`stage: "json"`) or not what the schema
     * decodes (`stage: "decode"`, with the schema's message); `NoSuchKey` when there is none.
     *
     * @example
     * ```ts
     * import { Effect, Schema } from "effect"
     * import { S3Po } from "s3po"
     *
     * const Settings = Schema.Struct({ theme: Schema.Literal("light", "dark"), fontSize: Schema.Number })
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const { value, info } = yield* s3.getJson("app", "users/42/settings.json", Settings)
     *   yield* Effect.log(`${value.theme} at ${value.fontSize}px, version ${info.etag}`)
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly getJson: <A, I>(
      bucket: string,
      key: string,
      schema: Schema.Schema<A, I, never>,
      options?: GetJsonOptions
    ) => Effect.Effect<JsonDocument<A>, ReadError | InvalidDocument>
    /**
     * Writes `value` as a JSON document: encoded by `schema`, as UTF-8 JSON, `application/json`
     * unless `contentType` says otherwise. A value the schema does not encode fails with
     * `InvalidDocument` (`stage: "encode"`) before any request. Takes the write conditions:
     * `ifNoneMatch: "*"` creates only, `ifMatch` replaces that version only.
     *
     * @example
     * ```ts
     * import { Effect, Schema } from "effect"
     * import { S3Po } from "s3po"
     *
     * const Manifest = Schema.Struct({ files: Schema.Array(Schema.String), createdAt: Schema.DateFromString })
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   // Written once: a second writer fails with PreconditionFailed.
     *   const { etag } = yield* s3.putJson(
     *     "builds",
     *     "1042/manifest.json",
     *     Manifest,
     *     { files: ["app.js", "app.css"], createdAt: new Date() },
     *     { ifNoneMatch: "*" }
     *   )
     *   return etag
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly putJson: <A, I>(
      bucket: string,
      key: string,
      schema: Schema.Schema<A, I, never>,
      value: NoInfer<A>,
      options?: PutJsonOptions
    ) => Effect.Effect<UploadResult, WriteError | InvalidDocument>
    /**
     * Changes a JSON document by compare-and-swap, however many writers do at once: reads it with
     * its ETag (`get`), applies `f` to its value (`Option.none()` when the key holds none), and
     * writes the result only over the version read (`ifMatch`; create-only, `ifNoneMatch: "*"`, when
     * there was none). When another writer got there first (`PreconditionFailed`), it reads again
     * and applies `f` again, after a delay from the layer's retry policy (none when it is `"off"`;
     * starting over when the policy ends), up to `maxAttempts` (default 10) attempts, then fails with
     * `UpdateConflict`. `f` may run more than once: keep it free of effects that must not repeat.
     * It may return the new value or an `Effect` of it; its failure stops the update, nothing written.
     * A stored value the schema does not decode fails with `InvalidDocument` before any write. Each
     * write stores the attributes in `options`, not those of the version it replaces. Properties the
     * schema does not name are dropped as it decodes (Effect's default), so a rewrite loses them: a
     * schema annotated with `{ parseOptions: { onExcessProperty: "preserve" } }` keeps them.
     *
     * @example
     * ```ts
     * import { Effect, Option, Schema } from "effect"
     * import { S3Po } from "s3po"
     *
     * const Counter = Schema.Struct({ visits: Schema.Number })
     *
     * const countVisit = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const { value } = yield* s3.updateJson("app", "counters/home.json", Counter, (current) => ({
     *     visits: Option.match(current, { onNone: () => 1, onSome: ({ visits }) => visits + 1 })
     *   }))
     *   return value.visits
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly updateJson: <A, I, E = never, R = never>(
      bucket: string,
      key: string,
      schema: Schema.Schema<A, I, never>,
      f: (current: Option.Option<A>) => NoInfer<A> | Effect.Effect<NoInfer<A>, E, R>,
      options?: UpdateJsonOptions
    ) => Effect.Effect<
      JsonUpdate<A>,
      BucketError | ChecksumMismatch | CustomerKeyMismatch | InvalidDocument | UpdateConflict | E,
      R
    >
    /**
     * Copies every object under `from` to `to`, its key's prefix replaced (`from.prefix + rest` to
     * `to.prefix + rest`), in the same bucket or another, by server-side copies (`copy`: multipart
     * above 5 GiB). The listing streams in a page at a time while `concurrency` objects are copied,
     * so memory does not grow with the number of keys. A failed copy is reported in the summary's
     * `failed` with its typed error, and the others go on; a listing that fails (a missing bucket, a
     * broken listing) fails the whole call, as what is left to copy is unknown. Prefixes of one
     * bucket that overlap (`a/` to `a/b/`, or the other way) are refused with `ValidationError`:
     * the copies would land under the listing and be copied again.
     *
     * @example
     * ```ts
     * import { Effect } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const summary = yield* s3.copyPrefix(
     *     { bucket: "photos", prefix: "2024/" },
     *     { bucket: "archive", prefix: "photos/2024/" },
     *     { concurrency: 32, onProgress: ({ copied, listed }) => Effect.log(`${copied}/${listed}`) }
     *   )
     *   for (const { error, from } of summary.failed) yield* Effect.logWarning(`${from.key}: ${error.message}`)
     *   yield* Effect.log(`${summary.copied} copied (${summary.copiedBytes} bytes), ${summary.failed.length} failed`)
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly copyPrefix: (
      from: PrefixLocation,
      to: PrefixLocation,
      options?: PrefixCopyOptions
    ) => Effect.Effect<PrefixCopySummary, ListError>
    /**
     * `copyPrefix`, each source deleted only once its own copy succeeded, in batches of up to 1000
     * keys (DeleteObjects) as copies complete. A failed copy keeps its source; a failed deletion is
     * reported (`step: "delete"`) and leaves both. Not atomic: until a source is deleted both exist,
     * and a call that fails (its listing broken) leaves copied sources in place.
     *
     * @example
     * ```ts
     * import { Effect } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   const { deleted, failed } = yield* s3.movePrefix({ bucket: "uploads", prefix: "incoming/" }, {
     *     bucket: "uploads",
     *     prefix: "processed/"
     *   })
     *   yield* Effect.log(`${deleted} moved, ${failed.length} failed`)
     * })
     * ```
     *
     * @since 0.5.0
     */
    readonly movePrefix: (
      from: PrefixLocation,
      to: PrefixLocation,
      options?: PrefixCopyOptions
    ) => Effect.Effect<PrefixCopySummary, ListError>
    /** Every bucket the credentials own, by name, over every page of ListBuckets. */
    readonly listBuckets: () => Effect.Effect<ReadonlyArray<BucketInfo>, RequestError | BrokenListing>
    readonly bucketExists: (bucket: string) => Effect.Effect<boolean, RequestError>
    /** Deletes an empty bucket; `BucketNotEmpty` while it holds objects (see `emptyBucket`). */
    readonly deleteBucket: (bucket: string) => Effect.Effect<void, BucketError | BucketNotEmpty>
    /**
     * Deletes every key under `prefix`, a page at a time; returns how many. In a versioned bucket it
     * deletes as `delete` does without a version id: it lays a delete marker on each key, and every
     * version stays (`emptyBucket` removes them).
     */
    readonly deletePrefix: (bucket: string, prefix: string) => Effect.Effect<number, ListError>
    /**
     * Deletes every object and aborts every pending upload; returns how many of each. In a bucket
     * that has had versioning, every version and delete marker is deleted, so that `deleteBucket`
     * can follow; a locked version is tried once and reported in `failed` (the bucket then stays).
     */
    readonly emptyBucket: (bucket: string) => Effect.Effect<EmptyBucketResult, ListError>
    /**
     * Enables versioning on a bucket, or suspends it: once enabled, a bucket cannot be unversioned.
     *
     * @since 0.7.0
     */
    readonly setBucketVersioning: (
      bucket: string,
      status: "Enabled" | "Suspended"
    ) => Effect.Effect<void, BucketError>
    /** @since 0.7.0 */
    readonly getBucketVersioning: (bucket: string) => Effect.Effect<VersioningStatus, BucketError>
    /**
     * Every version and delete marker (and common prefix, with `delimiter`), in S3 order (by key,
     * newest first), paging under the hood with the guards of `listObjects` (`BrokenListing`).
     *
     * @since 0.7.0
     */
    readonly listObjectVersions: (
      bucket: string,
      options?: ListOptions
    ) => Stream.Stream<VersionEntry, ListError>
    /** The bucket's object lock: `{ enabled: false }` for a bucket created without. @since 0.7.0 */
    readonly getObjectLockConfiguration: (bucket: string) => Effect.Effect<ObjectLockConfiguration, BucketError>
    /** Sets (or, with `undefined`, removes) the default retention of a bucket with object lock. @since 0.7.0 */
    readonly setObjectLockConfiguration: (
      bucket: string,
      settings: ObjectLockSettings
    ) => Effect.Effect<void, BucketError>
    /** A version's retention, `None` when it has none. @since 0.7.0 */
    readonly getRetention: (
      bucket: string,
      key: string,
      options?: VersionOptions
    ) => Effect.Effect<Option.Option<Retention>, ObjectError>
    /**
     * Sets a version's retention. It can be lengthened; a `GOVERNANCE` one shortened or changed only
     * with `bypassGovernanceRetention`; a `COMPLIANCE` one never (`AccessDenied`).
     *
     * @since 0.7.0
     */
    readonly setRetention: (
      bucket: string,
      key: string,
      retention: Retention,
      options?: RetentionOptions
    ) => Effect.Effect<void, ObjectError>
    /** Whether a version is under a legal hold. @since 0.7.0 */
    readonly getLegalHold: (
      bucket: string,
      key: string,
      options?: VersionOptions
    ) => Effect.Effect<boolean, ObjectError>
    /** Puts a version under a legal hold (`true`) or lifts it (`false`). @since 0.7.0 */
    readonly setLegalHold: (
      bucket: string,
      key: string,
      on: boolean,
      options?: VersionOptions
    ) => Effect.Effect<void, ObjectError>
    /**
     * Multipart uploads created and neither completed nor aborted, which cost storage until they
     * are; a page (1000) at a time.
     */
    readonly listPendingUploads: (
      bucket: string,
      options?: { readonly prefix?: string }
    ) => Stream.Stream<PendingUpload, ListError>
    /**
     * Aborts the pending uploads under `prefix` started at least `olderThan` ago, by Effect's
     * `Clock` (all of them without it); returns how many.
     */
    readonly abortPendingUploads: (
      bucket: string,
      options?: { readonly prefix?: string; readonly olderThan?: DurationOption }
    ) => Effect.Effect<number, ListError>
    /**
     * Replaces the bucket's lifecycle rules (PutBucketLifecycleConfiguration): what S3 then does by
     * itself, about once a day, to the objects each rule selects. The rules are checked first (ids
     * unique, 1 to 255 characters; at most 1000 rules; at least one action each; days of at least 1;
     * dates at midnight UTC; sizes whole and `objectSizeGreaterThan` below `objectSizeLessThan`;
     * `expiredObjectDeleteMarker` without tags in the filter), a bad one failing with
     * `ValidationError` naming the rule and field before any request. `[]` is refused: remove the
     * rules with `deleteLifecycle`.
     *
     * @example
     * ```ts
     * import { Effect } from "effect"
     * import { S3Po } from "s3po"
     *
     * const program = Effect.gen(function*() {
     *   const s3 = yield* S3Po
     *   yield* s3.putLifecycle("logs", [
     *     { id: "expire-old-logs", filter: { prefix: "app/" }, expiration: { days: 30 } },
     *     { id: "abort-stale-uploads", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }
     *   ])
     *   const rules = yield* s3.getLifecycle("logs")
     *   yield* Effect.log(rules.map((rule) => rule.id))
     * })
     * ```
     *
     * @since 0.7.0
     */
    readonly putLifecycle: (bucket: string, rules: ReadonlyArray<LifecycleRule>) => Effect.Effect<void, BucketError>
    /**
     * The bucket's lifecycle rules (GetBucketLifecycleConfiguration); `[]` when it has none.
     *
     * @since 0.7.0
     */
    readonly getLifecycle: (bucket: string) => Effect.Effect<ReadonlyArray<LifecycleRule>, BucketError>
    /**
     * Removes the bucket's lifecycle rules (DeleteBucketLifecycle); a bucket without any is left as it is.
     *
     * @since 0.7.0
     */
    readonly deleteLifecycle: (bucket: string) => Effect.Effect<void, BucketError>
  }

  /**
   * A bucket, or a prefix of one (a folder): the service's object operations without the bucket
   * argument, from `s3.bucket(name)`. `prefix("tenant-a/")` gives the same operations again with
   * every key under `tenant-a/`; prefixes compose (`prefix("a/").prefix("b/")` is under `a/b/`).
   * A prefix is a folder, as in `Sync`: `prefix("a")` is `prefix("a/")`.
   *
   * Under a prefix, keys are relative to it, what comes back too: the `key` of `head`'s, `get`'s
   * and `getJson`'s info, listings (keys and common prefixes), pending uploads, deletion results,
   * prefix copies' failures and sync's actions show keys below the prefix (the prefix's own folder
   * marker, the key equal to it, is not listed); options that are prefixes (`list({ prefix })`,
   * `deletePrefix`, `copyPrefix`'s two, a form's `keyPrefix`) and `startAfter` are relative too.
   * Errors name the full bucket and key, as the server saw them.
   *
   * A key cannot climb out of the prefix: a key that is empty, starts with `/`, or holds a `.` or
   * `..` segment (between `/` or `\`), which a file system (sync) or an HTTP client (a presigned URL)
   * would resolve, fails with `ValidationError` before any request. At the bucket's root, keys are
   * the bucket's own and only the service's rules apply. A presigned form with `anyKey: true`
   * lets the uploader choose any key below the prefix, not of the bucket.
   *
   * @example
   * ```ts
   * import { Effect, Stream } from "effect"
   * import { S3Po } from "s3po"
   *
   * const program = Effect.gen(function*() {
   *   const s3 = yield* S3Po
   *   const tenant = s3.bucket("uploads").prefix("tenant-a/")
   *   yield* tenant.upload("reports/q1.csv", "month,total\n")
   *   const keys = yield* Stream.runCollect(tenant.list({ prefix: "reports/" })) // "reports/q1.csv"
   *   const url = yield* tenant.presign("reports/q1.csv", { expiresIn: "1 hour" })
   *   yield* tenant.syncDown("./reports")
   *   // tenant.download("../tenant-b/secret") fails with ValidationError, before any request
   * })
   * ```
   *
   * @since 0.5.0
   * @category models
   */
  export interface Bucket {
    /** The bucket's name. */
    readonly name: string
    /** The prefix every key of the handle is under: `""` at the bucket's root, else ending with `/`. */
    readonly path: string
    /** The handle of the folder `prefix` below this one (`/` added when it does not end with one). */
    readonly prefix: (prefix: string) => Bucket
    readonly upload: {
      (key: string, body: string | Uint8Array, options?: UploadOptions): Effect.Effect<UploadResult, WriteError>
      <E, R>(
        key: string,
        body: Stream.Stream<Uint8Array, E, R>,
        options?: UploadOptions
      ): Effect.Effect<UploadResult, WriteError | E, R>
    }
    readonly uploadFile: WithoutBucket<Service["uploadFile"]>
    readonly download: WithoutBucket<Service["download"]>
    readonly downloadString: WithoutBucket<Service["downloadString"]>
    readonly downloadStream: WithoutBucket<Service["downloadStream"]>
    readonly downloadFile: WithoutBucket<Service["downloadFile"]>
    readonly head: WithoutBucket<Service["head"]>
    readonly get: WithoutBucket<Service["get"]>
    readonly getStream: WithoutBucket<Service["getStream"]>
    readonly getJson: <A, I>(
      key: string,
      schema: Schema.Schema<A, I, never>,
      options?: GetJsonOptions
    ) => Effect.Effect<JsonDocument<A>, ReadError | InvalidDocument>
    readonly putJson: <A, I>(
      key: string,
      schema: Schema.Schema<A, I, never>,
      value: NoInfer<A>,
      options?: PutJsonOptions
    ) => Effect.Effect<UploadResult, WriteError | InvalidDocument>
    readonly updateJson: <A, I, E = never, R = never>(
      key: string,
      schema: Schema.Schema<A, I, never>,
      f: (current: Option.Option<A>) => NoInfer<A> | Effect.Effect<NoInfer<A>, E, R>,
      options?: UpdateJsonOptions
    ) => Effect.Effect<
      JsonUpdate<A>,
      BucketError | ChecksumMismatch | CustomerKeyMismatch | InvalidDocument | UpdateConflict | E,
      R
    >
    readonly getTags: WithoutBucket<Service["getTags"]>
    readonly setTags: WithoutBucket<Service["setTags"]>
    readonly exists: WithoutBucket<Service["exists"]>
    readonly list: WithoutBucket<Service["list"]>
    readonly listObjects: WithoutBucket<Service["listObjects"]>
    readonly delete: WithoutBucket<Service["delete"]>
    readonly deleteMany: WithoutBucket<Service["deleteMany"]>
    readonly deleteManyStream: <E = never, R = never>(
      keys: Stream.Stream<string | ObjectVersionRef, E, R> | Iterable<string | ObjectVersionRef>
    ) => Stream.Stream<DeleteResult, BucketError | E, R>
    /** `listObjectVersions` under the handle's prefix, keys (and common prefixes) below it. @since 0.7.0 */
    readonly listObjectVersions: WithoutBucket<Service["listObjectVersions"]>
    /** @since 0.7.0 */
    readonly getRetention: WithoutBucket<Service["getRetention"]>
    /** @since 0.7.0 */
    readonly setRetention: WithoutBucket<Service["setRetention"]>
    /** @since 0.7.0 */
    readonly getLegalHold: WithoutBucket<Service["getLegalHold"]>
    /** @since 0.7.0 */
    readonly setLegalHold: WithoutBucket<Service["setLegalHold"]>
    /** A server-side copy from one key of the handle to another. */
    readonly copy: (from: string, to: string, options?: CopyOptions) => ReturnType<Service["copy"]>
    /** `copy`, then the source deleted. */
    readonly move: (from: string, to: string, options?: CopyOptions) => ReturnType<Service["move"]>
    /**
     * `copyPrefix` within the handle: both prefixes below the handle's (`""` is the whole handle),
     * the keys of `failed` too.
     */
    readonly copyPrefix: (from: string, to: string, options?: PrefixCopyOptions) => ReturnType<Service["copyPrefix"]>
    /** `movePrefix` within the handle, as `copyPrefix`. */
    readonly movePrefix: (from: string, to: string, options?: PrefixCopyOptions) => ReturnType<Service["movePrefix"]>
    readonly presign: WithoutBucket<Service["presign"]>
    readonly presignPost: WithoutBucket<Service["presignPost"]>
    readonly deletePrefix: WithoutBucket<Service["deletePrefix"]>
    readonly listPendingUploads: WithoutBucket<Service["listPendingUploads"]>
    readonly abortPendingUploads: WithoutBucket<Service["abortPendingUploads"]>
    /** `Sync.syncUp` to the handle's bucket and prefix. */
    readonly syncUp: (
      localDir: string,
      options?: Sync.SyncOptions
    ) => Effect.Effect<Sync.SyncSummary, S3PoError>
    /** `Sync.syncDown` from the handle's bucket and prefix. */
    readonly syncDown: (
      localDir: string,
      options?: Sync.SyncOptions
    ) => Effect.Effect<Sync.SyncSummary, S3PoError>
    /** `Sync.planUp` to the handle's bucket and prefix. */
    readonly planUp: (
      localDir: string,
      options?: Sync.SyncOptions
    ) => Stream.Stream<Sync.SyncAction, S3PoError>
    /** `Sync.planDown` from the handle's bucket and prefix. */
    readonly planDown: (
      localDir: string,
      options?: Sync.SyncOptions
    ) => Stream.Stream<Sync.SyncAction, S3PoError>
  }
}

/** A service method without its first argument, the bucket: the method of a `S3Po.Bucket`. */
type WithoutBucket<F> = F extends (bucket: string, ...rest: infer Rest) => infer Result ? (...rest: Rest) => Result
  : never

/**
 * The s3po service tag. Pick an implementation by providing `S3PoLive.layer(...)` or `S3PoMock.layer()`.
 *
 * @since 0.1.0
 * @category tags
 */
export class S3Po extends Context.Tag("s3po/S3Po")<S3Po, S3Po.Service>() {}
