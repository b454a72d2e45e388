import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  BucketInfo,
  Checksum,
  CustomerKey,
  DeletedVersion,
  DeleteManyResult,
  DeleteMarker,
  DeleteObjectResult,
  LifecycleRule,
  ListedObject,
  ObjectAttributes,
  ObjectInfo,
  ObjectLockConfiguration,
  ObjectVersion,
  ReadConditions,
  Retention,
  VersioningStatus,
  WriteConditions
} from "../../S3Po.js"
import {
  AccessDenied,
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
  Copied,
  CopyObjectRequest,
  CreateBucketRequest,
  CreateMultipartRequest,
  DeleteObjectRequest,
  DeleteObjectsRequest,
  GetObjectRequest,
  GetObjectResponse,
  HeadObjectRequest,
  ListPage,
  ListPageRequest,
  ListUploadsRequest,
  ListVersionsPageRequest,
  LockOnWrite,
  MultipartUploadRef,
  ObjectRequest,
  PendingUpload,
  PutLegalHoldRequest,
  PutLifecycleRequest,
  PutObjectLockRequest,
  PutObjectRequest,
  PutRetentionRequest,
  PutTaggingRequest,
  PutVersioningRequest,
  Tags,
  UploadPartCopyRequest,
  UploadPartRequest,
  UploadsPage,
  VersionedObjectRequest,
  VersionsPage,
  Written
} from "../core/backend.js"
import { checksumOf } from "../core/checksums.js"
import { concatBytes } from "../core/chunker.js"
import { fromErrorAnswer } from "../core/classify.js"
import {
  describeRead,
  describeWrite,
  isConditional,
  judgeRead,
  sameETag,
  type Span,
  spanOf,
  writeHolds
} from "../core/conditions.js"
import { md5Hex, multipartETag } from "../core/etag.js"
import { userMetadata } from "../core/internalMetadata.js"
import { keyOrder, prefixUpperBound } from "../core/keyOrder.js"
import { maxKeysPerPage, maxParts, minPartBytes } from "../core/limits.js"
import * as ChecksumRules from "./checksumRules.js"
import * as CustomerKeys from "./customerKeys.js"
import * as KeyMap from "./keyMap.js"
import * as ObjectLock from "./objectLock.js"
import { detailsOf, type ObjectDetails, type Slabs, StoredObject, type VersionDetails } from "./storedObject.js"
import * as Versions from "./versions.js"

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
  /** The MD5 of the customer key every part must give (SSE-C), and the object will be encrypted with. */
  readonly customerKeyMd5: string | undefined
  /** The retention and legal hold the version will get (object lock). */
  readonly lock: LockOnWrite | undefined
}

export interface BucketState {
  /** When the bucket was created, in milliseconds since the epoch. */
  readonly created: number
  /** Each key's object (a bucket never versioned), or its versions. */
  readonly objects: KeyMap.KeyMap<Versions.Held>
  readonly uploads: HashMap.HashMap<string, PendingMultipart>
  readonly versioning: VersioningStatus
  /** How many version ids the bucket has made: the next one's number. */
  readonly versionsMade: number
  /** Present in a bucket created with object lock. */
  readonly objectLock: ObjectLock.BucketLock | undefined
  readonly lifecycle: ReadonlyArray<LifecycleRule> | undefined
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

const emptyBucket = (created: number, objectLock = false): BucketState => ({
  created,
  objects: KeyMap.empty(),
  uploads: HashMap.empty(),
  // Object lock needs versioning, on from the start.
  versioning: objectLock ? "Enabled" : "Unversioned",
  versionsMade: 0,
  objectLock: objectLock ? {} : undefined,
  lifecycle: undefined
})

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
        KeyMap.empty<Versions.Held>()
      )
    }])
  ),
  uploadsStarted
})

/** The latest object of each key (none under a delete marker). */
const currentObjects = (found: BucketState): Array<readonly [string, StoredObject]> =>
  KeyMap.entries(found.objects).flatMap(([key, held]) => {
    const object = Versions.currentObject(held)
    return object === undefined ? [] : [[key, object] as const]
  })

/**
 * Every bucket and the latest object of each key, as plain data the caller may keep and change,
 * without s3po's own metadata.
 */
