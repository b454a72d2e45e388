import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  BucketInfo,
  Checksum,
  ListedObject,
  ObjectAttributes,
  ObjectInfo,
  ReadConditions,
  WriteConditions
} from "../../S3Po.js"
import {
  BucketNotEmpty,
  NoSuchBucket,
  NoSuchKey,
  NotModified,
  PreconditionFailed,
  type S3PoError,
  S3ServiceError
} from "../../S3PoError.js"
import type {
  MockObject,
  MockPendingUpload,
  MockSeed,
  MockSeedContent,
  MockSeedObject,
  MockSnapshot
} from "../../S3PoMock.js"
import type {
  BucketRequest,
  BucketsPage,
  CompleteMultipartRequest,
  CopyObjectRequest,
  CreateMultipartRequest,
  DeleteObjectsRequest,
  ETagged,
  GetObjectRequest,
  GetObjectResponse,
  HeadObjectRequest,
  ListPage,
  ListPageRequest,
  ListUploadsRequest,
  MultipartUploadRef,
  ObjectRequest,
  PendingUpload,
  PutObjectRequest,
  PutTaggingRequest,
  Tags,
  UploadPartCopyRequest,
  UploadPartRequest,
  UploadsPage,
  Written
} from "../core/backend.js"
import { checksumOf } from "../core/checksums.js"
import { concatBytes } from "../core/chunker.js"
import {
  describeRead,
  describeWrite,
  isConditional,
  judgeRead,
  type Span,
  spanOf,
  writeHolds
} from "../core/conditions.js"
import { md5Hex, multipartETag } from "../core/etag.js"
import { userMetadata } from "../core/internalMetadata.js"
import { keyOrder, prefixUpperBound } from "../core/keyOrder.js"
import { maxKeysPerPage, maxParts, minPartBytes } from "../core/limits.js"
import * as ChecksumRules from "./checksumRules.js"
import * as KeyMap from "./keyMap.js"
import { detailsOf, type ObjectDetails, type Slabs, StoredObject } from "./storedObject.js"

/**
 * S3's rules over an immutable store, as plain functions of the state (and the time, where S3
 * records one): each answers, or answers and gives the next state. `backend.ts` runs them in a `Ref`.
 */

export interface StoredPart {
  readonly etag: string
  readonly body: Uint8Array
  /** Of the upload's algorithm, when it declared one. */
  readonly checksum?: Checksum | undefined
}

export interface PendingMultipart extends PendingUpload {
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly details: ObjectDetails | undefined
  readonly checksum: ChecksumRules.Declared | undefined
  readonly parts: HashMap.HashMap<number, StoredPart>
}

export interface BucketState {
  /** When the bucket was created, in milliseconds since the epoch. */
  readonly created: number
  readonly objects: KeyMap.KeyMap<StoredObject>
  readonly uploads: HashMap.HashMap<string, PendingMultipart>
}

/** The whole in-memory store: immutable, so a snapshot is just the current value of the `Ref`. */
export interface MockState {
  readonly buckets: HashMap.HashMap<string, BucketState>
  readonly uploadsStarted: number
}

/** An answer, or an answer and the state after the request. */
export type Read<A> = Either.Either<A, S3PoError>
export type Write<A> = Either.Either<readonly [A, MockState], S3PoError>

export const emptyState: MockState = { buckets: HashMap.empty(), uploadsStarted: 0 }

const emptyBucket = (created: number): BucketState => ({ created, objects: KeyMap.empty(), uploads: HashMap.empty() })

/** What S3 stores as the content type of an object written without one. */
export const storedContentTypeWhenNoneSent = "binary/octet-stream"

const noMetadata: Readonly<Record<string, string>> = Object.freeze({})

/** User metadata as S3 keeps it: names in lower case. */
export const lowerCaseNames = (
  metadata: Readonly<Record<string, string>> | undefined
): Readonly<Record<string, string>> =>
  metadata === undefined
    ? noMetadata
    : Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]))

const encoder = new TextEncoder()

