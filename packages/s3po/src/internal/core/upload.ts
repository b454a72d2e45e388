import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { UploadBody, UploadOptions, UploadResult, WriteConditions } from "../../S3Po.js"
import { type S3PoError, ValidationError } from "../../S3PoError.js"
import { attributesOf, ensureTags } from "./attributes.js"
import type {
  Backend,
  CompletedPart,
  CompleteMultipartRequest,
  CreateMultipartRequest,
  MultipartUploadRef,
  PutObjectRequest
} from "./backend.js"
import { concatBytes, PartBuffers, type PartReader, partReader } from "./chunker.js"
import { checkBeforeWriting, conditionFailure } from "./conditionalWrite.js"
import { conditionsOf } from "./conditions.js"
import { multipartETag } from "./etag.js"
import { maxParts, MiB } from "./limits.js"
import * as Listing from "./listing.js"
import * as Validate from "./validation.js"

export interface MultipartDefaults {
  readonly multipartThreshold: number
  readonly partSize: number
  readonly partConcurrency: number
}

/** A body to upload, read as parts into the upload's buffers, and its size when it is known up front. */
export interface Source<E, R> {
  /** Opens the body in the upload's scope. */
  readonly open: (buffers: PartBuffers) => Effect.Effect<PartReader<E, R>, E, R | Scope.Scope>
  readonly size?: number | undefined
}

export const streamSource = <E, R>(stream: Stream.Stream<Uint8Array, E, R>, size?: number): Source<E, R> => ({
  open: (buffers) => Effect.map(Stream.toPull(stream), (pull) => partReader(pull, buffers)),
  size
})

const encoder = new TextEncoder()

/** Sent when the caller names no content type, so that every server stores the same one. */
export const contentTypeSentWhenNoneGiven = "application/octet-stream"

export const sourceOf = <E, R>(body: UploadBody<E, R>): Source<E, R> | Uint8Array =>
  typeof body === "string" ? encoder.encode(body) : body instanceof Uint8Array ? body : streamSource(body)

/**
 * A single PUT of an upload, with its attributes and conditions, written out: spreading them costs
 * a small PUT to the mock more than the store's own work.
 */
const putRequestOf = (bucket: string, key: string, body: Uint8Array, options: UploadOptions): PutObjectRequest => ({
  bucket,
  key,
  body,
  contentType: options.contentType ?? contentTypeSentWhenNoneGiven,
  metadata: options.metadata,
  cacheControl: options.cacheControl,
  contentDisposition: options.contentDisposition,
  contentEncoding: options.contentEncoding,
  contentLanguage: options.contentLanguage,
  expires: options.expires,
  storageClass: options.storageClass,
  serverSideEncryption: options.serverSideEncryption,
  tags: options.tags,
  ifNoneMatch: options.ifNoneMatch,
  ifMatch: options.ifMatch
})

/** The size from which a body goes up as multipart: the caller's, else the layer's. */
export const multipartThresholdOf = (options: UploadOptions, defaults: MultipartDefaults): number =>
  options.multipartThreshold ?? defaults.multipartThreshold

/** With a known size, parts grow (in whole MiB) so that the upload fits in S3's 10,000 parts. */
export const planPartSize = (partSize: number, size: number | undefined): number => {
  if (size === undefined || size <= partSize * maxParts) return partSize
  return Math.ceil(size / maxParts / MiB) * MiB
}

