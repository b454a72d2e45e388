import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type { LockOptions } from "../../S3Po.js"
import type { ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { lockProblem } from "./locks.js"
import * as Validate from "./validation.js"

/**
 * What the requests of one write (a PUT, a multipart upload, a copy, a JSON update) carry for the
 * versions they create: the lock the caller gave the write, sent with the request that creates the
 * version; and the version id the last of them answered, for the write's result. Written once here,
 * around the backend, for every write path that ends in these requests.
 */
interface WriteVersion {
  readonly lock: LockOptions
  versionId: string | undefined
}

const currentWrite = FiberRef.unsafeMake<WriteVersion | undefined>(undefined)

const noLock: LockOptions = {}

/** The lock of the write the request is part of, for the request that creates its version. */
const withLock = <A extends LockOptions>(request: A, write: WriteVersion | undefined): A =>
  write === undefined || (write.lock.retention === undefined && write.lock.legalHold === undefined)
    ? request
    : { ...request, retention: write.lock.retention, legalHold: write.lock.legalHold }

const recorded = (write: WriteVersion | undefined) => (answer: { readonly versionId?: string | undefined }) => {
  if (write !== undefined && answer.versionId !== undefined) write.versionId = answer.versionId
}

/** The backend whose writes take their lock from, and tell their version to, the write they are part of. */
export const withWriteVersions = (backend: Backend): Backend => ({
  ...backend,
  putObject: (request) =>
    Effect.flatMap(
      FiberRef.get(currentWrite),
      (write) => Effect.tap(backend.putObject(withLock(request, write)), recorded(write))
    ),
  createMultipartUpload: (request) =>
    Effect.flatMap(FiberRef.get(currentWrite), (write) => backend.createMultipartUpload(withLock(request, write))),
  completeMultipartUpload: (request) =>
    Effect.flatMap(
      FiberRef.get(currentWrite),
      (write) => Effect.tap(backend.completeMultipartUpload(request), recorded(write))
    ),
  copyObject: (request) =>
    Effect.flatMap(
      FiberRef.get(currentWrite),
      (write) => Effect.tap(backend.copyObject(withLock(request, write)), recorded(write))
    )
})

/**
 * Runs a write with its lock, and gives its result the version id the server answered (absent in an
 * unversioned bucket, as the server then answers none).
 */
export const versionedWrite = <A extends { readonly versionId?: string | undefined }, E, R>(
  lock: LockOptions | undefined,
  write: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const context: WriteVersion = {
      lock: lock === undefined ? noLock : { retention: lock.retention, legalHold: lock.legalHold },
      versionId: undefined
    }
    return Effect.map(
      Effect.locally(write, currentWrite, context),
      (result) => context.versionId === undefined ? result : { ...result, versionId: context.versionId }
    )
  })

/** A write with the caller's lock, checked before any request, and the version it wrote in its result. */
export const lockedWrite = <A extends { readonly versionId?: string | undefined }, E, R>(
  operation: string,
  options: LockOptions | undefined,
  write: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ValidationError, R> =>
  Validate.guard(
    typeof options === "object" && options !== null ? lockProblem(operation, options) : undefined,
    versionedWrite(options, write)
  )
