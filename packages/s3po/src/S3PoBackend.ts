/**
 * The backend: the few S3 requests (primitives) every s3po operation is built from, as a public
 * extension point. A backend is a record of functions, one per request; `S3PoBackend.layer` derives
 * the whole `S3Po` service from one (uploads, multipart, downloads with resume, listings, batches,
 * copies, documents), and wrappers turn a backend into another: retries, faults, latency, a call
 * log, a key prefix, a concurrency limit, a request-rate limit, a bandwidth limit. `S3PoLive` and `S3PoMock` are
 * built the same way, over their own backends.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * // Any backend, scoped to a prefix, at most 16 requests in flight, 100 requests a second.
 * const tenantLayer = (backend: S3PoBackend.Backend, tenant: string) =>
 *   S3PoBackend.layer(
 *     backend.pipe(
 *       S3PoBackend.withPrefix(`${tenant}/`),
 *       S3PoBackend.withConcurrencyLimit(16),
 *       S3PoBackend.withRateLimit({ limit: 100, interval: "1 second" })
 *     )
 *   )
 * ```
 *
 * @since 0.5.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Layer from "effect/Layer"
import * as Pipeable from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import type * as Fault from "./Fault.js"
import * as ArgumentShapes from "./internal/core/argumentShapes.js"
import * as internal from "./internal/core/backend.js"
import * as Bandwidth from "./internal/core/bandwidth.js"
import * as InternalCallLog from "./internal/core/callLog.js"
import * as FaultInjection from "./internal/core/faultInjection.js"
import * as InternalLayer from "./internal/core/layer.js"
import * as Prefixed from "./internal/core/prefixed.js"
import type * as Presign from "./internal/core/presign.js"
import { withRetry as retried } from "./internal/core/service.js"
import * as Throttling from "./internal/core/throttling.js"
import * as TransferLimits from "./internal/core/transferLimits.js"
import * as Validate from "./internal/core/validation.js"
import type { RetryPolicy } from "./Retry.js"
import type { ChecksumAlgorithm, DurationOption, MultipartOptions, S3Po } from "./S3Po.js"
import { ValidationError } from "./S3PoError.js"

// ---------------------------------------------------------------------------------------------
// models

/**
 * The record of primitives a backend is: one function per S3 request, each taking one request
 * object and answering its response or a typed `S3PoError`, and optionally a `presigner`. What a
 * user writes; `make` turns it into a `Backend`.
 *
 * A primitive makes one attempt: retries are the layer's (and `withRetry`'s). Errors are the
 * typed ones S3 would cause: `NoSuchKey` for a missing key (HeadObject's too), `NoSuchBucket`,
 * `PreconditionFailed` for a failed condition, `S3ServiceError` with `retryable` for what a retry
 * may fix, and so on.
 *
 * @since 0.5.0
 * @category models
 */
export type Primitives = internal.Backend

/**
 * A backend: its primitives, pipeable through the wrappers
 * (`backend.pipe(S3PoBackend.withRetry(...))`).
 *
 * @since 0.5.0
 * @category models
 */
export interface Backend extends Primitives, Pipeable.Pipeable {}

/**
 * The request each primitive takes, by the primitive's name.
 *
 * @since 0.5.0
 * @category models
 */
export type Requests = internal.Requests

/**
 * What each primitive answers, by the primitive's name.
 *
 * @since 0.5.0
 * @category models
 */
export type Responses = internal.Responses

/**
 * The name of a primitive: `"putObject"`, `"getObject"`, `"listPage"`, ...
 *
 * @since 0.5.0
 * @category models
 */
export type Operation = internal.Operation

/**
 * One primitive: its request to its response, or a typed `S3PoError`.
 *
 * @since 0.5.0
 * @category models
 */
export type Primitive<K extends Operation> = internal.Primitive<K>

/**
 * Signs URLs (`S3Po.presign`) and browser forms (`S3Po.presignPost`) for a backend. A backend
 * without one serves every other operation; `presign` and `presignPost` then fail with a
 * non-retryable `S3ServiceError` `501 NotImplemented`.
 *
 * @since 0.5.0
 * @category models
 */