export const snapshotOf = (state: MockState): MockSnapshot =>
  Object.fromEntries(
    Array.from(HashMap.entries(state.buckets), ([bucket, found]) => [
      bucket,
      Object.fromEntries(
        currentObjects(found).map(([key, object]): [string, MockObject] => [key, {
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

/** Every version and delete marker of a bucket's keys, by key then newest first; none for a missing bucket. */
export const versionsOf = (state: MockState, bucket: string): Array<ObjectVersion | DeleteMarker> =>
  Option.match(HashMap.get(state.buckets, bucket), {
    onNone: () => [],
    onSome: (found) => KeyMap.entries(found.objects).flatMap(([key, held]) => Versions.listed(key, held))
  })

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

/**
 * An error answer as the live layer makes it of the same answer from S3, so that both layers fail
 * alike: a HEAD answer has no body, so only its status is known.
 */
const answered = (
  operation: string,
  request: BucketRequest & { readonly key?: string },
  answer: { readonly status: number; readonly code: string; readonly message: string },
  head = false
): Either.Either<never, S3PoError> =>
  Either.left(
    fromErrorAnswer(
      { operation, bucket: request.bucket, key: request.key },
      head ? { status: answer.status } : answer
    )
  )

/** A version found: its id, and its object. */
interface Found {
  readonly versionId: string
  readonly object: StoredObject
  /** Whether the bucket has had versioning, so that answers name the version. */
  readonly versioned: boolean
}

/**
 * The version a request reads: the latest without a version id (a key whose latest is a delete
 * marker is missing, `NoSuchKey`), else the one named (none: S3's 404 `NoSuchVersion`; a delete
 * marker: 405 `MethodNotAllowed`, since a marker has no content), as HEAD or GET answers.
 */
const versionOf = (
  state: MockState,
  operation: string,
  request: VersionedObjectRequest,
  head = false
): Read<Found> =>
  Either.flatMap(bucketOf(state, operation, request), (found) => versionIn(found, operation, request, head))

const versionIn = (
  found: BucketState,
  operation: string,
  request: VersionedObjectRequest,
  head = false
): Read<Found> => {
  const held = KeyMap.get(found.objects, request.key)
  const versioned = found.versioning !== "Unversioned"
  const versionId = request.versionId
  if (versionId === undefined) {
    const object = Versions.currentObject(held)
    return object === undefined
      ? Either.left(new NoSuchKey({ operation, bucket: request.bucket, key: request.key }))
      : Either.right({
        versionId: held instanceof StoredObject ? Versions.nullVersionId : Versions.latestOf(held!).versionId,
        object,
        versioned
      })
  }
  const entry = Versions.find(held, versionId)
  if (entry === undefined) {
    return answered(operation, request, {
      status: 404,
      code: "NoSuchVersion",
      message: `no version ${versionId} of the key`
    }, head)
  }
  if (entry._tag === "DeleteMarker") {
    return answered(operation, request, {
      status: 405,
      code: "MethodNotAllowed",
      message: `version ${versionId} is a delete marker`
    }, head)
  }
  return Either.right({ versionId, object: entry.object, versioned })
}

/** A read's customer key against the version's (SSE-C), refused as S3 refuses it. */
const keyRefused = (
  operation: string,
  request: BucketRequest & { readonly key?: string },
  object: StoredObject,
  customerKey: CustomerKey | undefined,
  head = false
): Either.Either<never, S3PoError> | undefined => {
  const refusal = CustomerKeys.readRefusal(object.details?.customerKeyMd5, customerKey)
  return refusal === undefined ? undefined : answered(operation, request, refusal, head)
}

/** What HEAD and GET answer of a version; its checksum only when asked for (`x-amz-checksum-mode: ENABLED`). */
const infoOf = (key: string, version: Found, withChecksum: boolean): ObjectInfo => {
  const object = version.object
  const info: ObjectInfo = {
    key,
    size: object.size,
    etag: object.etag,
    lastModified: object.lastModified,
    contentType: object.contentType,
    metadata: { ...object.metadata },
    ...(withChecksum && object.checksum !== undefined ? { checksum: { ...object.checksum } } : {}),
    ...(version.versioned ? { versionId: version.versionId } : {})
  }
  const details = object.details
  if (details === undefined) return info
  // HEAD carries neither the tags, the ACL nor the STANDARD storage class.
  const {
    acl: _acl,
    customerKeyMd5,
    expires,
    legalHold,
    retention,
    serverSideEncryption,
    storageClass,
    tags: _tags,
    ...headers
  } = details
  return {
    ...info,
    ...headers,
    ...(customerKeyMd5 === undefined ? {} : { customerKeyMd5 }),
    ...(retention === undefined ? {} : { retention: ObjectLock.shown(retention) }),
    ...(legalHold === undefined ? {} : { legalHold }),
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
  !isConditional(request) || writeHolds(request, Versions.currentObject(KeyMap.get(found.objects, request.key))?.etag) ?
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

export const createBucket = (state: MockState, request: CreateBucketRequest, now: number): Write<void> =>
  Either.right([
    undefined,
    HashMap.has(state.buckets, request.bucket)
      ? state
      : withBucket(state, request.bucket, emptyBucket(now, request.objectLockEnabled === true))
  ])

/** Deletes an empty bucket, with any uploads still pending in it. */
export const deleteBucket = (state: MockState, request: BucketRequest): Write<void> =>
  Either.flatMap(bucketOf(state, "DeleteBucket", request), (found) =>
    found.objects.root !== undefined
      ? Either.left(new BucketNotEmpty({ operation: "DeleteBucket", bucket: request.bucket }))
      : Either.right([undefined, { ...state, buckets: HashMap.remove(state.buckets, request.bucket) }] as const))

const noLock = (operation: string, request: BucketRequest & { readonly key?: string }) =>
  serviceError(operation, request, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration")

/**
 * The details a new version adds to its object: the MD5 of its customer key (SSE-C), and in a
 * bucket with object lock its retention (the one asked for, else the bucket's default) and legal
 * hold. A retention or legal hold in a bucket without object lock, or a retention already over,
 * is refused as S3 refuses it.
 */
const versionDetails = (
  operation: string,
  request: ObjectRequest,
  found: BucketState,
  now: number,
  lock: LockOnWrite | undefined,
  keyMd5: string | undefined
): Either.Either<VersionDetails | undefined, S3PoError> => {
  const asked = lock?.retention !== undefined || lock?.legalHold !== undefined
  if (found.objectLock === undefined) {
    if (asked) return noLock(operation, request)
    return Either.right(keyMd5 === undefined ? undefined : { customerKeyMd5: keyMd5 })
  }
  if (lock?.retention !== undefined && lock.retention.retainUntil.getTime() <= now) {
    return serviceError(operation, request, 400, "InvalidArgument", "The retain until date must be in the future")
  }
  const retention = lock?.retention === undefined
    ? ObjectLock.defaultRetentionAt(found.objectLock, now)
    : ObjectLock.stored(lock.retention)
  const details: VersionDetails = {
    ...(keyMd5 === undefined ? {} : { customerKeyMd5: keyMd5 }),
    ...(retention === undefined ? {} : { retention }),
    ...(lock?.legalHold === undefined ? {} : { legalHold: lock.legalHold })
  }
  return Either.right(Object.keys(details).length === 0 ? undefined : details)
}

/** The MD5 a write keeps of its customer key (SSE-C), or S3's refusal of a malformed key. */
const customerKeyMd5Of = (
  operation: string,
  request: ObjectRequest & { readonly customerKey?: CustomerKey | undefined }
): Either.Either<string | undefined, S3PoError> => {
  const md5 = CustomerKeys.writtenWith(request.customerKey)
  return typeof md5 === "object" ? answered(operation, request, md5) : Either.right(md5)
}

/** A write's details: those of its key, retention and legal hold. */
const writeDetails = (
  operation: string,
  request: ObjectRequest & LockOnWrite & { readonly customerKey?: CustomerKey | undefined },
  found: BucketState,
  now: number
): Either.Either<VersionDetails | undefined, S3PoError> =>
  // The common write: no key, no lock.
  request.customerKey === undefined && found.objectLock === undefined && request.retention === undefined &&
    request.legalHold === undefined
    ? noDetails
    : Either.flatMap(
      customerKeyMd5Of(operation, request),
      (keyMd5) => versionDetails(operation, request, found, now, request, keyMd5)
    )

const noDetails: Either.Either<VersionDetails | undefined, S3PoError> = Either.right(undefined)

/** The object with a new version's details; a single-part SSE-C object's ETag is not its MD5. */
const withVersionDetails = (object: StoredObject, added: VersionDetails | undefined): StoredObject => {
  if (added === undefined) return object
  const detailed = object.withDetails({ ...object.details, ...added })
  return added.customerKeyMd5 === undefined || object.etag.includes("-")
    ? detailed
    : detailed.withETag(CustomerKeys.encryptedETag(object.etag.slice(1, -1), added.customerKeyMd5))
}

/**
 * The bucket with `object` as the key's latest: the key's object in a bucket never versioned, its
 * `null` version while versioning is suspended, a new version while it is enabled. Answers the
 * version id, none in a bucket never versioned.
 */
const stored = (
  found: BucketState,
  bucket: string,
  key: string,
  object: StoredObject
): readonly [string | undefined, BucketState] => {
  const held = KeyMap.get(found.objects, key)
  switch (found.versioning) {
    case "Unversioned":
      return [undefined, { ...found, objects: KeyMap.set(found.objects, key, object) }]
    case "Suspended": {
      const versionId = Versions.nullVersionId
      const next = Versions.added(held, "Suspended", { _tag: "Version", versionId, object })
      return [versionId, { ...found, objects: KeyMap.set(found.objects, key, next) }]
    }
    case "Enabled": {
      const versionId = Versions.newVersionId(bucket, found.created, found.versionsMade)
      const next = Versions.added(held, "Enabled", { _tag: "Version", versionId, object })
      return [versionId, {
        ...found,
        versionsMade: found.versionsMade + 1,
        objects: KeyMap.set(found.objects, key, next)
      }]
    }
  }
}

/**
 * Stores the object `store` makes of the request's body and its checksum (the one sent, checked
 * against the body, or S3's default) under the request's key, if its conditions hold.
 */
export const putObject = (
  state: MockState,
  request: PutObjectRequest,
  store: (checksum: Checksum | undefined) => StoredObject,
  now: number
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
        const made = store(checksum)
        return detailsRefused("PutObject", request, made.details) ?? writeRefused("PutObject", request, found) ??
          Either.map(writeDetails("PutObject", request, found, now), (added) => {
            const object = withVersionDetails(made, added)
            const [versionId, next] = stored(found, request.bucket, request.key, object)
            return [writtenOf(object.etag, checksum, versionId), next] as const
          })
      }
    ))

const writtenOf = (etag: string, checksum: Checksum | undefined, versionId?: string): Written => ({
  etag,
  ...(checksum === undefined ? {} : { checksum: { ...checksum } }),
  ...(versionId === undefined ? {} : { versionId })
})

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
    versionOf(state, "GetObject", request),
    (version): Read<GetObjectResponse> => {
      const object = version.object
      return keyRefused("GetObject", request, object, request.customerKey) ??
        readRefused("GetObject", request, object) ??
        Either.map(bytesOf(request, object.size), ({ end, start }) => {
          const body = object.view(start, end + 1)
          return {
            // No stored checksum covers a range: S3 answers one only for the whole object.
            info: infoOf(request.key, version, request.checksumMode === true && request.range === undefined),
            contentLength: body.length,
            partial: request.range !== undefined,
            offset: start,
            body: body.length === 0 ? Stream.empty : Stream.sync(() => object.copy(start, end + 1)),
            forEachChunk: (f) => Effect.sync(() => body.length === 0 ? undefined : f(body)),
            discard: Effect.void
          }
        })
    }
  )

export const headObject = (state: MockState, request: HeadObjectRequest): Read<ObjectInfo> =>
  // HEAD has no response body, so S3 answers a missing bucket and a missing key with the same bare 404.
  Either.flatMap(
    Either.mapLeft(versionOf(state, "HeadObject", request, true), (error) =>
      error._tag === "NoSuchBucket"
        ? new NoSuchKey({ operation: "HeadObject", bucket: request.bucket, key: request.key })
        : error),
    (version) =>
      keyRefused("HeadObject", request, version.object, request.customerKey, true) ??
        readRefused("HeadObject", request, version.object) ??
        Either.right(infoOf(request.key, version, request.checksumMode === true))
  )

export const getObjectTagging = (state: MockState, request: ObjectRequest): Read<Tags> =>
  Either.map(versionOf(state, "GetObjectTagging", request), (version) => ({ ...version.object.details?.tags }))

export const putObjectTagging = (state: MockState, request: PutTaggingRequest): Write<void> =>
  inBucket(
    state,
    "PutObjectTagging",
    request,
    (found) =>
      Either.map(versionIn(found, "PutObjectTagging", request), (version) =>
        [undefined, {
          ...found,
          objects: KeyMap.set(
            found.objects,
            request.key,
            Versions.replaced(
              KeyMap.get(found.objects, request.key)!,
              version.versionId,
              version.object.withTags({ ...request.tags })
            )
          )
        }] as const)
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
    const visit = (key: string, held: Versions.Held): boolean => {
      if (key === after) return true
      if (!key.startsWith(prefix)) return false
      const object = Versions.currentObject(held)
      // A key whose latest is a delete marker is not listed, nor rolled up into a common prefix.
      if (object === undefined) return true
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

/** The bucket with the key's object or version set to `held`, or removed when `undefined`. */
const withHeld = (found: BucketState, key: string, held: Versions.Held | undefined): BucketState => ({
  ...found,
  objects: held === undefined ? KeyMap.remove(found.objects, key) : KeyMap.set(found.objects, key, held)
})

/** A delete's `If-Match` (S3 since 2025): of a missing key, `NoSuchKey`; of a delete marker or another ETag, 412. */
const deleteConditionRefused = (
  found: BucketState,
  request: DeleteObjectRequest
): Either.Either<never, S3PoError> | undefined => {
  const ifMatch = request.ifMatch
  if (ifMatch === undefined) return undefined
  const held = KeyMap.get(found.objects, request.key)
  const target = request.versionId === undefined
    ? held === undefined ? undefined : Versions.latestOf(held)
    : Versions.find(held, request.versionId)
  const where = { operation: "DeleteObject", bucket: request.bucket, key: request.key }
  if (target === undefined) return Either.left(new NoSuchKey(where))
  return target._tag === "Version" && (ifMatch === "*" || sameETag(ifMatch, target.object.etag))
    ? undefined
    : Either.left(new PreconditionFailed({ ...where, expectedETag: ifMatch, condition: `If-Match: ${ifMatch}` }))
}

/**
 * One delete: without a version id, of the key's object in a bucket never versioned, else a delete
 * marker laid on top (the `null` one, replacing the `null` version, while suspended), even on a
 * missing key. With one, of that version or marker, unless object lock keeps it: a version under
 * a legal hold or a retention in force (`GOVERNANCE` unless bypassed) is refused, with why.
 */
const deleteOne = (
  found: BucketState,
  bucket: string,
  key: string,
  versionId: string | undefined,
  bypassGovernance: boolean,
  now: number
): Either.Either<readonly [DeleteObjectResult, BucketState], string> => {
  const held = KeyMap.get(found.objects, key)
  if (versionId === undefined) {
    switch (found.versioning) {
      case "Unversioned":
        return Either.right([{ deleteMarker: false }, withHeld(found, key, undefined)])
      case "Suspended": {
        const marker = { _tag: "DeleteMarker", versionId: Versions.nullVersionId, modifiedAt: now } as const
        return Either.right([
          { deleteMarker: true, versionId: marker.versionId },
          withHeld(found, key, Versions.added(held, "Suspended", marker))
        ])
      }
      case "Enabled": {
        const markerId = Versions.newVersionId(bucket, found.created, found.versionsMade)
        const marker = { _tag: "DeleteMarker", versionId: markerId, modifiedAt: now } as const
        return Either.right([
          { deleteMarker: true, versionId: markerId },
          withHeld({ ...found, versionsMade: found.versionsMade + 1 }, key, Versions.added(held, "Enabled", marker))
        ])
      }
    }
  }
  const entry = Versions.find(held, versionId)
  // A version that is not there is deleted already: S3 answers success.
  if (entry === undefined) return Either.right([{ deleteMarker: false, versionId }, found])
  const refusal = entry._tag === "Version"
    ? ObjectLock.deleteRefusal(entry.object.details, now, bypassGovernance)
    : undefined
  if (refusal !== undefined) return Either.left(refusal)
  return Either.right([
    { deleteMarker: entry._tag === "DeleteMarker", versionId },
    withHeld(found, key, Versions.without(held!, versionId))
  ])
}

export const deleteObject = (state: MockState, request: DeleteObjectRequest, now: number): Write<DeleteObjectResult> =>
  inBucket(
    state,
    "DeleteObject",
    request,
    (found) =>
      deleteConditionRefused(found, request) ?? Either.mapLeft(
        deleteOne(
          found,
          request.bucket,
          request.key,
          request.versionId,
          request.bypassGovernanceRetention === true,
          now
        ),
        // S3 answers a locked version's delete 403 AccessDenied: s3po asks the version why.
        () =>
          new AccessDenied({
            operation: "DeleteObject",
            bucket: request.bucket,
            key: request.key,
            code: "AccessDenied"
          })
      )
  )

/**
 * Deletes each key (each version, where `versionIds` names one), one by one as S3 does: a locked
 * version fails alone, with `AccessDenied` and why. In a bucket that has had versioning, the
 * answer says what each delete did.
 */
export const deleteObjects = (state: MockState, request: DeleteObjectsRequest, now: number) =>
  inBucket(state, "DeleteObjects", request, (found) => {
    if (found.versioning === "Unversioned" && request.versionIds === undefined) {
      let objects = found.objects
      for (const key of request.keys) objects = KeyMap.remove(objects, key)
      return Either.right([{ deleted: request.keys, failed: [] } as DeleteManyResult, { ...found, objects }] as const)
    }
    let next = found
    const deleted: Array<string> = []
    const failed: Array<DeleteManyResult["failed"][number]> = []
    const versions: Array<DeletedVersion> = []
    request.keys.forEach((key, index) => {
      const versionId = request.versionIds?.[index]
      const outcome = deleteOne(next, request.bucket, key, versionId, request.bypassGovernanceRetention === true, now)
      if (Either.isLeft(outcome)) {
        failed.push({
          key,
          code: "AccessDenied",
          message: `Access Denied: ${outcome.left}`,
          ...(versionId === undefined ? {} : { versionId })
        })
        return
      }
      const [result, after] = outcome.right
      next = after
      deleted.push(key)
      versions.push({ key, ...result })
    })
    return Either.right([{ deleted, failed, versions } as DeleteManyResult, next] as const)
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
    // The lock and key are checked now, and given to the version when the upload completes.
    const checked = writeDetails("CreateMultipartUpload", request, found, now)
    if (Either.isLeft(checked)) return Either.left(checked.left)
    const uploadId = `s3po-mock-upload-${state.uploadsStarted + 1}`
    const upload: PendingMultipart = {
      key: request.key,
      uploadId,
      initiated: new Date(now),
      contentType: request.contentType ?? storedContentTypeWhenNoneSent,
      metadata: lowerCaseNames(request.metadata),
      details,
      checksum: request.checksum === undefined ? undefined : { ...request.checksum },
      parts: HashMap.empty(),
      customerKeyMd5: checked.right?.customerKeyMd5,
      lock: request.retention === undefined && request.legalHold === undefined
        ? undefined
        : { retention: request.retention, legalHold: request.legalHold }
    }
    const next = withBucket(state, request.bucket, { ...found, uploads: HashMap.set(found.uploads, uploadId, upload) })
    return Either.right([uploadId, { ...next, uploadsStarted: state.uploadsStarted + 1 }] as const)
  })

/**
 * The source of a copy (the version named, else the latest), as long as it still has the ETag
 * the copy is pinned to, read with its customer key (SSE-C). A delete marker named by its id is
 * no source: 400 `InvalidRequest`, as S3 answers.
 */
const copySourceOf = (
  state: MockState,
  operation: string,
  request: CopyObjectRequest | UploadPartCopyRequest
): Read<Found> => {
  const source = request.source
  const where = { bucket: source.bucket, key: source.key }
  return Either.flatMap(
    Either.mapLeft(
      versionOf(state, operation, { ...where, versionId: source.versionId }),
      (error) =>
        error._tag === "S3ServiceError" && error.code === "MethodNotAllowed"
          ? new S3ServiceError({
            operation,
            ...where,
            status: 400,
            code: "InvalidRequest",
            detail: "The source of a copy request may not specifically refer to a delete marker by version id.",
            retryable: false
          })
          : error
    ),
    (version) =>
      keyRefused(operation, where, version.object, source.customerKey) ??
        (version.object.etag === source.ifMatch ? Either.right(version) : Either.left(
          new PreconditionFailed({ operation, ...where, expectedETag: source.ifMatch })
        ))
  )
}

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
  detailsOf: (attributes: ObjectAttributes) => ObjectDetails | undefined,
  now: number
): Write<Copied> =>
  Either.flatMap(copySourceOf(state, "CopyObject", request), (sourceVersion) => {
    const source = sourceVersion.object
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
        Either.map(writeDetails("CopyObject", request, found, now), (added) => {
          const copied = withVersionDetails(object, added)
          const [versionId, next] = stored(found, request.bucket, request.key, copied)
          const answer: Copied = {
            etag: copied.etag,
            ...(versionId === undefined ? {} : { versionId }),
            ...(sourceVersion.versioned ? { sourceVersionId: sourceVersion.versionId } : {})
          }
          return [answer, next] as const
        }))
  })

/** Keeps the source's range as a part, copied into the store's own memory, with the upload's checksum of it. */
export const uploadPartCopy = (state: MockState, request: UploadPartCopyRequest): Write<Written> =>
  Either.flatMap(copySourceOf(state, "UploadPartCopy", request), ({ object: source }) => {
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
        const keyRefusal = CustomerKeys.partRefusal(upload.customerKeyMd5, request.customerKey)
        if (keyRefusal !== undefined) return answered("UploadPart", request, keyRefusal)
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
          Either.flatMap(partsListed(request, upload), (parts) => {
            const body = concatBytes(parts.map((part) => part.body))
            return Either.flatMap(
              ChecksumRules.completed(request, upload.checksum, parts, body, request.checksum),
              (checksum) =>
                Either.map(
                  versionDetails(
                    "CompleteMultipartUpload",
                    request,
                    found,
                    now,
                    upload.lock,
                    upload.customerKeyMd5
                  ),
                  (added) => {
                    const object = withVersionDetails(
                      StoredObject.owning(
                        body,
                        multipartETag(parts.map((part) =>
                          part.etag
                        )),
                        upload.contentType,
                        upload.metadata,
                        now,
                        upload.details,
                        checksum
                      ),
                      added
                    )
                    const [versionId, next] = stored(found, request.bucket, request.key, object)
                    return [writtenOf(object.etag, checksum, versionId), {
                      ...next,
                      uploads: HashMap.remove(found.uploads, request.uploadId)
                    }] as const
                  }
                )
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

export const getBucketVersioning = (state: MockState, request: BucketRequest): Read<VersioningStatus> =>
  Either.map(bucketOf(state, "GetBucketVersioning", request), (found) => found.versioning)

/** Enables or suspends versioning; a bucket with object lock keeps it enabled (409 `InvalidBucketState`). */
export const putBucketVersioning = (state: MockState, request: PutVersioningRequest): Write<void> =>
  inBucket(
    state,
    "PutBucketVersioning",
    request,
    (found) =>
      found.objectLock !== undefined && request.status !== "Enabled"
        ? serviceError(
          "PutBucketVersioning",
          request,
          409,
          "InvalidBucketState",
          "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
        )
        : Either.right([undefined, { ...found, versioning: request.status }])
  )

/**
 * A page of versions and delete markers under the prefix, by key then newest first, as S3 pages
 * them: after `keyMarker` (after every version of that key, or with `versionIdMarker` after that
 * version of it), at most 1000 entries, a common prefix counting as one.
 */
export const listVersionsPage = (state: MockState, request: ListVersionsPageRequest): Read<VersionsPage> =>
  Either.map(bucketOf(state, "ListObjectVersions", request), (found) => {
    const prefix = request.prefix ?? ""
    const delimiter = request.delimiter === "" ? undefined : request.delimiter
    const versions: Array<ObjectVersion | DeleteMarker> = []
    const commonPrefixes: Array<string> = []
    const keyMarker = request.keyMarker
    /** A common prefix's roll-up of `key`, or `undefined` when it is listed itself. */
    const rolledUp = (key: string): string | undefined => {
      const at = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length)
      return at < 0 ? undefined : key.slice(0, at + delimiter!.length)
    }
    let from: string | undefined = keyMarker !== undefined && keyOrder(keyMarker, prefix) > 0 ? keyMarker : prefix
    // A marker that is a common prefix (the last entry of the page before) starts after all its keys.
    if (keyMarker !== undefined && keyMarker.startsWith(prefix) && rolledUp(keyMarker) === keyMarker) {
      from = prefixUpperBound(keyMarker)
    }
    let truncated = false
    let nextKeyMarker: string | undefined
    let nextVersionIdMarker: string | undefined
    const full = () => versions.length + commonPrefixes.length === maxKeysPerPage
    const visit = (key: string, held: Versions.Held): boolean => {
      if (!key.startsWith(prefix)) return false
      const common = rolledUp(key)
      if (common !== undefined) {
        if (full()) {
          truncated = true
          return false
        }
        commonPrefixes.push(common)
        nextKeyMarker = common
        nextVersionIdMarker = undefined
        from = prefixUpperBound(common)
        return false
      }
      const entries = Versions.entriesOf(held)
      let start = 0
      if (key === keyMarker) {
        if (request.versionIdMarker === undefined) return true
        // A marker deleted since (a caller deleting page by page) leaves no place: the key's
        // versions left, all newer or older than it, are listed again from its newest.
        start = entries.findIndex((entry) => entry.versionId === request.versionIdMarker) + 1
      }
      for (let index = start; index < entries.length; index++) {
        if (full()) {
          truncated = true
          return false
        }
        const entry = entries[index]!
        versions.push(Versions.listedEntry(key, entry, index === 0))
        nextKeyMarker = key
        nextVersionIdMarker = entry.versionId
      }
      return true
    }
    while (from !== undefined && !truncated) {
      const start: string = from
      from = undefined
      KeyMap.forEachFrom(found.objects, start, visit)
    }
    return {
      versions,
      commonPrefixes,
      isTruncated: truncated,
      ...(truncated ? { nextKeyMarker, nextVersionIdMarker } : {})
    }
  })

/** A bucket with object lock, or 400 `InvalidRequest` as S3 answers a lock request on one without. */
const lockedBucketOf = (
  state: MockState,
  operation: string,
  request: BucketRequest & { readonly key?: string }
): Read<BucketState & { readonly objectLock: ObjectLock.BucketLock }> =>
  Either.flatMap(bucketOf(state, operation, request), (found) => {
    const objectLock = found.objectLock
    return objectLock === undefined ? noLock(operation, request) : Either.right({ ...found, objectLock })
  })

export const getObjectLockConfiguration = (state: MockState, request: BucketRequest): Read<ObjectLockConfiguration> =>
  Either.map(
    bucketOf(state, "GetObjectLockConfiguration", request),
    (found): ObjectLockConfiguration =>
      found.objectLock === undefined
        ? { enabled: false }
        : found.objectLock.defaultRetention === undefined
        ? { enabled: true }
        : { enabled: true, defaultRetention: { ...found.objectLock.defaultRetention } }
  )

export const putObjectLockConfiguration = (state: MockState, request: PutObjectLockRequest): Write<void> =>
  Either.flatMap(lockedBucketOf(state, "PutObjectLockConfiguration", request), (found) => {
    const retention = request.defaultRetention
    const period = retention === undefined ? 1 : "days" in retention ? retention.days : retention.years
    if (!Number.isSafeInteger(period) || period <= 0) {
      return serviceError(
        "PutObjectLockConfiguration",
        request,
        400,
        "InvalidArgument",
        "Default retention period must be a positive integer value"
      )
    }
    const objectLock = retention === undefined ? {} : { defaultRetention: { ...retention } }
    return Either.right([undefined, withBucket(state, request.bucket, { ...found, objectLock })] as const)
  })

/** The version a lock request is about, in a bucket with object lock. */
const lockedVersionOf = (state: MockState, operation: string, request: VersionedObjectRequest) =>
  Either.flatMap(
    lockedBucketOf(state, operation, request),
    (found) => Either.map(versionIn(found, operation, request), (version) => [version, found] as const)
  )

export const getObjectRetention = (state: MockState, request: VersionedObjectRequest): Read<Retention | undefined> =>
  Either.map(lockedVersionOf(state, "GetObjectRetention", request), ([version]) => {
    const retention = version.object.details?.retention
    return retention === undefined ? undefined : ObjectLock.shown(retention)
  })

/** Sets a version's retention, as far as the retention it has allows (else 403 `AccessDenied`). */
export const putObjectRetention = (state: MockState, request: PutRetentionRequest, now: number): Write<void> =>
  Either.flatMap(lockedVersionOf(state, "PutObjectRetention", request), ([version, found]): Write<void> => {
    const retention = ObjectLock.stored(request.retention)
    if (retention.retainUntil <= now) {
      return serviceError(
        "PutObjectRetention",
        request,
        400,
        "InvalidArgument",
        "The retain until date must be in the future"
      )
    }
    const details = version.object.details
    const refusal = ObjectLock.retentionChangeRefusal(
      details,
      retention,
      now,
      request.bypassGovernanceRetention === true
    )
    if (refusal !== undefined) {
      return Either.left(
        new AccessDenied({
          operation: "PutObjectRetention",
          bucket: request.bucket,
          key: request.key,
          code: "AccessDenied"
        })
      )
    }
    return Either.right(
      [
        undefined,
        withVersion(state, request, found, version, version.object.withDetails({ ...details, retention }))
      ] as const
    )
  })

export const getObjectLegalHold = (state: MockState, request: VersionedObjectRequest): Read<boolean> =>
  Either.map(
    lockedVersionOf(state, "GetObjectLegalHold", request),
    ([version]) => version.object.details?.legalHold === true
  )

export const putObjectLegalHold = (state: MockState, request: PutLegalHoldRequest): Write<void> =>
  Either.map(lockedVersionOf(state, "PutObjectLegalHold", request), ([version, found]) =>
    [
      undefined,
      withVersion(
        state,
        request,
        found,
        version,
        version.object.withDetails({ ...version.object.details, legalHold: request.legalHold })
      )
    ] as const)

/** The state with one version's object replaced. */
const withVersion = (
  state: MockState,
  request: ObjectRequest,
  found: BucketState,
  version: Found,
  object: StoredObject
): MockState =>
  withBucket(state, request.bucket, {
    ...found,
    objects: KeyMap.set(
      found.objects,
      request.key,
      Versions.replaced(KeyMap.get(found.objects, request.key)!, version.versionId, object)
    )
  })

export const getBucketLifecycle = (state: MockState, request: BucketRequest): Read<ReadonlyArray<LifecycleRule>> =>
  Either.map(
    bucketOf(state, "GetBucketLifecycleConfiguration", request),
    (found) => found.lifecycle === undefined ? [] : structuredClone(found.lifecycle)
  )

/** Keeps a copy of the rules: at least one, their ids unique, as S3 requires. */
export const putBucketLifecycle = (state: MockState, request: PutLifecycleRequest): Write<void> =>
  inBucket(state, "PutBucketLifecycleConfiguration", request, (found) => {
    const operation = "PutBucketLifecycleConfiguration"
    if (request.rules.length === 0) {
      return serviceError(operation, request, 400, "MalformedXML", "a lifecycle configuration needs at least one rule")
    }
    const ids = new Set(request.rules.map((rule) => rule.id))
    if (ids.size < request.rules.length) {
      return serviceError(
        operation,
        request,
        400,
        "InvalidArgument",
        "Rule ID must be unique. Found same ID for more than one rule"
      )
    }
    return Either.right([undefined, { ...found, lifecycle: structuredClone(request.rules) }] as const)
  })

export const deleteBucketLifecycle = (state: MockState, request: BucketRequest): Write<void> =>
  inBucket(
    state,
    "DeleteBucketLifecycle",
    request,
    (found) => Either.right([undefined, { ...found, lifecycle: undefined }])
  )
