/**
 * What s3po does with local files, as one service: walk a folder in key order, stat, read whole or
 * by range, write atomically, make folders, remove. `uploadFile`, `downloadFile`, `Sync` and the
 * command line reach the disk only through it.
 *
 * `LocalFiles` is a reference with a default: Node's file system, nothing to provide. Provide
 * another to run the same code elsewhere: `LocalFiles.layerMemory` (an in-memory folder tree, for
 * tests that need no disk), `LocalFiles.layerFileSystem` (over `@effect/platform`'s `FileSystem`:
 * Bun, Deno, or a file system of your own). s3po uses the `LocalFiles` in the context of the call,
 * else the one in the context its layer was built in, else Node's. (A platform `FileSystem` in
 * context is used only through `layerFileSystem`.)
 *
 * Paths are the platform's (`node:path`); a failure is `@effect/platform`'s `PlatformError`, which
 * s3po's operations report as a `LocalFileError` that names the operation and the path.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LocalFiles, S3Po, S3PoMock, Sync } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const files = yield* LocalFiles.makeMemory({ "/site/index.html": "<h1>hello</h1>" })
 *   const s3 = yield* S3Po
 *   yield* s3.createBucket("www")
 *   // The sync reads the in-memory folder: no disk is touched.
 *   yield* Sync.syncUp("/site", { bucket: "www" }).pipe(Effect.provideService(LocalFiles.LocalFiles, files))
 * }).pipe(Effect.provide(S3PoMock.layer()))
 * ```
 *
 * @since 0.6.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as fileSystemFiles from "./internal/localFiles/fileSystem.js"
import * as memory from "./internal/localFiles/memory.js"
import * as node from "./internal/localFiles/node.js"
import * as tag from "./internal/localFiles/tag.js"

// ---------------------------------------------------------------------------------------------
// models

/**
 * What s3po does with local files.
 *
 * @since 0.6.0
 * @category models
 */
export interface LocalFiles {
  /**
   * The regular files below `root`, in the order S3 lists their keys (UTF-8 bytes of the path
   * below `root`, with `/` between names). A missing `root` holds nothing. Symbolic links: see
   * `WalkOptions`.
   */
  readonly walk: (root: string, options: WalkOptions) => Stream.Stream<File, PlatformError.PlatformError>
  /** What is at `path`, following a symbolic link unless `followLinks` is `false`; none when nothing is. */
  readonly stat: (
    path: string,
    options?: { readonly followLinks?: boolean | undefined }
  ) => Effect.Effect<Option.Option<FileInfo>, PlatformError.PlatformError>
  /** `path` with every symbolic link resolved; none when it does not exist. */
  readonly realPath: (path: string) => Effect.Effect<Option.Option<string>, PlatformError.PlatformError>
  /** A file's bytes, whole: for small files. */
  readonly readFile: (path: string) => Effect.Effect<Uint8Array, PlatformError.PlatformError>
  /** A file opened for reading by range, closed with the scope. */
  readonly open: (path: string) => Effect.Effect<OpenFile, PlatformError.PlatformError, Scope.Scope>
  /** A file's bytes, in chunks of about `chunkSize` (default 1 MiB). */
  readonly readStream: (
    path: string,
    options?: { readonly chunkSize?: number | undefined }
  ) => Stream.Stream<Uint8Array, PlatformError.PlatformError>
  /**
   * Writes `body` to `path` whole or not at all: into a new file beside it (`.<name>.<32 hex>.s3po-partial`,
   * created exclusively, so never through a planted link), renamed over `path` once the body ends.
   * When the body fails or is interrupted, that file is removed and `path` is untouched. Node's
   * implementation syncs the file to the disk before the rename and the folder after it, so a crash
   * leaves the old file or the new one whole; over a `FileSystem`, the file only (it opens no
   * folder); in memory there is no disk.
   */
  readonly writeAtomically: <E, R>(
    path: string,
    body: Stream.Stream<Uint8Array, E, R>
  ) => Effect.Effect<void, E | PlatformError.PlatformError, R>
  /** Makes a folder and the folders above it that are missing. */
  readonly makeDirectory: (path: string) => Effect.Effect<void, PlatformError.PlatformError>
  /** Removes a file (not a folder). */
  readonly remove: (path: string) => Effect.Effect<void, PlatformError.PlatformError>
  /** Sets a file's modification time. */
  readonly setModified: (path: string, modified: Date) => Effect.Effect<void, PlatformError.PlatformError>
}

/**
 * How a walk treats symbolic links: a link to a file is followed when it points inside the root,
 * or anywhere with `followSymlinks`; a link to a folder only with `followSymlinks` and
 * `linkedFolders` (a walk that may delete or write what it finds passes `linkedFolders: false`).
 * A folder already being walked (a loop of links) is not entered again.
 *
 * @since 0.6.0
 * @category models
 */
export interface WalkOptions {
  readonly followSymlinks: boolean
  readonly linkedFolders: boolean
}

/**
 * A regular file found by a walk.
 *
 * @since 0.6.0
 * @category models
 */
