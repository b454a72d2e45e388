import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type {
  DefaultRetention,
  LockOptions,
  ObjectLockConfiguration,
  ObjectLockSettings,
  Retention,
  RetentionOptions,
  VersionOptions
} from "../../S3Po.js"
import { type AccessDenied, ObjectLocked, type S3PoError, ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { shown } from "./validation.js"
import * as Validate from "./validation.js"

/**
 * Object lock on the service: a bucket's lock and default retention, a version's retention and legal
 * hold, the lock a write gives its version, and what tells a locked version from a permissions
 * problem when S3 refuses its delete with a bare 403.
 */

type Problem = ValidationError | undefined

const retentionModes: ReadonlySet<unknown> = new Set(["GOVERNANCE", "COMPLIANCE"])

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/** A version id given: a non-empty string (`"null"` names the null version). */
export const versionIdProblem = (operation: string, versionId: unknown, field = "versionId"): Problem =>
  versionId === undefined || (typeof versionId === "string" && versionId !== "")
    ? undefined
    : new ValidationError({ operation, field, reason: `must be a non-empty string, got ${shown(versionId)}` })

const booleanProblem = (operation: string, field: string, value: unknown): Problem =>
  value === undefined || typeof value === "boolean"
    ? undefined
    : new ValidationError({ operation, field, reason: `must be true or false, got ${shown(value)}` })

/** A retention's mode, one S3 knows. */
const modeProblem = (operation: string, field: string, retention: object): Problem => {
  const mode: unknown = Reflect.get(retention, "mode")
  return retentionModes.has(mode) ? undefined : new ValidationError({
    operation,
    field: `${field}.mode`,
    reason: `must be "GOVERNANCE" or "COMPLIANCE", got ${shown(mode)}`
  })
}

/** A retention: a mode S3 knows, and a valid date. */
export const retentionProblem = (operation: string, retention: unknown, field = "retention"): Problem => {
  if (!isObject(retention)) {
    return new ValidationError({ operation, field, reason: `must be { mode, retainUntil }, got ${shown(retention)}` })
  }
  const mode = modeProblem(operation, field, retention)
  if (mode !== undefined) return mode
  const until: unknown = Reflect.get(retention, "retainUntil")
  return until instanceof Date && !Number.isNaN(until.getTime())
    ? undefined
    : new ValidationError({
      operation,
      field: `${field}.retainUntil`,
      reason: `must be a valid Date, got ${shown(until)}`
    })
}

/** The lock options of a write (upload, copy). */
export const lockProblem = (operation: string, options: LockOptions): Problem =>
  (options.retention === undefined ? undefined : retentionProblem(operation, options.retention)) ??
    booleanProblem(operation, "legalHold", options.legalHold)

const positiveWhole = (value: unknown) => typeof value === "number" && Number.isSafeInteger(value) && value > 0

/** A default retention: a mode, and a whole number of days or of years (one of the two). */
const defaultRetentionProblem = (operation: string, retention: unknown): Problem => {
  const field = "defaultRetention"
  if (retention === undefined) return undefined
  if (!isObject(retention)) {
    return new ValidationError({
      operation,
      field,
      reason: `must be { mode, days } or { mode, years }, got ${shown(retention)}`
    })
  }
  const mode = modeProblem(operation, field, retention)
  if (mode !== undefined) return mode
  const days: unknown = Reflect.get(retention, "days")
  const years: unknown = Reflect.get(retention, "years")
  if ((days === undefined) === (years === undefined)) {
    return new ValidationError({ operation, field, reason: "must give one of days and years" })
  }
  const [name, count] = days === undefined ? ["years", years] : ["days", days]
  return positiveWhole(count) ? undefined : new ValidationError({
    operation,
    field: `${field}.${name}`,
    reason: `must be a whole number of at least 1, got ${shown(count)}`
  })
}

const versionOptionsProblem = (operation: string, bucket: string, key: string, options: VersionOptions): Problem =>
  Validate.location(operation, bucket, key) ?? versionIdProblem(operation, options.versionId)

export const getLockConfiguration = (
  retried: Backend,
  bucket: string
): Effect.Effect<ObjectLockConfiguration, S3PoError> =>
  Validate.guard(Validate.bucket("getObjectLockConfiguration", bucket), retried.getObjectLockConfiguration({ bucket }))

export const setLockConfiguration = (
  retried: Backend,
  bucket: string,
  settings: ObjectLockSettings
): Effect.Effect<void, S3PoError> => {
  const operation = "setObjectLockConfiguration"
  return Validate.guard(
    Validate.bucket(operation, bucket) ?? defaultRetentionProblem(operation, settings.defaultRetention),
    retried.putObjectLockConfiguration({
      bucket,
      defaultRetention: settings.defaultRetention as DefaultRetention | undefined
    })
  )
}

export const getRetention = (
  retried: Backend,
  bucket: string,
  key: string,
  options: VersionOptions = {}
): Effect.Effect<Option.Option<Retention>, S3PoError> =>
  Validate.guard(
    versionOptionsProblem("getRetention", bucket, key, options),
    Effect.map(
      retried.getObjectRetention({ bucket, key, versionId: options.versionId }),
      Option.fromNullable
    )
  )

export const setRetention = (
  retried: Backend,
  bucket: string,
  key: string,
  retention: Retention,
  options: RetentionOptions = {}
): Effect.Effect<void, S3PoError> => {
  const operation = "setRetention"
  return Validate.guard(
    versionOptionsProblem(operation, bucket, key, options) ??
      retentionProblem(operation, retention) ??
      booleanProblem(operation, "bypassGovernanceRetention", options.bypassGovernanceRetention),
    retried.putObjectRetention({
      bucket,
      key,
      versionId: options.versionId,
      retention: { mode: retention.mode, retainUntil: retention.retainUntil },
      bypassGovernanceRetention: options.bypassGovernanceRetention
    })
  )
}

export const getLegalHold = (
  retried: Backend,
  bucket: string,
  key: string,
  options: VersionOptions = {}
): Effect.Effect<boolean, S3PoError> =>
  Validate.guard(
    versionOptionsProblem("getLegalHold", bucket, key, options),
    retried.getObjectLegalHold({ bucket, key, versionId: options.versionId })
  )

export const setLegalHold = (
  retried: Backend,
  bucket: string,
  key: string,
  on: boolean,
  options: VersionOptions = {}
): Effect.Effect<void, S3PoError> => {
  const operation = "setLegalHold"
  return Validate.guard(
    versionOptionsProblem(operation, bucket, key, options) ?? booleanProblem(operation, "on", on) ??
      (on === undefined ? new ValidationError({ operation, field: "on", reason: "must be true or false" }) : undefined),
    retried.putObjectLegalHold({ bucket, key, versionId: options.versionId, legalHold: on })
  )
}

/**
 * Why a version may not be deleted, if a lock is why: its legal hold, or a retention not yet over
 * (`GOVERNANCE` but when bypassed). `None` when neither holds, or when the version's lock cannot be
 * read (the 403 is then a permissions problem, as S3 said).
 */
export const lockOf = (
  retried: Backend,
  bucket: string,
  key: string,
  versionId: string,
  bypassGovernanceRetention: boolean
): Effect.Effect<Option.Option<string>> =>
  Effect.gen(function*() {
    const held = yield* retried.getObjectLegalHold({ bucket, key, versionId })
    if (held) return Option.some("legal hold")
    const retention = yield* retried.getObjectRetention({ bucket, key, versionId })
    const now = yield* Clock.currentTimeMillis
    if (retention === undefined || retention.retainUntil.getTime() <= now) return Option.none()
    if (retention.mode === "GOVERNANCE" && bypassGovernanceRetention) return Option.none()
    return Option.some(`retention ${retention.mode} until ${retention.retainUntil.toISOString().replace(".000Z", "Z")}`)
  }).pipe(Effect.orElseSucceed(() => Option.none<string>()))

/** An `AccessDenied` to a delete of a version, as `ObjectLocked` when the version's lock is why. */
export const lockedOrDenied = (
  retried: Backend,
  operation: string,
  denied: AccessDenied,
  versionId: string,
  bypassGovernanceRetention: boolean
): Effect.Effect<never, AccessDenied | ObjectLocked> => {
  const key = denied.key ?? ""
  return Effect.flatMap(
    lockOf(retried, denied.bucket, key, versionId, bypassGovernanceRetention),
    Option.match({
      onNone: (): Effect.Effect<never, AccessDenied | ObjectLocked> => Effect.fail(denied),
      onSome: (reason) =>
        Effect.fail(
          new ObjectLocked({
            operation,
            bucket: denied.bucket,
            key,
            versionId,
            reason,
            ...(denied.requestId === undefined ? {} : { requestId: denied.requestId })
          })
        )
    })
  )
}
