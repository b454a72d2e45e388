import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { ObjectInfo } from "../../S3Po.js"
import { NoSuchBucket, NoSuchKey, PreconditionFailed, type S3PoError, S3ServiceError } from "../../S3PoError.js"
import type { MockPendingUpload, MockSeed, MockSeedContent, MockSnapshot } from "../../S3PoMock.js"
import type { Backend, CompletedPart, GetObjectResponse, PendingUpload } from "../core/backend.js"
import { concatBytes } from "../core/chunker.js"
import { md5Hex, multipartETag } from "../core/etag.js"
import { keyOrder, prefixUpperBound } from "../core/keyOrder.js"
import { maxKeysPerPage, maxParts, minPartBytes } from "../core/limits.js"
import * as KeyMap from "./keyMap.js"
import { StoredObject } from "./storedObject.js"

export interface StoredPart {
  readonly etag: string
  readonly body: Uint8Array
}

export interface PendingMultipart extends PendingUpload {
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly parts: HashMap.HashMap<number, StoredPart>
}

export interface BucketState {
  readonly objects: KeyMap.KeyMap<StoredObject>
  readonly uploads: HashMap.HashMap<string, PendingMultipart>
}

/** The whole in-memory store: immutable, so a snapshot is just the current value of the `Ref`. */
export interface MockState {
  readonly buckets: HashMap.HashMap<string, BucketState>
  readonly uploadsStarted: number
}

export const emptyState: MockState = { buckets: HashMap.empty(), uploadsStarted: 0 }

export const emptyBucket: BucketState = {
  objects: KeyMap.empty(),
  uploads: HashMap.empty()
}

export const defaultContentType = "binary/octet-stream"

const noMetadata: Readonly<Record<string, string>> = Object.freeze({})

export const lowerCaseKeys = (
  metadata: Readonly<Record<string, string>> | undefined
): Readonly<Record<string, string>> =>
  metadata === undefined
    ? noMetadata
    : Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name.toLowerCase(), value]))

const encoder = new TextEncoder()

const storedObjectOf = (content: MockSeedContent, modifiedAt: number): StoredObject => {
  const seed = typeof content === "string" || content instanceof Uint8Array ? { body: content } : content
  return StoredObject.copyOf(
    typeof seed.body === "string" ? encoder.encode(seed.body) : seed.body,
    seed.contentType ?? defaultContentType,
    lowerCaseKeys(seed.metadata),
    modifiedAt
  )
}

/** A store holding the seed's buckets and objects, and no pending uploads. */
export const seededState = (seed: MockSeed, seededAt: number, uploadsStarted = 0): MockState => ({
  buckets: HashMap.fromIterable(
    Object.entries(seed).map(([bucket, objects]): [string, BucketState] => [bucket, {
      ...emptyBucket,
      objects: Object.entries(objects).reduce(
        (objects, [key, content]) => KeyMap.set(objects, key, storedObjectOf(content, seededAt)),
        emptyBucket.objects
      )
    }])
  ),
  uploadsStarted
})

