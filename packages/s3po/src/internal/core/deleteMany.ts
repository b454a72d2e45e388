import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type {
  DeletedVersion,
  DeleteManyResult,
  DeleteObjectResult,
  DeleteResult,
  ObjectVersionRef
} from "../../S3Po.js"
import { type S3PoError, ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { firstFailure, firstFailureStream } from "./firstFailure.js"
import { maxKeysPerDelete } from "./limits.js"
import { versionIdProblem } from "./locks.js"
import * as Validate from "./validation.js"

/**
 * Characters XML 1.0 cannot carry, even escaped (the C0 controls but tab, LF and CR; U+FFFE and
 * U+FFFF): a key holding one cannot be named in a DeleteObjects request, so it goes alone, as
 * DeleteObject.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const notInXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/

/** Windows deleted at once: each is one DeleteObjects request (and a DeleteObject per key XML cannot carry). */
const concurrentWindows = 4

/** One object, or one version of it, to delete, as given. */
type Target = string | ObjectVersionRef

interface Ref {
  readonly key: string
  readonly versionId: string | undefined
}

const refOf = (target: Target): Ref =>
  typeof target === "string" ? { key: target, versionId: undefined } : { key: target.key, versionId: target.versionId }

/** Identifies a ref: the same key and version, the same delete. */
const idOf = (key: string, versionId: string | undefined) => versionId === undefined ? key : `${key}\u0000${versionId}`

/** Every key and version id well formed, before any is sent. */
const targetsProblem = (operation: string, targets: ReadonlyArray<Target>) => {
  for (const target of targets) {
    if (typeof target === "string") {
      const problem = Validate.key(operation, target)
      if (problem !== undefined) return problem
      continue
    }
    if (typeof target !== "object" || target === null) {
      return new ValidationError({
        operation,
        field: "keys",
        reason: `each must be a key or { key, versionId }, got ${Validate.shown(target)}`
      })
    }
    const problem = Validate.key(operation, target.key) ?? versionIdProblem(operation, target.versionId)
    if (problem !== undefined) return problem
  }
  return undefined
}

const notReported = (ref: Ref): DeleteResult => ({
  key: ref.key,
  deleted: false,
  code: "NotReported",
  message: "the server's answer named this key neither deleted nor failed",
  ...(ref.versionId === undefined ? {} : { versionId: ref.versionId })
})

const deletedOf = (key: string, answer: DeleteObjectResult | void): DeleteResult =>
  answer === undefined || (answer.versionId === undefined && !answer.deleteMarker)
    ? { key, deleted: true }
    : { key, deleted: true, deleteMarker: answer.deleteMarker, versionId: answer.versionId }

/**
 * What the server's answer says of each ref of a DeleteObjects request: its failure (by key and
 * version), else what it deleted (the version named, or the marker laid for a ref without one).
 */
const outcomesOf = (refs: ReadonlyArray<Ref>, answer: DeleteManyResult, outcomes: Map<string, DeleteResult>) => {
  for (const { code, key, message, versionId } of answer.failed) {
    outcomes.set(idOf(key, versionId), {
      key,
      deleted: false,
      code,
      message,
      ...(versionId === undefined ? {} : { versionId })
    })
  }
  const named = new Set(refs.map((ref) => idOf(ref.key, ref.versionId)))
  for (const version of answer.versions ?? []) {
    const id = named.has(idOf(version.key, version.versionId))
      ? idOf(version.key, version.versionId)
      : idOf(version.key, undefined)
    if (!outcomes.has(id)) outcomes.set(id, deletedOf(version.key, version))
  }
  const deletedKeys = new Set(answer.deleted)
  for (const ref of refs) {
    const id = idOf(ref.key, ref.versionId)
    if (!outcomes.has(id) && deletedKeys.has(ref.key)) {
      outcomes.set(
        id,
        ref.versionId === undefined ? { key: ref.key, deleted: true } : deletedOf(ref.key, {
          deleteMarker: false,
          versionId: ref.versionId
        })
      )
    }
  }
}

/**
 * Deletes one window of at most 1000 refs: each distinct one once, those XML can carry in one
 * DeleteObjects request, the others alone after it. The results follow the window's order,
 * duplicates included.
 */
const deleteWindow = (backend: Backend, bucket: string, targets: ReadonlyArray<Target>) =>
  Effect.gen(function*() {
    const refs = targets.map(refOf)
    const distinct = Array.from(new Map(refs.map((ref) => [idOf(ref.key, ref.versionId), ref])).values())
    const outcomes = new Map<string, DeleteResult>()
    const named = distinct.filter((ref) => !notInXml.test(ref.key))
    if (named.length > 0) {
      const versioned = named.some((ref) => ref.versionId !== undefined)
      const answer = yield* backend.deleteObjects({
        bucket,
        keys: named.map((ref) => ref.key),
        ...(versioned ? { versionIds: named.map((ref) => ref.versionId) } : {})
      })
      outcomesOf(named, answer, outcomes)
    }
    for (const ref of distinct) {
      if (!notInXml.test(ref.key)) continue
      const answer = yield* backend.deleteObject({ bucket, key: ref.key, versionId: ref.versionId })
      outcomes.set(idOf(ref.key, ref.versionId), deletedOf(ref.key, answer))
    }
    return refs.map((ref) => outcomes.get(idOf(ref.key, ref.versionId)) ?? notReported(ref))
  })

/**
 * Deletes the keys of a stream of any length in bounded memory: 1000 keys at a time (a window),
 * four windows at once, each window's keys checked before it is sent (a bad key fails the stream,
 * earlier windows perhaps already deleted). Results come in the order
 * of the keys, as each window completes. A key given twice in one window is sent once and
 * reported twice; in two windows it is sent twice (a second delete of a key succeeds, as S3 has
 * it). A failed request fails the stream with its error, after the results of the windows before.
 */
export const stream =
  (backend: Backend, operation: string) =>
  <E, R>(bucket: string, keys: Stream.Stream<Target, E, R> | Iterable<Target>): Stream.Stream<
    DeleteResult,
    S3PoError | E,
    R
  > => {
    const problem = Validate.bucket(operation, bucket)
    if (problem !== undefined) return Stream.fail(problem)
    const source = Stream.StreamTypeId in Object(keys)
      ? keys as Stream.Stream<Target, E, R>
      : Stream.fromIterable(keys as Iterable<Target>)
    return source.pipe(
      Stream.grouped(maxKeysPerDelete),
      Stream.mapEffect((window) => {
        const windowKeys = Chunk.toReadonlyArray(window)
        return Validate.guard(targetsProblem(operation, windowKeys), deleteWindow(backend, bucket, windowKeys))
      }, { concurrency: concurrentWindows }),
      Stream.flattenIterables,
      firstFailureStream
    )
  }

/**
 * Deletes any number of keys, or versions of them: every one is checked before any request is
 * sent, each distinct one is sent once (in windows of 1000, as `stream` sends them, four at once),
 * and the result lists every one in the order given, duplicates included, whatever order the server
 * answered in; `versions` says what each delete did where the server said (a version deleted, a
 * marker laid). A failed request fails the whole call with its error.
 */
export const make =
  (backend: Backend) => (bucket: string, keys: Iterable<Target>): Effect.Effect<DeleteManyResult, S3PoError> =>
    Effect.suspend(() => {
      const given = Array.from(keys)
      const problem = Validate.bucket("deleteMany", bucket) ?? targetsProblem("deleteMany", given)
      if (problem !== undefined) return Effect.fail(problem)
      const refs = given.map(refOf)
      const distinct = Array.from(new Map(refs.map((ref) => [idOf(ref.key, ref.versionId), ref])).values())
      const windows = Array.from(
        { length: Math.ceil(distinct.length / maxKeysPerDelete) },
        (_, at) => distinct.slice(at * maxKeysPerDelete, (at + 1) * maxKeysPerDelete)
      )
      const outcomes = new Map<string, DeleteResult>()
      const record = (window: ReadonlyArray<Ref>) => (results: ReadonlyArray<DeleteResult>) => {
        results.forEach((result, at) => outcomes.set(idOf(window[at]!.key, window[at]!.versionId), result))
      }
      return Effect.forEach(windows, (window) => Effect.map(deleteWindow(backend, bucket, window), record(window)), {
        concurrency: concurrentWindows,
        discard: true
      }).pipe(
        firstFailure,
        Effect.map((): DeleteManyResult => {
          const deleted: Array<string> = []
          const failed: Array<DeleteManyResult["failed"][number]> = []
          const versions: Array<DeletedVersion> = []
          for (const ref of refs) {
            const outcome = outcomes.get(idOf(ref.key, ref.versionId)) ?? notReported(ref)
            if (outcome.deleted) {
              deleted.push(ref.key)
              versions.push({
                key: ref.key,
                deleteMarker: outcome.deleteMarker ?? false,
                ...(outcome.versionId === undefined ? {} : { versionId: outcome.versionId })
              })
            } else {
              const { code, key, message, versionId } = outcome
              failed.push(versionId === undefined ? { key, code, message } : { key, code, message, versionId })
            }
          }
          const saysVersions = versions.some((version) => version.versionId !== undefined || version.deleteMarker)
          return saysVersions ? { deleted, failed, versions } : { deleted, failed }
        })
      )
    })
