import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type {
  BucketInfo,
  Checksum,
  ChecksumAlgorithm,
  CustomerKey,
  DefaultRetention,
  DeleteManyResult,
  DeleteMarker,
  DeleteObjectResult,
  DownloadRange,
  LifecycleRule,
  ListedObject,
  ObjectAttributes,
  ObjectInfo,
  ObjectLockConfiguration,
  ObjectVersion,
  PendingUpload,
  ReadConditions,
  Retention,
  S3Operation,
  VersioningStatus,
  WriteConditions
} from "../../S3Po.js"
import { type S3PoError, S3ServiceError } from "../../S3PoError.js"
import type { Presigner } from "./presign.js"

/** Where a request goes: every request names its bucket, and most a key. */
export interface BucketRequest {
  readonly bucket: string
}

export interface ObjectRequest extends BucketRequest {
  readonly key: string
}

/**
 * The few S3 requests every s3po operation is built from, each taking one request object. A layer
 * implements only these; uploads, downloads, multipart, resume, listing and batches are derived
 * from them once, in `service.ts`.
 */
export interface Requests {
  readonly listBuckets: ListBucketsRequest
  readonly headBucket: BucketRequest
  readonly createBucket: CreateBucketRequest
  readonly deleteBucket: BucketRequest
  readonly putObject: PutObjectRequest
  readonly getObject: GetObjectRequest
  readonly headObject: HeadObjectRequest
  readonly listPage: ListPageRequest
  readonly deleteObject: DeleteObjectRequest
  readonly deleteObjects: DeleteObjectsRequest
  readonly createMultipartUpload: CreateMultipartRequest
  readonly uploadPart: UploadPartRequest
  readonly copyObject: CopyObjectRequest
  readonly uploadPartCopy: UploadPartCopyRequest
  readonly completeMultipartUpload: CompleteMultipartRequest
  readonly abortMultipartUpload: MultipartUploadRef
  readonly listMultipartUploads: ListUploadsRequest
  readonly getObjectTagging: ObjectRequest
  readonly putObjectTagging: PutTaggingRequest
  readonly getBucketVersioning: BucketRequest
  readonly putBucketVersioning: PutVersioningRequest
  readonly listVersionsPage: ListVersionsPageRequest
  readonly getObjectLockConfiguration: BucketRequest
  readonly putObjectLockConfiguration: PutObjectLockRequest
  readonly getObjectRetention: VersionedObjectRequest
  readonly putObjectRetention: PutRetentionRequest
  readonly getObjectLegalHold: VersionedObjectRequest
  readonly putObjectLegalHold: PutLegalHoldRequest
  readonly getBucketLifecycle: BucketRequest
  readonly putBucketLifecycle: PutLifecycleRequest
  readonly deleteBucketLifecycle: BucketRequest
}

/** The requests of versions, object lock and lifecycle rules, which not every backend had at first. */
export type GovernanceOperation =
  | "getBucketVersioning"
  | "putBucketVersioning"
  | "listVersionsPage"
  | "getObjectLockConfiguration"
  | "putObjectLockConfiguration"
  | "getObjectRetention"
  | "putObjectRetention"
  | "getObjectLegalHold"
  | "putObjectLegalHold"
  | "getBucketLifecycle"
  | "putBucketLifecycle"
  | "deleteBucketLifecycle"

