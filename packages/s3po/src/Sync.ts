/**
 * Make a bucket prefix match a local directory, or a directory match a prefix: what `aws s3 sync`
 * does, on any `S3Po` layer.
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import * as internalErrorClass from "./internal/core/errorClass.js"
import * as internalFilters from "./internal/sync/filters.js"
import type * as model from "./internal/sync/model.js"
import * as internalPrefixSync from "./internal/sync/prefixSync.js"
import * as internal from "./internal/sync/sync.js"
import * as internalUnsafeKey from "./internal/sync/unsafeKey.js"
import type { S3Po } from "./S3Po.js"
import { S3PoError, type ValidationError } from "./S3PoError.js"

/**
 * A bucket and the prefix below which a sync reads or writes. A prefix that does not end with `/`
 * is a folder all the same: `photos` holds `photos/a.jpg`, not `photos2/b.jpg`.
 *
 * @since 0.3.0
 * @category models
 */
export type SyncLocation = model.SyncLocation

/**
 * Where a sync stands: files (or objects) and bytes done and to do, and the rate so far.
 *
 * @since 0.3.0
 * @category models
 */
export type SyncProgress = model.SyncProgress

/**
 * How a sync compares, what it deletes, filters, concurrency, dry runs, links and callbacks.
 *
 * @since 0.3.0
 * @category options
 */
export type SyncOptions = model.SyncOptions

/**
 * One rule of `SyncOptions.filters`, `{ include: glob }` or `{ exclude: glob }`. As `aws s3` applies
 * `--include` and `--exclude` in the order typed: every path is taken, unless the last rule whose
 * glob matches it is an `exclude`. A glob is matched against the path below the directory or
 * prefix: `*` is any run of characters, `/` included, `?` one character, `[abc]`, `[a-z]` and
 * `[!abc]` one of (or none of) a set.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   // Only the text files: aws s3 sync ./notes s3://docs --exclude "*" --include "*.txt"
 *   yield* Sync.syncUp("./notes", { bucket: "docs" }, { filters: [{ exclude: "*" }, { include: "*.txt" }] })
 *   // Nothing: the exclude comes last, so it wins over the include.
 *   yield* Sync.syncUp("./notes", { bucket: "docs" }, { filters: [{ include: "*.txt" }, { exclude: "*" }] })
 *   // Everything but the logs, those below sub/ too: --include "sub/*" --exclude "*.log"
 *   yield* Sync.syncUp("./notes", { bucket: "docs" }, { filters: [{ include: "sub/*" }, { exclude: "*.log" }] })
 * })
 * ```
 *
 * @since 0.6.0
 * @category models
 */
export type SyncFilter = model.SyncFilter

/**
 * Whether a sync with these options takes a path below its directory or prefix, as a predicate:
 * for code that walks keys or files itself and should leave out what a sync would (`s3po rm
 * --recursive --exclude ...`). Fails with `ValidationError` when a rule is no rule (`[z-a]`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const taken = yield* Sync.pathFilter({ filters: [{ exclude: "*" }, { include: "*.txt" }] })
 *   return ["a.txt", "b.log", "sub/c.txt"].filter(taken) // ["a.txt", "sub/c.txt"]
 * })
 * ```
 *
 * @since 0.6.0
 * @category filters
 */
export const pathFilter: (
  options: Pick<SyncOptions, "include" | "exclude" | "filters">
) => Effect.Effect<(relative: string) => boolean, ValidationError> = internalFilters.pathFilter

/**
 * A key that would be written outside the directory a sync downloads into (`../x`, `/abs`, `C:\\x`,
 * a NUL byte, ...), or that the local file system would not keep as the file it names: the object
 * is left where it is and nothing is written for it. Only `syncDown` refuses keys so; its plan
 * shows them as `Refuse` actions.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const summary = yield* Sync.syncDown({ bucket: "www" }, "./site")
 *   for (const { error } of summary.failed) {
 *     if (error instanceof Sync.UnsafeKey) yield* Effect.logWarning(`left in the bucket: ${error.message}`)
 *   }
 * })
 * ```
 *
 * @since 0.5.0
 * @category errors
 */
export const UnsafeKey: typeof internalUnsafeKey.UnsafeKey = internalUnsafeKey.UnsafeKey

/**
 * @since 0.5.0
 * @category errors
 */
export type UnsafeKey = internalUnsafeKey.UnsafeKey

/**
 * What can go wrong for one file or object of a sync: any error of the service's operations, or
 * `UnsafeKey`.
 *
 * @since 0.3.0
 * @category errors
 */
export type SyncError = model.SyncError

/**
 * The schema of `SyncError`, to send a sync's failures across a worker or RPC boundary (as
 * `S3PoError`'s).
 *
 * @since 0.5.0
 * @category schemas
 */
export const SyncError = internalErrorClass.lazyUnion(() => [S3PoError, UnsafeKey])

/**
 * One step of a sync's plan, for a path below the directory or prefix (`relative`).
 *
 * @since 0.3.0
 * @category models
 */
export type SyncAction = model.SyncAction

/**
 * One file or object that could not be synced, and why.
 *
 * @since 0.3.0
 * @category models
 */
export type SyncFailure = model.SyncFailure

/**
 * What a sync did (or, in a dry run, would do). One failed file never stops the others.
 *
 * @since 0.3.0
 * @category models
 */
