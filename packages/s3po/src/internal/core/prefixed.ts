import * as Effect from "effect/Effect"
import type { DeleteManyResult, ListedObject, ObjectInfo, PendingUpload } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import {
  type Backend,
  type CopySource,
  type GetObjectResponse,
  type GovernanceOperation,
  mapBackend
} from "./backend.js"
import type { Presigner } from "./presign.js"

/**
 * A backend that sees only the keys under `prefix`: every key it is given is joined to the prefix,
 * every key it answers has it stripped, errors' keys too. Listings ask for the prefix (joined to
 * their own), so a key outside it is never listed; buckets are as they are.
 */
export const withPrefix = (backend: Backend, prefix: string): Backend =>
  prefix === "" ?
    backend :
    mapBackend(joined(backend, prefix), (_, primitive) => (request) =>
      Effect.mapError(primitive(request), (error) => strippedError(error, prefix)))

/** The error with its key stripped of the prefix: the same class, made again with the stripped key. */
const strippedError = (error: S3PoError, prefix: string): S3PoError => {
  const key: unknown = Reflect.get(error, "key")
  if (typeof key !== "string" || !key.startsWith(prefix)) return error
  const ErrorClass = error.constructor as new(fields: object) => S3PoError
  return new ErrorClass({ ...error, key: key.slice(prefix.length) })
}

const joined = (backend: Backend, prefix: string): Backend => {
  const join = (key: string) => `${prefix}${key}`
  const strip = (key: string) => key.startsWith(prefix) ? key.slice(prefix.length) : key
  const joinOptional = (key: string | undefined) => key === undefined ? undefined : join(key)
  const stripOptional = (key: string | undefined) => key === undefined ? undefined : strip(key)
  const source = (from: CopySource): CopySource => ({ ...from, key: join(from.key) })
  const info = <A extends ObjectInfo>(object: A): A => ({ ...object, key: strip(object.key) })
  const listed = (object: ListedObject): ListedObject => ({ ...object, key: strip(object.key) })
  const pending = (upload: PendingUpload): PendingUpload => ({ ...upload, key: strip(upload.key) })
  const deleted = (result: DeleteManyResult): DeleteManyResult => ({
    deleted: result.deleted.map(strip),
    failed: result.failed.map((failure) => ({ ...failure, key: strip(failure.key) })),
    ...(result.versions === undefined ? {} : {
      versions: result.versions.map((version) => ({ ...version, key: strip(version.key) }))
    })
  })
  const presigner: Presigner | undefined = backend.presigner === undefined ? undefined : {
    url: (request) => backend.presigner!.url({ ...request, key: join(request.key) }),
    post: (request) =>
      backend.presigner!.post({
        ...request,
        key: joinOptional(request.key),
        keyPrefix: request.key === undefined ? join(request.keyPrefix ?? "") : request.keyPrefix
      })
  }
  return {
    ...(presigner === undefined ? {} : { presigner }),
    listBuckets: backend.listBuckets,
    headBucket: backend.headBucket,
    createBucket: backend.createBucket,
    deleteBucket: backend.deleteBucket,
    putObject: (request) => backend.putObject({ ...request, key: join(request.key) }),
    getObject: (request) =>
      Effect.map(
        backend.getObject({ ...request, key: join(request.key) }),
        (response): GetObjectResponse => ({ ...response, info: info(response.info) })
      ),
    headObject: (request) => Effect.map(backend.headObject({ ...request, key: join(request.key) }), info),
    listPage: (request) =>
      Effect.map(
        backend.listPage({
          ...request,
          prefix: join(request.prefix ?? ""),
          startAfter: joinOptional(request.startAfter)
        }),
        (page) => ({ ...page, objects: page.objects.map(listed), commonPrefixes: page.commonPrefixes.map(strip) })
      ),
    deleteObject: (request) => backend.deleteObject({ ...request, key: join(request.key) }),
    deleteObjects: (request) =>
      Effect.map(backend.deleteObjects({ ...request, keys: request.keys.map(join) }), deleted),
    createMultipartUpload: (request) => backend.createMultipartUpload({ ...request, key: join(request.key) }),
    uploadPart: (request) => backend.uploadPart({ ...request, key: join(request.key) }),
    copyObject: (request) => backend.copyObject({ ...request, key: join(request.key), source: source(request.source) }),
    uploadPartCopy: (request) =>
      backend.uploadPartCopy({ ...request, key: join(request.key), source: source(request.source) }),
    completeMultipartUpload: (request) => backend.completeMultipartUpload({ ...request, key: join(request.key) }),
    abortMultipartUpload: (request) => backend.abortMultipartUpload({ ...request, key: join(request.key) }),
    listMultipartUploads: (request) =>
      Effect.map(
        backend.listMultipartUploads({
          ...request,
          prefix: join(request.prefix ?? ""),
          keyMarker: joinOptional(request.keyMarker)
        }),
        (page) => ({ ...page, uploads: page.uploads.map(pending), nextKeyMarker: stripOptional(page.nextKeyMarker) })
      ),
    getObjectTagging: (request) => backend.getObjectTagging({ ...request, key: join(request.key) }),
    putObjectTagging: (request) => backend.putObjectTagging({ ...request, key: join(request.key) }),
    ...versioned(backend, join, strip)
  }
}

/** The primitives of versions, locks and lifecycle rules, through a prefix. */
const versioned = (
  backend: Backend,
  join: (key: string) => string,
  strip: (key: string) => string
): Pick<Backend, GovernanceOperation> => ({
  getBucketVersioning: backend.getBucketVersioning,
  putBucketVersioning: backend.putBucketVersioning,
  listVersionsPage: (request) =>
    Effect.map(
      backend.listVersionsPage({
        ...request,
        prefix: join(request.prefix ?? ""),
        keyMarker: request.keyMarker === undefined ? undefined : join(request.keyMarker)
      }),
      (page) => ({
        ...page,
        versions: page.versions.map((version) => ({ ...version, key: strip(version.key) })),
        commonPrefixes: page.commonPrefixes.map(strip),
        nextKeyMarker: page.nextKeyMarker === undefined ? undefined : strip(page.nextKeyMarker)
      })
    ),
  getObjectLockConfiguration: backend.getObjectLockConfiguration,
  putObjectLockConfiguration: backend.putObjectLockConfiguration,
  getObjectRetention: (request) => backend.getObjectRetention({ ...request, key: join(request.key) }),
  putObjectRetention: (request) => backend.putObjectRetention({ ...request, key: join(request.key) }),
  getObjectLegalHold: (request) => backend.getObjectLegalHold({ ...request, key: join(request.key) }),
  putObjectLegalHold: (request) => backend.putObjectLegalHold({ ...request, key: join(request.key) }),
  // A prefix's handle does not own the bucket's rules: they are read and written as they are.
  getBucketLifecycle: backend.getBucketLifecycle,
  putBucketLifecycle: backend.putBucketLifecycle,
  deleteBucketLifecycle: backend.deleteBucketLifecycle
})
