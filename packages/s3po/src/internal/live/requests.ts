import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  type StorageClass as SdkStorageClass,
  UploadPartCommand,
  UploadPartCopyCommand
} from "@aws-sdk/client-s3"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { Readable } from "node:stream"
import type {
  Checksum,
  ChecksumAlgorithm,
  DeletedVersion,
  DeleteObjectResult,
  ListedObject,
  ObjectAttributes,
  ObjectInfo,
  ReadConditions,
  Retention,
  ServerSideEncryption,
  WriteConditions
} from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type {
  BucketRequest,
  CompletedPart,
  CompleteMultipartRequest,
  Copied,
  CopyObjectRequest,
  CopySource,
  CreateBucketRequest,
  CreateMultipartRequest,
  DeleteObjectRequest,
  DeleteObjectsRequest,
  GetObjectRequest,
  GetObjectResponse,
  HeadObjectRequest,
  ListBucketsRequest,
  ListPageRequest,
  ListUploadsRequest,
  LockOnWrite,
  MultipartUploadRef,
  ObjectRequest,
  PendingUpload,
  PutObjectRequest,
  PutTaggingRequest,
  UploadPartCopyRequest,
  UploadPartRequest,
  Written
} from "../core/backend.js"
import { describeRead, describeWrite, unquoted } from "../core/conditions.js"
import { copySourceCustomerKeyInput, customerKeyInput } from "./customerKeyHeaders.js"
import type { PayloadHasher } from "./payloadHasher.js"
import { unsignedPayload, withPayloadHash } from "./payloadSigning.js"
import { fromSdkError } from "./sdkError.js"
import type { RequestContext } from "./sdkError.js"
import { forEachChunk, type InFlight, readAheadBytes, type ReadBody, readWhole, send } from "./transport.js"

/** What every request is sent with: the SDK's client, and how uploads are signed. */
export interface LiveClient {
  readonly client: S3Client
  /** Hashes the parts of multipart uploads for their signature off the event loop. */
  readonly hasher?: PayloadHasher | undefined
  /**
   * Leaves the bytes of uploads (PutObject, UploadPart) out of their signature, as the AWS SDKs for
   * Java, Go and Python do over HTTPS, where TLS guards them (and the checksum each upload carries);
   * otherwise the SDK hashes every uploaded byte on the event loop. Each part then goes as a stream
   * of slices: over TLS a part written whole is encrypted whole, and its ciphertext held until the
   * socket takes it.
   */
  readonly unsignedUploads?: boolean | undefined
}

/** A checksum as the SDK's input fields (and s3po's own headers): the value under its algorithm's name. */
export const checksumInput = (
  checksum: Checksum | undefined
): { readonly [A in ChecksumAlgorithm as `Checksum${A}`]?: string } =>
  checksum === undefined ? {} : { [`Checksum${checksum.algorithm}`]: checksum.value }

/**
 * The payload hash of an upload whose checksum is its SHA-256: the same digest, in hex, so that a
 * signed upload hashes its bytes once.
 */
export const payloadHashOfChecksum = (checksum: Checksum | undefined): string | undefined =>
  checksum?.algorithm === "SHA256" && checksum.type === "FULL_OBJECT"
    ? Buffer.from(checksum.value, "base64").toString("hex")
    : undefined

/**
 * ETags in S3's own form, in double quotes. Some servers leave them out in places (Ceph RGW, in the
 * answer to a repeated Complete); a caller comparing ETags must see one form.
 */
export const quotedETag = (etag: string | undefined): string =>
  etag === undefined || etag === "" ? "" : etag.startsWith("\"") ? etag : `"${etag}"`

/** The answer of a request that answers nothing. */
export const nothing = () => undefined

const serverSideEncryptionOf = (
  algorithm: string | undefined,
  keyId: string | undefined
): ServerSideEncryption | undefined =>
  algorithm === "AES256"
    ? { type: "AES256" }
    : algorithm === "aws:kms"
    ? { type: "aws:kms", ...(keyId === undefined ? {} : { keyId }) }
    : undefined

