import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type {
  DeleteResult,
  DownloadOptions,
  JsonDocument,
  JsonUpdate,
  ObjectInfo,
  ObjectVersionRef,
  PutJsonOptions,
  ReadConditions,
  S3Po,
  UpdateJsonOptions,
  UploadOptions,
  UploadResult
} from "../../S3Po.js"
import { isRetryable, isS3PoError, type S3PoError, S3ServiceError } from "../../S3PoError.js"

/**
 * What each operation of the service can fail with, as its signature in `S3Po.Service` says, made
 * true at run time: a server may answer any error to any request (a `BucketNotEmpty` to a GET), and
 * such an answer, outside the operation's errors, reaches the caller in its generic form, an
 * `S3ServiceError` with the answer's status, code and request id. One table, checked against the
 * signatures by the compiler both ways, and one wrapper applying it to every method it names.
 */

type Tag = S3PoError["_tag"]

const request = ["AccessDenied", "Throttled", "S3ServiceError", "TransportError", "ValidationError"] as const
const inBucket = [...request, "NoSuchBucket"] as const
const ofObject = [...inBucket, "NoSuchKey"] as const
const head = [...ofObject, "PreconditionFailed", "NotModified", "CustomerKeyMismatch"] as const
const read = [...head, "ChecksumMismatch"] as const
const write = [...inBucket, "PreconditionFailed", "ChecksumMismatch"] as const
const copy = [...ofObject, "PreconditionFailed", "CustomerKeyMismatch"] as const
const list = [...inBucket, "BrokenListing"] as const

/**
 * Where a method takes the caller's own effect or stream, whose failures (the `E` of its signature)
 * pass untouched whatever they are: an argument that may be a stream, or a function that may
 * return an effect.
 */
type CallerErrors =
  | { readonly stream: number }
  | { readonly effectOf: number }

interface Entry {
  readonly errors: ReadonlyArray<Tag>
  readonly caller?: CallerErrors
  /** A field of the method's result that is a stream failing with the same errors (`getStream`). */
  readonly streamField?: string
}

export const operationErrors = {
  createBucket: { errors: request },
  upload: { errors: write, caller: { stream: 2 } },
  uploadFile: { errors: [...write, "LocalFileError"] },
  download: { errors: read },
  downloadString: { errors: read },
  downloadStream: { errors: read },
  downloadFile: { errors: [...read, "LocalFileError"] },
  head: { errors: head },
  get: { errors: read },
  getStream: { errors: read, streamField: "stream" },
  getJson: { errors: [...read, "InvalidDocument"] },
  putJson: { errors: [...write, "InvalidDocument"] },
  updateJson: {
    errors: [...inBucket, "ChecksumMismatch", "CustomerKeyMismatch", "InvalidDocument", "UpdateConflict"],
    caller: { effectOf: 3 }
  },
  getTags: { errors: ofObject },
  setTags: { errors: ofObject },
  exists: { errors: inBucket },
  list: { errors: list },
  listObjects: { errors: list },
  delete: { errors: [...inBucket, "PreconditionFailed", "ObjectLocked"] },
  deleteMany: { errors: inBucket },
  deleteManyStream: { errors: inBucket, caller: { stream: 1 } },
  copy: { errors: copy },
  move: { errors: copy },
  copyPrefix: { errors: list },
  movePrefix: { errors: list },
  presign: { errors: request },
  presignPost: { errors: request },
  listBuckets: { errors: [...request, "BrokenListing"] },
  bucketExists: { errors: request },
  deleteBucket: { errors: [...inBucket, "BucketNotEmpty"] },
  deletePrefix: { errors: list },
  emptyBucket: { errors: list },
  listPendingUploads: { errors: list },
  abortPendingUploads: { errors: list },
  setBucketVersioning: { errors: inBucket },
  getBucketVersioning: { errors: inBucket },
  listObjectVersions: { errors: list },
  getObjectLockConfiguration: { errors: inBucket },
  setObjectLockConfiguration: { errors: inBucket },
  getRetention: { errors: ofObject },
  setRetention: { errors: ofObject },
  getLegalHold: { errors: ofObject },
  setLegalHold: { errors: ofObject },
  putLifecycle: { errors: inBucket },
  getLifecycle: { errors: inBucket },
  deleteLifecycle: { errors: inBucket }
} as const satisfies { readonly [K in keyof S3Po.Service]?: Entry }

type Table = typeof operationErrors

// The signatures with the caller's own errors (`E`) set to none, so that only s3po's remain.
declare const _service: S3Po.Service
interface Signatures extends Omit<S3Po.Service, "upload" | "deleteManyStream" | "updateJson" | "getJson" | "putJson"> {
  readonly upload: typeof _service.upload<never, never>
  readonly deleteManyStream: typeof _service.deleteManyStream<never, never>
  readonly updateJson: typeof _service.updateJson<unknown, unknown, never, never>
  readonly getJson: typeof _service.getJson<unknown, unknown>
  readonly putJson: typeof _service.putJson<unknown, unknown>
}