export interface File {
  /** Its path below the root, with `/` between names: the key below a prefix. */
  readonly relative: string
  readonly path: string
  readonly size: number
  readonly modified: Date
  /**
   * Whether its name is one `writeAtomically` writes into until the body ends (in progress, or
   * left by a killed run): a sync leaves such a file alone unless a key of its name exists.
   */
  readonly partial: boolean
}

/**
 * What `stat` finds.
 *
 * @since 0.6.0
 * @category models
 */
export interface FileInfo {
  readonly type: "File" | "Directory" | "SymbolicLink" | "Other"
  readonly size: number
  readonly modified: Date
  /** The same for two paths of one file (device and inode on Node): how case-folding is told apart. */
  readonly identity: string
}

/**
 * A file opened for reading.
 *
 * @since 0.6.0
 * @category models
 */
export interface OpenFile {
  readonly size: number
  /** Reads into `into` from `position`: how many bytes were read, 0 at the end. */
  readonly read: (into: Uint8Array, position: number) => Effect.Effect<number, PlatformError.PlatformError>
}

/**
 * An in-memory folder tree, and what a test reads back of it.
 *
 * @since 0.6.0
 * @category models
 */
export interface MemoryFiles extends LocalFiles {
  /** Every file, by absolute path, with its bytes. */
  readonly snapshot: Effect.Effect<ReadonlyMap<string, Uint8Array>>
  /**
   * Writes a file (making its folders), as a test seeds one: a file already there (or the one a
   * link there points to) gets the new bytes and keeps its identity. A folder in the way is a defect.
   */
  readonly writeFile: (
    path: string,
    content: string | Uint8Array,
    options?: { readonly modified?: Date | undefined }
  ) => Effect.Effect<void>
  /** Makes `path` a symbolic link to `target`. */
  readonly symlink: (target: string, path: string) => Effect.Effect<void>
}

// ---------------------------------------------------------------------------------------------
// tags

/**
 * The local files s3po uses: Node's file system unless another is provided.
 *
 * @since 0.6.0
 * @category tags
 */
export const LocalFiles: Context.Reference<LocalFiles, LocalFiles> = tag.LocalFiles

// ---------------------------------------------------------------------------------------------
// constructors

/**
 * Node's file system (`node:fs`): the default.
 *
 * @since 0.6.0
 * @category constructors
 */
export const nodeFiles: LocalFiles = node.localFiles

/**
 * An in-memory folder tree, seeded with `files` (absolute paths to their contents; folders are
 * made as needed). Paths are POSIX (`/a/b.txt`), names compared exactly; a relative path is
 * resolved against `/`, the tree's fixed working folder. Symbolic links (`symlink`) are followed as
 * a kernel follows them, one name at a time (`..` after a link leaves the folder it points to).
 * Times come from the `Clock`. Each change is made in one step: fibers never see the tree half
 * changed.
 *
 * @since 0.6.0
 * @category constructors
 */
export const makeMemory: (
  files?: Readonly<Record<string, string | Uint8Array>>
) => Effect.Effect<MemoryFiles> = memory.make

/**
 * Local files over `@effect/platform`'s `FileSystem` and `Path`: Bun's, Deno's, Node's, or one of
 * your own.
 *
 * What `FileSystem` cannot say, and what stands for it:
 * - It has no `lstat`: a path is taken for a symbolic link when `readLink` reads it. A walk asks
 *   that only of folders, and takes a file when its `realPath` is inside the root (with
 *   `followSymlinks`, anywhere): one `stat` per file, and one `realPath` without `followSymlinks`.
 *   A file system whose `readLink` fails on links has its linked folders walked as folders.
 * - Of a link itself (`stat` with `followLinks: false`), only where it points is known: `size` is
 *   the length of that path, `modified` the time of what it points to (the epoch when nothing is
 *   there), `identity` its real folder and its name.
 * - `identity` is the device and inode when `stat` gives an inode, else the real path.
 * - An opened file has one position: a ranged read is a seek and a read, one at a time per file.
 *
 * A file where a folder should be (Node's `ENOTDIR`) is reported as `NotFound`, as `nodeFiles`
 * reports it.
 *
 * @since 0.6.0
 * @category constructors
 */
export const fromFileSystem: (fileSystem: FileSystem.FileSystem, path: Path.Path) => LocalFiles = fileSystemFiles.make

// ---------------------------------------------------------------------------------------------
// layers

/**
 * Node's file system, provided explicitly.
 *
 * @since 0.6.0
 * @category layers
 */
export const layerNode: Layer.Layer<LocalFiles> = Layer.succeed(LocalFiles, nodeFiles)

/**
 * An in-memory folder tree, seeded with `files`.
 *
 * @since 0.6.0
 * @category layers
 */
export const layerMemory = (files?: Readonly<Record<string, string | Uint8Array>>): Layer.Layer<LocalFiles> =>
  Layer.effect(LocalFiles, makeMemory(files))

/**
 * Local files over the context's `FileSystem` and `Path`.
 *
 * @since 0.6.0
 * @category layers
 */
export const layerFileSystem: Layer.Layer<LocalFiles, never, FileSystem.FileSystem | Path.Path> = Layer.effect(
  LocalFiles,
  Effect.map(Effect.all([FileSystem.FileSystem, Path.Path]), ([fileSystem, path]) => fromFileSystem(fileSystem, path))
)