/** The answer's headers that are set, so that `ObjectInfo` carries only what the object has. */
export const present = <A extends Record<string, unknown>>(fields: A): Partial<A> => {
  const set: Partial<A> = {}
  for (const name in fields) {
    const value = fields[name]
    if (value !== undefined && value !== "") set[name] = value
  }
  return set
}

/** What S3 answers of an object, as the SDK's outputs carry it (and s3po's own requests read it). */
export interface ObjectOutput {
  readonly ContentLength?: number | undefined
  readonly ContentRange?: string | undefined
  readonly ETag?: string | undefined
  readonly LastModified?: Date | undefined
  readonly ContentType?: string | undefined
  readonly Metadata?: Record<string, string> | undefined
  readonly CacheControl?: string | undefined
  readonly ContentDisposition?: string | undefined
  readonly ContentEncoding?: string | undefined
  readonly ContentLanguage?: string | undefined
  readonly Expires?: Date | undefined
  readonly StorageClass?: string | undefined
  readonly ServerSideEncryption?: string | undefined
  readonly SSEKMSKeyId?: string | undefined
  readonly ChecksumCRC64NVME?: string | undefined
  readonly ChecksumCRC32?: string | undefined
  readonly ChecksumCRC32C?: string | undefined
  readonly ChecksumSHA1?: string | undefined
  readonly ChecksumSHA256?: string | undefined
  readonly ChecksumType?: string | undefined
  readonly VersionId?: string | undefined
  readonly ObjectLockMode?: string | undefined
  readonly ObjectLockRetainUntilDate?: Date | undefined
  readonly ObjectLockLegalHoldStatus?: string | undefined
  readonly DeleteMarker?: boolean | undefined
  readonly SSECustomerKeyMD5?: string | undefined
  readonly Body?: unknown
}

/**
 * The object's checksum, when the answer carries one (a GET or HEAD in checksum mode). A value
 * ending in `-N` is composite, whatever the type says; without a type, one without `-N` is of the
 * full object.
 */
const checksumOf = (output: ObjectOutput): Checksum | undefined => {
  const given: ReadonlyArray<readonly [ChecksumAlgorithm, string | undefined]> = [
    ["CRC64NVME", output.ChecksumCRC64NVME],
    ["CRC32", output.ChecksumCRC32],
    ["CRC32C", output.ChecksumCRC32C],
    ["SHA1", output.ChecksumSHA1],
    ["SHA256", output.ChecksumSHA256]
  ]
  for (const [algorithm, value] of given) {
    if (value === undefined || value === "") continue
    const composite = /-[0-9]+$/.test(value) || output.ChecksumType === "COMPOSITE"
    return { algorithm, value, type: composite ? "COMPOSITE" : "FULL_OBJECT" }
  }
  return undefined
}

/**
 * A write's answer: its ETag, the checksum it echoed (none from a server that ignores checksums),
 * and the version it wrote (none in an unversioned bucket).
 */
export const writtenOf = (etag: string, output: ObjectOutput): Written => ({
  etag,
  ...present({ checksum: checksumOf(output), versionId: output.VersionId })
})

/** A version's retention, as an answer's `x-amz-object-lock-*` headers give it. */
const retentionOf = (mode: string | undefined, retainUntil: Date | undefined): Retention | undefined =>
  (mode === "GOVERNANCE" || mode === "COMPLIANCE") && retainUntil !== undefined ? { mode, retainUntil } : undefined

/** A legal hold as S3 spells it (`ON`, `OFF`), or `undefined` where the answer says nothing. */
const legalHoldOf = (status: string | undefined): boolean | undefined =>
  status === "ON" ? true : status === "OFF" ? false : undefined

/** What a delete did, as its answer's headers say: a marker laid or deleted, and which version. */
export const deleteResultOf = (output: ObjectOutput): DeleteObjectResult => ({
  deleteMarker: output.DeleteMarker === true,
  ...present({ versionId: output.VersionId })
})

