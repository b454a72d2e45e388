import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type { RetryPolicy } from "../../Retry.js"
import type {
  DownloadOptions,
  GetJsonOptions,
  GetResult,
  JsonDocument,
  JsonUpdate,
  PutJsonOptions,
  UpdateJsonOptions,
  UploadOptions,
  UploadResult,
  VersionOptions
} from "../../S3Po.js"
import {
  InvalidDocument,
  type PreconditionFailed,
  type S3PoError,
  UpdateConflict,
  ValidationError
} from "../../S3PoError.js"
import { readConditionsOf } from "./conditions.js"
import type { Unnarrowed } from "./operationErrors.js"
import { traced } from "./tracing.js"
import * as Upload from "./upload.js"
import * as Validate from "./validation.js"
import { withVersionOf } from "./versionedWrites.js"

/**
 * JSON documents kept in S3, typed by an Effect `Schema`: read with the version they came from,
 * written encoded, and changed by compare-and-swap, retried while other writers win the race.
 * Built on the service's one-request read with info (`get`) and its upload.
 */

/** What documents are read and written with: the service's `get` and upload, each named for the operation. */
export interface DocumentStore {
  readonly get: (
    operation: string,
    bucket: string,
    key: string,
    options: DownloadOptions
  ) => Effect.Effect<GetResult, S3PoError>
  readonly put: (
    operation: string,
    bucket: string,
    key: string,
    body: Uint8Array,
    options: UploadOptions
  ) => Effect.Effect<UploadResult, S3PoError>
  /** Spaces the attempts of `updateJson` after a conflict. */
  readonly policy: RetryPolicy
}

const defaultMaxAttempts = 10

const utf8 = new TextDecoder("utf-8", { fatal: true })
const encoder = new TextEncoder()

const reasonOf = (error: unknown): string => error instanceof Error ? error.message : String(error)

/** The body as JSON decoded by `schema`; a body that is not, an `InvalidDocument` naming the version read. */
const decoded = <A, I>(
  operation: string,
  bucket: string,
  key: string,
  schema: Schema.Schema<A, I, never>,
  got: GetResult
): Effect.Effect<A, InvalidDocument> => {
  const invalid = (stage: "json" | "decode", reason: string) =>
    new InvalidDocument({ operation, bucket, key, stage, reason, etag: got.info.etag })
  let text: string
  try {
    text = utf8.decode(got.body)
  } catch {
    return Effect.fail(invalid("json", "the body is not UTF-8 text"))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Effect.fail(invalid("json", reasonOf(error)))
  }
  return Effect.mapError(
    Schema.decodeUnknown(schema, { errors: "all" })(json),
    (error) => invalid("decode", ParseResult.TreeFormatter.formatErrorSync(error))
  )
}

/** `value` encoded by `schema`, as UTF-8 JSON; one it does not encode, an `InvalidDocument`. */
const encoded = <A, I>(
  operation: string,
  bucket: string,
  key: string,
  schema: Schema.Schema<A, I, never>,
  value: A
): Effect.Effect<Uint8Array, InvalidDocument> => {
  const invalid = (reason: string) => new InvalidDocument({ operation, bucket, key, stage: "encode", reason })
  return Effect.flatMap(
    Effect.mapError(
      Schema.encode(schema, { errors: "all" })(value),
      (error) => invalid(ParseResult.TreeFormatter.formatErrorSync(error))
    ),
    (json) => {
      let text: string | undefined
      try {
        text = JSON.stringify(json)
      } catch (error) {
        return Effect.fail(invalid(`its encoded form is not JSON: ${reasonOf(error)}`))
      }
      return text === undefined
        ? Effect.fail(invalid("its encoded form is no JSON value (undefined, a function or a symbol)"))
        : Effect.succeed(encoder.encode(text))
    }
  )
}

/** Upload options of a document: `application/json` unless they name another type. */
const documentOptions = (options: PutJsonOptions | UpdateJsonOptions): UploadOptions => ({
  ...options,
  contentType: options.contentType ?? "application/json"
})

const maxAttemptsProblem = (operation: string, value: number): Validate.Problem =>
  Number.isSafeInteger(value) && value >= 1
    ? undefined
    : new ValidationError({
      operation,
      field: "maxAttempts",
      reason: `must be a whole number of at least 1, got ${Validate.shown(value)}`
    })

/** The value `f` makes of the current one, whether it returns it or an effect of it; a throw is a defect. */
const applied = <A, E, R>(
  f: (current: Option.Option<A>) => A | Effect.Effect<A, E, R>,
  current: Option.Option<A>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const next = f(current)
    return Effect.isEffect(next) ? next as Effect.Effect<A, E, R> : Effect.succeed(next)
  })

const isConflict = (error: S3PoError): error is PreconditionFailed => error._tag === "PreconditionFailed"

/** A stored document and the version it was read from. */
interface Current<A> {
  readonly value: A
  readonly etag: string
}

