import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type {
  Checksum,
  ChecksumAlgorithm,
  ObjectLocation,
  UploadBody,
  UploadOptions,
  UploadResult,
  WriteConditions
} from "../../S3Po.js"
import { ChecksumMismatch, type S3PoError, ValidationError } from "../../S3PoError.js"
import { attributesOf, ensureTags } from "./attributes.js"
import type {
  Backend,
  CompletedPart,
  CompleteMultipartRequest,
  CreateMultipartRequest,
  MultipartUploadRef,
  PutObjectRequest,
  Written
} from "./backend.js"
import { algorithms, checksumOf, compositeOf, fullObjectCapable, hasher, toBase64 } from "./checksums.js"
import { concatBytes, PartBuffers, type PartReader, partReader } from "./chunker.js"
import { checkBeforeWriting, conditionFailure } from "./conditionalWrite.js"
import { conditionsOf } from "./conditions.js"
import * as CustomerKeys from "./customerKeys.js"
import { multipartETag } from "./etag.js"
import { maxParts, MiB } from "./limits.js"
import * as Listing from "./listing.js"
import { withoutRecord, withRecord } from "./partSizeRecord.js"
import * as Validate from "./validation.js"
import { withVersionOf } from "./versionedWrites.js"

export interface MultipartDefaults {
  readonly multipartThreshold: number
  readonly partSize: number
  readonly partConcurrency: number
}

/** How a layer's writes are checked: the checksum uploads carry unless they name one, and whether multipart writes record their part size. */
export interface IntegrityDefaults {
  readonly checksumAlgorithm: ChecksumAlgorithm | "none"
  readonly recordPartSize: boolean
}

export type UploadDefaults = MultipartDefaults & IntegrityDefaults

const checksumAlgorithmProblem = (operation: string, given: unknown): Validate.Problem =>
  given === undefined || given === "none" || algorithms.includes(given as ChecksumAlgorithm)
    ? undefined
    : new ValidationError({
      operation,
      field: "checksumAlgorithm",
      reason: `must be one of ${algorithms.map((algorithm) => `"${algorithm}"`).join(", ")} or "none"`
    })

/** What an upload cannot be sent with, found before any request. */
export const problemOf = (operation: string, bucket: string, key: string, options: UploadOptions): Validate.Problem =>
  Validate.upload(operation, bucket, key, options) ?? checksumAlgorithmProblem(operation, options.checksumAlgorithm) ??
    CustomerKeys.problem(operation, "customerKey", options.customerKey)

/**
 * The checksums of a multipart upload: each part's, computed once as the part is read, and the
 * object's: of the full object for the CRCs, hashed as the parts go by in the body's order (no byte
 * is read twice), else composite (the checksum of the parts' digests, `-N`).
 */
export const partChecksums = (algorithm: ChecksumAlgorithm) => {
  const type: Checksum["type"] = fullObjectCapable(algorithm) ? "FULL_OBJECT" : "COMPOSITE"
  const whole = type === "FULL_OBJECT" ? hasher(algorithm) : undefined
  const digests: Array<Uint8Array> = []
  return {
    declared: { algorithm, type },
    /** The next part's checksum; called once per part, in part order. */
    next: (bytes: Uint8Array): Checksum => {
      const part = hasher(algorithm)
      part.update(bytes)
      const digest = part.digest()
      if (whole === undefined) digests.push(digest)
      else whole.update(bytes)
      return { algorithm, value: toBase64(digest), type: "FULL_OBJECT" }
    },
    /** The object's checksum, once every part has been given. */
    object: (): Checksum =>
      whole === undefined ? compositeOf(algorithm, digests) : { algorithm, value: toBase64(whole.digest()), type }
  }
}

type PartChecksums = ReturnType<typeof partChecksums>

/**
 * The checksum a write's answer echoed, which the server keeps: none from a server that ignores
 * checksums (Ceph RGW 16). One of the kind sent but another value means the server keeps other
 * bytes than were sent: a `ChecksumMismatch`.
 */
export const echoedChecksum = (
  operation: string,
  location: ObjectLocation,
  sent: Checksum | undefined,
  written: Written
): Effect.Effect<Checksum | undefined, ChecksumMismatch> => {
  const echoed = written.checksum
  if (
    sent === undefined || echoed === undefined || echoed.algorithm !== sent.algorithm || echoed.type !== sent.type ||
    echoed.value === sent.value
  ) return Effect.succeed(echoed)
  return Effect.fail(
    new ChecksumMismatch({
      operation,
      bucket: location.bucket,
      key: location.key,
      algorithm: sent.algorithm,
      expected: sent.value,
      actual: echoed.value
    })
  )
}