const storedObjectOf = (slabs: Slabs, content: MockSeedContent, modifiedAt: number): StoredObject => {
  const seed: MockSeedObject = typeof content === "string" || content instanceof Uint8Array
    ? { body: content }
    : content
  const body = typeof seed.body === "string" ? encoder.encode(seed.body) : seed.body
  return StoredObject.copyOf(
    slabs,
    body,
    seed.contentType ?? storedContentTypeWhenNoneSent,
    lowerCaseNames(seed.metadata),
    modifiedAt,
    detailsOf(seed),
    seed.checksum === undefined ? ChecksumRules.defaultOf(body) : { ...seed.checksum }
  )
}

/** A store holding the seed's buckets and objects, and no pending uploads. */
export const seededState = (slabs: Slabs, seed: MockSeed, seededAt: number, uploadsStarted = 0): MockState => ({
  buckets: HashMap.fromIterable(
    Object.entries(seed).map(([bucket, objects]): [string, BucketState] => [bucket, {
      ...emptyBucket(seededAt),
      objects: Object.entries(objects).reduce(
        (objects, [key, content]) => KeyMap.set(objects, key, storedObjectOf(slabs, content, seededAt)),
        KeyMap.empty<StoredObject>()
      )
    }])
  ),
  uploadsStarted
})

/** Every bucket and object, as plain data the caller may keep and change, without s3po's own metadata. */
export const snapshotOf = (state: MockState): MockSnapshot =>
  Object.fromEntries(
    Array.from(HashMap.entries(state.buckets), ([bucket, found]) => [
      bucket,
      Object.fromEntries(
        KeyMap.entries(found.objects).map(([key, object]): [string, MockObject] => [key, {
          // Copies, that the caller may change.
          ...(object.details === undefined ? {} : detailsOf(object.details)),
          body: object.copy(),
          etag: object.etag,
          contentType: object.contentType,
          // s3po's own names are not the caller's: a snapshot shows none (a restored object, whose
          // ETag is its body's MD5, needs no part-size record to be checked).
          metadata: { ...userMetadata(object.metadata) },
          lastModified: object.lastModified,
          ...(object.checksum === undefined ? {} : { checksum: { ...object.checksum } })
        }])
      )
    ])
  )

export const pendingUploadsOf = (state: MockState): Array<MockPendingUpload> =>
  Array.from(HashMap.entries(state.buckets)).flatMap(([bucket, found]) =>
    Array.from(HashMap.values(found.uploads), (upload) => ({
      bucket,
      key: upload.key,
      uploadId: upload.uploadId,
      initiated: new Date(upload.initiated),
      parts: HashMap.size(upload.parts)
    }))
  ).sort((left, right) => left.bucket.localeCompare(right.bucket) || keyOrder(left.key, right.key))

const serviceError = (
  operation: string,
  request: BucketRequest & { readonly key?: string },
  status: number,
  code: string,
  detail: string
) =>
  Either.left(
    new S3ServiceError({ operation, bucket: request.bucket, key: request.key, status, code, detail, retryable: false })
  )

const bucketOf = (
  state: MockState,
  operation: string,
  request: BucketRequest & { readonly key?: string }
): Either.Either<BucketState, S3PoError> =>
  Option.match(HashMap.get(state.buckets, request.bucket), {
    onNone: () => Either.left(new NoSuchBucket({ operation, bucket: request.bucket, key: request.key })),
    onSome: Either.right
  })

/** The state with one bucket replaced. */
const withBucket = (state: MockState, bucket: string, next: BucketState): MockState => ({
  ...state,
  buckets: HashMap.set(state.buckets, bucket, next)
})

/** Applies `f` to the request's bucket: its answer and the bucket's next state. */
const inBucket = <A>(
  state: MockState,
  operation: string,
  request: BucketRequest & { readonly key?: string },
  f: (found: BucketState) => Either.Either<readonly [A, BucketState], S3PoError>
): Write<A> =>
  Either.flatMap(
    bucketOf(state, operation, request),
    (found) => Either.map(f(found), ([result, next]) => [result, withBucket(state, request.bucket, next)] as const)
  )

const objectOf = (state: MockState, operation: string, request: ObjectRequest): Read<StoredObject> =>
  Either.flatMap(bucketOf(state, operation, request), (found) => {
    const object = KeyMap.get(found.objects, request.key)
    return object === undefined
      ? Either.left(new NoSuchKey({ operation, bucket: request.bucket, key: request.key }))
      : Either.right(object)
  })