/** Every bucket and object, as plain data the caller may keep and change. */
export const snapshotOf = (state: MockState): MockSnapshot =>
  Object.fromEntries(
    Array.from(HashMap.entries(state.buckets), ([bucket, found]) => [
      bucket,
      Object.fromEntries(
        KeyMap.entries(found.objects).map(([key, object]) => [key, {
          body: object.view().slice(),
          etag: object.etag,
          contentType: object.contentType,
          metadata: { ...object.metadata },
          lastModified: object.lastModified
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
  bucket: string,
  key: string | undefined,
  status: number,
  code: string,
  detail: string
) => new S3ServiceError({ operation, bucket, key, status, code, detail, retryable: false })

const encodeToken = (key: string) => Buffer.from(key, "utf8").toString("base64url")
const decodeToken = (token: string) => Buffer.from(token, "base64url").toString("utf8")

/** The request primitives over an in-memory store, with S3's rules. */
export const make = (state: Ref.Ref<MockState>): Backend => {
  const bucketOf = (operation: string, bucket: string, key?: string): Effect.Effect<BucketState, NoSuchBucket> =>
    Effect.flatMap(Ref.get(state), (current) =>
      Option.match(HashMap.get(current.buckets, bucket), {
        onNone: () => Effect.fail(new NoSuchBucket({ operation, bucket, key })),
        onSome: Effect.succeed
      }))

  /** Applies `f` to one bucket atomically; `f` fails with a value, or returns the new bucket and a result. */
  const updateBucket = <A>(
    operation: string,
    bucket: string,
    key: string | undefined,
    f: (current: BucketState) => readonly [A, BucketState] | S3PoError
  ): Effect.Effect<A, S3PoError> =>
    Effect.flatten(Ref.modify(state, (current): readonly [Effect.Effect<A, S3PoError>, MockState] => {
      const found = HashMap.get(current.buckets, bucket)
      if (Option.isNone(found)) return [Effect.fail(new NoSuchBucket({ operation, bucket, key })), current]
      const outcome = f(found.value)
      if (!Array.isArray(outcome)) return [Effect.fail(outcome as S3PoError), current]
      const [result, next] = outcome as readonly [A, BucketState]
      return [Effect.succeed(result), { ...current, buckets: HashMap.set(current.buckets, bucket, next) }]
    }))

  const objectOf = (operation: string, bucket: string, key: string) =>
    Effect.flatMap(bucketOf(operation, bucket, key), (found) => {
      const object = KeyMap.get(found.objects, key)
      return object === undefined ? Effect.fail(new NoSuchKey({ operation, bucket, key })) : Effect.succeed(object)
    })

  const infoOf = (key: string, object: StoredObject): ObjectInfo => ({
    key,
    size: object.size,
    etag: object.etag,
    lastModified: object.lastModified,
    contentType: object.contentType,
    metadata: { ...object.metadata }
  })

  /** Runs `f` with the time from the fiber's `Clock`, in whole seconds as S3 keeps it, in one step. */
  const atNow = <A, E>(f: (now: number) => Effect.Effect<A, E>) =>
    Effect.clockWith((clock) => f(Math.floor(clock.unsafeCurrentTimeMillis() / 1000) * 1000))

  const pendingOf = (operation: string, found: BucketState, bucket: string, key: string, uploadId: string) => {
    const upload = HashMap.get(found.uploads, uploadId)
    return Option.isSome(upload) && upload.value.key === key
      ? upload.value
      : serviceError(operation, bucket, key, 404, "NoSuchUpload", `no multipart upload ${uploadId}`)
  }

  return {
    createBucket: (bucket) =>
      Ref.update(state, (current) =>
        HashMap.has(current.buckets, bucket)
          ? current
          : { ...current, buckets: HashMap.set(current.buckets, bucket, emptyBucket) }),

    putObject: (request) =>
      atNow((now) => {
        const object = StoredObject.copyOf(
          request.body,
          request.contentType ?? defaultContentType,
          lowerCaseKeys(request.metadata),
          now
        )
        return updateBucket("PutObject", request.bucket, request.key, (found) => [
          { etag: object.etag },
          { ...found, objects: KeyMap.set(found.objects, request.key, object) }
        ])
      }),

    getObject: (request) =>
      Effect.flatMap(
        objectOf("GetObject", request.bucket, request.key),
        (object): Effect.Effect<GetObjectResponse, S3PoError> => {
          if (request.ifMatch !== undefined && request.ifMatch !== object.etag) {
            return Effect.fail(
              new PreconditionFailed({
                operation: "GetObject",
                bucket: request.bucket,
                key: request.key,
                expectedETag: request.ifMatch
              })
            )
          }
          const size = object.size
          const range = request.range
          if (range !== undefined && range.start >= size) {
            return Effect.fail(serviceError(
              "GetObject",
              request.bucket,
              request.key,
              416,
              "InvalidRange",
              `range starts at ${range.start} but the object has ${size} bytes`
            ))
          }
          const start = range?.start ?? 0
          const end = Math.min(range?.end ?? size - 1, size - 1)
          const body = object.view(start, end + 1)
          return Effect.succeed({
            info: infoOf(request.key, object),
            contentLength: body.length,
            body: body.length === 0 ? Stream.empty : Stream.sync(() => body.slice()),
            forEachChunk: (f) => Effect.sync(() => body.length === 0 ? undefined : f(body)),
            discard: Effect.void
          })
        }
      ),

    headObject: (bucket, key) =>
      // HEAD has no response body, so S3 answers a missing bucket and a missing key with the same bare 404.
      Effect.map(
        Effect.catchTag(objectOf("HeadObject", bucket, key), "NoSuchBucket", () =>
          Effect.fail(new NoSuchKey({ operation: "HeadObject", bucket, key }))),
        (object) =>
          infoOf(key, object)
      ),

    listPage: (request) =>
      Effect.map(bucketOf("ListObjectsV2", request.bucket), (found) => {
        const prefix = request.prefix ?? ""
        const delimiter = request.delimiter === "" ? undefined : request.delimiter
        const keys: Array<string> = []
        const commonPrefixes: Array<string> = []
        let from: string | undefined = request.continuationToken === undefined
          ? prefix
          : decodeToken(request.continuationToken)
        let nextContinuationToken: string | undefined
        const visit = (key: string): boolean => {
          if (!key.startsWith(prefix)) return false
          if (keys.length + commonPrefixes.length === maxKeysPerPage) {
            nextContinuationToken = encodeToken(key)
            return false
          }
          const at = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length)
          if (at < 0) {
            keys.push(key)
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
        return { keys, commonPrefixes, nextContinuationToken }
      }),

    deleteObject: (bucket, key) =>
      updateBucket("DeleteObject", bucket, key, (found) => [
        undefined,
        { ...found, objects: KeyMap.remove(found.objects, key) }
      ]),

    deleteObjects: (bucket, keys) =>
      updateBucket("DeleteObjects", bucket, undefined, (found) => {
        let objects = found.objects
        for (const key of keys) objects = KeyMap.remove(objects, key)
        return [{ deleted: keys, failed: [] }, { ...found, objects }]
      }),

    createMultipartUpload: (request) =>
      atNow(
        (now) =>
          Effect.flatten(Ref.modify(state, (current): readonly [Effect.Effect<string, S3PoError>, MockState] => {
            const found = HashMap.get(current.buckets, request.bucket)
            if (Option.isNone(found)) {
              return [
                Effect.fail(
                  new NoSuchBucket({ operation: "CreateMultipartUpload", bucket: request.bucket, key: request.key })
                ),
                current
              ]
            }
            const uploadId = `s3po-mock-upload-${current.uploadsStarted + 1}`
            const upload: PendingMultipart = {
              key: request.key,
              uploadId,
              initiated: new Date(now),
              contentType: request.contentType ?? defaultContentType,
              metadata: lowerCaseKeys(request.metadata),
              parts: HashMap.empty()
            }
            const bucketState = { ...found.value, uploads: HashMap.set(found.value.uploads, uploadId, upload) }
            return [Effect.succeed(uploadId), {
              buckets: HashMap.set(current.buckets, request.bucket, bucketState),
              uploadsStarted: current.uploadsStarted + 1
            }]
          }))
      ),

    uploadPart: (request) => {
      const etag = `"${md5Hex(request.body)}"`
      const body = request.body.slice()
      return updateBucket("UploadPart", request.bucket, request.key, (found) => {
        const upload = pendingOf("UploadPart", found, request.bucket, request.key, request.uploadId)
        if (!("parts" in upload)) return upload
        if (!Number.isInteger(request.partNumber) || request.partNumber < 1 || request.partNumber > maxParts) {
          return serviceError(
            "UploadPart",
            request.bucket,
            request.key,
            400,
            "InvalidArgument",
            `part number must be an integer between 1 and ${maxParts}`
          )
        }
        const next = { ...upload, parts: HashMap.set(upload.parts, request.partNumber, { etag, body }) }
        return [{ etag }, { ...found, uploads: HashMap.set(found.uploads, request.uploadId, next) }]
      })
    },

    completeMultipartUpload: (request) =>
      atNow((now) =>
        updateBucket("CompleteMultipartUpload", request.bucket, request.key, (found) => {
          const fail = (status: number, code: string, detail: string) =>
            serviceError("CompleteMultipartUpload", request.bucket, request.key, status, code, detail)
          const upload = pendingOf("CompleteMultipartUpload", found, request.bucket, request.key, request.uploadId)
          if (!("parts" in upload)) return upload
          if (request.parts.length === 0) return fail(400, "MalformedXML", "a multipart upload needs at least one part")
          // Checked part by part in the order listed, as Ceph RGW does: existence, size, then order.
          const stored: Array<StoredPart> = []
          let previous = 0
          for (const [index, part] of (request.parts as ReadonlyArray<CompletedPart>).entries()) {
            const uploaded = HashMap.get(upload.parts, part.partNumber)
            if (Option.isNone(uploaded) || uploaded.value.etag !== part.etag) {
              return fail(400, "InvalidPart", `part ${part.partNumber} was not uploaded with ETag ${part.etag}`)
            }
            if (index < request.parts.length - 1 && uploaded.value.body.length < minPartBytes) {
              return fail(400, "EntityTooSmall", `part ${part.partNumber} is smaller than 5 MiB`)
            }
            if (part.partNumber <= previous) {
              return fail(400, "InvalidPartOrder", "parts must be listed in ascending order")
            }
            previous = part.partNumber
            stored.push(uploaded.value)
          }
          const object = StoredObject.owning(
            concatBytes(stored.map((part) => part.body)),
            multipartETag(stored.map((part) => part.etag)),
            upload.contentType,
            upload.metadata,
            now
          )
          return [{ etag: object.etag }, {
            objects: KeyMap.set(found.objects, request.key, object),
            uploads: HashMap.remove(found.uploads, request.uploadId)
          }]
        })
      ),

    abortMultipartUpload: (request) =>
      updateBucket("AbortMultipartUpload", request.bucket, request.key, (found) => {
        const upload = pendingOf("AbortMultipartUpload", found, request.bucket, request.key, request.uploadId)
        if (!("parts" in upload)) return upload
        return [undefined, { ...found, uploads: HashMap.remove(found.uploads, request.uploadId) }]
      }),

    listMultipartUploads: (bucket) =>
      Effect.map(
        bucketOf("ListMultipartUploads", bucket),
        (found) =>
          Array.from(HashMap.values(found.uploads), ({ initiated, key, uploadId }) => ({
            key,
            uploadId,
            initiated: new Date(initiated)
          }))
            .sort((left, right) => keyOrder(left.key, right.key))
      )
  }
}
