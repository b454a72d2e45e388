import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ListEntry, ListObjectsOptions } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend, ListPage } from "./backend.js"
import { compareKeys } from "./keyOrder.js"
import * as Validate from "./validation.js"

const keyOf = (entry: ListEntry): string => entry._tag === "Object" ? entry.key : entry.prefix

/** A page's objects and common prefixes, each in S3 order, merged into one list in S3 order. */
const entriesOf = (page: ListPage): Array<ListEntry> => {
  const objects = page.objects
  const prefixes = page.commonPrefixes.map((prefix): ListEntry => ({ _tag: "CommonPrefix", prefix }))
  if (prefixes.length === 0) return objects as Array<ListEntry>
  if (objects.length === 0) return prefixes
  const merged: Array<ListEntry> = []
  let i = 0
  let j = 0
  while (i < objects.length && j < prefixes.length) {
    merged.push(compareKeys(objects[i]!.key, keyOf(prefixes[j]!)) <= 0 ? objects[i++]! : prefixes[j++]!)
  }
  while (i < objects.length) merged.push(objects[i++]!)
  while (j < prefixes.length) merged.push(prefixes[j++]!)
  return merged
}

const problemOf = (operation: string, bucket: string, options: ListObjectsOptions) =>
  Validate.bucket(operation, bucket) ??
    Validate.text(operation, "prefix", options.prefix) ??
    Validate.text(operation, "delimiter", options.delimiter) ??
    Validate.text(operation, "startAfter", options.startAfter)

/**
 * A listing's entries in S3 order, a page (at most 1000 entries) at a time: no more than one page
 * is held, however many keys the listing has.
 */
export const entries = (
  retried: Backend,
  operation: string,
  bucket: string,
  options: ListObjectsOptions
): Stream.Stream<ListEntry, S3PoError> =>
  Stream.unwrap(Validate.guard(
    problemOf(operation, bucket, options),
    Effect.succeed(
      Stream.paginateChunkEffect(undefined as string | undefined, (continuationToken) =>
        Effect.map(
          retried.listPage({
            bucket,
            prefix: options.prefix,
            delimiter: options.delimiter,
            startAfter: options.startAfter,
            continuationToken
          }),
          (page) => [Chunk.unsafeFromArray(entriesOf(page)), Option.fromNullable(page.nextContinuationToken)] as const
        ))
    )
  )).pipe(
    Stream.withSpan(`S3Po.${operation}`, { attributes: { "s3.bucket": bucket, "s3.prefix": options.prefix ?? "" } })
  )

/** The keys and common prefixes of a listing, in S3 order. */
export const keys = (
  retried: Backend,
  bucket: string,
  options: ListObjectsOptions
): Stream.Stream<string, S3PoError> => Stream.map(entries(retried, "list", bucket, options), keyOf)
