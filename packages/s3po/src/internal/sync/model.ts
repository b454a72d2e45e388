import type * as Effect from "effect/Effect"
import type { ObjectAttributes } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { UnsafeKey } from "./unsafeKey.js"

// The models of a sync, which the `Sync` module exports: here, so that the service's handles
// (`S3Po.Bucket`) can name them without an import circle between the two public modules.

/**
 * A bucket and the prefix below which a sync reads or writes. A prefix that does not end with `/`
 * is a folder all the same: `photos` holds `photos/a.jpg`, not `photos2/b.jpg`.
 */
export interface SyncLocation {
  readonly bucket: string
  readonly prefix?: string | undefined
}

/**
 * Where a sync stands: files (or objects) and bytes done and to do, and the rate so far. Until
 * `planned`, the totals grow as the two sides are compared.
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
 * The object attributes (`contentType`, `metadata`, `cacheControl`, `storageClass`, ...) are given
 * to each upload of `syncUp`; `syncDown` has no use for them.
 */
export interface SyncOptions extends ObjectAttributes {
  /**
   * When a file and an object are the same: `"size-and-time"` (default, as `aws s3 sync`) when
   * they have the same size and the destination is not older than the source (to the second);
   * `"size-only"` (`--size-only`) when they have the same size; `"size-and-exact-time"`
   * (`--exact-timestamps`) when they have the same size and, for `syncDown`, the same time to the
   * second (a file changed since it was downloaded is downloaded again, older or not; `syncUp`
   * compares as `"size-and-time"`, an object's time being that of its upload); `"checksum"` when
   * they have the same size and the file's MD5 is the object's ETag (for a multipart object,
   * recomputed with the part size its ETag implies); `"none"` copies every file (as `cp
   * --recursive`).
   */
  readonly compare?: "size-and-time" | "size-only" | "size-and-exact-time" | "checksum" | "none" | undefined
  /**
   * `syncUp` stores each file with the content type of its extension, unless `contentType` gives
   * one for all (as `UploadFileOptions.guessContentType`). Default `true`.
   *
   * @since 0.6.0
   */
  readonly guessContentType?: boolean | undefined
  /** Remove from the destination what the source lacks (within the filters). */
  readonly delete?: boolean | undefined
  /**
   * Globs over paths below the directory or prefix (`*` matches `/` too, `?`, `[abc]`): a path
   * matching an `exclude` glob is left alone, on both sides, unless it matches an `include` glob.
   * They are rules as `filters` are, `exclude`'s first, then `include`'s: what aws does with
   * `--exclude ... --include ...`. For any other order, use `filters`.
   */
  readonly include?: ReadonlyArray<string> | undefined
  readonly exclude?: ReadonlyArray<string> | undefined
  /**
   * Rules in order, as `aws s3` reads `--include` and `--exclude` from its command line: every path
   * is taken, unless the last rule whose glob matches it is an `exclude`. The globs are matched
   * against the path below the directory or prefix (`sub/d.log`): `*` is any run of characters,
   * `/` included, `?` one character, `[abc]`, `[a-z]` and `[!abc]` one of (or none of) a set. They
   * apply after `exclude` and `include`, on both sides: a path left out is neither copied nor
   * deleted. See `Sync.SyncFilter` for examples.
   *
   * @since 0.6.0
   */
  readonly filters?: ReadonlyArray<SyncFilter> | undefined
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
  /**
   * Called as files are done, as the plan grows, and within a file as its bytes move: a download's
   * as they arrive, a large upload's as S3 acknowledges each part.
   */
  readonly onProgress?: ((progress: SyncProgress) => Effect.Effect<void>) | undefined
  /** Called with each action once it is done (or, in a dry run, decided), failed ones included. */
  readonly onAction?: ((action: SyncAction, error: SyncError | undefined) => Effect.Effect<void>) | undefined
}

/**
 * One rule of a sync's `filters`: paths matching the glob are taken (`include`) or left out
 * (`exclude`), unless a later rule matches them too.
 */
export type SyncFilter =
  | { readonly include: string; readonly exclude?: never }
  | { readonly exclude: string; readonly include?: never }

/**
 * What can go wrong for one file or object of a sync: any error of the service's operations, or
 * `UnsafeKey`.
 */
export type SyncError = S3PoError | UnsafeKey

/**
 * One step of a sync's plan, for a path below the directory or prefix (`relative`).
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
 */
export interface SyncFailure {
  readonly action: SyncAction
  readonly error: SyncError
}

/**
 * What a sync did (or, in a dry run, would do). One failed file never stops the others.
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