/** What HEAD and GET answer of an object; its checksum only when asked for (`x-amz-checksum-mode: ENABLED`). */
const infoOf = (key: string, object: StoredObject, withChecksum: boolean): ObjectInfo => {
  const info: ObjectInfo = {
    key,
    size: object.size,
    etag: object.etag,
    lastModified: object.lastModified,
    contentType: object.contentType,
    metadata: { ...object.metadata },
    ...(withChecksum && object.checksum !== undefined ? { checksum: { ...object.checksum } } : {})
  }
  const details = object.details
  if (details === undefined) return info
  // HEAD carries neither the tags, the ACL nor the STANDARD storage class.
  const { acl: _acl, expires, serverSideEncryption, storageClass, tags: _tags, ...headers } = details
  return {
    ...info,
    ...headers,
    ...(expires === undefined ? {} : { expires: new Date(expires) }),
    ...(serverSideEncryption === undefined ? {} : { serverSideEncryption: { ...serverSideEncryption } }),
    ...(storageClass === undefined || storageClass === "STANDARD" ? {} : { storageClass })
  }
}

/** The storage classes of AWS S3: any other is refused, as S3 does. */
const storageClasses = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "GLACIER_IR",
  "DEEP_ARCHIVE",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE"
])

/** What S3 refuses in a write's details before looking at the store. */
const detailsRefused = (operation: string, request: ObjectRequest, details: ObjectDetails | undefined) =>
  details?.storageClass !== undefined && !storageClasses.has(details.storageClass)
    ? serviceError(operation, request, 400, "InvalidStorageClass", "the storage class you specified is not valid")
    : undefined

/** A write's conditions against the object the key holds, checked in the same step as the write. */
const writeRefused = (
  operation: string,
  request: ObjectRequest & WriteConditions,
  found: BucketState
): Either.Either<never, S3PoError> | undefined =>
  !isConditional(request) || writeHolds(request, KeyMap.get(found.objects, request.key)?.etag) ?
    undefined :
    Either.left(
      new PreconditionFailed({
        operation,
        bucket: request.bucket,
        key: request.key,
        expectedETag: request.ifMatch,
        condition: describeWrite(request)
      })
    )

/** 412 or 304 when a read's conditions say so. */
const readRefused = (
  operation: string,
  request: ObjectRequest & ReadConditions,
  object: StoredObject
): Either.Either<never, S3PoError> | undefined => {
  const where = { operation, bucket: request.bucket, key: request.key }
  switch (judgeRead(request, object.etag, object.modifiedAt)) {
    case "precondition":
      return Either.left(
        new PreconditionFailed({ ...where, expectedETag: request.ifMatch, condition: describeRead(request) })
      )
    case "not modified":
      return Either.left(new NotModified({ ...where, etag: object.etag }))
    case "ok":
      return undefined
  }
}

const pendingOf = (operation: string, found: BucketState, request: MultipartUploadRef): Read<PendingMultipart> => {
  const upload = HashMap.get(found.uploads, request.uploadId)
  return Option.isSome(upload) && upload.value.key === request.key
    ? Either.right(upload.value)
    : serviceError(operation, request, 404, "NoSuchUpload", `no multipart upload ${request.uploadId}`)
}

/** All buckets in one page, as S3 answers a request without `max-buckets`. */
export const listBuckets = (state: MockState): Read<BucketsPage> =>
  Either.right({
    buckets: Array.from(
      HashMap.entries(state.buckets),
      ([name, found]): BucketInfo => ({ name, creationDate: new Date(found.created) })
    ).sort((left, right) => keyOrder(left.name, right.name))
  })

export const headBucket = (state: MockState, request: BucketRequest): Read<void> =>
  Either.map(bucketOf(state, "HeadBucket", request), () => undefined)

export const createBucket = (state: MockState, request: BucketRequest, now: number): Write<void> =>
  Either.right([
    undefined,
    HashMap.has(state.buckets, request.bucket) ? state : withBucket(state, request.bucket, emptyBucket(now))
  ])

/** Deletes an empty bucket, with any uploads still pending in it. */
export const deleteBucket = (state: MockState, request: BucketRequest): Write<void> =>
  Either.flatMap(bucketOf(state, "DeleteBucket", request), (found) =>
    found.objects.root !== undefined
      ? Either.left(new BucketNotEmpty({ operation: "DeleteBucket", bucket: request.bucket }))
      : Either.right([undefined, { ...state, buckets: HashMap.remove(state.buckets, request.bucket) }] as const))