/** What each request answers. */
export interface Responses {
  readonly listBuckets: BucketsPage
  readonly headBucket: void
  readonly createBucket: void
  readonly deleteBucket: void
  readonly putObject: Written
  readonly getObject: GetObjectResponse
  readonly headObject: ObjectInfo
  readonly listPage: ListPage
  /** What the delete did, where the server says (nothing from a backend without versions). */
  readonly deleteObject: DeleteObjectResult | void
  readonly deleteObjects: DeleteManyResult
  readonly createMultipartUpload: string
  readonly uploadPart: Written
  readonly copyObject: Copied
  readonly uploadPartCopy: ETagged
  readonly completeMultipartUpload: Written
  readonly abortMultipartUpload: void
  readonly listMultipartUploads: UploadsPage
  readonly getObjectTagging: Tags
  readonly putObjectTagging: void
  readonly getBucketVersioning: VersioningStatus
  readonly putBucketVersioning: void
  readonly listVersionsPage: VersionsPage
  /** `{ enabled: false }` for a bucket without object lock (S3's 404 `ObjectLockConfigurationNotFoundError`). */
  readonly getObjectLockConfiguration: ObjectLockConfiguration
  readonly putObjectLockConfiguration: void
  /** `undefined` for a version without retention (S3's 404 `NoSuchObjectLockConfiguration`). */
  readonly getObjectRetention: Retention | undefined
  readonly putObjectRetention: void
  /** Whether the version is under a legal hold (`false` where S3 answers it has none). */
  readonly getObjectLegalHold: boolean
  readonly putObjectLegalHold: void
  /** The bucket's rules; `[]` for none (S3's 404 `NoSuchLifecycleConfiguration`). */
  readonly getBucketLifecycle: ReadonlyArray<LifecycleRule>
  readonly putBucketLifecycle: void
  readonly deleteBucketLifecycle: void
}

export type Operation = keyof Requests

export type Primitive<K extends Operation> = (request: Requests[K]) => Effect.Effect<Responses[K], S3PoError>

/** The primitives, and the backend's signer of URLs and forms if it has one (a store that is not S3 may not). */
export type Backend = { readonly [K in Operation]: Primitive<K> } & { readonly presigner?: Presigner | undefined }

/** The S3 API name of each primitive's request, as retries log it and the mock records it. */
export const operationNames: { readonly [K in Operation]: S3Operation } = {
  listBuckets: "ListBuckets",
  headBucket: "HeadBucket",
  createBucket: "CreateBucket",
  deleteBucket: "DeleteBucket",
  putObject: "PutObject",
  getObject: "GetObject",
  headObject: "HeadObject",
  listPage: "ListObjectsV2",
  deleteObject: "DeleteObject",
  deleteObjects: "DeleteObjects",
  createMultipartUpload: "CreateMultipartUpload",
  uploadPart: "UploadPart",
  copyObject: "CopyObject",
  uploadPartCopy: "UploadPartCopy",
  completeMultipartUpload: "CompleteMultipartUpload",
  abortMultipartUpload: "AbortMultipartUpload",
  listMultipartUploads: "ListMultipartUploads",
  getObjectTagging: "GetObjectTagging",
  putObjectTagging: "PutObjectTagging",
  getBucketVersioning: "GetBucketVersioning",
  putBucketVersioning: "PutBucketVersioning",
  listVersionsPage: "ListObjectVersions",
  getObjectLockConfiguration: "GetObjectLockConfiguration",
  putObjectLockConfiguration: "PutObjectLockConfiguration",
  getObjectRetention: "GetObjectRetention",
  putObjectRetention: "PutObjectRetention",
  getObjectLegalHold: "GetObjectLegalHold",
  putObjectLegalHold: "PutObjectLegalHold",
  getBucketLifecycle: "GetBucketLifecycleConfiguration",
  putBucketLifecycle: "PutBucketLifecycleConfiguration",
  deleteBucketLifecycle: "DeleteBucketLifecycle"
}

/** The answer of a primitive a backend does not implement: S3's own `501 NotImplemented`. */
export const notImplemented = <K extends Operation>(operation: K): Primitive<K> => (request) =>
  Effect.fail(
    new S3ServiceError({
      operation: operationNames[operation],
      bucket: request.bucket ?? "",
      ...("key" in request ? { key: request.key } : {}),
      status: 501,
      code: "NotImplemented",
      detail: `the backend does not implement ${operationNames[operation]}`,
      retryable: false
    })
  )

/** A function from any primitive to one of the same type: what wraps a backend (retries, faults, a call log). */
export type PrimitiveWrapper = <K extends Operation>(operation: K, primitive: Primitive<K>) => Primitive<K>

