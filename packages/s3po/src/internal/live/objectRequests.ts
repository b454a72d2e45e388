import * as Effect from "effect/Effect"
import type { IncomingHttpHeaders } from "node:http"
import { Readable } from "node:stream"
import type { ObjectAttributes, ReadConditions } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type {
  DeleteObjectRequest,
  GetObjectRequest,
  HeadObjectRequest,
  Primitive,
  PutObjectRequest
} from "../core/backend.js"
import { headerOf } from "../core/checksums.js"
import { unquoted } from "../core/conditions.js"
import { sha256Hex } from "../core/etag.js"
import { customerKeyHeaders, noHeaders } from "./customerKeyHeaders.js"
import type { Endpoint, Endpoints } from "./endpoints.js"
import {
  deleteContext,
  deleteResultOf,
  infoOf,
  type LiveClient,
  lockContentMd5,
  type ObjectOutput,
  payloadHashOfChecksum,
  quotedETag,
  rangeHeader,
  readContext,
  readResponse,
  streamedResponse,
  taggingOf,
  versionQuery,
  writeContext,
  writtenOf
} from "./requests.js"
import * as Requests from "./requests.js"
import { emptyPayloadHash, header, type SignedHttp } from "./signedHttp.js"

/**
 * GET, PUT, HEAD and DELETE of objects, the requests whose cost is per request, sent by s3po's own
 * signed transport (`signedHttp.ts`). A bucket whose endpoint the transport does not sign for goes
 * through the SDK's commands (`requests.ts`), as every other request does.
 */

export interface Lean {
  readonly http: SignedHttp
  readonly endpoints: Endpoints
}

/** Runs `lean` with the bucket's endpoint, or `sdk` when its requests go through the SDK. */
const viaEndpoint = <A>(
  lean: Lean,
  bucket: string,
  viaLean: (endpoint: Endpoint) => Effect.Effect<A, S3PoError>,
  viaSdk: () => Effect.Effect<A, S3PoError>
): Effect.Effect<A, S3PoError> => {
  const known = lean.endpoints.known(bucket)
  if (known === undefined) return viaSdk()
  if (known !== "unknown") return viaLean(known)
  return Effect.flatMap(
    Effect.promise(() => lean.endpoints.resolve(bucket).catch(() => undefined)),
    (endpoint) => endpoint === undefined ? viaSdk() : viaLean(endpoint)
  )
}

const dateOf = (value: string | undefined): Date | undefined => {
  if (value === undefined) return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date
}

const metadataPrefix = "x-amz-meta-"

/** An answer's headers in the SDK's output form, so that both paths read an object's info the same way. */
const outputOf = (headers: IncomingHttpHeaders, body?: unknown): ObjectOutput => {
  const metadata: Record<string, string> = {}
  for (const name in headers) {
    if (name.startsWith(metadataPrefix)) metadata[name.slice(metadataPrefix.length)] = header(headers, name) ?? ""
  }
  const length = header(headers, "content-length")
  return {
    ContentLength: length === undefined ? undefined : Number(length),
    ContentRange: header(headers, "content-range"),
    ETag: header(headers, "etag"),
    LastModified: dateOf(header(headers, "last-modified")),
    ContentType: header(headers, "content-type"),
    Metadata: metadata,
    CacheControl: header(headers, "cache-control"),
    ContentDisposition: header(headers, "content-disposition"),
    ContentEncoding: header(headers, "content-encoding"),
    ContentLanguage: header(headers, "content-language"),
    Expires: dateOf(header(headers, "expires")),
    StorageClass: header(headers, "x-amz-storage-class"),
    ServerSideEncryption: header(headers, "x-amz-server-side-encryption"),
    SSEKMSKeyId: header(headers, "x-amz-server-side-encryption-aws-kms-key-id"),
    ChecksumCRC64NVME: header(headers, "x-amz-checksum-crc64nvme"),
    ChecksumCRC32: header(headers, "x-amz-checksum-crc32"),
    ChecksumCRC32C: header(headers, "x-amz-checksum-crc32c"),
    ChecksumSHA1: header(headers, "x-amz-checksum-sha1"),
    ChecksumSHA256: header(headers, "x-amz-checksum-sha256"),
    ChecksumType: header(headers, "x-amz-checksum-type"),
    VersionId: header(headers, "x-amz-version-id"),
    ObjectLockMode: header(headers, "x-amz-object-lock-mode"),
    ObjectLockRetainUntilDate: dateOf(header(headers, "x-amz-object-lock-retain-until-date")),
    ObjectLockLegalHoldStatus: header(headers, "x-amz-object-lock-legal-hold"),
    DeleteMarker: header(headers, "x-amz-delete-marker") === "true",
    SSECustomerKeyMD5: header(headers, "x-amz-server-side-encryption-customer-key-md5"),
    Body: body
  }
}