export type SyncSummary = model.SyncSummary

/**
 * Makes `destination` hold what `localDir` holds: uploads the files it lacks or holds otherwise,
 * and, with `delete`, removes the objects `localDir` lacks. The directory is read one folder at a
 * time in S3's key order and merged with the listing as it arrives, so memory does not grow with
 * the number of files.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const summary = yield* Sync.syncUp("./site", { bucket: "www", prefix: "v2/" }, { delete: true })
 *   yield* Effect.log(`${summary.copied} uploaded, ${summary.deleted} deleted, ${summary.failed.length} failed`)
 * })
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const syncUp: (
  localDir: string,
  destination: SyncLocation,
  options?: SyncOptions
) => Effect.Effect<SyncSummary, S3PoError, S3Po> = internal.syncUp

/**
 * Makes `localDir` hold what `source` holds: downloads the objects it lacks or holds otherwise
 * (each atomically, as `downloadFile`: an interrupted sync leaves whole files only, with the
 * object's last-modified time), and, with `delete`, removes the files `source` lacks. A key that
 * would land outside `localDir` is never written: it fails as `UnsafeKey`; so does, on Windows, a
 * key Windows would not keep as the file it names (`aux.txt`, `a\b`, `name.`, `a:b`), and, where
 * the file system does not tell case apart (macOS, Windows), a key that differs only in case from
 * one before it (`a.txt` after `A.txt`): it would overwrite that key's file. Keys ending in `/`
 * (folders made by consoles) are passed over.
 *
 * @since 0.3.0
 * @category combinators
 */
export const syncDown: (
  source: SyncLocation,
  localDir: string,
  options?: SyncOptions
) => Effect.Effect<SyncSummary, S3PoError, S3Po> = internal.syncDown

/**
 * The plan of `syncUp`, as a stream of actions in key order: nothing is done.
 *
 * @since 0.3.0
 * @category combinators
 */
export const planUp: (
  localDir: string,
  destination: SyncLocation,
  options?: SyncOptions
) => Stream.Stream<SyncAction, S3PoError, S3Po> = internal.planUp

/**
 * The plan of `syncDown`, as a stream of actions in key order: nothing is done.
 *
 * @since 0.3.0
 * @category combinators
 */
export const planDown: (
  source: SyncLocation,
  localDir: string,
  options?: SyncOptions
) => Stream.Stream<SyncAction, S3PoError, S3Po> = internal.planDown

/**
 * One step of `syncCopy`, for a key below both prefixes (`relative`): a server-side `Copy`, a
 * `DeleteObject` under the destination (with `delete`), or a `Skip` of a key the destination holds.
 *
 * @since 0.6.0
 * @category models
 */
export type SyncCopyAction = internalPrefixSync.PrefixSyncAction

/**
 * One object of `syncCopy` that failed, and why.
 *
 * @since 0.6.0
 * @category models
 */
export type SyncCopyFailure = internalPrefixSync.PrefixSyncFailure

/**
 * What `syncCopy` did (or, in a dry run, would do). One failed object never stops the others.
 *
 * @since 0.6.0
 * @category models
 */
export type SyncCopySummary = internalPrefixSync.PrefixSyncSummary

/**
 * How `syncCopy` compares, what it deletes, its filters (`include`, `exclude`, `filters`, as
 * `SyncOptions` has them), concurrency, dry run and callbacks; the multipart options and object
 * attributes are given to each `copy` (each attribute not given is kept from its source).
 *
 * @since 0.6.0
 * @category options
 */
export type SyncCopyOptions = internalPrefixSync.PrefixSyncOptions

/**
 * Makes `destination` hold what `source` holds, both in S3: what `aws s3 sync s3://a/p s3://b/q`
 * does. Each object the destination lacks or holds otherwise is copied server-side (`copy`: no byte
 * passes through the client, multipart above 5 GiB); with `delete`, what the source lacks is
 * deleted under the destination, 1000 keys to a request. The two listings are merged by key as they
 * stream in, so memory does not grow with the number of objects. By default an object is the same
 * when it has the same size and the destination's is not older (aws's rule between two buckets);
 * `compare` says otherwise. Prefixes of one bucket that hold each other's keys are refused.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const summary = yield* Sync.syncCopy(
 *     { bucket: "photos", prefix: "2024/" },
 *     { bucket: "backup", prefix: "photos/2024/" },
 *     { delete: true, filters: [{ exclude: "*.tmp" }] }
 *   )
 *   yield* Effect.log(`${summary.copied} copied, ${summary.skipped} unchanged, ${summary.deleted} deleted`)
 * })
 * ```
 *
 * @since 0.6.0
 * @category combinators
 */
export const syncCopy: (
  source: SyncLocation,
  destination: SyncLocation,
  options?: SyncCopyOptions
) => Effect.Effect<SyncCopySummary, S3PoError, S3Po> = internalPrefixSync.syncPrefixes

/**
 * The plan of `syncCopy`, as a stream of actions in key order: nothing is done.
 *
 * @since 0.6.0
 * @category combinators
 */
export const planCopy: (
  source: SyncLocation,
  destination: SyncLocation,
  options?: SyncCopyOptions
) => Stream.Stream<SyncCopyAction, S3PoError, S3Po> = internalPrefixSync.planPrefixes
