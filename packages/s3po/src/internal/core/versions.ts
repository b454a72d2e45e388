import * as Effect from "effect/Effect"
import type { DeleteObjectResult, DeleteOptions, VersioningStatus } from "../../S3Po.js"
import { type S3PoError, ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import * as Listing from "./listing.js"
import * as Locks from "./locks.js"
import { lockedOrDenied, versionIdProblem } from "./locks.js"
import type { Unnarrowed } from "./operationErrors.js"
import { traced } from "./tracing.js"
import { shown } from "./validation.js"
import * as Validate from "./validation.js"

/** Versioning on the service: a bucket's versioning, and the delete of an object or of one version. */

const statuses: ReadonlySet<unknown> = new Set(["Enabled", "Suspended"])

export const setVersioning = (
  retried: Backend,
  bucket: string,
  status: "Enabled" | "Suspended"
): Effect.Effect<void, S3PoError> => {
  const operation = "setBucketVersioning"
  return Validate.guard(
    Validate.bucket(operation, bucket) ?? (statuses.has(status) ? undefined : new ValidationError({
      operation,
      field: "status",
      reason: `must be "Enabled" or "Suspended" (a bucket once versioned is never unversioned again), got ${
        shown(status)
      }`
    })),
    retried.putBucketVersioning({ bucket, status })
  )
}

export const getVersioning = (retried: Backend, bucket: string): Effect.Effect<VersioningStatus, S3PoError> =>
  Validate.guard(Validate.bucket("getBucketVersioning", bucket), retried.getBucketVersioning({ bucket }))

const unversioned: DeleteObjectResult = { deleteMarker: false }

const deleteProblem = (bucket: string, key: string, options: DeleteOptions) =>
  Validate.location("delete", bucket, key) ??
    versionIdProblem("delete", options.versionId) ??
    (options.ifMatch === undefined || (typeof options.ifMatch === "string" && options.ifMatch !== "")
      ? undefined
      : new ValidationError({
        operation: "delete",
        field: "ifMatch",
        reason: `must be a non-empty ETag, got ${shown(options.ifMatch)}`
      })) ??
    (options.bypassGovernanceRetention === undefined || typeof options.bypassGovernanceRetention === "boolean"
      ? undefined
      : new ValidationError({
        operation: "delete",
        field: "bypassGovernanceRetention",
        reason: `must be true or false, got ${shown(options.bypassGovernanceRetention)}`
      }))

/**
 * Deletes an object (a delete marker in a versioned bucket) or one version, and says what it did. A
 * version S3 refuses to delete with a 403 is looked at: its legal hold or retention makes the
 * failure `ObjectLocked`, with why; otherwise the `AccessDenied` stands.
 */
export const deleteObject = (
  retried: Backend,
  bucket: string,
  key: string,
  options: DeleteOptions = {}
): Effect.Effect<DeleteObjectResult, S3PoError> =>
  Validate.guard(
    deleteProblem(bucket, key, options),
    retried.deleteObject({
      bucket,
      key,
      versionId: options.versionId,
      ifMatch: options.ifMatch,
      bypassGovernanceRetention: options.bypassGovernanceRetention
    }).pipe(
      Effect.map((result) => result ?? unversioned),
      Effect.catchTag("AccessDenied", (denied) =>
        options.versionId === undefined
          ? Effect.fail(denied)
          : lockedOrDenied(retried, "delete", denied, options.versionId, options.bypassGovernanceRetention === true))
    )
  )

/** The service's operations on versions and object lock, over the retried backend. */
export const operations = (
  retried: Backend
): Pick<
  Unnarrowed,
  | "delete"
  | "setBucketVersioning"
  | "getBucketVersioning"
  | "listObjectVersions"
  | "getObjectLockConfiguration"
  | "setObjectLockConfiguration"
  | "getRetention"
  | "setRetention"
  | "getLegalHold"
  | "setLegalHold"
> => ({
  delete: (bucket, key, options) => deleteObject(retried, bucket, key, options).pipe(traced("delete", bucket, key)),
  setBucketVersioning: (bucket, status) =>
    setVersioning(retried, bucket, status).pipe(traced("setBucketVersioning", bucket)),
  getBucketVersioning: (bucket) => getVersioning(retried, bucket).pipe(traced("getBucketVersioning", bucket)),
  listObjectVersions: (bucket, options = {}) => Listing.versions(retried, "listObjectVersions", bucket, options),
  getObjectLockConfiguration: (bucket) =>
    Locks.getLockConfiguration(retried, bucket).pipe(traced("getObjectLockConfiguration", bucket)),
  setObjectLockConfiguration: (bucket, settings) =>
    Locks.setLockConfiguration(retried, bucket, settings).pipe(traced("setObjectLockConfiguration", bucket)),
  getRetention: (bucket, key, options) =>
    Locks.getRetention(retried, bucket, key, options).pipe(traced("getRetention", bucket, key)),
  setRetention: (bucket, key, retention, options) =>
    Locks.setRetention(retried, bucket, key, retention, options).pipe(traced("setRetention", bucket, key)),
  getLegalHold: (bucket, key, options) =>
    Locks.getLegalHold(retried, bucket, key, options).pipe(traced("getLegalHold", bucket, key)),
  setLegalHold: (bucket, key, on, options) =>
    Locks.setLegalHold(retried, bucket, key, on, options).pipe(traced("setLegalHold", bucket, key))
})