/** The headers that are set, so that none is sent empty. */
const defined = (headers: Record<string, string | undefined>): Record<string, string> => {
  const set: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) set[name] = value
  }
  return set
}

/** An object's attributes as S3's headers (validated before: printable US-ASCII only). */
const attributeHeaders = (attributes: ObjectAttributes): Record<string, string> => {
  const headers = defined({
    "content-type": attributes.contentType,
    "cache-control": attributes.cacheControl,
    "content-disposition": attributes.contentDisposition,
    "content-encoding": attributes.contentEncoding,
    "content-language": attributes.contentLanguage,
    expires: attributes.expires?.toUTCString(),
    "x-amz-storage-class": attributes.storageClass,
    "x-amz-acl": attributes.acl,
    "x-amz-server-side-encryption": attributes.serverSideEncryption?.type,
    "x-amz-server-side-encryption-aws-kms-key-id": attributes.serverSideEncryption?.type === "aws:kms"
      ? attributes.serverSideEncryption.keyId
      : undefined,
    "x-amz-tagging": taggingOf(attributes.tags)
  })
  const metadata = attributes.metadata
  if (metadata !== undefined) {
    for (const name in metadata) headers[`${metadataPrefix}${name.toLowerCase()}`] = metadata[name]!
  }
  return headers
}

/** A read's conditions, and its asking for the object's checksum, as S3's headers. */
const readHeaders = (request: ReadConditions & { readonly checksumMode?: boolean | undefined }) =>
  defined({
    "if-match": request.ifMatch,
    "if-none-match": request.ifNoneMatch,
    "if-modified-since": request.ifModifiedSince?.toUTCString(),
    "if-unmodified-since": request.ifUnmodifiedSince?.toUTCString(),
    "x-amz-checksum-mode": request.checksumMode === true ? "ENABLED" : undefined
  })

/**
 * A retention and a legal hold given to the version a PUT creates, as S3's headers, with the
 * Content-MD5 S3 asks of such a write when it carries no checksum.
 */
const lockHeaders = (request: PutObjectRequest): Record<string, string> => {
  if (request.retention === undefined && request.legalHold === undefined) return noHeaders
  return defined({
    "x-amz-object-lock-mode": request.retention?.mode,
    "x-amz-object-lock-retain-until-date": request.retention?.retainUntil.toISOString(),
    "x-amz-object-lock-legal-hold": request.legalHold === undefined ? undefined : request.legalHold ? "ON" : "OFF",
    "content-md5": lockContentMd5(request)
  })
}

/** Bodies from this size are hashed for their signature off the event loop. */
const hashOffLoopBytes = 256 * 1024

/**
 * How a PUT's payload is signed: unsigned over HTTPS (as uploads' parts), else its SHA-256 (the
 * checksum's own when the PUT carries a SHA-256 checksum).
 */