export const make = (backend: Backend, defaults: MultipartDefaults) =>
<E, R>(
  operation: string,
  bucket: string,
  key: string,
  body: Source<E, R> | Uint8Array,
  options: UploadOptions = {}
): Effect.Effect<UploadResult, S3PoError | E, R> => {
  const problem = Validate.upload(operation, bucket, key, options)
  if (problem !== undefined) return Effect.fail(problem)
  const threshold = multipartThresholdOf(options, defaults)
  const partConcurrency = options.partConcurrency ?? defaults.partConcurrency
  const report = options.onProgress
  const putWhole = (bytes: Uint8Array): Effect.Effect<UploadResult, S3PoError> => {
    const put = Effect.map(
      backend.putObject(putRequestOf(bucket, key, bytes, options)),
      ({ etag }): UploadResult => ({ etag, size: bytes.length, parts: 0 })
    )
    return report === undefined
      ? put
      : Effect.tap(put, () => report({ bytes: bytes.length, totalBytes: bytes.length, parts: 0 }))
  }

  // Small bodies, the common case, skip the stream machinery entirely.
  if (body instanceof Uint8Array && body.length < threshold) return putWhole(body)

  return Effect.gen(function*() {
    const source = body instanceof Uint8Array ? streamSource(Stream.succeed(body), body.length) : body
    const partSize = planPartSize(options.partSize ?? defaults.partSize, source.size)

    return yield* Effect.scoped(Effect.gen(function*() {
      const buffers = new PartBuffers(partConcurrency + 1)
      const readPart = yield* source.open(buffers)
      const head: Array<Uint8Array> = []
      let headBytes = 0
      let ended = false
      while (!ended && (headBytes < threshold || head.length === 0)) {
        const part = yield* readPart(partSize)
        if (Option.isNone(part)) ended = true
        else {
          head.push(part.value)
          headBytes += part.value.length
        }
      }
      if (ended && (headBytes < threshold || head.length === 0)) return yield* putWhole(concatBytes(head))

      const readParts = Effect.suspend(() =>
        head.length > 0 ? Effect.succeed(Option.fromNullable(head.shift())) : readPart(partSize)
      )

      const attributes = { ...attributesOf(options), contentType: options.contentType ?? contentTypeSentWhenNoneGiven }
      return yield* multipartUpload(
        backend,
        operation,
        { bucket, key, ...attributes },
        conditionsOf(options),
        (ref) =>
          Effect.map(
            uploadParts({
              operation,
              partSize,
              readPart: readParts,
              partConcurrency,
              upload: (partNumber, bytes) =>
                Effect.tap(backend.uploadPart({ ...ref, partNumber, body: bytes }), () => buffers.give(bytes)),
              onPart: (progress) =>
                report === undefined ? Effect.void : report({ ...progress, totalBytes: source.size })
            }),
            ({ bytes, parts }) => ({ parts, size: bytes })
          )
      )
    }))
  })
}

/**
 * A multipart upload from start to end: its conditions checked, created, given its parts by
 * `addParts`, completed with its conditions; aborted if anything fails or the fiber is interrupted,
 * so that nothing is left pending. Its tags are set again once it completes: some servers (Ceph
 * RGW 16) drop those given to CreateMultipartUpload.
 */
export const multipartUpload = <E, R>(
  backend: Backend,
  operation: string,
  request: CreateMultipartRequest,
  conditions: WriteConditions,
  addParts: (
    ref: MultipartUploadRef
  ) => Effect.Effect<{ readonly parts: ReadonlyArray<CompletedPart>; readonly size: number }, E, R>
): Effect.Effect<UploadResult, S3PoError | E, R> => {
  const location = { bucket: request.bucket, key: request.key }
  const upload = Effect.acquireUseRelease(
    backend.createMultipartUpload(request),
    (uploadId) => {
      const ref = { ...location, uploadId }
      return Effect.flatMap(addParts(ref), ({ parts, size }) =>
        Effect.map(
          completeOrFindCompleted(backend, { ...ref, ...conditions, parts }),
          ({ etag }): UploadResult => ({ etag, size, parts: parts.length })
        ))
    },
    (uploadId, exit) =>
      Exit.isSuccess(exit) ? Effect.void : backend.abortMultipartUpload({ ...request, uploadId }).pipe(
        Effect.catchAll((error) =>
          Effect.logError(
            `s3po: could not abort multipart upload ${uploadId} of s3://${request.bucket}/${request.key}`,
            error
          )
        )
      )
  )
  return checkBeforeWriting(backend, operation, location, conditions).pipe(
    Effect.zipRight(Effect.mapError(upload, conditionFailure("CompleteMultipartUpload", location, conditions))),
    Effect.tap(() => ensureTags(backend, location, request.tags))
  )
}