export type Presigner = Presign.Presigner

/**
 * What a presigned URL stands for: a method on a key, valid for `expiresInSeconds`.
 *
 * @since 0.5.0
 * @category models
 */
export type PresignRequest = Presign.PresignRequest

/**
 * What a presigned form (POST Object) allows: a key or a key prefix, a size range, a content type.
 *
 * @since 0.5.0
 * @category models
 */
export type PresignPostRequest = Presign.PresignPostRequest

/**
 * A request that names a bucket (HeadBucket, CreateBucket, DeleteBucket).
 *
 * @since 0.5.0
 * @category requests
 */
export type BucketRequest = internal.BucketRequest

/**
 * A request that names a bucket and a key (DeleteObject, GetObjectTagging).
 *
 * @since 0.5.0
 * @category requests
 */
export type ObjectRequest = internal.ObjectRequest

/**
 * ListBuckets: a page, from a continuation token.
 *
 * @since 0.5.0
 * @category requests
 */
export type ListBucketsRequest = internal.ListBucketsRequest

/**
 * A page of buckets, with the token of the next page while more remain.
 *
 * @since 0.5.0
 * @category responses
 */
export type BucketsPage = internal.BucketsPage

/**
 * PutObject: the whole body, its attributes, write conditions (`ifMatch`, `ifNoneMatch`) and the
 * checksum for the backend to check (a mismatch fails with `ChecksumMismatch`).
 *
 * @since 0.5.0
 * @category requests
 */
export type PutObjectRequest = internal.PutObjectRequest

/**
 * A write's answer: the ETag, and the checksum kept (none from a store that keeps none).
 *
 * @since 0.5.0
 * @category responses
 */
export type Written = internal.Written

/**
 * An answer that is an ETag only (CopyObject, UploadPartCopy).
 *
 * @since 0.5.0
 * @category responses
 */
export type ETagged = internal.ETagged

/**
 * GetObject: a key, an optional byte range, read conditions, and whether to answer the checksum.
 *
 * @since 0.5.0
 * @category requests
 */
export type GetObjectRequest = internal.GetObjectRequest

/**
 * GetObject's answer: the object's info, and its body (whole or the range), read once, as a stream
 * or chunk by chunk, or discarded.
 *
 * @since 0.5.0
 * @category responses
 */
export type GetObjectResponse = internal.GetObjectResponse

/**
 * HeadObject: a key, read conditions, and whether to answer the checksum. Answers `ObjectInfo`.
 *
 * @since 0.5.0
 * @category requests
 */
export type HeadObjectRequest = internal.HeadObjectRequest

/**
 * ListObjectsV2: one page of keys under a prefix, rolled up at a delimiter, after a key or a token.
 *
 * @since 0.5.0
 * @category requests
 */
export type ListPageRequest = internal.ListPageRequest

/**
 * A page of objects, in S3's key order (UTF-8 bytes), and common prefixes; a truncated page
 * carries the token of the next.
 *
 * @since 0.5.0
 * @category responses
 */
export type ListPage = internal.ListPage

/**
 * DeleteObjects: up to 1000 keys. Answers which were deleted and which failed.
 *
 * @since 0.5.0
 * @category requests
 */
export type DeleteObjectsRequest = internal.DeleteObjectsRequest

/**
 * CreateMultipartUpload: a key, its attributes, and the checksum its parts carry. Answers the upload id.
 *
 * @since 0.5.0
 * @category requests
 */
export type CreateMultipartRequest = internal.CreateMultipartRequest

/**
 * A multipart upload: its key and id (AbortMultipartUpload).
 *
 * @since 0.5.0
 * @category requests
 */
export type MultipartUploadRef = internal.MultipartUploadRef

/**
 * UploadPart: a part's number and bytes, and its checksum.
 *
 * @since 0.5.0
 * @category requests
 */
export type UploadPartRequest = internal.UploadPartRequest

/**
 * A copy's source, pinned to its ETag.
 *
 * @since 0.5.0
 * @category requests
 */