/**
 * An upload's result, with the checksum the server keeps when it keeps one, and the version written
 * where the bucket's versioning gives one.
 */
const resultOf = (
  written: { readonly etag: string; readonly versionId?: string | undefined },
  size: number,
  parts: number,
  checksum: Checksum | undefined
): UploadResult =>
  withVersionOf(
    checksum === undefined ? { etag: written.etag, size, parts } : { etag: written.etag, size, parts, checksum },
    written
  )

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
const putRequestOf = (
  bucket: string,
  key: string,
  body: Uint8Array,
  checksum: Checksum | undefined,
  options: UploadOptions
): PutObjectRequest => ({
  bucket,
  key,
  body,
  checksum,
  contentType: options.contentType ?? contentTypeSentWhenNoneGiven,
  metadata: options.metadata,
  cacheControl: options.cacheControl,
  contentDisposition: options.contentDisposition,
  contentEncoding: options.contentEncoding,
  contentLanguage: options.contentLanguage,
  expires: options.expires,
  storageClass: options.storageClass,
  acl: options.acl,
  serverSideEncryption: options.serverSideEncryption,
  tags: options.tags,
  ifNoneMatch: options.ifNoneMatch,
  ifMatch: options.ifMatch,
  customerKey: options.customerKey
})

/** The size from which a body goes up as multipart: the caller's, else the layer's. */
export const multipartThresholdOf = (options: UploadOptions, defaults: MultipartDefaults): number =>
  options.multipartThreshold ?? defaults.multipartThreshold

/** With a known size, parts grow (in whole MiB) so that the upload fits in S3's 10,000 parts. */
export const planPartSize = (partSize: number, size: number | undefined): number => {
  if (size === undefined || size <= partSize * maxParts) return partSize
  return Math.ceil(size / maxParts / MiB) * MiB
}

/** A single PUT, and the checksum the server echoed. */
const putChecked = (backend: Backend, request: PutObjectRequest): Effect.Effect<UploadResult, S3PoError> =>
  Effect.flatMap(backend.putObject(request), (written) =>
    Effect.map(
      echoedChecksum("PutObject", request, request.checksum, written),
      (echoed) => resultOf(written, request.body.length, 0, echoed)
    ))

/**
 * What a multipart upload is created with: its attributes, its part size recorded (unless the layer
 * opts out: then not even a record the caller gives), and the checksum its parts will carry.
 */
const createRequestOf = (
  bucket: string,
  key: string,
  options: UploadOptions,
  partSize: number,
  defaults: IntegrityDefaults,
  checksums: PartChecksums | undefined
): CreateMultipartRequest => ({
  bucket,
  key,
  ...attributesOf(options),
  contentType: options.contentType ?? contentTypeSentWhenNoneGiven,
  metadata: defaults.recordPartSize
    ? withRecord(options.metadata, partSize)
    : options.metadata && withoutRecord(options.metadata),
  checksum: checksums?.declared,
  customerKey: options.customerKey
})

export const make = (backend: Backend, defaults: UploadDefaults) =>
<E, R>(
  operation: string,
  bucket: string,
  key: string,
  body: Source<E, R> | Uint8Array,
  options: UploadOptions = {}
): Effect.Effect<UploadResult, S3PoError | E, R> => {
  const problem = problemOf(operation, bucket, key, options)
  if (problem !== undefined) return Effect.fail(problem)
  const threshold = multipartThresholdOf(options, defaults)
  const partConcurrency = options.partConcurrency ?? defaults.partConcurrency
  const algorithm = options.checksumAlgorithm ?? defaults.checksumAlgorithm
  const report = options.onProgress
  const putWhole = (bytes: Uint8Array): Effect.Effect<UploadResult, S3PoError> => {
    const checksum = algorithm === "none" ? undefined : checksumOf(algorithm, bytes)
    const put = putChecked(backend, putRequestOf(bucket, key, bytes, checksum, options))
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

      const checksums = algorithm === "none" ? undefined : partChecksums(algorithm)
      return yield* multipartUpload(
        backend,
        operation,
        createRequestOf(bucket, key, options, partSize, defaults, checksums),
        conditionsOf(options),
        (ref) =>
          Effect.map(
            uploadParts({
              operation,
              partSize,
              readPart: readParts,
              partConcurrency,
              checksums,
              upload: (partNumber, bytes, checksum) =>
                Effect.tap(
                  backend.uploadPart({ ...ref, partNumber, body: bytes, checksum, customerKey: options.customerKey }),
                  () => buffers.give(bytes)
                ),
              onPart: (progress) =>
                report === undefined ? Effect.void : report({ ...progress, totalBytes: source.size })
            }),
            ({ bytes, parts }) => ({ parts, size: bytes, checksum: checksums?.object() })
          )
      )
    }))
  })
}