/**
 * Stores the object `store` makes of the request's body and its checksum (the one sent, checked
 * against the body, or S3's default) under the request's key, if its conditions hold.
 */
export const putObject = (
  state: MockState,
  request: PutObjectRequest,
  store: (checksum: Checksum | undefined) => StoredObject
): Write<Written> =>
  inBucket(state, "PutObject", request, (found) =>
    Either.flatMap(
      ChecksumRules.checked(
        "PutObject",
        request,
        request.body,
        request.checksum,
        () => ChecksumRules.defaultOf(request.body)
      ),
      (checksum) => {
        const object = store(checksum)
        return detailsRefused("PutObject", request, object.details) ?? writeRefused("PutObject", request, found) ??
          Either.right([
            writtenOf(object.etag, checksum),
            { ...found, objects: KeyMap.set(found.objects, request.key, object) }
          ])
      }
    ))

const writtenOf = (etag: string, checksum: Checksum | undefined): Written =>
  checksum === undefined ? { etag } : { etag, checksum: { ...checksum } }

/** The first and last byte a range asks for, or S3's 416 when it starts past the end (any range of nothing does). */
const bytesOf = (request: GetObjectRequest, size: number): Read<Span> => {
  const range = request.range
  if (range === undefined) return Either.right({ start: 0, end: size - 1 })
  const span = spanOf(range, size)
  if (span !== undefined) return Either.right(span)
  const asked = "suffix" in range ? `the last ${range.suffix} bytes` : `bytes from ${range.start}`
  return serviceError("GetObject", request, 416, "InvalidRange", `${asked} of an object of ${size} bytes`)
}

export const getObject = (state: MockState, request: GetObjectRequest): Read<GetObjectResponse> =>
  Either.flatMap(
    objectOf(state, "GetObject", request),
    (object): Read<GetObjectResponse> =>
      readRefused("GetObject", request, object) ?? Either.map(bytesOf(request, object.size), ({ end, start }) => {
        const body = object.view(start, end + 1)
        return {
          // No stored checksum covers a range: S3 answers one only for the whole object.
          info: infoOf(request.key, object, request.checksumMode === true && request.range === undefined),
          contentLength: body.length,
          partial: request.range !== undefined,
          offset: start,
          body: body.length === 0 ? Stream.empty : Stream.sync(() => object.copy(start, end + 1)),
          forEachChunk: (f) => Effect.sync(() => body.length === 0 ? undefined : f(body)),
          discard: Effect.void
        }
      })
  )

export const headObject = (state: MockState, request: HeadObjectRequest): Read<ObjectInfo> =>
  // HEAD has no response body, so S3 answers a missing bucket and a missing key with the same bare 404.
  Either.flatMap(
    Either.mapLeft(objectOf(state, "HeadObject", request), (error) =>
      error._tag === "NoSuchBucket"
        ? new NoSuchKey({ operation: "HeadObject", bucket: request.bucket, key: request.key })
        : error),
    (object) =>
      readRefused("HeadObject", request, object) ??
        Either.right(infoOf(request.key, object, request.checksumMode === true))
  )

export const getObjectTagging = (state: MockState, request: ObjectRequest): Read<Tags> =>
  Either.map(objectOf(state, "GetObjectTagging", request), (object) => ({ ...object.details?.tags }))

export const putObjectTagging = (state: MockState, request: PutTaggingRequest): Write<void> =>
  Either.flatMap(
    objectOf(state, "PutObjectTagging", request),
    (object) =>
      inBucket(state, "PutObjectTagging", request, (found) =>
        Either.right([undefined, {
          ...found,
          objects: KeyMap.set(found.objects, request.key, object.withTags({ ...request.tags }))
        }]))
  )

const encodeToken = (key: string) => Buffer.from(key, "utf8").toString("base64url")
const decodeToken = (token: string) => Buffer.from(token, "base64url").toString("utf8")