/** A backend whose every primitive is `f` of the original one, with the original's presigner. */
export const mapBackend = (backend: Backend, f: PrimitiveWrapper): Backend => ({
  ...(backend.presigner === undefined ? {} : { presigner: backend.presigner }),
  listBuckets: f("listBuckets", backend.listBuckets),
  headBucket: f("headBucket", backend.headBucket),
  createBucket: f("createBucket", backend.createBucket),
  deleteBucket: f("deleteBucket", backend.deleteBucket),
  putObject: f("putObject", backend.putObject),
  getObject: f("getObject", backend.getObject),
  headObject: f("headObject", backend.headObject),
  listPage: f("listPage", backend.listPage),
  deleteObject: f("deleteObject", backend.deleteObject),
  deleteObjects: f("deleteObjects", backend.deleteObjects),
  createMultipartUpload: f("createMultipartUpload", backend.createMultipartUpload),
  uploadPart: f("uploadPart", backend.uploadPart),
  copyObject: f("copyObject", backend.copyObject),
  uploadPartCopy: f("uploadPartCopy", backend.uploadPartCopy),
  completeMultipartUpload: f("completeMultipartUpload", backend.completeMultipartUpload),
  abortMultipartUpload: f("abortMultipartUpload", backend.abortMultipartUpload),
  listMultipartUploads: f("listMultipartUploads", backend.listMultipartUploads),
  getObjectTagging: f("getObjectTagging", backend.getObjectTagging),
  putObjectTagging: f("putObjectTagging", backend.putObjectTagging),
  getBucketVersioning: f("getBucketVersioning", backend.getBucketVersioning),
  putBucketVersioning: f("putBucketVersioning", backend.putBucketVersioning),
  listVersionsPage: f("listVersionsPage", backend.listVersionsPage),
  getObjectLockConfiguration: f("getObjectLockConfiguration", backend.getObjectLockConfiguration),
  putObjectLockConfiguration: f("putObjectLockConfiguration", backend.putObjectLockConfiguration),
  getObjectRetention: f("getObjectRetention", backend.getObjectRetention),
  putObjectRetention: f("putObjectRetention", backend.putObjectRetention),
  getObjectLegalHold: f("getObjectLegalHold", backend.getObjectLegalHold),
  putObjectLegalHold: f("putObjectLegalHold", backend.putObjectLegalHold),
  getBucketLifecycle: f("getBucketLifecycle", backend.getBucketLifecycle),
  putBucketLifecycle: f("putBucketLifecycle", backend.putBucketLifecycle),
  deleteBucketLifecycle: f("deleteBucketLifecycle", backend.deleteBucketLifecycle)
})

/** ListBuckets names no bucket: only the page asked for differs from one call to the next. */
export interface ListBucketsRequest {
  readonly bucket?: undefined
  readonly continuationToken?: string | undefined
}

/** A page of buckets; S3 answers a `continuationToken` while more remain (ListBuckets has no `IsTruncated`). */
export interface BucketsPage {
  readonly buckets: ReadonlyArray<BucketInfo>
  readonly continuationToken?: string | undefined
}

export interface ListUploadsRequest extends BucketRequest {
  readonly prefix?: string | undefined
  /** The uploads after this key (and, with `uploadIdMarker`, after that upload of the key). */
  readonly keyMarker?: string | undefined
  readonly uploadIdMarker?: string | undefined
}

/** A page of pending uploads, as S3 answers it: where the next page starts is the server's word. */
export interface UploadsPage {
  /** The page's uploads, by key, then by when each began. */
  readonly uploads: ReadonlyArray<PendingUpload>
  /** Whether more uploads remain: a truncated page must say where the next one starts. */
  readonly isTruncated: boolean
  readonly nextKeyMarker?: string | undefined
  readonly nextUploadIdMarker?: string | undefined
}

export interface ETagged {
  readonly etag: string
}

/** A write's answer: its ETag, and the checksum the server echoed (none from a server that ignores checksums). */
export interface Written extends ETagged {
  readonly checksum?: Checksum | undefined
  /** The version written, where the bucket's versioning gives one. */
  readonly versionId?: string | undefined
}

/** A copy's answer: the new object's ETag and version, and the source version copied (where the server says). */
export interface Copied extends ETagged {
  readonly versionId?: string | undefined
  readonly sourceVersionId?: string | undefined
}

/** One version of an object, or the latest without `versionId`. */
export interface VersionedObjectRequest extends ObjectRequest {
  readonly versionId?: string | undefined
}