export type CopySource = internal.CopySource

/**
 * CopyObject: a server-side copy, its attributes copied or replaced.
 *
 * @since 0.5.0
 * @category requests
 */
export type CopyObjectRequest = internal.CopyObjectRequest

/**
 * UploadPartCopy: a part copied from a byte range of a source.
 *
 * @since 0.5.0
 * @category requests
 */
export type UploadPartCopyRequest = internal.UploadPartCopyRequest

/**
 * A part of a completed multipart upload: its number, ETag and checksum.
 *
 * @since 0.5.0
 * @category requests
 */
export type CompletedPart = internal.CompletedPart

/**
 * CompleteMultipartUpload: the parts in order, write conditions, and the whole object's checksum.
 *
 * @since 0.5.0
 * @category requests
 */
export type CompleteMultipartRequest = internal.CompleteMultipartRequest

/**
 * ListMultipartUploads: one page of pending uploads under a prefix, after a key marker.
 *
 * @since 0.5.0
 * @category requests
 */
export type ListUploadsRequest = internal.ListUploadsRequest

/**
 * A page of pending uploads; a truncated page says where the next starts.
 *
 * @since 0.5.0
 * @category responses
 */
export type UploadsPage = internal.UploadsPage

/**
 * PutObjectTagging: the object's whole tag set.
 *
 * @since 0.5.0
 * @category requests
 */
export type PutTaggingRequest = internal.PutTaggingRequest

/**
 * An object's tags, GetObjectTagging's answer.
 *
 * @since 0.5.0
 * @category responses
 */
export type Tags = internal.Tags

/**
 * One request a backend received (through `withCallLog`, or the mock's `S3PoMock.Control`), with
 * how it ended. Every attempt is a call of its own.
 *
 * @since 0.5.0
 * @category models
 */
export type CallRecord = InternalCallLog.CallRecord

/**
 * How many requests a call log saw since it was last cleared, those it dropped included.
 *
 * @since 0.5.0
 * @category models
 */
export type CallCounts = InternalCallLog.CallCounts

/**
 * How long each request takes, on Effect's `Clock` (under `TestClock`, tests advance it): a
 * `Duration`, a text such as `"50 millis"`, or a function of the request giving one.
 *
 * @since 0.5.0
 * @category models
 */
export type Latency = InternalCallLog.Latency

/**
 * The S3 API name of each primitive's request: `putObject` is `"PutObject"`, `listPage` is
 * `"ListObjectsV2"`. Fault rules and call records name requests by it.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * console.log(S3PoBackend.operationNames.listPage) // ListObjectsV2
 * ```
 *
 * @since 0.5.0
 * @category models
 */
export const operationNames = internal.operationNames

// ---------------------------------------------------------------------------------------------
// constructors

const pipeable = (primitives: Primitives): Backend => {
  const backend = {
    ...primitives,
    pipe() {
      // eslint-disable-next-line prefer-rest-params
      return Pipeable.pipeArguments(this, arguments)
    }
  }
  return backend
}

/**
 * A backend from the primitives a user writes. A primitive left out answers as S3 answers a
 * request it does not implement: a non-retryable `S3ServiceError` `501 NotImplemented`, so that a
 * read-only or partial store (no tagging, no multipart copy) serves everything it can. Only the
 * service's operations that reach a missing primitive fail. A primitive that is no function fails
 * every request to it with `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3PoBackend, S3ServiceError } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * // A store of one bucket, "public", that has nothing in it yet.
 * const empty = S3PoBackend.make({
 *   headBucket: ({ bucket }) =>
 *     bucket === "public"
 *       ? Effect.void
 *       : Effect.fail(
 *         new S3ServiceError({
 *           operation: "HeadBucket",
 *           bucket,
 *           status: 404,
 *           code: "NoSuchBucket",
 *           detail: "no such bucket",
 *           retryable: false
 *         })
 *       ),
 *   listPage: () => Effect.succeed({ objects: [], commonPrefixes: [], isTruncated: false })
 * })
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const make = (primitives: Partial<Primitives>): Backend => {
  const primitiveOf = (operation: Operation): unknown => {
    const given: unknown = primitives[operation]
    if (given === undefined) return internal.notImplemented(operation)
    if (typeof given === "function") return given
    const error = new ValidationError({
      operation: "S3PoBackend.make",
      field: operation,
      reason: `must be a function, got ${Validate.shown(given)}`
    })
    return () => Effect.fail(error)
  }
  const complete = Object.fromEntries(
    internal.operations.map((operation) => [operation, primitiveOf(operation)])
  ) as { [K in Operation]: Primitive<K> }
  return pipeable(primitives.presigner === undefined ? complete : { ...complete, presigner: primitives.presigner })
}

/** A backend whose every request fails with `error`: what a wrapper given options it cannot take becomes. */
const failing = (error: ValidationError): Backend =>
  pipeable(internal.mapBackend(make({}), () => () => Effect.fail(error)))