/** The query naming one version of an object, or none for the latest. */
export const versionQuery = (versionId: string | undefined): Readonly<Record<string, string>> | undefined =>
  versionId === undefined ? undefined : { versionId }

/**
 * The Content-MD5 S3 asks of a PutObject that sets a retention or legal hold, when the write carries
 * no checksum of its own (with one, S3 takes that).
 */
export const lockContentMd5 = (request: PutObjectRequest): string | undefined =>
  request.checksum === undefined && (request.retention !== undefined || request.legalHold !== undefined)
    ? createHash("md5").update(request.body).digest("base64")
    : undefined

/** A retention and a legal hold given to the version a write creates, as the SDK's input fields. */
const lockInput = (lock: LockOnWrite) => ({
  ObjectLockMode: lock.retention?.mode,
  ObjectLockRetainUntilDate: lock.retention?.retainUntil,
  ObjectLockLegalHoldStatus: lock.legalHold === undefined ? undefined : lock.legalHold ? "ON" as const : "OFF" as const
})

export const deleteContext = (request: DeleteObjectRequest) => ({
  operation: "DeleteObject",
  bucket: request.bucket,
  key: request.key,
  ifMatch: request.ifMatch,
  condition: describeWrite({ ifMatch: request.ifMatch })
})

export const infoOf = (key: string, output: ObjectOutput): ObjectInfo => {
  const total = output.ContentRange === undefined ? undefined : /\/(\d+)$/.exec(output.ContentRange)?.[1]
  return {
    key,
    size: total === undefined ? output.ContentLength ?? 0 : Number(total),
    etag: quotedETag(output.ETag),
    lastModified: output.LastModified ?? new Date(0),
    contentType: output.ContentType ?? "",
    metadata: output.Metadata ?? {},
    ...present({
      cacheControl: output.CacheControl,
      contentDisposition: output.ContentDisposition,
      contentEncoding: output.ContentEncoding,
      contentLanguage: output.ContentLanguage,
      expires: output.Expires,
      // S3 names no storage class for STANDARD; some servers do.
      storageClass: output.StorageClass === "STANDARD" ? undefined : output.StorageClass,
      serverSideEncryption: serverSideEncryptionOf(output.ServerSideEncryption, output.SSEKMSKeyId),
      checksum: checksumOf(output),
      versionId: output.VersionId,
      retention: retentionOf(output.ObjectLockMode, output.ObjectLockRetainUntilDate),
      legalHold: legalHoldOf(output.ObjectLockLegalHoldStatus),
      customerKeyMd5: output.SSECustomerKeyMD5
    })
  }
}

/** Tags as the `x-amz-tagging` header carries them: a URL query. */
export const taggingOf = (tags: ObjectAttributes["tags"]): string | undefined => {
  if (tags === undefined) return undefined
  const query = Object.entries(tags).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
  return query.length === 0 ? undefined : query.join("&")
}

/** An object's attributes as the SDK's input fields. */
const attributesInput = (attributes: ObjectAttributes) => {
  const sse = attributes.serverSideEncryption
  return {
    ContentType: attributes.contentType,
    Metadata: attributes.metadata,
    CacheControl: attributes.cacheControl,
    ContentDisposition: attributes.contentDisposition,
    ContentEncoding: attributes.contentEncoding,
    ContentLanguage: attributes.contentLanguage,
    Expires: attributes.expires,
    StorageClass: attributes.storageClass as SdkStorageClass | undefined,
    ACL: attributes.acl,
    ServerSideEncryption: sse?.type,
    SSEKMSKeyId: sse?.type === "aws:kms" ? sse.keyId : undefined,
    Tagging: taggingOf(attributes.tags)
  }
}

/** A write's conditions as the SDK's input fields: the ETag unquoted, the one form Ceph RGW 16 matches on a PUT (AWS takes both). */
const writeConditionsInput = (conditions: WriteConditions) => ({
  IfNoneMatch: conditions.ifNoneMatch,
  IfMatch: conditions.ifMatch === undefined ? undefined : unquoted(conditions.ifMatch)
})