/**
 * A multipart upload from start to end: its conditions checked, created, given its parts by
 * `addParts`, completed with its conditions (and the object's checksum, when it is of the full
 * object, for the server to check); aborted if anything fails or the fiber is interrupted, so that
 * nothing is left pending. Its tags are set again once it completes: some servers (Ceph RGW 16)
 * drop those given to CreateMultipartUpload.
 */
export const multipartUpload = <E, R>(
  backend: Backend,
  operation: string,
  request: CreateMultipartRequest,
  conditions: WriteConditions,
  addParts: (
    ref: MultipartUploadRef
  ) => Effect.Effect<
    {
      readonly parts: ReadonlyArray<CompletedPart>
      readonly size: number
      /** The object's checksum, as the server is to compute it from the parts. */
      readonly checksum?: Checksum | undefined
    },
    E,
    R
  >
): Effect.Effect<UploadResult, S3PoError | E, R> => {
  const location = { bucket: request.bucket, key: request.key }
  const upload = Effect.acquireUseRelease(
    backend.createMultipartUpload(request),
    (uploadId) => {
      const ref = { ...location, uploadId }
      return Effect.flatMap(addParts(ref), ({ checksum, parts, size }) =>
        completeOrFindCompleted(backend, {
          ...ref,
          ...conditions,
          parts,
          partsChecksumAlgorithm: request.checksum?.algorithm,
          checksum: checksum?.type === "FULL_OBJECT" ? checksum : undefined,
          customerKey: request.customerKey
        }).pipe(
          Effect.flatMap((written) =>
            Effect.map(
              echoedChecksum("CompleteMultipartUpload", location, checksum, written),
              (echoed) => resultOf(written, size, parts.length, echoed)
            )
          )
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
  // The object a condition is checked against may be encrypted with the key the upload is.
  return checkBeforeWriting(CustomerKeys.keyedReads(backend, request.customerKey), operation, location, conditions)
    .pipe(
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
const completeOrFindCompleted = (
  backend: Backend,
  request: CompleteMultipartRequest
): Effect.Effect<Written, S3PoError> =>
  Effect.catchAll(backend.completeMultipartUpload(request), (error) =>
    Effect.gen(function*() {
      const info = yield* backend.headObject({
        bucket: request.bucket,
        key: request.key,
        checksumMode: true,
        customerKey: request.customerKey
      })
      if (info.etag !== multipartETag(request.parts.map((part) => part.etag))) return yield* error
      const stillPending = yield* Stream.runHead(Stream.filter(
        Listing.pendingUploads(backend, request.bucket, request.key),
        (upload) => upload.uploadId === request.uploadId
      ))
      if (Option.isSome(stillPending)) return yield* error
      return { etag: info.etag, checksum: info.checksum, versionId: info.versionId }
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
  /** The parts' checksums, computed as each is read; none when the upload sends none. */
  readonly checksums: PartChecksums | undefined
  readonly upload: (
    partNumber: number,
    body: Uint8Array,
    checksum: Checksum | undefined
  ) => Effect.Effect<{ readonly etag: string }, S3PoError>
  readonly onPart: (progress: { readonly bytes: number; readonly parts: number }) => Effect.Effect<void>
}) =>
  Effect.scoped(Effect.gen(function*() {
    const completed: Array<CompletedPart> = []
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
        const checksum = options.checksums?.next(bytes)
        yield* FiberSet.run(
          running,
          options.upload(partNumber, bytes, checksum).pipe(
            Effect.flatMap(({ etag }) => {
              completed[partNumber - 1] = checksum === undefined
                ? { partNumber, etag }
                : { partNumber, etag, checksum: checksum.value }
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
    return { parts: completed, bytes: acknowledgedBytes }
  }))
