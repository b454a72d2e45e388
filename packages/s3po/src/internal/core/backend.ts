import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { ObjectInfo, S3Operation } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"

/**
 * The few S3 requests every s3po operation is built from. A layer implements only these; uploads,
 * downloads, multipart, resume, listing and batches are derived from them once, in `service.ts`.
 */
export interface Backend {
  readonly createBucket: (bucket: string) => Effect.Effect<void, S3PoError>
  readonly putObject: (request: PutObjectRequest) => Effect.Effect<{ readonly etag: string }, S3PoError>
  readonly getObject: (request: GetObjectRequest) => Effect.Effect<GetObjectResponse, S3PoError>
  readonly headObject: (bucket: string, key: string) => Effect.Effect<ObjectInfo, S3PoError>
  readonly listPage: (request: ListPageRequest) => Effect.Effect<ListPage, S3PoError>
  readonly deleteObject: (bucket: string, key: string) => Effect.Effect<void, S3PoError>
  readonly deleteObjects: (bucket: string, keys: ReadonlyArray<string>) => Effect.Effect<DeleteObjectsResult, S3PoError>
  readonly createMultipartUpload: (request: CreateMultipartRequest) => Effect.Effect<string, S3PoError>
  readonly uploadPart: (request: UploadPartRequest) => Effect.Effect<{ readonly etag: string }, S3PoError>
  readonly completeMultipartUpload: (
    request: CompleteMultipartRequest
  ) => Effect.Effect<{ readonly etag: string }, S3PoError>
  readonly abortMultipartUpload: (request: MultipartUploadRef) => Effect.Effect<void, S3PoError>
  readonly listMultipartUploads: (bucket: string) => Effect.Effect<ReadonlyArray<PendingUpload>, S3PoError>
}

/** The S3 API name of each primitive's request, as retries log it and the mock records it. */
export const operationNames = {
  createBucket: "CreateBucket",
  putObject: "PutObject",
  getObject: "GetObject",
  headObject: "HeadObject",
  listPage: "ListObjectsV2",
  deleteObject: "DeleteObject",
  deleteObjects: "DeleteObjects",
  createMultipartUpload: "CreateMultipartUpload",
  uploadPart: "UploadPart",
  completeMultipartUpload: "CompleteMultipartUpload",
  abortMultipartUpload: "AbortMultipartUpload",
  listMultipartUploads: "ListMultipartUploads"
} as const satisfies Record<keyof Backend, S3Operation>

/** Any primitive, seen through its arguments and result. */
export type Primitive = (...args: ReadonlyArray<unknown>) => Effect.Effect<unknown, S3PoError>

/** A backend whose every primitive is `f` of the original one: how retries and the mock's test kit wrap backends. */
export const mapPrimitives = (
  backend: Backend,
  f: (operation: S3Operation, primitive: Primitive) => Primitive
): Backend =>
  Object.fromEntries(
    (Object.keys(operationNames) as Array<keyof Backend>).map((name) => [
      name,
      f(operationNames[name], backend[name] as unknown as Primitive)
    ])
  ) as unknown as Backend

export interface PutObjectRequest {
  readonly bucket: string
  readonly key: string
  readonly body: Uint8Array
  readonly contentType?: string | undefined
  readonly metadata?: Readonly<Record<string, string>> | undefined
}

/** An inclusive byte range; `end` past the object is clamped, as S3 does. */
export interface ByteRange {
  readonly start: number
  readonly end?: number | undefined
}

export interface GetObjectRequest {
  readonly bucket: string
  readonly key: string
  readonly range?: ByteRange | undefined
  readonly ifMatch?: string | undefined
}

export interface GetObjectResponse {
  readonly info: ObjectInfo
  /** Bytes in this response: the whole object, or the requested range. */
  readonly contentLength: number
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

export interface ListPageRequest {
  readonly bucket: string
  readonly prefix?: string | undefined
  readonly delimiter?: string | undefined
  readonly continuationToken?: string | undefined
}

export interface ListPage {
  readonly keys: ReadonlyArray<string>
  readonly commonPrefixes: ReadonlyArray<string>
  readonly nextContinuationToken?: string | undefined
}

export interface DeleteObjectsResult {
  readonly deleted: ReadonlyArray<string>
  readonly failed: ReadonlyArray<{ readonly key: string; readonly code: string; readonly message: string }>
}

export interface CreateMultipartRequest {
  readonly bucket: string
  readonly key: string
  readonly contentType?: string | undefined
  readonly metadata?: Readonly<Record<string, string>> | undefined
}

export interface MultipartUploadRef {
  readonly bucket: string
  readonly key: string
  readonly uploadId: string
}

export interface UploadPartRequest extends MultipartUploadRef {
  readonly partNumber: number
  readonly body: Uint8Array
}

export interface CompletedPart {
  readonly partNumber: number
  readonly etag: string
}

export interface CompleteMultipartRequest extends MultipartUploadRef {
  readonly parts: ReadonlyArray<CompletedPart>
}

export interface PendingUpload {
  readonly key: string
  readonly uploadId: string
  readonly initiated: Date
}