const readConditionsInput = (conditions: ReadConditions) => ({
  IfMatch: conditions.ifMatch,
  IfNoneMatch: conditions.ifNoneMatch,
  IfModifiedSince: conditions.ifModifiedSince,
  IfUnmodifiedSince: conditions.ifUnmodifiedSince
})

export const readContext = (operation: string, request: ObjectRequest & ReadConditions) => ({
  operation,
  bucket: request.bucket,
  key: request.key,
  ifMatch: request.ifMatch,
  ifNoneMatch: request.ifNoneMatch,
  condition: describeRead(request)
})

export const writeContext = (
  operation: string,
  request: ObjectRequest & WriteConditions & { readonly checksum?: Checksum | undefined }
) => ({
  operation,
  bucket: request.bucket,
  key: request.key,
  ifMatch: request.ifMatch,
  condition: describeWrite(request),
  checksum: request.checksum
})

/** The answers S3 gives for "there is none" (their codes), as what the primitive answers instead. */
export const noneAs =
  <B>(codes: ReadonlyArray<string>, none: B) =>
  <A>(effect: Effect.Effect<A, S3PoError>): Effect.Effect<A | B, S3PoError> =>
    Effect.catchIf(
      effect,
      (error) => error._tag === "S3ServiceError" && codes.includes(error.code),
      () => Effect.succeed(none)
    )

/** A token or marker the answer gave, or `undefined`: an empty one leads nowhere. */
export const given = (token: string | undefined): string | undefined => token === "" ? undefined : token

export const listBuckets = ({ client }: LiveClient) => (request: ListBucketsRequest) =>
  send(
    { operation: "ListBuckets", bucket: "" },
    (options) => client.send(new ListBucketsCommand({ ContinuationToken: request.continuationToken }), options),
    (output) => ({
      buckets: (output.Buckets ?? []).map((bucket) => ({
        name: bucket.Name ?? "",
        creationDate: bucket.CreationDate ?? new Date(0)
      })),
      continuationToken: given(output.ContinuationToken)
    })
  )

export const headBucket = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "HeadBucket", bucket: request.bucket },
    (options) => client.send(new HeadBucketCommand({ Bucket: request.bucket }), options),
    nothing
  )

export const deleteBucket = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "DeleteBucket", bucket: request.bucket },
    (options) => client.send(new DeleteBucketCommand({ Bucket: request.bucket }), options),
    nothing
  )

export const createBucket = ({ client }: LiveClient) => (request: CreateBucketRequest) =>
  send(
    { operation: "CreateBucket", bucket: request.bucket },
    (options) =>
      client.send(
        new CreateBucketCommand({
          Bucket: request.bucket,
          ...(request.objectLockEnabled === true ? { ObjectLockEnabledForBucket: true } : {})
        }),
        options
      ),
    nothing
  ).pipe(
    Effect.catchIf(
      (error) => error._tag === "S3ServiceError" && error.code === "BucketAlreadyOwnedByYou",
      () => Effect.void
    )
  )

export const putObject = ({ client, unsignedUploads }: LiveClient) => (request: PutObjectRequest) =>
  send(
    writeContext("PutObject", request),
    (options) => {
      const command = new PutObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        Body: request.body,
        ContentLength: request.body.length,
        ...attributesInput(request),
        ...writeConditionsInput(request),
        ChecksumAlgorithm: request.checksum?.algorithm,
        ...checksumInput(request.checksum),
        ContentMD5: lockContentMd5(request),
        ...lockInput(request),
        ...customerKeyInput(request.customerKey)
      })
      const payloadHash = unsignedUploads === true ? unsignedPayload : payloadHashOfChecksum(request.checksum)
      return client.send(payloadHash === undefined ? command : withPayloadHash(command, payloadHash), options)
    },
    (output) => writtenOf(quotedETag(output.ETag), output)
  )

/** Where a body starts in the object: the first byte of its `Content-Range` (`bytes 6-9/10`), else 0. */
const offsetOf = (contentRange: string | undefined): number => {
  const first = contentRange === undefined ? undefined : /^bytes (\d+)-/.exec(contentRange)?.[1]
  return first === undefined ? 0 : Number(first)
}

