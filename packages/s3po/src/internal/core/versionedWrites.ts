import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { LockOptions } from "../../S3Po.js"
import type { ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { lockProblem } from "./locks.js"
import * as Validate from "./validation.js"

/**
 * The lock the caller gave a write (a PUT, a multipart upload, a copy), sent with the request that
 * creates its version, whichever path the write takes to it. Written once here, around the
 * backend. A write without a lock sets nothing: the common path costs no more than before locks.
 * (The version id a write made comes back in the answers of those same requests, and each write
 * path puts it in its result.)
 */
const currentLock = FiberRef.unsafeMake<LockOptions | undefined>(undefined)

const withLock = <A extends LockOptions>(request: A, lock: LockOptions | undefined): A =>
  lock === undefined ? request : { ...request, retention: lock.retention, legalHold: lock.legalHold }

/** The backend whose version-creating requests carry the lock of the write they are part of. */
export const withWriteLocks = (backend: Backend): Backend => ({
  ...backend,
  putObject: (request) =>
    Effect.flatMap(FiberRef.get(currentLock), (lock) => backend.putObject(withLock(request, lock))),
  createMultipartUpload: (request) =>
    Effect.flatMap(FiberRef.get(currentLock), (lock) => backend.createMultipartUpload(withLock(request, lock))),
  copyObject: (request) =>
    Effect.flatMap(FiberRef.get(currentLock), (lock) => backend.copyObject(withLock(request, lock)))
})

/** A write's result, with the version its answer named (none in an unversioned bucket). */
export const withVersionOf = <A extends object>(
  result: A,
  answer: { readonly versionId?: string | undefined }
): A & { readonly versionId?: string } =>
  answer.versionId === undefined ? result : { ...result, versionId: answer.versionId }

/** A write with the caller's lock, checked before any request. */
export const lockedWrite = <A, E, R>(
  operation: string,
  options: LockOptions | undefined,
  write: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ValidationError, R> => {
  if (typeof options !== "object" || options === null) return write
  if (options.retention === undefined && options.legalHold === undefined) return write
  return Validate.guard(
    lockProblem(operation, options),
    Effect.locally(write, currentLock, { retention: options.retention, legalHold: options.legalHold })
  )
}