const isPrimitives = (value: unknown): value is Primitives =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "getObject") === "function"

// ---------------------------------------------------------------------------------------------
// layers

/**
 * How the service derived from a backend behaves: its retries, multipart sizes and checksums.
 *
 * @since 0.5.0
 * @category options
 */
export interface LayerOptions {
  /** The retry policy of every request. Default: `Retry.exponential()`; `"off"` for none. */
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /** The checksum uploads carry unless they name one. Default `"CRC32"`; `"none"` for a store that keeps none. */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
  /** Whether multipart writes record their part size in the object's metadata. Default true. */
  readonly recordPartSize?: boolean | undefined
  /** Whether whole-object downloads check their bytes (against the ETag or checksum). Default true. */
  readonly verifyDownloads?: boolean | undefined
}

/**
 * `S3Po` over a backend, or over an effect that acquires one (its resources, in a `Scope`, held as
 * long as the layer). Every operation of the service is derived from the backend's primitives, as
 * `S3PoLive` and `S3PoMock` derive theirs: retried by `options.retry`, uploads split into parts
 * past the multipart threshold, downloads resumed and verified. `uploadFile` and `downloadFile`
 * use the `FileSystem` in the context where the layer is built, else Node's. Options it cannot take
 * fail the layer with a `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoBackend } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const readOnly = (backend: S3PoBackend.Backend) =>
 *   S3PoBackend.layer(
 *     S3PoBackend.make({ getObject: backend.getObject, headObject: backend.headObject, headBucket: backend.headBucket }),
 *     { retry: "off" }
 *   )
 *
 * const read = Effect.flatMap(S3Po, (s3) => s3.downloadString("bucket", "key.txt"))
 * ```
 *
 * @since 0.5.0
 * @category layers
 */
export const layer = <E = never, R = never>(
  backend: Primitives | Effect.Effect<Primitives, E, R>,
  options: LayerOptions = {}
): Layer.Layer<S3Po, E | ValidationError, Exclude<R, Scope.Scope>> => InternalLayer.layer(backend, options)

// ---------------------------------------------------------------------------------------------
// combinators

/**
 * Every primitive retried by `policy`, each attempt a request of its own (a fault rule's
 * `attempt`, a call log's record). The layer already retries by its `retry` option: use this for
 * a backend used without a layer, or with the layer's `retry: "off"` to place retries elsewhere in
 * the pipe (inside a concurrency limit, each attempt takes a permit of its own).
 *
 * @example
 * ```ts
 * import { Retry, S3PoBackend } from "s3po"
 *
 * const patient = (backend: S3PoBackend.Backend) =>
 *   S3PoBackend.layer(backend.pipe(S3PoBackend.withRetry(Retry.exponential({ maxRetries: 8 }))), { retry: "off" })
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withRetry: {
  (policy: RetryPolicy): (self: Primitives) => Backend
  (self: Primitives, policy: RetryPolicy): Backend
} = dual(2, (self: Primitives, policy: RetryPolicy): Backend => pipeable(retried(self, policy)))

/**
 * Options of `withFaults`.
 *
 * @since 0.5.0
 * @category options
 */