/**
 * Bytes the body is to hold: the span of its `Content-Range` (`bytes 6-9/10`: 4), else its
 * `Content-Length`; unknown when the answer gives neither (sent chunked).
 */
const bodyLengthOf = (output: ObjectOutput): number | undefined => {
  const span = output.ContentRange === undefined ? null : /^bytes (\d+)-(\d+)\//.exec(output.ContentRange)
  return span === null ? output.ContentLength : Number(span[2]) - Number(span[1]) + 1
}

/** A range as the `Range` header carries it. */
export const rangeHeader = (range: GetObjectRequest["range"]): string | undefined =>
  range === undefined
    ? undefined
    : "suffix" in range
    ? `bytes=-${range.suffix}`
    : `bytes=${range.start}-${range.end === undefined ? "" : range.end}`

/** A GetObject answer as a response whose body is read as it arrives. */
export const streamedResponse = (
  context: { readonly operation: string; readonly bucket: string; readonly key: string },
  output: ObjectOutput
): GetObjectResponse => {
  const readable = output.Body as Readable | undefined
  return {
    info: infoOf(context.key, output),
    contentLength: bodyLengthOf(output),
    partial: output.ContentRange !== undefined,
    offset: offsetOf(output.ContentRange),
    body: readable === undefined
      ? Stream.empty
      : NodeStream.fromReadable<S3PoError, Uint8Array>(() => readable, (error) => fromSdkError(context, error)),
    forEachChunk: (f) => readable === undefined ? Effect.void : forEachChunk(readable, context, f),
    discard: Effect.sync(() => readable?.destroy())
  }
}

/** A GetObject answer whose whole body was read before it was handed over. */
export const readResponse = (
  context: { readonly operation: string; readonly bucket: string; readonly key: string },
  output: ObjectOutput,
  body: ReadBody
): GetObjectResponse => {
  const broken = () => fromSdkError(context, body.error)
  return {
    info: infoOf(context.key, output),
    contentLength: bodyLengthOf(output),
    partial: output.ContentRange !== undefined,
    offset: offsetOf(output.ContentRange),
    // Made when asked for: most reads take the chunks with `forEachChunk`, and a stream costs more to
    // make than the rest of the response.
    get body() {
      return body.error === undefined
        ? Stream.fromIterable(body.chunks)
        : Stream.concat(Stream.fromIterable(body.chunks), Stream.failSync(broken))
    },
    forEachChunk: (f) =>
      Effect.suspend(() => {
        for (const chunk of body.chunks) f(chunk)
        return body.error === undefined ? Effect.void : Effect.fail(broken())
      }),
    discard: Effect.void
  }
}

export const getObject = ({ client }: LiveClient) => (request: GetObjectRequest) => {
  const context = readContext("GetObject", request)
  return send(
    context,
    (options) =>
      client.send(
        new GetObjectCommand({
          Bucket: request.bucket,
          Key: request.key,
          VersionId: request.versionId,
          Range: rangeHeader(request.range),
          ...readConditionsInput(request),
          ...customerKeyInput(request.customerKey),
          ...(request.checksumMode === true ? { ChecksumMode: "ENABLED" } : {})
        }),
        options
      ),
    getObjectResponse(context)
  )
}

/**
 * A GetObject answer as a response. A body this small is read whole before the response is handed
 * over: its bytes are already arriving, and one suspension of the fiber instead of two is much of
 * a small GET's cost.
 */
export const getObjectResponse = (context: RequestContext & { readonly key: string }) =>
(
  output: ObjectOutput,
  inFlight: InFlight
): GetObjectResponse | Promise<GetObjectResponse> => {
  const readable = output.Body as Readable | undefined
  return readable !== undefined && (output.ContentLength ?? Infinity) <= readAheadBytes
    ? readWhole(readable, inFlight).then((body) => readResponse(context, output, body))
    : streamedResponse(context, output)
}