export const listPage = (state: MockState, request: ListPageRequest): Read<ListPage> =>
  Either.map(bucketOf(state, "ListObjectsV2", request), (found) => {
    const prefix = request.prefix ?? ""
    const delimiter = request.delimiter === "" ? undefined : request.delimiter
    const objects: Array<ListedObject> = []
    const commonPrefixes: Array<string> = []
    // A continuation token is the first key of the next page; `startAfter` is a key before the first.
    const after = request.continuationToken === undefined ? request.startAfter : undefined
    let from: string | undefined = request.continuationToken !== undefined
      ? decodeToken(request.continuationToken)
      : after !== undefined && keyOrder(after, prefix) > 0
      ? after
      : prefix
    let nextContinuationToken: string | undefined
    const visit = (key: string, object: StoredObject): boolean => {
      if (key === after) return true
      if (!key.startsWith(prefix)) return false
      if (objects.length + commonPrefixes.length === maxKeysPerPage) {
        nextContinuationToken = encodeToken(key)
        return false
      }
      const at = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length)
      if (at < 0) {
        objects.push({
          _tag: "Object",
          key,
          size: object.size,
          etag: object.etag,
          lastModified: object.lastModified,
          storageClass: object.details?.storageClass ?? "STANDARD"
        })
        return true
      }
      const common = key.slice(0, at + delimiter!.length)
      commonPrefixes.push(common)
      from = prefixUpperBound(common)
      return false
    }
    while (from !== undefined && nextContinuationToken === undefined) {
      const start: string = from
      from = undefined
      KeyMap.forEachFrom(found.objects, start, visit)
    }
    return { objects, commonPrefixes, isTruncated: nextContinuationToken !== undefined, nextContinuationToken }
  })

export const deleteObject = (state: MockState, request: ObjectRequest): Write<void> =>
  inBucket(
    state,
    "DeleteObject",
    request,
    (found) => Either.right([undefined, { ...found, objects: KeyMap.remove(found.objects, request.key) }])
  )

export const deleteObjects = (state: MockState, request: DeleteObjectsRequest) =>
  inBucket(state, "DeleteObjects", request, (found) => {
    let objects = found.objects
    for (const key of request.keys) objects = KeyMap.remove(objects, key)
    return Either.right([{ deleted: request.keys, failed: [] }, { ...found, objects }])
  })

export const createMultipartUpload = (
  state: MockState,
  request: CreateMultipartRequest,
  details: ObjectDetails | undefined,
  now: number
): Write<string> =>
  Either.flatMap(bucketOf(state, "CreateMultipartUpload", request), (found) => {
    const refused = detailsRefused("CreateMultipartUpload", request, details) ??
      ChecksumRules.declarationRefused(request)
    if (refused !== undefined) return refused
    const uploadId = `s3po-mock-upload-${state.uploadsStarted + 1}`
    const upload: PendingMultipart = {
      key: request.key,
      uploadId,
      initiated: new Date(now),
      contentType: request.contentType ?? storedContentTypeWhenNoneSent,
      metadata: lowerCaseNames(request.metadata),
      details,
      checksum: request.checksum === undefined ? undefined : { ...request.checksum },
      parts: HashMap.empty()
    }
    const next = withBucket(state, request.bucket, { ...found, uploads: HashMap.set(found.uploads, uploadId, upload) })
    return Either.right([uploadId, { ...next, uploadsStarted: state.uploadsStarted + 1 }] as const)
  })

/** The source of a copy, as long as it still has the ETag the copy is pinned to. */
const copySourceOf = (state: MockState, operation: string, request: CopyObjectRequest | UploadPartCopyRequest) =>
  Either.flatMap(
    objectOf(state, operation, request.source),
    (object) =>
      object.etag === request.source.ifMatch ? Either.right(object) : Either.left(
        new PreconditionFailed({
          operation,
          bucket: request.source.bucket,
          key: request.source.key,
          expectedETag: request.source.ifMatch
        })
      )
  )

/**
 * Copies the source's bytes with `copy`, which makes the store's own object of them: with the
 * source's attributes and tags (S3's `COPY`), or the request's attributes (`REPLACE`) and the
 * source's tags unless it gives its own.
 */