/**
 * Compare-and-swap of a document: read with its ETag, `f`, write over that version only; on a conflict
 * read again, spaced by the store's policy, up to `maxAttempts`.
 */
const updateJson = (store: DocumentStore) =>
<A, I, E = never, R = never>(
  bucket: string,
  key: string,
  schema: Schema.Schema<A, I, never>,
  f: (current: Option.Option<A>) => A | Effect.Effect<A, E, R>,
  options: UpdateJsonOptions = {}
): Effect.Effect<JsonUpdate<A>, S3PoError | E, R> => {
  const operation = "updateJson"
  const { maxAttempts = defaultMaxAttempts, ...attributes } = options
  const writeOptions = documentOptions(attributes)
  // Checked as a conditional write, before the first read: every write of an update is one.
  const problem = Validate.location(operation, bucket, key) ?? maxAttemptsProblem(operation, maxAttempts) ??
    Upload.problemOf(operation, bucket, key, { ...writeOptions, ifNoneMatch: "*" })
  const read: Effect.Effect<Option.Option<Current<A>>, S3PoError> = Effect.matchEffect(
    store.get(operation, bucket, key, { customerKey: options.customerKey }),
    {
      onFailure: (error) => error._tag === "NoSuchKey" ? Effect.succeedNone : Effect.fail(error),
      onSuccess: (got) =>
        Effect.map(
          decoded(operation, bucket, key, schema, got),
          (value) => Option.some({ value, etag: got.info.etag })
        )
    }
  )
  const update = Effect.gen(function*() {
    const driver = store.policy === "off" ? undefined : yield* Schedule.driver(store.policy)
    /** Waits as the policy spaces retries, starting it over when it has ended. */
    const pause = (conflict: PreconditionFailed): Effect.Effect<void> =>
      driver === undefined ? Effect.void : driver.next(conflict).pipe(
        Effect.catchAll(() => Effect.zipRight(driver.reset, Effect.ignore(driver.next(conflict)))),
        Effect.asVoid
      )
    for (let attempts = 1;; attempts++) {
      // A read that fails with PreconditionFailed was resumed over a replaced object: a conflict too.
      const current = yield* Effect.either(read)
      let conflict: PreconditionFailed
      if (Either.isLeft(current)) {
        if (!isConflict(current.left)) return yield* Effect.fail(current.left)
        conflict = current.left
      } else {
        const previous = Option.map(current.right, (document) => document.value)
        const next = yield* applied(f, previous)
        const body = yield* encoded(operation, bucket, key, schema, next)
        const written = yield* Effect.either(
          store.put(
            operation,
            bucket,
            key,
            body,
            Option.match(current.right, {
              onNone: () => ({ ...writeOptions, ifNoneMatch: "*" as const }),
              onSome: (document) => ({ ...writeOptions, ifMatch: document.etag })
            })
          )
        )
        if (Either.isRight(written)) {
          return withVersionOf({ value: next, previous, etag: written.right.etag, attempts }, written.right)
        }
        if (!isConflict(written.left)) return yield* Effect.fail(written.left)
        conflict = written.left
      }
      if (attempts >= maxAttempts) return yield* new UpdateConflict({ operation, bucket, key, attempts })
      yield* Effect.logDebug(`s3po: updateJson: another writer changed the document, attempt ${attempts + 1}`).pipe(
        Effect.annotateLogs({ bucket, key, attempt: attempts + 1 })
      )
      yield* pause(conflict)
    }
  })
  return Validate.guard(problem, update).pipe(traced(operation, bucket, key))
}

/** The service's JSON documents over `store`. */
export const make = (store: DocumentStore): Pick<Unnarrowed, "getJson" | "putJson" | "updateJson"> => {
  const getJson = <A, I>(
    bucket: string,
    key: string,
    schema: Schema.Schema<A, I, never>,
    conditions: GetJsonOptions & VersionOptions = {}
  ): Effect.Effect<JsonDocument<A>, S3PoError> =>
    Effect.flatMap(
      store.get("getJson", bucket, key, {
        ...readConditionsOf(conditions),
        versionId: conditions.versionId,
        customerKey: conditions.customerKey
      }),
      (got) => Effect.map(decoded("getJson", bucket, key, schema, got), (value) => ({ value, info: got.info }))
    ).pipe(traced("getJson", bucket, key))

  const putJson = <A, I>(
    bucket: string,
    key: string,
    schema: Schema.Schema<A, I, never>,
    value: A,
    options: PutJsonOptions = {}
  ): Effect.Effect<UploadResult, S3PoError> =>
    Validate.guard(
      Validate.location("putJson", bucket, key),
      Effect.flatMap(
        encoded("putJson", bucket, key, schema, value),
        (body) => store.put("putJson", bucket, key, body, documentOptions(options))
      )
    ).pipe(traced("putJson", bucket, key))

  return { getJson, putJson, updateJson: updateJson(store) }
}