export const headObject = ({ client }: LiveClient) => (request: HeadObjectRequest) =>
  send(
    readContext("HeadObject", request),
    (options) =>
      client.send(
        new HeadObjectCommand({
          Bucket: request.bucket,
          Key: request.key,
          VersionId: request.versionId,
          ...readConditionsInput(request),
          ...customerKeyInput(request.customerKey),
          ...(request.checksumMode === true ? { ChecksumMode: "ENABLED" } : {})
        }),
        options
      ),
    (output) => infoOf(request.key, output)
  )

export const getObjectTagging = ({ client }: LiveClient) => (request: ObjectRequest) =>
  send(
    { operation: "GetObjectTagging", bucket: request.bucket, key: request.key },
    (options) => client.send(new GetObjectTaggingCommand({ Bucket: request.bucket, Key: request.key }), options),
    // Some servers (Ceph RGW 16) answer an object without tags with an empty body.
    (output) => Object.fromEntries((output.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]))
  )

export const putObjectTagging = ({ client }: LiveClient) => (request: PutTaggingRequest) =>
  send(
    { operation: "PutObjectTagging", bucket: request.bucket, key: request.key },
    (options) =>
      client.send(
        new PutObjectTaggingCommand({
          Bucket: request.bucket,
          Key: request.key,
          Tagging: { TagSet: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })) }
        }),
        options
      ),
    nothing
  )

export const listPage = ({ client }: LiveClient) => (request: ListPageRequest) =>
  send(
    { operation: "ListObjectsV2", bucket: request.bucket },
    (options) =>
      client.send(
        new ListObjectsV2Command({
          Bucket: request.bucket,
          Prefix: request.prefix,
          Delimiter: request.delimiter,
          StartAfter: request.continuationToken === undefined ? request.startAfter : undefined,
          ContinuationToken: request.continuationToken
        }),
        options
      ),
    (output) => ({
      objects: (output.Contents ?? []).map((object): ListedObject => ({
        _tag: "Object",
        key: object.Key ?? "",
        size: object.Size ?? 0,
        etag: quotedETag(object.ETag),
        lastModified: object.LastModified ?? new Date(0),
        storageClass: object.StorageClass ?? "STANDARD"
      })),
      commonPrefixes: (output.CommonPrefixes ?? []).map((common) => common.Prefix ?? ""),
      isTruncated: output.IsTruncated === true,
      nextContinuationToken: given(output.NextContinuationToken)
    })
  )

export const deleteObject = ({ client }: LiveClient) => (request: DeleteObjectRequest) =>
  send(
    deleteContext(request),
    (options) =>
      client.send(
        new DeleteObjectCommand({
          Bucket: request.bucket,
          Key: request.key,
          VersionId: request.versionId,
          IfMatch: request.ifMatch,
          ...(request.bypassGovernanceRetention === true ? { BypassGovernanceRetention: true } : {})
        }),
        options
      ),
    deleteResultOf
  )

export const deleteObjects = ({ client }: LiveClient) => (request: DeleteObjectsRequest) =>
  send(
    { operation: "DeleteObjects", bucket: request.bucket },
    (options) =>
      client.send(
        new DeleteObjectsCommand({
          Bucket: request.bucket,
          Delete: {
            Objects: request.keys.map((key, index) => {
              const versionId = request.versionIds?.[index]
              return versionId === undefined ? { Key: key } : { Key: key, VersionId: versionId }
            }),
            Quiet: false
          },
          ...(request.bypassGovernanceRetention === true ? { BypassGovernanceRetention: true } : {})
        }),
        options
      ),
    (output) => {
      const deleted = output.Deleted ?? []
      return {
        deleted: deleted.map((entry) => entry.Key ?? ""),
        failed: (output.Errors ?? []).map((error) => ({
          key: error.Key ?? "",
          code: error.Code ?? "UnknownError",
          message: error.Message ?? "",
          ...present({ versionId: error.VersionId })
        })),
        ...(deleted.some((entry) => entry.VersionId !== undefined || entry.DeleteMarker !== undefined)
          ? { versions: deleted.map(deletedVersionOf) }
          : {})
      }
    }
  )