export const copyObject = (
  state: MockState,
  request: CopyObjectRequest,
  copy: (
    body: Uint8Array,
    contentType: string,
    metadata: Readonly<Record<string, string>>,
    details: ObjectDetails | undefined,
    checksum: Checksum | undefined
  ) => StoredObject,
  detailsOf: (attributes: ObjectAttributes) => ObjectDetails | undefined
): Write<ETagged> =>
  Either.flatMap(copySourceOf(state, "CopyObject", request), (source) => {
    const replaced = request.replace
    // S3 copies attributes and tags, but not the storage class, ACL or encryption: the copy gets the
    // destination's defaults unless the request names them.
    const details = detailsOf({
      ...(replaced ?? source.details),
      storageClass: replaced?.storageClass,
      acl: replaced?.acl,
      serverSideEncryption: replaced?.serverSideEncryption,
      tags: replaced?.tags ?? source.details?.tags
    })
    const object = copy(
      source.view(),
      replaced?.contentType ?? source.contentType,
      replaced === undefined ? source.metadata : lowerCaseNames(replaced.metadata),
      details,
      ChecksumRules.copied(source.checksum, source.view())
    )
    return inBucket(state, "CopyObject", request, (found) =>
      detailsRefused("CopyObject", request, details) ?? writeRefused("CopyObject", request, found) ??
        Either.right([
          { etag: object.etag },
          { ...found, objects: KeyMap.set(found.objects, request.key, object) }
        ]))
  })

/** Keeps the source's range as a part, copied into the store's own memory, with the upload's checksum of it. */
export const uploadPartCopy = (state: MockState, request: UploadPartCopyRequest): Write<Written> =>
  Either.flatMap(copySourceOf(state, "UploadPartCopy", request), (source) => {
    if (request.range.start < 0 || request.range.end >= source.size || request.range.start > request.range.end) {
      return serviceError("UploadPartCopy", request, 400, "InvalidRange", "the range is not within the source")
    }
    const body = source.view(request.range.start, request.range.end + 1).slice()
    return keepPart(
      state,
      { ...request, body },
      { etag: `"${md5Hex(body)}"`, body },
      (declared) => Either.right(declared === undefined ? undefined : checksumOf(declared.algorithm, body))
    )
  })

/** Keeps `part`, the request's body as the store's own copy with its ETag, and its checksum, checked. */
export const uploadPart = (
  state: MockState,
  request: UploadPartRequest,
  part: Omit<StoredPart, "checksum">
): Write<Written> =>
  keepPart(
    state,
    request,
    part,
    (declared) => ChecksumRules.checkedPart(request, declared, part.body, request.checksum)
  )

const keepPart = (
  state: MockState,
  request: UploadPartRequest,
  part: Omit<StoredPart, "checksum">,
  checksumFor: (declared: ChecksumRules.Declared | undefined) => Either.Either<Checksum | undefined, S3PoError>
): Write<Written> =>
  inBucket(
    state,
    "UploadPart",
    request,
    (found) =>
      Either.flatMap(pendingOf("UploadPart", found, request), (upload) => {
        if (!Number.isInteger(request.partNumber) || request.partNumber < 1 || request.partNumber > maxParts) {
          return serviceError(
            "UploadPart",
            request,
            400,
            "InvalidArgument",
            `part number must be an integer between 1 and ${maxParts}`
          )
        }
        return Either.map(checksumFor(upload.checksum), (checksum) => {
          const kept: StoredPart = checksum === undefined ? part : { ...part, checksum }
          const next = { ...upload, parts: HashMap.set(upload.parts, request.partNumber, kept) }
          return [writtenOf(part.etag, checksum), {
            ...found,
            uploads: HashMap.set(found.uploads, request.uploadId, next)
          }] as const
        })
      })
  )