type Failure<F> = F extends (...args: ReadonlyArray<never>) => infer R
  ? R extends Effect.Effect<infer A, infer E, infer _> ?
    E | (A extends { readonly stream: Stream.Stream<infer _A, infer SE, infer _R> } ? SE : never)
  : R extends Stream.Stream<infer _, infer E, infer _R> ? E
  : never
  : never

type DeclaredTags<K extends keyof Signatures> = Failure<Signatures[K]> extends { readonly _tag: infer T } ? T : never

/**
 * The methods whose row in the table and signature disagree: a tag the signature names but the
 * table not (it would be turned into an `S3ServiceError`), or the other way round.
 */
type Disagreeing = {
  readonly [K in keyof Table]: [DeclaredTags<K>] extends [Table[K]["errors"][number]]
    ? [Table[K]["errors"][number]] extends [DeclaredTags<K>] ? never : K
    : K
}[keyof Table]

/** Fails to compile, naming the methods, when the table and the signatures disagree. */
export type TableMatchesSignatures = [Disagreeing] extends [never] ? true : Disagreeing
export const tableMatchesSignatures: TableMatchesSignatures = true

/** What an error answer is, as S3 said it, for one that has no field to say it. */
const answers: Partial<Record<Tag, { readonly status: number; readonly code: string; readonly detail: string }>> = {
  NoSuchKey: { status: 404, code: "NoSuchKey", detail: "no such key" },
  NoSuchBucket: { status: 404, code: "NoSuchBucket", detail: "no such bucket" },
  BucketNotEmpty: { status: 409, code: "BucketNotEmpty", detail: "the bucket is not empty" },
  AccessDenied: { status: 403, code: "AccessDenied", detail: "access denied" },
  PreconditionFailed: { status: 412, code: "PreconditionFailed", detail: "a precondition of the request did not hold" },
  NotModified: { status: 304, code: "NotModified", detail: "not modified" },
  Throttled: { status: 503, code: "SlowDown", detail: "throttled" },
  ChecksumMismatch: { status: 400, code: "BadDigest", detail: "the checksum of the bytes sent did not match" }
}

/**
 * An error in its generic form, an `S3ServiceError`: an error answer with its status, code and
 * request id; an error s3po makes itself (which only the operations that can fail with it make, so
 * that here it is a bug) with status 0 and its tag as the code.
 */
export const generic = (error: S3PoError): S3ServiceError => {
  const answer = answers[error._tag]
  const fields = error as Partial<Record<"key" | "status" | "code" | "requestId", unknown>>
  const text = (value: unknown) => typeof value === "string" ? value : undefined
  return new S3ServiceError({
    operation: error.operation,
    bucket: "bucket" in error ? error.bucket : "",
    key: text(fields.key),
    status: typeof fields.status === "number" ? fields.status : answer?.status ?? 0,
    code: text(fields.code) ?? answer?.code ?? error._tag,
    detail: answer?.detail ?? error.message,
    retryable: isRetryable(error),
    requestId: text(fields.requestId)
  })
}

/** The errors `method`'s signature names. */
export type ErrorOf<K extends keyof Table> = Extract<S3PoError, { readonly _tag: Table[K]["errors"][number] }>

const tagSets = new Map<string, ReadonlySet<string>>()

/**
 * `error` as one of `method`'s errors: itself when it is one, else its generic form. For code that
 * hands out the errors of an operation it ran inside another (each object's of `copyPrefix`).
 */
export const asErrorOf = <K extends keyof Table>(method: K, error: S3PoError): ErrorOf<K> => {
  let tags = tagSets.get(method)
  if (tags === undefined) {
    tags = new Set<string>(operationErrors[method].errors)
    tagSets.set(method, tags)
  }
  return (tags.has(error._tag) ? error : generic(error)) as ErrorOf<K>
}

type Loosened<F> = F extends (...args: infer A) => Effect.Effect<infer X, infer _E, infer R>
  ? (...args: A) => Effect.Effect<X, S3PoError, R>
  : F extends (...args: infer A) => Stream.Stream<infer X, infer _E, infer R> ?
    (...args: A) => Stream.Stream<X, S3PoError, R>
  : F

type Generic = "upload" | "deleteManyStream" | "getStream" | "getJson" | "putJson" | "updateJson"

/**
 * The service as s3po builds it, before `narrowedService`: each method failing with any s3po
 * error, as the code it is built from does.
 */