export interface FaultOptions {
  /** Seeds the random numbers that `rate` rules draw: the same seed fails the same requests. Default 0. */
  readonly randomSeed?: number | undefined
}

const faultRulesProblem = (rules: ReadonlyArray<Fault.Rule>): ValidationError | undefined => {
  if (!Array.isArray(rules)) {
    return new ValidationError({ operation: "S3PoBackend.withFaults", field: "rules", reason: "must be an array" })
  }
  for (const rule of rules) {
    const problem = ArgumentShapes.faultRule("S3PoBackend.withFaults", rule)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * The backend with faults injected on the requests the rules pick, as `S3PoMock.layer({ faults })`
 * injects them: an injected fault is the typed error the real failure would be, and the layer's
 * retry policy retries it. Rules it cannot take make every request fail with `ValidationError`.
 *
 * @example
 * ```ts
 * import { Fault, S3PoBackend } from "s3po"
 *
 * // Every third PutObject answers 503 SlowDown.
 * const flaky = (backend: S3PoBackend.Backend) =>
 *   backend.pipe(S3PoBackend.withFaults([{ fault: Fault.throttled(), operation: "PutObject", rate: 1 / 3 }]))
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withFaults: {
  (rules: ReadonlyArray<Fault.Rule>, options?: FaultOptions): (self: Primitives) => Backend
  (self: Primitives, rules: ReadonlyArray<Fault.Rule>, options?: FaultOptions): Backend
} = dual(
  (args) => isPrimitives(args[0]),
  (self: Primitives, rules: ReadonlyArray<Fault.Rule>, options: FaultOptions = {}): Backend => {
    const problem = faultRulesProblem(rules)
    if (problem !== undefined) return failing(problem)
    return pipeable(
      FaultInjection.make(self, { faults: rules, randomSeed: options.randomSeed, callLogLimit: 0 }).backend
    )
  }
)

/**
 * The backend with each request delayed by `latency` on Effect's `Clock`: under `TestClock`, a
 * test advances it with `TestClock.adjust`. A latency function's answer that is no duration fails
 * that request with `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * // Listings take 200 ms, everything else 20 ms.
 * const slow = (backend: S3PoBackend.Backend) =>
 *   backend.pipe(
 *     S3PoBackend.withLatency((request) => request.operation === "ListObjectsV2" ? "200 millis" : "20 millis")
 *   )
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withLatency: {
  (latency: Latency): (self: Primitives) => Backend
  (self: Primitives, latency: Latency): Backend
} = dual(
  2,
  (self: Primitives, latency: Latency): Backend =>
    pipeable(FaultInjection.make(self, { latency, callLogLimit: 0, owner: "S3PoBackend.withLatency" }).backend)
)

/**
 * A bounded log of the requests a backend received, filled by `withCallLog`: the most recent
 * `limit` calls, and counts of every call.
 *
 * @since 0.5.0
 * @category models
 */
export interface CallLog {
  /** The calls kept, in the order they arrived. */
  readonly calls: Effect.Effect<ReadonlyArray<CallRecord>>
  /** How many requests arrived, by operation, exact however many `calls` dropped. */
  readonly counts: Effect.Effect<CallCounts>
  /** Empties the log and sets its counts to 0. */
  readonly clear: Effect.Effect<void>
}

const logs = new WeakMap<CallLog, InternalCallLog.CallLog<FaultInjection.MutableCall>>()

/**
 * A new call log that keeps the most recent `limit` calls (default 10,000; 0 keeps none but counts
 * them all): bounded memory in a long-running service. A limit that is no whole number of at least
 * 0 fails with `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const recorded = (backend: S3PoBackend.Backend) =>
 *   Effect.map(S3PoBackend.makeCallLog({ limit: 100 }), (log) => ({
 *     backend: backend.pipe(S3PoBackend.withCallLog(log)),
 *     log
 *   }))
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const makeCallLog = (options: { readonly limit?: number | undefined } = {}): Effect.Effect<
  CallLog,
  ValidationError
> =>
  Effect.suspend(() => {
    const limit = options.limit ?? InternalCallLog.defaultCallLogLimit
    if (!Number.isSafeInteger(limit) || limit < 0) {
      return Effect.fail(
        new ValidationError({
          operation: "S3PoBackend.makeCallLog",
          field: "limit",
          reason: `must be a whole number of at least 0, got ${Validate.shown(limit)}`
        })
      )
    }
    const ring = new InternalCallLog.CallLog<FaultInjection.MutableCall>(limit)
    const log: CallLog = {
      calls: Effect.sync(() => ring.entries()),
      counts: Effect.sync(() => ring.counts()),
      clear: Effect.sync(() => ring.clear())
    }
    logs.set(log, ring)
    return Effect.succeed(log)
  })

/**
 * The backend with every request recorded in `log`: its operation, bucket, key, attempt, start
 * time, and how it ended (a failure with its typed error). Several backends may share a log. A
 * fault injected by a `withFaults` inside the log shows as the call's error; the record's `fault`
 * is filled by the mock's own log only, which sees the rules.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoBackend } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const countRequests = (backend: S3PoBackend.Backend) =>
 *   Effect.gen(function*() {
 *     const log = yield* S3PoBackend.makeCallLog()
 *     yield* Effect.flatMap(S3Po, (s3) => s3.exists("bucket", "key.txt")).pipe(
 *       Effect.provide(S3PoBackend.layer(backend.pipe(S3PoBackend.withCallLog(log))))
 *     )
 *     return (yield* log.counts).total
 *   })
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withCallLog: {
  (log: CallLog): (self: Primitives) => Backend
  (self: Primitives, log: CallLog): Backend
} = dual(2, (self: Primitives, log: CallLog): Backend => {
  const ring = logs.get(log)
  if (ring === undefined) {
    return failing(
      new ValidationError({
        operation: "S3PoBackend.withCallLog",
        field: "log",
        reason: "must be a log made by S3PoBackend.makeCallLog"
      })
    )
  }
  return pipeable(FaultInjection.make(self, { callLog: ring }).backend)
})

/**
 * The backend seen through a key prefix, as if the prefix were the bucket's root: every key given
 * is joined to it (`withPrefix("tenant-1/")` stores `a.txt` as `tenant-1/a.txt`), every key
 * answered has it stripped, and listings only see keys under it. Copies read from and write to
 * keys under the prefix; presigned URLs and forms name the joined keys. Errors name the key as it
 * was given. Buckets are as they are.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * const forTenant = (backend: S3PoBackend.Backend, tenant: string) =>
 *   backend.pipe(S3PoBackend.withPrefix(`tenants/${tenant}/`))
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withPrefix: {
  (prefix: string): (self: Primitives) => Backend
  (self: Primitives, prefix: string): Backend
} = dual(2, (self: Primitives, prefix: string): Backend => {
  if (typeof prefix !== "string") {
    return failing(
      new ValidationError({
        operation: "S3PoBackend.withPrefix",
        field: "prefix",
        reason: `must be a string, got ${Validate.shown(prefix)}`
      })
    )
  }
  return pipeable(Prefixed.withPrefix(self, prefix))
})

const positiveWholeNumber = (operation: string, field: string, value: unknown): ValidationError | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 1 ? undefined : new ValidationError({
    operation,
    field,
    reason: `must be a whole number of at least 1, got ${Validate.shown(value)}`
  })

/**
 * The backend with at most `limit` requests in flight at once, over every fiber that uses it (and
 * every layer built from it): the rest wait their turn, in order. One semaphore, made with the
 * wrapped backend: what object_store's `LimitStore` does. A request holds its permit until its
 * answer arrives; a GetObject's body is read after. A limit that is no whole number of at least 1
 * makes every request fail with `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * // However many downloads run at once, the store sees 8 requests at most.
 * const gentle = (backend: S3PoBackend.Backend) => backend.pipe(S3PoBackend.withConcurrencyLimit(8))
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withConcurrencyLimit: {
  (limit: number): (self: Primitives) => Backend
  (self: Primitives, limit: number): Backend
} = dual(2, (self: Primitives, limit: number): Backend => {
  const problem = positiveWholeNumber("S3PoBackend.withConcurrencyLimit", "limit", limit)
  return problem === undefined ? pipeable(Throttling.withConcurrencyLimit(self, limit)) : failing(problem)
})

/**
 * Options of `withRateLimit`: at most `limit` requests start in any `interval`.
 *
 * @since 0.5.0
 * @category options
 */
export interface RateLimit {
  /** The most requests that start in any `interval`: a whole number of at least 1. */
  readonly limit: number
  /** Default 1 second. */
  readonly interval?: DurationOption | undefined
}

/**
 * The backend starting at most `limit` requests in any `interval` (a sliding window), over every
 * fiber that uses it: a request past the rate waits, on Effect's `Clock`, until it may start;
 * requests start in the order they came. For a store that throttles past a rate (an API quota),
 * rather than answering `503 SlowDown` and being retried. Options it cannot take make every
 * request fail with `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * // 3,500 PUTs a second is S3's rate per prefix.
 * const paced = (backend: S3PoBackend.Backend) =>
 *   backend.pipe(S3PoBackend.withRateLimit({ limit: 3500, interval: "1 second" }))
 * ```
 *
 * @since 0.5.0
 * @category combinators
 */
export const withRateLimit: {
  (rate: RateLimit): (self: Primitives) => Backend
  (self: Primitives, rate: RateLimit): Backend
} = dual(2, (self: Primitives, rate: RateLimit): Backend => {
  const interval = rate?.interval === undefined
    ? Duration.seconds(1)
    : Validate.durationOf("S3PoBackend.withRateLimit", "interval", rate.interval)
  const problem = positiveWholeNumber("S3PoBackend.withRateLimit", "limit", rate?.limit) ??
    (interval instanceof ValidationError ? interval : undefined)
  if (problem !== undefined) return failing(problem)
  return pipeable(Throttling.withRateLimit(self, rate.limit, interval as Duration.Duration))
})

/**
 * Options of `withBandwidthLimit`: how many bytes a second uploads and downloads may move, together.
 *
 * @since 0.6.0
 * @category options
 */
export interface BandwidthLimit {
  /** Bytes a second, over every transfer at once: a number of at least 1 (`10 * 1024 * 1024` for 10 MiB/s). */
  readonly bytesPerSecond: number
  /**
   * The most bytes that may go at once after a quiet spell: a whole number of at least 1. Default:
   * one second's worth (`bytesPerSecond`).
   */
  readonly burst?: number | undefined
}

/**
 * The backend moving at most `bytesPerSecond` bytes a second, uploads and downloads together, over
 * every fiber that uses it (and every layer built from it): one token bucket over bytes, so that
 * concurrent transfers share the budget in the order they asked for it. A PutObject's or
 * UploadPart's body is paid for before it is sent; a GetObject's body as it is read, so that a
 * download held back reads no further and the server's sending slows down. Waits are on Effect's
 * `Clock`. Each attempt pays for its own bytes. Options it cannot take make every request fail with
 * `ValidationError`. `S3PoLive.layer` and `S3PoMock.layer` take the same limit as their
 * `bandwidthLimit` option.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 *
 * // 10 MiB/s for everything the layer moves, however many transfers run at once.
 * const polite = (backend: S3PoBackend.Backend) =>
 *   backend.pipe(S3PoBackend.withBandwidthLimit({ bytesPerSecond: 10 * 1024 * 1024 }))
 * ```
 *
 * @since 0.6.0
 * @category combinators
 */
export const withBandwidthLimit: {
  (bandwidth: BandwidthLimit): (self: Primitives) => Backend
  (self: Primitives, bandwidth: BandwidthLimit): Backend
} = dual(2, (self: Primitives, bandwidth: BandwidthLimit): Backend => {
  const checked = TransferLimits.bandwidthLimitOf("S3PoBackend.withBandwidthLimit", "bandwidth", bandwidth)
  return checked instanceof ValidationError
    ? failing(checked)
    : pipeable(Bandwidth.withBandwidthLimit(self, checked.bytesPerSecond, checked.burst))
})