/** The parts a Complete lists, checked one by one in the order listed, as Ceph RGW does: existence, size, order. */
const partsListed = (request: CompleteMultipartRequest, upload: PendingMultipart): Read<Array<StoredPart>> => {
  const fail = (status: number, code: string, detail: string) =>
    serviceError("CompleteMultipartUpload", request, status, code, detail)
  if (request.parts.length === 0) return fail(400, "MalformedXML", "a multipart upload needs at least one part")
  const stored: Array<StoredPart> = []
  let previous = 0
  for (const [index, part] of request.parts.entries()) {
    const uploaded = HashMap.get(upload.parts, part.partNumber)
    if (Option.isNone(uploaded) || uploaded.value.etag !== part.etag) {
      return fail(400, "InvalidPart", `part ${part.partNumber} was not uploaded with ETag ${part.etag}`)
    }
    const checksumRefused = ChecksumRules.listedPartRefused(
      request,
      upload.checksum,
      part.partNumber,
      part.checksum,
      uploaded.value
    )
    if (checksumRefused !== undefined) return checksumRefused
    if (index < request.parts.length - 1 && uploaded.value.body.length < minPartBytes) {
      return fail(400, "EntityTooSmall", `part ${part.partNumber} is smaller than 5 MiB`)
    }
    if (part.partNumber <= previous) return fail(400, "InvalidPartOrder", "parts must be listed in ascending order")
    previous = part.partNumber
    stored.push(uploaded.value)
  }
  return Either.right(stored)
}

/**
 * Joins the parts into the object, if the request's conditions hold over the object the key holds
 * then. They are checked first, so that a Complete repeated after its answer was lost fails them.
 */
export const completeMultipartUpload = (
  state: MockState,
  request: CompleteMultipartRequest,
  now: number
): Write<Written> =>
  inBucket(
    state,
    "CompleteMultipartUpload",
    request,
    (found) =>
      writeRefused("CompleteMultipartUpload", request, found) ??
        Either.flatMap(pendingOf("CompleteMultipartUpload", found, request), (upload) =>
          Either.flatMap(partsListed(request, upload), (stored) => {
            const body = concatBytes(stored.map((part) => part.body))
            return Either.map(
              ChecksumRules.completed(request, upload.checksum, stored, body, request.checksum),
              (checksum) => {
                const object = StoredObject.owning(
                  body,
                  multipartETag(stored.map((part) =>
                    part.etag
                  )),
                  upload.contentType,
                  upload.metadata,
                  now,
                  upload.details,
                  checksum
                )
                return [writtenOf(object.etag, checksum), {
                  ...found,
                  objects: KeyMap.set(found.objects, request.key, object),
                  uploads: HashMap.remove(found.uploads, request.uploadId)
                }] as const
              }
            )
          }))
  )

export const abortMultipartUpload = (state: MockState, request: MultipartUploadRef): Write<void> =>
  inBucket(state, "AbortMultipartUpload", request, (found) =>
    Either.map(
      pendingOf("AbortMultipartUpload", found, request),
      () => [undefined, { ...found, uploads: HashMap.remove(found.uploads, request.uploadId) }] as const
    ))

/** Uploads by key, then by when each began (then by id, for a total order), as S3 lists them. */
const uploadOrder = (left: PendingUpload, right: PendingUpload): number =>
  keyOrder(left.key, right.key) ||
  new Date(left.initiated).getTime() - new Date(right.initiated).getTime() ||
  left.uploadId.localeCompare(right.uploadId, "en", { numeric: true })

/**
 * A page of the uploads under the prefix: those after the markers, as S3 pages them. The key
 * marker alone starts after every upload of that key; with the upload id marker, after that upload.
 */
export const listMultipartUploads = (state: MockState, request: ListUploadsRequest): Read<UploadsPage> =>
  Either.map(bucketOf(state, "ListMultipartUploads", request), (found) => {
    const matching = Array.from(HashMap.values(found.uploads))
      .filter((upload) => upload.key.startsWith(request.prefix ?? ""))
      .sort(uploadOrder)
    const keyMarker = request.keyMarker
    const marked = keyMarker === undefined || request.uploadIdMarker === undefined ? -1 : matching.findIndex(
      (upload) => upload.key === keyMarker && upload.uploadId === request.uploadIdMarker
    )
    const start = keyMarker === undefined
      ? 0
      : marked >= 0
      ? marked + 1
      : matching.findIndex((upload) => keyOrder(upload.key, keyMarker) > 0)
    const page = start < 0 ? [] : matching.slice(start, start + maxKeysPerPage)
    const last = page.at(-1)
    const isTruncated = start >= 0 && start + maxKeysPerPage < matching.length
    return {
      uploads: page.map(({ initiated, key, uploadId }) => ({ key, uploadId, initiated: new Date(initiated) })),
      isTruncated,
      ...(isTruncated && last !== undefined ? { nextKeyMarker: last.key, nextUploadIdMarker: last.uploadId } : {})
    }
  })
