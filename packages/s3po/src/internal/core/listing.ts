import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as crypto from "node:crypto"
import type { BucketInfo, ListEntry, ListObjectsOptions, ListOptions, PendingUpload, VersionEntry } from "../../S3Po.js"
import { BrokenListing, type S3PoError } from "../../S3PoError.js"
import type { Backend, ListPage, VersionsPage } from "./backend.js"
import { compareKeys } from "./keyOrder.js"
import * as Validate from "./validation.js"

/** One page of a paginated request, as the server answered it. */
interface Page<A, Position> {
  readonly items: ReadonlyArray<A>
  readonly truncated: boolean
  /** Where the next page starts; S3 must give it on a truncated page. */
  readonly next: Position | undefined
}

/** A paginated S3 request: its name, what its next-page token is called, and how a page is fetched. */
interface Paginated<A, Position> {
  readonly operation: string
  readonly bucket: string
  readonly token: string
  readonly identify: (position: Position) => string
  readonly fetch: (position: Position | undefined) => Effect.Effect<Page<A, Position>, S3PoError>
}

// Only a digest of each position is kept: tokens can be a key long (RGW's are), and a listing of many pages keeps them all.
const digest = (identity: string): string => crypto.createHash("sha256").update(identity).digest("base64")

/**
 * Every page of a paginated request, a page at a time. The server says where each next page starts;
 * a truncated page that does not, or a position given before (any earlier one: a cycle of two
 * pages loops as surely as one page repeated), fails the listing with `BrokenListing` instead of
 * ending it early or going round forever.
 */
const paginate = <A, Position>(request: Paginated<A, Position>): Stream.Stream<A, S3PoError> =>
  Stream.suspend(() => {
    const seen = new Set<string>()
    const broken = (reason: string) =>
      Effect.fail(new BrokenListing({ operation: request.operation, bucket: request.bucket, reason }))
    return Stream.paginateChunkEffect(undefined as Position | undefined, (position) =>
      Effect.flatMap(request.fetch(position), (page) => {
        const items = Chunk.unsafeFromArray(page.items as Array<A>)
        if (!page.truncated) {
          return Effect.succeed([items, Option.none()] as const)
        }
        const pageNumber = seen.size + 1
        if (page.next === undefined) {
          return broken(`page ${pageNumber} says more follows (IsTruncated) but gives no ${request.token}`)
        }
        const identity = digest(request.identify(page.next))
        if (seen.has(identity)) {
          return broken(`page ${pageNumber} gives a ${request.token} an earlier page gave: the listing would loop`)
        }
        seen.add(identity)
        return Effect.succeed([items, Option.some(page.next)] as const)
      }))
  })

const keyOf = (entry: ListEntry): string => entry._tag === "Object" ? entry.key : entry.prefix

/**
 * A page's entries (objects, or versions) and common prefixes, each in S3 order, merged into one
 * list in S3 order; the versions of one key stay together, newest first.
 */
const merged = <A extends { readonly key: string }>(
  entries: ReadonlyArray<A>,
  commonPrefixes: ReadonlyArray<string>
): Array<A | { readonly _tag: "CommonPrefix"; readonly prefix: string }> => {
  const prefixes = commonPrefixes.map((prefix) => ({ _tag: "CommonPrefix" as const, prefix }))
  if (prefixes.length === 0) return entries as Array<A>
  if (entries.length === 0) return prefixes
  const all: Array<A | { readonly _tag: "CommonPrefix"; readonly prefix: string }> = []
  let i = 0
  let j = 0
  while (i < entries.length && j < prefixes.length) {
    all.push(compareKeys(entries[i]!.key, prefixes[j]!.prefix) <= 0 ? entries[i++]! : prefixes[j++]!)
  }
  while (i < entries.length) all.push(entries[i++]!)
  while (j < prefixes.length) all.push(prefixes[j++]!)
  return all
}

const entriesOf = (page: ListPage): Array<ListEntry> => merged(page.objects, page.commonPrefixes)

const versionEntriesOf = (page: VersionsPage): Array<VersionEntry> => merged(page.versions, page.commonPrefixes)

