/**
 * Make a bucket prefix match a local directory, or a directory match a prefix: what `aws s3 sync`
 * does, on any `S3Po` layer.
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/sync/sync.js"
import * as internalUnsafeKey from "./internal/sync/unsafeKey.js"
import type { S3Po } from "./S3Po.js"
import { S3PoError } from "./S3PoError.js"

/**
 * A bucket and the prefix below which a sync reads or writes. A prefix that does not end with `/`
 * is a folder all the same: `photos` holds `photos/a.jpg`, not `photos2/b.jpg`.
 *
 * @since 0.3.0
 * @category models
 */
export interface SyncLocation {
  readonly bucket: string
  readonly prefix?: string | undefined
}

/**
 * Where a sync stands: files (or objects) and bytes done and to do, and the rate so far. Until
 * `planned`, the totals grow as the two sides are compared.
 *
 * @since 0.3.0
 * @category models
 */
export interface SyncProgress {
  readonly filesDone: number
  readonly filesTotal: number
  readonly bytesDone: number
  readonly bytesTotal: number
  /** Bytes copied per second since the sync started. */
  readonly bytesPerSecond: number
  /** Whether every action is known: the two sides have been compared to the end. */
  readonly planned: boolean
}

/**
 * @since 0.3.0
 * @category options
 */
export interface SyncOptions {
  /**
   * When a file and an object are the same: `"size-and-time"` (default, as `aws s3 sync`) when
   * they have the same size and the destination is not older than the source (to the second);
   * `"checksum"` when they have the same size and the file's MD5 is the object's ETag (for a
   * multipart object, recomputed with the part size its ETag implies); `"none"` copies every file
   * (as `cp --recursive`).
   */
  readonly compare?: "size-and-time" | "checksum" | "none" | undefined
  /** Remove from the destination what the source lacks (within the filters). */
  readonly delete?: boolean | undefined
  /**
   * Globs over paths below the directory or prefix (`*` matches `/` too, `?`, `[abc]`): a path
   * matching an `exclude` glob is left alone, on both sides, unless it matches an `include` glob.
   */
  readonly include?: ReadonlyArray<string> | undefined
  readonly exclude?: ReadonlyArray<string> | undefined
  /** Files copied at once. Default 16. Large files (multipart) go two at a time among them. */
  readonly concurrency?: number | undefined
  /** Compares and reports, acts on nothing: the summary counts what would be done. */
  readonly dryRun?: boolean | undefined
  /**
   * Follow symbolic links that lead out of the local directory, and links to directories, when
   * reading it. Default: a link to a file inside the directory is followed, any other left out.
   * Links are followed to read only: `syncDown` never enters a linked folder (nothing behind it is
   * deleted), and writes nothing through a link, whatever this says.
   */
  readonly followSymlinks?: boolean | undefined
  /** Called as files are done and as the plan grows. */
  readonly onProgress?: ((progress: SyncProgress) => Effect.Effect<void>) | undefined
  /** Called with each action once it is done (or, in a dry run, decided), failed ones included. */
  readonly onAction?: ((action: SyncAction, error: SyncError | undefined) => Effect.Effect<void>) | undefined
}

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
export type SyncError = S3PoError | UnsafeKey

/**
 * The schema of `SyncError`, to send a sync's failures across a worker or RPC boundary (as
 * `S3PoError`'s).
 *
 * @since 0.5.0
 * @category schemas
 */
export const SyncError = Schema.Union(S3PoError, UnsafeKey)

/**
 * One step of a sync's plan, for a path below the directory or prefix (`relative`).
 *
 * @since 0.3.0
 * @category models
 */
export type SyncAction =
  | {
    readonly _tag: "Upload"
    readonly relative: string
    readonly path: string
    readonly key: string
    readonly size: number
  }
  | {
    readonly _tag: "Download"
    readonly relative: string
    readonly key: string
    readonly path: string
    readonly size: number
    readonly lastModified: Date
  }
  | { readonly _tag: "DeleteObject"; readonly relative: string; readonly key: string }
  | { readonly _tag: "DeleteFile"; readonly relative: string; readonly path: string }
  | { readonly _tag: "Skip"; readonly relative: string; readonly path: string; readonly key: string }
  | { readonly _tag: "Refuse"; readonly relative: string; readonly key: string; readonly error: UnsafeKey }

/**
 * One file or object that could not be synced, and why.
 *
 * @since 0.3.0
 * @category models
 */
export interface SyncFailure {
  readonly action: SyncAction
  readonly error: SyncError
}

/**
 * What a sync did (or, in a dry run, would do). One failed file never stops the others.
 *
 * @since 0.3.0
 * @category models
 */
export interface SyncSummary {
  /** Files uploaded or downloaded. */
  readonly copied: number
  readonly copiedBytes: number
  /** Files the destination already had. */
  readonly skipped: number
  /** Objects or files removed (with `delete`). */
  readonly deleted: number
  readonly failed: ReadonlyArray<SyncFailure>
  readonly dryRun: boolean
}

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
