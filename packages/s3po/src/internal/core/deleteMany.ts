import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { DeleteManyResult, DeleteResult } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { firstFailure, firstFailureStream } from "./firstFailure.js"
import { maxKeysPerDelete } from "./limits.js"
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

const notReported = (key: string): DeleteResult => ({
  key,
  deleted: false,
  code: "NotReported",
  message: "the server's answer named this key neither deleted nor failed"
})

/**
 * Deletes one window of at most 1000 keys: each distinct key once, those XML can carry in one
 * DeleteObjects request, the others alone after it. The results follow the window's order,
 * duplicates included.
 */
const deleteWindow = (backend: Backend, bucket: string, keys: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const distinct = Array.from(new Set(keys))
    const outcomes = new Map<string, DeleteResult>()
    const named = distinct.filter((key) => !notInXml.test(key))
    if (named.length > 0) {
      const answer = yield* backend.deleteObjects({ bucket, keys: named })
      for (const key of answer.deleted) outcomes.set(key, { key, deleted: true })
      for (const { code, key, message } of answer.failed) outcomes.set(key, { key, deleted: false, code, message })
    }
    for (const key of distinct) {
      if (!notInXml.test(key)) continue
      yield* backend.deleteObject({ bucket, key })
      outcomes.set(key, { key, deleted: true })
    }
    return keys.map((key) => outcomes.get(key) ?? notReported(key))
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
  <E, R>(bucket: string, keys: Stream.Stream<string, E, R> | Iterable<string>): Stream.Stream<
    DeleteResult,
    S3PoError | E,
    R
  > => {
    const problem = Validate.bucket(operation, bucket)
    if (problem !== undefined) return Stream.fail(problem)
    const source = Stream.StreamTypeId in Object(keys)
      ? keys as Stream.Stream<string, E, R>
      : Stream.fromIterable(keys as Iterable<string>)
    return source.pipe(
      Stream.grouped(maxKeysPerDelete),
      Stream.mapEffect((window) => {
        const windowKeys = Chunk.toReadonlyArray(window)
        return Validate.guard(Validate.keys(operation, windowKeys), deleteWindow(backend, bucket, windowKeys))
      }, { concurrency: concurrentWindows }),
      Stream.flattenIterables,
      firstFailureStream
    )
  }

/**
 * Deletes any number of keys: every key is checked before any request is sent, each distinct key
 * is sent once (in windows of 1000, as `stream` sends them, four at once), and the result lists every key in the order given, duplicates included, whatever
 * order the server answered in. A failed request fails the whole call with its error.
 */
export const make =
  (backend: Backend) => (bucket: string, keys: Iterable<string>): Effect.Effect<DeleteManyResult, S3PoError> =>
    Effect.suspend(() => {
      const given = Array.from(keys)
      const problem = Validate.bucket("deleteMany", bucket) ?? Validate.keys("deleteMany", given)
      if (problem !== undefined) return Effect.fail(problem)
      const distinct = Array.from(new Set(given))
      const windows = Array.from(
        { length: Math.ceil(distinct.length / maxKeysPerDelete) },
        (_, at) => distinct.slice(at * maxKeysPerDelete, (at + 1) * maxKeysPerDelete)
      )
      const outcomes = new Map<string, DeleteResult>()
      const record = (results: ReadonlyArray<DeleteResult>) => {
        for (const result of results) outcomes.set(result.key, result)
      }
      return Effect.forEach(windows, (window) => Effect.map(deleteWindow(backend, bucket, window), record), {
        concurrency: concurrentWindows,
        discard: true
      }).pipe(
        firstFailure,
        Effect.map((): DeleteManyResult => {
          const result = { deleted: [] as Array<string>, failed: [] as Array<DeleteManyResult["failed"][number]> }
          for (const key of given) {
            const outcome = outcomes.get(key) ?? notReported(key)
            if (outcome.deleted) result.deleted.push(key)
            else result.failed.push({ key, code: outcome.code, message: outcome.message })
          }
          return result
        })
      )
    })
