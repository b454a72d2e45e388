/**
 * The `S3Po` service: upload, download, list and delete objects in S3 and S3-compatible stores.
 *
 * Provide `S3PoLive` in production and `S3PoMock` in tests; every method has `R = never`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { S3PoError } from "./S3PoError.js"

/**
 * What `upload` accepts: a UTF-8 string, bytes, or a stream of bytes of any size.
 *
 * @since 0.1.0
 * @category models
 */
export type UploadBody<E = never, R = never> = string | Uint8Array | Stream.Stream<Uint8Array, E, R>

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
 * What an object is stored with besides its bytes. The HTTP attributes (`cacheControl`,
 * `contentDisposition`, ...) are what S3 answers a GET with, so what a browser served the object
 * sees. Header values must be printable US-ASCII.
 *
 * @since 0.2.0
 * @category options
 */
export interface ObjectAttributes {
  /** Default `application/octet-stream` on uploads. */
  readonly contentType?: string | undefined
  /** User metadata, sent as `x-amz-meta-*` headers; S3 lower-cases the keys. At most 2 KB. */
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
 * @since 0.1.0
 * @category options
 */
export interface UploadOptions extends MultipartOptions, ObjectAttributes, WriteConditions {
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
}

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
export interface CopyOptions extends MultipartOptions, ObjectAttributes, WriteConditions {}

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
  readonly expiresIn?: Duration.DurationInput
  /** For a PUT: the Content-Type the upload must be sent with (it is signed). */
  readonly contentType?: string
  /** For a GET: the Content-Type S3 answers with. */
  readonly responseContentType?: string
  /** For a GET: the Content-Disposition S3 answers with, e.g. `attachment; filename="report.pdf"`. */
  readonly responseContentDisposition?: string
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
  readonly expiresIn?: Duration.DurationInput
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
export interface DownloadOptions extends ReadConditions {
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
 * @since 0.1.0
 * @category models
 */
export interface DownloadResult {
  /** Bytes written: the object's size, or the range's. */
  readonly size: number
  readonly etag: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DeleteManyResult {
  readonly deleted: ReadonlyArray<string>
  readonly failed: ReadonlyArray<{ readonly key: string; readonly code: string; readonly message: string }>
}

/**
 * What became of one key of `deleteManyStream`: deleted (a key that did not exist is deleted too,
 * as S3 has it), or refused with S3's error code and message.
 *
 * @since 0.3.0
 * @category models
 */
export type DeleteResult =
  | { readonly key: string; readonly deleted: true }
  | { readonly key: string; readonly deleted: false; readonly code: string; readonly message: string }

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

/**
 * @since 0.1.0
 */
export declare namespace S3Po {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly createBucket: (bucket: string) => Effect.Effect<void, S3PoError>
    readonly upload: {
      (
        bucket: string,
        key: string,
        body: string | Uint8Array,
        options?: UploadOptions
      ): Effect.Effect<UploadResult, S3PoError>
      <E, R>(
        bucket: string,
        key: string,
        body: Stream.Stream<Uint8Array, E, R>,
        options?: UploadOptions
      ): Effect.Effect<UploadResult, S3PoError | E, R>
    }
    readonly uploadFile: (
      bucket: string,
      key: string,
      path: string,
      options?: UploadOptions
    ) => Effect.Effect<UploadResult, S3PoError>
    readonly download: (bucket: string, key: string, options?: DownloadOptions) => Effect.Effect<Uint8Array, S3PoError>
    readonly downloadString: (
      bucket: string,
      key: string,
      options?: DownloadOptions
    ) => Effect.Effect<string, S3PoError>
    readonly downloadStream: (
      bucket: string,
      key: string,
      options?: DownloadOptions
    ) => Stream.Stream<Uint8Array, S3PoError>
    readonly downloadFile: (
      bucket: string,
      key: string,
      path: string,
      options?: DownloadOptions
    ) => Effect.Effect<DownloadResult, S3PoError>
    readonly head: (bucket: string, key: string, options?: ReadConditions) => Effect.Effect<ObjectInfo, S3PoError>
    /** The object's tags (GetObjectTagging). */
    readonly getTags: (bucket: string, key: string) => Effect.Effect<Readonly<Record<string, string>>, S3PoError>
    /** Replaces all the object's tags (PutObjectTagging); `{}` removes them. */
    readonly setTags: (
      bucket: string,
      key: string,
      tags: Readonly<Record<string, string>>
    ) => Effect.Effect<void, S3PoError>
    readonly exists: (bucket: string, key: string) => Effect.Effect<boolean, S3PoError>
    readonly list: (bucket: string, options?: ListOptions) => Stream.Stream<string, S3PoError>
    /**
     * Objects, with their size, ETag, time and storage class, and common prefixes, in S3 order,
     * paging under the hood: one page in memory at a time. A server that breaks the paging (a
     * truncated page without a token, a token given twice) fails it with `BrokenListing`.
     */
    readonly listObjects: (bucket: string, options?: ListObjectsOptions) => Stream.Stream<ListEntry, S3PoError>
    readonly delete: (bucket: string, key: string) => Effect.Effect<void, S3PoError>
    readonly deleteMany: (bucket: string, keys: Iterable<string>) => Effect.Effect<DeleteManyResult, S3PoError>
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
      keys: Stream.Stream<string, E, R> | Iterable<string>
    ) => Stream.Stream<DeleteResult, S3PoError | E, R>
    /**
     * A server-side copy: no object bytes pass through the client. Returns the copy's ETag, size
     * and parts (0 for one CopyObject). Fails with `PreconditionFailed` if the source is replaced
     * while a multipart copy runs; a failed multipart copy is aborted.
     */
    readonly copy: (
      from: ObjectLocation,
      to: ObjectLocation,
      options?: CopyOptions
    ) => Effect.Effect<UploadResult, S3PoError>
    /**
     * `copy`, then the source deleted. Not atomic: between the two, both exist; if the delete fails
     * both stay. A failed copy deletes nothing.
     */
    readonly move: (
      from: ObjectLocation,
      to: ObjectLocation,
      options?: CopyOptions
    ) => Effect.Effect<UploadResult, S3PoError>
    /**
     * A URL signed with SigV4 query parameters (on the mock, with the mock's own signature, which
     * `S3PoMockControl.fetch` checks) for one request without credentials. No request is sent.
     */
    readonly presign: (bucket: string, key: string, options?: PresignOptions) => Effect.Effect<string, S3PoError>
    /** A signed form for a browser's upload (POST Object), with its size enforced by S3. */
    readonly presignPost: (bucket: string, options: PresignPostOptions) => Effect.Effect<PresignedPost, S3PoError>
    /** Every bucket the credentials own, by name, over every page of ListBuckets. */
    readonly listBuckets: () => Effect.Effect<ReadonlyArray<BucketInfo>, S3PoError>
    readonly bucketExists: (bucket: string) => Effect.Effect<boolean, S3PoError>
    /** Deletes an empty bucket; `BucketNotEmpty` while it holds objects (see `emptyBucket`). */
    readonly deleteBucket: (bucket: string) => Effect.Effect<void, S3PoError>
    /** Deletes every key under `prefix`, a page at a time; returns how many. */
    readonly deletePrefix: (bucket: string, prefix: string) => Effect.Effect<number, S3PoError>
    /** Deletes every object and aborts every pending upload; returns how many of each. */
    readonly emptyBucket: (
      bucket: string
    ) => Effect.Effect<{ readonly deleted: number; readonly aborted: number }, S3PoError>
    /**
     * Multipart uploads created and neither completed nor aborted, which cost storage until they
     * are; a page (1000) at a time.
     */
    readonly listPendingUploads: (
      bucket: string,
      options?: { readonly prefix?: string }
    ) => Stream.Stream<PendingUpload, S3PoError>
    /**
     * Aborts the pending uploads under `prefix` started at least `olderThan` ago, by Effect's
     * `Clock` (all of them without it); returns how many.
     */
    readonly abortPendingUploads: (
      bucket: string,
      options?: { readonly prefix?: string; readonly olderThan?: Duration.DurationInput }
    ) => Effect.Effect<number, S3PoError>
  }
}

/**
 * The s3po service tag. Pick an implementation by providing `S3PoLive` or `S3PoMock`.
 *
 * @since 0.1.0
 * @category tags
 */
export class S3Po extends Context.Tag("s3po/S3Po")<S3Po, S3Po.Service>() {}