/** Encryption with the caller's key (SSE-C): the key is sent with every request on the object, and S3 keeps only its MD5. */
export interface CustomerKeyed {
  readonly customerKey?: CustomerKey | undefined
}

/** A retention and a legal hold given to the version a write creates (object lock). */
export interface LockOnWrite {
  readonly retention?: Retention | undefined
  readonly legalHold?: boolean | undefined
}

export interface CreateBucketRequest extends BucketRequest {
  /** Create the bucket with object lock (and so with versioning): it cannot be turned on later. */
  readonly objectLockEnabled?: boolean | undefined
}

/**
 * A delete of the latest object (a marker in a versioned bucket) or of one version; `ifMatch` deletes
 * only if the object still has that ETag; `bypassGovernanceRetention` deletes a version under
 * `GOVERNANCE` retention, where the caller may.
 */
export interface DeleteObjectRequest extends VersionedObjectRequest {
  readonly ifMatch?: string | undefined
  readonly bypassGovernanceRetention?: boolean | undefined
}

export interface PutVersioningRequest extends BucketRequest {
  readonly status: "Enabled" | "Suspended"
}

export interface ListVersionsPageRequest extends BucketRequest {
  readonly prefix?: string | undefined
  readonly delimiter?: string | undefined
  /** Where the page starts: after this key (and, with `versionIdMarker`, after that version of it). */
  readonly keyMarker?: string | undefined
  readonly versionIdMarker?: string | undefined
  /** The most entries the page holds (S3's `max-keys`, at most 1,000, its default). */
  readonly maxKeys?: number | undefined
}

/** A page of versions and delete markers, by key then newest first; a truncated page says where the next starts. */
export interface VersionsPage {
  readonly versions: ReadonlyArray<ObjectVersion | DeleteMarker>
  readonly commonPrefixes: ReadonlyArray<string>
  readonly isTruncated: boolean
  readonly nextKeyMarker?: string | undefined
  readonly nextVersionIdMarker?: string | undefined
}

export interface PutObjectLockRequest extends BucketRequest {
  /** The bucket's default retention; `undefined` removes it. */
  readonly defaultRetention: DefaultRetention | undefined
}

export interface PutRetentionRequest extends VersionedObjectRequest {
  readonly retention: Retention
  /** Needed to shorten or lift a `GOVERNANCE` retention. */
  readonly bypassGovernanceRetention?: boolean | undefined
}

export interface PutLegalHoldRequest extends VersionedObjectRequest {
  readonly legalHold: boolean
}

export interface PutLifecycleRequest extends BucketRequest {
  readonly rules: ReadonlyArray<LifecycleRule>
}

export type Tags = Readonly<Record<string, string>>

export interface PutTaggingRequest extends ObjectRequest {
  readonly tags: Tags
}

/** A write's attributes and conditions are sent as they are given. */
export interface PutObjectRequest extends ObjectRequest, ObjectAttributes, WriteConditions, CustomerKeyed, LockOnWrite {
  readonly body: Uint8Array
  /** The body's checksum (`FULL_OBJECT`), sent for the server to check. */
  readonly checksum?: Checksum | undefined
}

/** An inclusive byte range; `end` past the object is clamped, as S3 does. */
export interface ByteRange {
  readonly start: number
  readonly end?: number | undefined
}

export interface HeadObjectRequest extends VersionedObjectRequest, ReadConditions, CustomerKeyed {
  /** Asks for the object's checksum (`x-amz-checksum-mode: ENABLED`), answered in `ObjectInfo.checksum`. */
  readonly checksumMode?: boolean | undefined
}

export interface GetObjectRequest extends VersionedObjectRequest, ReadConditions, CustomerKeyed {
  readonly range?: DownloadRange | undefined
  /** Asks for the object's checksum (`x-amz-checksum-mode: ENABLED`), answered in `info.checksum`. */
  readonly checksumMode?: boolean | undefined
}