/**
 * One entry of a DeleteObjects answer: the version deleted when the request named one, else the
 * marker the delete laid (`DeleteMarkerVersionId`).
 */
const deletedVersionOf = (entry: {
  readonly Key?: string | undefined
  readonly VersionId?: string | undefined
  readonly DeleteMarker?: boolean | undefined
  readonly DeleteMarkerVersionId?: string | undefined
}): DeletedVersion => ({
  key: entry.Key ?? "",
  deleteMarker: entry.DeleteMarker === true,
  ...present({ versionId: entry.VersionId ?? entry.DeleteMarkerVersionId })
})

export const createMultipartUpload = ({ client }: LiveClient) => (request: CreateMultipartRequest) =>
  send(
    { operation: "CreateMultipartUpload", bucket: request.bucket, key: request.key },
    (options) =>
      client.send(
        new CreateMultipartUploadCommand({
          Bucket: request.bucket,
          Key: request.key,
          ...attributesInput(request),
          ChecksumAlgorithm: request.checksum?.algorithm,
          ChecksumType: request.checksum?.type,
          ...lockInput(request),
          ...customerKeyInput(request.customerKey)
        }),
        options
      ),
    (output) => output.UploadId ?? ""
  )

const sliceBytes = 1024 * 1024

/** A part's bytes as a stream of slices of its own memory, with no copy. */
const inSlices = (bytes: Uint8Array): Readable =>
  Readable.from(
    (function*() {
      for (let at = 0; at < bytes.length; at += sliceBytes) {
        yield Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(sliceBytes, bytes.length - at))
      }
    })(),
    { objectMode: false }
  )

export const uploadPart = ({ client, hasher, unsignedUploads }: LiveClient) => (request: UploadPartRequest) => {
  const upload = (payloadHash: string | undefined) =>
    send(
      { operation: "UploadPart", bucket: request.bucket, key: request.key, checksum: request.checksum },
      (options) => {
        const command = new UploadPartCommand({
          Bucket: request.bucket,
          Key: request.key,
          UploadId: request.uploadId,
          PartNumber: request.partNumber,
          ContentLength: request.body.length,
          Body: unsignedUploads === true ? inSlices(request.body) : request.body,
          ChecksumAlgorithm: request.checksum?.algorithm,
          ...checksumInput(request.checksum),
          ...customerKeyInput(request.customerKey)
        })
        return client.send(payloadHash === undefined ? command : withPayloadHash(command, payloadHash), options)
      },
      (output) => writtenOf(quotedETag(output.ETag), output)
    )
  if (unsignedUploads === true) return upload(unsignedPayload)
  const sha256 = payloadHashOfChecksum(request.checksum)
  if (sha256 !== undefined || hasher === undefined) return upload(sha256)
  return Effect.flatMap(hasher.sha256(request.body), upload)
}

/** A completed part as the SDK's input: its checksum under the upload's algorithm. */
const completedPartInput = (algorithm: ChecksumAlgorithm | undefined) => (part: CompletedPart) => ({
  PartNumber: part.partNumber,
  ETag: part.etag,
  ...(algorithm === undefined || part.checksum === undefined ? {} : { [`Checksum${algorithm}`]: part.checksum })
})

export const completeMultipartUpload = (live: LiveClient) => (request: CompleteMultipartRequest) =>
  send(
    writeContext("CompleteMultipartUpload", request),
    (options) =>
      live.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: request.bucket,
          Key: request.key,
          UploadId: request.uploadId,
          ...writeConditionsInput(request),
          ...checksumInput(request.checksum),
          ChecksumType: request.checksum?.type,
          ...customerKeyInput(request.customerKey),
          MultipartUpload: { Parts: request.parts.map(completedPartInput(request.partsChecksumAlgorithm)) }
        }),
        options
      ),
    (output) => writtenOf(output.ETag ?? "", output)
  ).pipe(
    // Some servers (Ceph RGW 16) answer Complete with an empty ETag: read it from the object.
    Effect.flatMap((written): Effect.Effect<Written, S3PoError> =>
      written.etag === ""
        ? Effect.map(
          headObject(live)({
            bucket: request.bucket,
            key: request.key,
            versionId: written.versionId,
            customerKey: request.customerKey
          }),
          (head) => ({ etag: head.etag, ...present({ versionId: written.versionId }) })
        )
        : Effect.succeed({ ...written, etag: quotedETag(written.etag) })
    )
  )

