import type { PlatformError } from "@effect/platform/Error"
import * as Arr from "effect/Array"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as LocalFiles from "../../LocalFiles.js"
import { compareKeys } from "../core/keyOrder.js"
import { isPartialFileName } from "../core/partialFile.js"

/** What is at a path, as far as a walk needs to know. */
export interface Found {
  readonly type: LocalFiles.FileInfo["type"]
  readonly size: number
  readonly modified: Date
}

/**
 * What a walk needs of a file system: the walk itself is written once, here. It asks no `lstat` of
 * each entry (which `@effect/platform`'s `FileSystem` lacks): a file is taken when its real path is
 * inside the root (or anywhere, with `followSymlinks`), so only a folder is asked whether it is a link.
 */
export interface Tree {
  /** The names in a folder; none when it is not there or not a folder. */
  readonly readDirectory: (directory: string) => Effect.Effect<Option.Option<ReadonlyArray<string>>, PlatformError>
  /** What is at `path`, links followed; none when nothing is. */
  readonly stat: (path: string) => Effect.Effect<Option.Option<Found>, PlatformError>
  /** Whether `path` is a symbolic link. */
  readonly isLink: (path: string) => Effect.Effect<boolean, PlatformError>
  /** `path` with every link resolved; none when it does not exist. */
  readonly realPath: (path: string) => Effect.Effect<Option.Option<string>, PlatformError>
  readonly join: (directory: string, name: string) => string
  readonly separator: string
  /** How many entries of a folder are looked at at once. */
  readonly concurrency: number
}

interface FileEntry {
  readonly name: string
  readonly path: string
  readonly found: Found
}

interface FolderEntry {
  readonly name: string
  readonly path: string
  /** Its real path, to tell a loop. */
  readonly real: string
  readonly found: undefined
}

/** An entry of a folder that a walk takes. */
type Entry = FileEntry | FolderEntry

/** What S3 would order an entry by: its name, and `/` after a folder's. */
const orderKey = (entry: Entry) => entry.found === undefined ? `${entry.name}/` : entry.name

/** Whether `candidate` (a real path) is `root` (a real path) or below it. */
const within = (separator: string, root: string, candidate: string): boolean =>
  candidate === root || candidate.startsWith(root.endsWith(separator) ? root : root + separator)

/** One walk: the tree, its options, and its root's real path. */
interface Walk {
  readonly tree: Tree
  readonly options: LocalFiles.WalkOptions
  readonly realRoot: string
}

/**
 * What an entry of a folder stands for in a walk: a file, a folder, or nothing (left out). A link
 * to a file is followed when it points inside the root, or anywhere with `followSymlinks`; a link to
 * a folder only with `followSymlinks` and `linkedFolders`. A dangling link is nothing.
 */
const entryOf = ({ options, realRoot, tree }: Walk, directory: string, realDirectory: string, name: string) =>
  Effect.gen(function*() {
    const path = tree.join(directory, name)
    const found = yield* tree.stat(path)
    if (Option.isNone(found)) return Option.none<Entry>()
    if (found.value.type === "File") {
      const file: Entry = { name, path, found: found.value }
      if (options.followSymlinks) return Option.some(file)
      // A file's own real path is in its folder, inside the root; a link's is where it points.
      const real = yield* tree.realPath(path)
      return Option.isSome(real) && within(tree.separator, realRoot, real.value) ? Option.some(file) : Option.none()
    }
    if (found.value.type !== "Directory") return Option.none<Entry>()
    const folder = { name, path, found: undefined }
    if (!(yield* tree.isLink(path))) return Option.some<Entry>({ ...folder, real: tree.join(realDirectory, name) })
    if (!(options.followSymlinks && options.linkedFolders)) return Option.none<Entry>()
    return Option.map(yield* tree.realPath(path), (real): Entry => ({ ...folder, real }))
  })

/** What a folder holds, in the order S3 lists the keys below it. */
const entriesOf = (walk: Walk, directory: string, realDirectory: string) =>
  Effect.gen(function*() {
    const names = yield* walk.tree.readDirectory(directory)
    if (Option.isNone(names)) return []
    const entries = yield* Effect.forEach(names.value, (name) => entryOf(walk, directory, realDirectory, name), {
      concurrency: walk.tree.concurrency
    })
    return Arr.getSomes(entries).sort((left, right) => compareKeys(orderKey(left), orderKey(right)))
  })

const below = (
  walk: Walk,
  directory: string,
  realDirectory: string,
  prefix: string,
  ancestors: ReadonlySet<string>
): Stream.Stream<LocalFiles.File, PlatformError> =>
  Stream.unwrap(Effect.map(entriesOf(walk, directory, realDirectory), (entries) => {
    // Runs of files go out as one chunk each, a folder's files between them.
    const runs: Array<Array<LocalFiles.File> | FolderEntry> = []
    let files: Array<LocalFiles.File> = []
    for (const entry of entries) {
      if (entry.found === undefined) {
        if (files.length > 0) runs.push(files)
        files = []
        // Through a followed link, a folder may hold one the walk is already in.
        if (!ancestors.has(entry.real)) runs.push(entry)
        continue
      }
      files.push({
        relative: prefix + entry.name,
        path: entry.path,
        size: entry.found.size,
        modified: entry.found.modified,
        partial: isPartialFileName(entry.name)
      })
    }
    if (files.length > 0) runs.push(files)
    return Stream.flatMap(Stream.fromIterable(runs), (run) =>
      Array.isArray(run)
        ? Stream.fromChunk(Chunk.unsafeFromArray(run))
        : below(walk, run.path, run.real, `${prefix}${run.name}/`, new Set([...ancestors, run.real])))
  }))

/**
 * The regular files below `root` in the order S3 lists their keys, read one folder at a time: memory
 * grows with the depth of the tree and the largest folder, not with the number of files. The rules
 * for symbolic links are `LocalFiles.WalkOptions`'s, as Node's walk (`nodeWalk.ts`) applies them.
 */
export const walk = (tree: Tree) =>
(
  root: string,
  options: LocalFiles.WalkOptions
): Stream.Stream<LocalFiles.File, PlatformError> =>
  Stream.unwrap(Effect.map(tree.realPath(root), (realRoot) =>
    Option.match(realRoot, {
      onNone: () => Stream.empty,
      onSome: (real) => below({ tree, options, realRoot: real }, root, real, "", new Set([real]))
    })))