export interface Unnarrowed extends Omit<{ readonly [K in keyof S3Po.Service]: Loosened<S3Po.Service[K]> }, Generic> {
  readonly upload: {
    (bucket: string, key: string, body: string | Uint8Array, options?: UploadOptions): Effect.Effect<
      UploadResult,
      S3PoError
    >
    <E, R>(
      bucket: string,
      key: string,
      body: Stream.Stream<Uint8Array, E, R>,
      options?: UploadOptions
    ): Effect.Effect<UploadResult, S3PoError | E, R>
  }
  readonly deleteManyStream: <E = never, R = never>(
    bucket: string,
    keys: Stream.Stream<string | ObjectVersionRef, E, R> | Iterable<string | ObjectVersionRef>
  ) => Stream.Stream<DeleteResult, S3PoError | E, R>
  readonly getStream: (
    bucket: string,
    key: string,
    options?: DownloadOptions
  ) => Effect.Effect<
    { readonly info: ObjectInfo; readonly stream: Stream.Stream<Uint8Array, S3PoError> },
    S3PoError,
    Scope.Scope
  >
  readonly getJson: <A, I>(
    bucket: string,
    key: string,
    schema: Schema.Schema<A, I, never>,
    options?: ReadConditions
  ) => Effect.Effect<JsonDocument<A>, S3PoError>
  readonly putJson: <A, I>(
    bucket: string,
    key: string,
    schema: Schema.Schema<A, I, never>,
    value: NoInfer<A>,
    options?: PutJsonOptions
  ) => Effect.Effect<UploadResult, S3PoError>
  readonly updateJson: <A, I, E = never, R = never>(
    bucket: string,
    key: string,
    schema: Schema.Schema<A, I, never>,
    f: (current: Option.Option<A>) => NoInfer<A> | Effect.Effect<NoInfer<A>, E, R>,
    options?: UpdateJsonOptions
  ) => Effect.Effect<JsonUpdate<A>, S3PoError | E, R>
}

/** The caller's own failures, known by identity, which pass whatever they are. */
type CallersOwn = WeakSet<object>

/** Where Effect keeps the error it wraps to carry the span it failed in. */
const originalAnnotation = Symbol.for("effect/OriginalAnnotation")

const original = (error: unknown): unknown =>
  Predicate.hasProperty(error, originalAnnotation) ? original(error[originalAnnotation]) : error

const narrowing =
  (allowed: ReadonlySet<string>, callers: CallersOwn) => (error: unknown): Effect.Effect<never, unknown> =>
    isS3PoError(error) && error._tag !== "UnsafeKey" && !allowed.has(error._tag) &&
      !callers.has(original(error) as object)
      ? Effect.fail(generic(error))
      : Effect.fail(error)

const isStream = (value: unknown): value is Stream.Stream<unknown, unknown, unknown> =>
  Predicate.hasProperty(value, Stream.StreamTypeId)

const narrowStream = (stream: Stream.Stream<unknown, unknown, unknown>, narrow: ReturnType<typeof narrowing>) =>
  Stream.catchAll(stream, (error) => Stream.fromEffect(narrow(error)))

/** The caller's argument, with its failures remembered as the caller's own. */
const marked = (argument: unknown, caller: CallerErrors, callers: CallersOwn): unknown => {
  const remember = (error: unknown) => {
    const own = original(error)
    if (typeof own === "object" && own !== null) callers.add(own)
  }
  if ("stream" in caller) {
    return isStream(argument) ? Stream.tapError(argument, (error) => Effect.sync(() => remember(error))) : argument
  }
  if (typeof argument !== "function") return argument
  return (...args: ReadonlyArray<unknown>) => {
    const result: unknown = argument(...args)
    return Effect.isEffect(result) ? Effect.tapError(result, (error) => Effect.sync(() => remember(error))) : result
  }
}

const narrowed = (method: (...args: ReadonlyArray<unknown>) => unknown, entry: Entry) => {
  const allowed = new Set<string>(entry.errors)
  return (...args: Array<unknown>) => {
    const callers: CallersOwn = new WeakSet()
    const narrow = narrowing(allowed, callers)
    if (entry.caller !== undefined) {
      const at = "stream" in entry.caller ? entry.caller.stream : entry.caller.effectOf
      args[at] = marked(args[at], entry.caller, callers)
    }
    const result = method(...args)
    if (isStream(result)) return narrowStream(result, narrow)
    if (!Effect.isEffect(result)) return result
    const failures = Effect.catchAll(result, narrow)
    const field = entry.streamField
    return field === undefined ?
      failures :
      Effect.map(failures, (value) =>
        Predicate.hasProperty(value, field) && isStream(value[field])
          ? { ...value, [field]: narrowStream(value[field], narrow) }
          : value)
  }
}

/** The service with each method's failures narrowed to those its signature names. */
export const narrowedService = (service: Unnarrowed): S3Po.Service => {
  // Every method the table names is replaced below by its narrowed form.
  const result = { ...service } as S3Po.Service
  for (const [name, entry] of Object.entries(operationErrors) as ReadonlyArray<[keyof Unnarrowed, Entry]>) {
    const method: unknown = service[name]
    if (typeof method === "function") {
      Object.assign(result, { [name]: narrowed(method as (...args: ReadonlyArray<unknown>) => unknown, entry) })
    }
  }
  return result
}