const payloadHashOf = (live: LiveClient, request: PutObjectRequest): Effect.Effect<string> => {
  if (live.unsignedUploads === true) return Effect.succeed("UNSIGNED-PAYLOAD")
  const sha256 = payloadHashOfChecksum(request.checksum)
  if (sha256 !== undefined) return Effect.succeed(sha256)
  const body = request.body
  const inline = Effect.sync(() => sha256Hex(body))
  if (live.hasher === undefined || body.length < hashOffLoopBytes) return inline
  return Effect.flatMap(live.hasher.sha256(body), (hash) => hash === undefined ? inline : Effect.succeed(hash))
}

/** A PUT's checksum as S3's headers, named as the SDK names them. */
const checksumHeaders = (checksum: PutObjectRequest["checksum"]): Record<string, string> =>
  checksum === undefined
    ? {}
    : { [headerOf(checksum.algorithm)]: checksum.value, "x-amz-sdk-checksum-algorithm": checksum.algorithm }

export const putObject = (live: LiveClient, lean: Lean): Primitive<"putObject"> => {
  const viaSdk = Requests.putObject(live)
  return (request: PutObjectRequest) =>
    viaEndpoint(
      lean,
      request.bucket,
      (endpoint) =>
        Effect.flatMap(payloadHashOf(live, request), (payloadHash) =>
          lean.http.exchange(writeContext("PutObject", request), endpoint, {
            method: "PUT",
            key: request.key,
            headers: {
              ...attributeHeaders(request),
              ...defined({
                "if-none-match": request.ifNoneMatch,
                "if-match": request.ifMatch === undefined ? undefined : unquoted(request.ifMatch)
              }),
              ...checksumHeaders(request.checksum),
              ...lockHeaders(request),
              ...customerKeyHeaders(request.customerKey)
            },
            body: request.body,
            payloadHash
          }, (answer) =>
            writtenOf(quotedETag(header(answer.headers, "etag")), outputOf(answer.headers)))),
      () =>
        viaSdk(request)
    )
}

export const getObject = (live: LiveClient, lean: Lean): Primitive<"getObject"> => {
  const viaSdk = Requests.getObject(live)
  return (request: GetObjectRequest) => {
    const context = readContext("GetObject", request)
    return viaEndpoint(lean, request.bucket, (endpoint) =>
      lean.http.exchange(context, endpoint, {
        method: "GET",
        key: request.key,
        headers: {
          ...readHeaders(request),
          ...defined({ range: rangeHeader(request.range) }),
          ...customerKeyHeaders(request.customerKey)
        },
        query: versionQuery(request.versionId),
        payloadHash: emptyPayloadHash
      }, ({ body, headers }) =>
        body instanceof Readable
          ? streamedResponse(context, outputOf(headers, body))
          : readResponse(context, outputOf(headers), body)), () => viaSdk(request))
  }
}

export const headObject = (live: LiveClient, lean: Lean): Primitive<"headObject"> => {
  const viaSdk = Requests.headObject(live)
  return (request: HeadObjectRequest) =>
    viaEndpoint(lean, request.bucket, (endpoint) =>
      lean.http.exchange(readContext("HeadObject", request), endpoint, {
        method: "HEAD",
        key: request.key,
        headers: { ...readHeaders(request), ...customerKeyHeaders(request.customerKey) },
        query: versionQuery(request.versionId),
        payloadHash: emptyPayloadHash
      }, (answer) => infoOf(request.key, outputOf(answer.headers))), () => viaSdk(request))
}

export const deleteObject = (live: LiveClient, lean: Lean): Primitive<"deleteObject"> => {
  const viaSdk = Requests.deleteObject(live)
  return (request: DeleteObjectRequest) =>
    viaEndpoint(
      lean,
      request.bucket,
      (endpoint) =>
        lean.http.exchange(deleteContext(request), endpoint, {
          method: "DELETE",
          key: request.key,
          headers: defined({
            "if-match": request.ifMatch,
            "x-amz-bypass-governance-retention": request.bypassGovernanceRetention === true ? "true" : undefined
          }),
          query: versionQuery(request.versionId),
          payloadHash: emptyPayloadHash
        }, (answer) => deleteResultOf(outputOf(answer.headers))),
      () => viaSdk(request)
    )
}