/**
 * Completes a multipart upload. When Complete fails, the upload may have completed all the same: a
 * response lost after S3 acted makes the retried Complete fail (AWS S3 answers NoSuchUpload, or
 * 412 when the upload was conditional; Ceph RGW 500). The upload completed if it is no longer
 * pending and the object carries exactly the ETag these parts make; otherwise the error stands (a
 * 412 is then a real conflict), and the caller aborts the upload.
 */
const completeOrFindCompleted = (backend: Backend, request: CompleteMultipartRequest) =>
  Effect.catchAll(backend.completeMultipartUpload(request), (error) =>
    Effect.gen(function*() {
      const info = yield* backend.headObject({ bucket: request.bucket, key: request.key })
      if (info.etag !== multipartETag(request.parts.map((part) => part.etag))) return yield* error
      const stillPending = yield* Stream.runHead(Stream.filter(
        Listing.pendingUploads(backend, request.bucket, request.key),
        (upload) => upload.uploadId === request.uploadId
      ))
      if (Option.isSome(stillPending)) return yield* error
      return { etag: info.etag }
    }).pipe(Effect.catchAll(() => Effect.fail(error))))

/**
 * Uploads parts as they are read, `partConcurrency` at once, in order. The next part is assembled
 * while the others are in flight, then waits for a slot: at most `partConcurrency + 1` parts are in
 * memory, and the source is not read faster than S3 acknowledges parts. The first failure stops
 * everything.
 */
const uploadParts = <E, R>(options: {
  readonly operation: string
  readonly partSize: number
  readonly readPart: Effect.Effect<Option.Option<Uint8Array>, E, R>
  readonly partConcurrency: number
  readonly upload: (partNumber: number, body: Uint8Array) => Effect.Effect<{ readonly etag: string }, S3PoError>
  readonly onPart: (progress: { readonly bytes: number; readonly parts: number }) => Effect.Effect<void>
}) =>
  Effect.scoped(Effect.gen(function*() {
    const etags: Array<string> = []
    let acknowledgedBytes = 0
    let acknowledgedParts = 0
    const slots = yield* Effect.makeSemaphore(options.partConcurrency)
    const running = yield* FiberSet.make<void>()
    // Set by a part's fiber before it ends, so that once every part has ended it is known whether one failed.
    const failed = yield* Deferred.make<never, S3PoError>()

    const produce = Effect.gen(function*() {
      for (let partNumber = 1;; partNumber++) {
        const part = yield* options.readPart
        if (Option.isNone(part)) break
        yield* slots.take(1)
        if (partNumber > maxParts) {
          return yield* new ValidationError({
            operation: options.operation,
            field: "body",
            reason: `a stream of unknown size needs more than ${maxParts} parts of ${options.partSize} bytes: ` +
              "raise partSize"
          })
        }
        const bytes = part.value
        yield* FiberSet.run(
          running,
          options.upload(partNumber, bytes).pipe(
            Effect.flatMap(({ etag }) => {
              etags[partNumber - 1] = etag
              acknowledgedBytes += bytes.length
              acknowledgedParts += 1
              return options.onPart({ bytes: acknowledgedBytes, parts: acknowledgedParts })
            }),
            Effect.catchAll((error) => Deferred.fail(failed, error)),
            Effect.ensuring(slots.release(1))
          )
        )
      }
      yield* FiberSet.awaitEmpty(running)
      // The last part in flight may have failed just as the others finished.
      const failure = yield* Deferred.poll(failed)
      if (Option.isSome(failure)) yield* failure.value
    })

    yield* Effect.raceFirst(produce, Deferred.await(failed))
    const parts: Array<CompletedPart> = etags.map((etag, index) => ({ partNumber: index + 1, etag }))
    return { parts, bytes: acknowledgedBytes }
  }))