/**
 * Every version and delete marker under the options' prefix (and common prefixes, with a
 * delimiter), in S3 order, a page (at most 1000 entries) at a time, with the listings' guards: a
 * truncated page without a key marker, or with markers an earlier page gave, is a `BrokenListing`.
 */
export const versions = (
  retried: Backend,
  operation: string,
  bucket: string,
  options: ListOptions
): Stream.Stream<VersionEntry, S3PoError> =>
  Stream.unwrap(Validate.guard(
    problemOf(operation, bucket, options),
    Effect.succeed(paginate({
      operation: "ListObjectVersions",
      bucket,
      token: "NextKeyMarker",
      identify: (marker: { readonly keyMarker: string; readonly versionIdMarker: string | undefined }) =>
        JSON.stringify([marker.keyMarker, marker.versionIdMarker ?? null]),
      fetch: (marker) =>
        Effect.map(
          retried.listVersionsPage({
            bucket,
            prefix: options.prefix,
            delimiter: options.delimiter,
            keyMarker: marker?.keyMarker,
            versionIdMarker: marker?.versionIdMarker
          }),
          (page) => ({
            items: versionEntriesOf(page),
            truncated: page.isTruncated,
            next: page.nextKeyMarker === undefined
              ? undefined
              : { keyMarker: page.nextKeyMarker, versionIdMarker: page.nextVersionIdMarker }
          })
        )
    }))
  )).pipe(
    Stream.withSpan(`S3Po.${operation}`, { attributes: { "s3.bucket": bucket, "s3.prefix": options.prefix ?? "" } })
  )

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
    Effect.succeed(paginate({
      operation: "ListObjectsV2",
      bucket,
      token: "NextContinuationToken",
      identify: (continuationToken: string) => continuationToken,
      fetch: (continuationToken) =>
        Effect.map(
          retried.listPage({
            bucket,
            prefix: options.prefix,
            delimiter: options.delimiter,
            startAfter: options.startAfter,
            continuationToken
          }),
          (page) => ({ items: entriesOf(page), truncated: page.isTruncated, next: page.nextContinuationToken })
        )
    }))
  )).pipe(
    Stream.withSpan(`S3Po.${operation}`, { attributes: { "s3.bucket": bucket, "s3.prefix": options.prefix ?? "" } })
  )

/** The keys and common prefixes of a listing, in S3 order. */
export const keys = (
  retried: Backend,
  bucket: string,
  options: ListObjectsOptions
): Stream.Stream<string, S3PoError> => Stream.map(entries(retried, "list", bucket, options), keyOf)

/** The uploads pending in a bucket (under `prefix`), by key, a page (at most 1000) at a time. */
export const pendingUploads = (
  backend: Backend,
  bucket: string,
  prefix: string | undefined
): Stream.Stream<PendingUpload, S3PoError> =>
  paginate({
    operation: "ListMultipartUploads",
    bucket,
    token: "NextKeyMarker",
    identify: (marker: { readonly keyMarker: string; readonly uploadIdMarker: string | undefined }) =>
      JSON.stringify([marker.keyMarker, marker.uploadIdMarker ?? null]),
    fetch: (marker) =>
      Effect.map(
        backend.listMultipartUploads({
          bucket,
          prefix,
          keyMarker: marker?.keyMarker,
          uploadIdMarker: marker?.uploadIdMarker
        }),
        (page) => ({
          items: page.uploads,
          truncated: page.isTruncated,
          next: page.nextKeyMarker === undefined
            ? undefined
            : { keyMarker: page.nextKeyMarker, uploadIdMarker: page.nextUploadIdMarker }
        })
      )
  })

/** Every bucket the credentials own, a page at a time. ListBuckets says a page is not the last by its token alone. */
export const buckets = (backend: Backend): Stream.Stream<BucketInfo, S3PoError> =>
  paginate({
    operation: "ListBuckets",
    bucket: "",
    token: "ContinuationToken",
    identify: (continuationToken: string) => continuationToken,
    fetch: (continuationToken) =>
      Effect.map(backend.listBuckets({ continuationToken }), (page) => ({
        items: page.buckets,
        truncated: page.continuationToken !== undefined,
        next: page.continuationToken
      }))
  })
