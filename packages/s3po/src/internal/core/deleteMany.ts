import * as Effect from "effect/Effect"
import type { DeleteManyResult } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import { firstFailure } from "./firstFailure.js"
import { maxKeysPerDelete } from "./limits.js"
import * as Validate from "./validation.js"

/**
 * Characters XML 1.0 cannot carry, even escaped (the C0 controls but tab, LF and CR; U+FFFE and
 * U+FFFF): a key holding one cannot be named in a DeleteObjects request, so it goes alone, as
 * DeleteObject.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const notInXml = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/

/** What happened to one distinct key. */
type Outcome = { readonly deleted: true } | { readonly deleted: false; readonly code: string; readonly message: string }

const notReported: Outcome = {
  deleted: false,
  code: "NotReported",
  message: "the server's answer named this key neither deleted nor failed"
}

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const chunks: Array<ReadonlyArray<A>> = []
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size))
  return chunks
}

/**
 * Deletes any number of keys: each distinct key is sent once (1000 to a DeleteObjects request, up
 * to 4 requests at once), and the result lists every key in the order given, duplicates included,
 * whatever order the server answered in. A failed request fails the whole call with its error.
 */
export const make =
  (backend: Backend) => (bucket: string, keys: Iterable<string>): Effect.Effect<DeleteManyResult, S3PoError> =>
    Effect.suspend(() => {
      const given = Array.from(keys)
      const problem = Validate.bucket("deleteMany", bucket) ?? Validate.keys("deleteMany", given)
      if (problem !== undefined) return Effect.fail(problem)
      const distinct = Array.from(new Set(given))
      const outcomes = new Map<string, Outcome>()
      const deleted: Outcome = { deleted: true }
      const requests: Array<Effect.Effect<void, S3PoError>> = [
        ...chunksOf(distinct.filter((key) => !notInXml.test(key)), maxKeysPerDelete).map((batch) =>
          Effect.map(backend.deleteObjects({ bucket, keys: batch }), (result) => {
            for (const key of result.deleted) outcomes.set(key, deleted)
            for (const failure of result.failed) {
              outcomes.set(failure.key, { deleted: false, code: failure.code, message: failure.message })
            }
          })
        ),
        ...distinct.filter((key) => notInXml.test(key)).map((key) =>
          Effect.map(backend.deleteObject({ bucket, key }), () => {
            outcomes.set(key, deleted)
          })
        )
      ]
      return Effect.forEach(requests, (request) => request, { concurrency: 4, discard: true }).pipe(
        firstFailure,
        Effect.map((): DeleteManyResult => {
          const result = { deleted: [] as Array<string>, failed: [] as Array<DeleteManyResult["failed"][number]> }
          for (const key of given) {
            const outcome = outcomes.get(key) ?? notReported
            if (outcome.deleted) result.deleted.push(key)
            else result.failed.push({ key, code: outcome.code, message: outcome.message })
          }
          return result
        })
      )
    })