export interface GetObjectResponse {
  readonly info: ObjectInfo
  /**
   * Bytes in this response: the whole object, or the requested range; `undefined` when the answer
   * does not say (a chunked answer without `Content-Length` or `Content-Range`).
   */
  readonly contentLength: number | undefined
  /** Whether the body is a range of the object (a `Content-Range` answer), not all of it. */
  readonly partial: boolean
  /** Where in the object the body starts: 0, or the first byte of the range. */
  readonly offset: number
  /** The body as a stream, whose chunks are the reader's to keep. A body is read once: as `body` or with `forEachChunk`. */
  readonly body: Stream.Stream<Uint8Array, S3PoError>
  /**
   * Reads the body chunk by chunk without the cost of a stream pipeline; interrupting it closes the
   * body. A chunk is only lent to `f`: it may be the backend's own memory.
   */
  readonly forEachChunk: (f: (chunk: Uint8Array) => void) => Effect.Effect<void, S3PoError>
  /** Closes a body that will not be read, freeing its connection. */
  readonly discard: Effect.Effect<void>
}

export interface ListPageRequest extends BucketRequest {
  readonly prefix?: string | undefined
  readonly delimiter?: string | undefined
  /** Only keys after this one, in S3 order; ignored once a continuation token is given. */
  readonly startAfter?: string | undefined
  readonly continuationToken?: string | undefined
}

export interface ListPage {
  /** The page's objects, in S3 order. */
  readonly objects: ReadonlyArray<ListedObject>
  readonly commonPrefixes: ReadonlyArray<string>
  /** Whether more entries remain: a truncated page must carry the token of the next one. */
  readonly isTruncated: boolean
  readonly nextContinuationToken?: string | undefined
}

export interface DeleteObjectsRequest extends BucketRequest {
  readonly keys: ReadonlyArray<string>
  /** The version of each key to delete, by index (`undefined`: the latest, as `deleteObject` without one). */
  readonly versionIds?: ReadonlyArray<string | undefined> | undefined
  readonly bypassGovernanceRetention?: boolean | undefined
}

export interface CreateMultipartRequest extends ObjectRequest, ObjectAttributes, CustomerKeyed, LockOnWrite {
  /** The checksum each part will carry, and what kind the object's will be. */
  readonly checksum?: {
    readonly algorithm: ChecksumAlgorithm
    readonly type: Checksum["type"]
  } | undefined
}

export interface MultipartUploadRef extends ObjectRequest {
  readonly uploadId: string
}

export interface UploadPartRequest extends MultipartUploadRef, CustomerKeyed {
  readonly partNumber: number
  readonly body: Uint8Array
  /** The part's checksum (`FULL_OBJECT` of the part's bytes), sent for the server to check. */
  readonly checksum?: Checksum | undefined
}

/** An object to copy from, pinned to its ETag so that a replaced source fails instead of mixing versions. */
export interface CopySource extends CustomerKeyed {
  readonly bucket: string
  readonly key: string
  readonly ifMatch: string
  readonly versionId?: string | undefined
}

/**
 * A server-side copy. Without `replace` the object's attributes and tags are copied (S3's `COPY`
 * directives); with it its attributes are these (`REPLACE`), and its tags too when `replace.tags`
 * is given. The conditions are on the destination.
 */
export interface CopyObjectRequest extends ObjectRequest, WriteConditions, CustomerKeyed, LockOnWrite {
  readonly source: CopySource
  readonly replace?: ObjectAttributes | undefined
}

export interface UploadPartCopyRequest extends MultipartUploadRef, CustomerKeyed {
  readonly partNumber: number
  readonly source: CopySource
  /** The source's bytes for this part, inclusive. */
  readonly range: { readonly start: number; readonly end: number }
}

export interface CompletedPart {
  readonly partNumber: number
  readonly etag: string
  /** The part's checksum value, as its UploadPart sent it. */
  readonly checksum?: string | undefined
}

export interface CompleteMultipartRequest extends MultipartUploadRef, WriteConditions, CustomerKeyed {
  readonly parts: ReadonlyArray<CompletedPart>
  /** The algorithm of the parts' checksums, as CreateMultipartUpload declared it (the SDK names each part's by it). */
  readonly partsChecksumAlgorithm?: ChecksumAlgorithm | undefined
  /** The whole object's checksum, for the server to check (a full-object checksum only). */
  readonly checksum?: Checksum | undefined
}

/** Every primitive's name, in the order `operationNames` lists them. */
export const operations = Object.keys(operationNames) as ReadonlyArray<Operation>

export type { PendingUpload }