export const abortMultipartUpload = ({ client }: LiveClient) => (request: MultipartUploadRef) =>
  send(
    { operation: "AbortMultipartUpload", bucket: request.bucket, key: request.key },
    (options) =>
      client.send(
        new AbortMultipartUploadCommand({ Bucket: request.bucket, Key: request.key, UploadId: request.uploadId }),
        options
      ),
    nothing
  )

/** A copy source as S3 takes it: bucket and key, URL-encoded, the key's slashes kept, and the version. */
const copySourceOf = (source: CopySource) =>
  `${encodeURIComponent(source.bucket)}/${source.key.split("/").map(encodeURIComponent).join("/")}${
    source.versionId === undefined ? "" : `?versionId=${encodeURIComponent(source.versionId)}`
  }`

const sourceContext = (operation: string, source: CopySource) => ({
  operation,
  bucket: source.bucket,
  key: source.key,
  ifMatch: source.ifMatch
})

export const copyObject = ({ client }: LiveClient) => (request: CopyObjectRequest) =>
  send(
    sourceContext("CopyObject", request.source),
    (options) =>
      client.send(
        new CopyObjectCommand({
          Bucket: request.bucket,
          Key: request.key,
          CopySource: copySourceOf(request.source),
          CopySourceIfMatch: request.source.ifMatch,
          ...writeConditionsInput(request),
          MetadataDirective: request.replace === undefined ? "COPY" : "REPLACE",
          ...(request.replace === undefined ? {} : attributesInput(request.replace)),
          TaggingDirective: request.replace?.tags === undefined ? "COPY" : "REPLACE",
          ...lockInput(request),
          ...customerKeyInput(request.customerKey),
          ...copySourceCustomerKeyInput(request.source.customerKey)
        }),
        options
      ),
    (output): Copied => ({
      etag: quotedETag(output.CopyObjectResult?.ETag),
      ...present({ versionId: output.VersionId, sourceVersionId: output.CopySourceVersionId })
    })
  )

export const uploadPartCopy = ({ client }: LiveClient) => (request: UploadPartCopyRequest) =>
  send(
    sourceContext("UploadPartCopy", request.source),
    (options) =>
      client.send(
        new UploadPartCopyCommand({
          Bucket: request.bucket,
          Key: request.key,
          UploadId: request.uploadId,
          PartNumber: request.partNumber,
          CopySource: copySourceOf(request.source),
          CopySourceIfMatch: request.source.ifMatch,
          CopySourceRange: `bytes=${request.range.start}-${request.range.end}`,
          ...customerKeyInput(request.customerKey),
          ...copySourceCustomerKeyInput(request.source.customerKey)
        }),
        options
      ),
    (output) => ({ etag: quotedETag(output.CopyPartResult?.ETag) })
  )

export const listMultipartUploads = ({ client }: LiveClient) => (request: ListUploadsRequest) =>
  send(
    { operation: "ListMultipartUploads", bucket: request.bucket },
    (options) =>
      client.send(
        new ListMultipartUploadsCommand({
          Bucket: request.bucket,
          Prefix: request.prefix,
          KeyMarker: request.keyMarker,
          UploadIdMarker: request.uploadIdMarker
        }),
        options
      ),
    (output) => ({
      uploads: (output.Uploads ?? []).map((upload): PendingUpload => ({
        key: upload.Key ?? "",
        uploadId: upload.UploadId ?? "",
        initiated: upload.Initiated ?? new Date(0)
      })),
      isTruncated: output.IsTruncated === true,
      nextKeyMarker: given(output.NextKeyMarker),
      nextUploadIdMarker: given(output.NextUploadIdMarker)
    })
  )
