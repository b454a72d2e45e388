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

/** What a walk needs of a file system: the walk itself is written once, here. */
export interface Tree {
  /** The names in a folder; none when it is not there or not a folder. */
  readonly readDirectory: (directory: string) => Effect.Effect<Option.Option<ReadonlyArray<string>>, PlatformError>
  /**
   * What is at `path`, a final symbolic link followed only with `followLinks`; none when nothing is.
   * Of a link not followed, only `type` is read.
   */
  readonly stat: (path: string, followLinks: boolean) => Effect.Effect<Option.Option<Found>, PlatformError>
  /** `path` with every link resolved; none when it does not exist. */
  readonly realPath: (path: string) => Effect.Effect<Option.Option<string>, PlatformError>
  readonly join: (directory: string, name: string) => string
  readonly separator: string
  /** How many entries of a folder are looked at at once. */
  readonly concurrency: number
}

interface Entry {
  readonly name: string
  readonly path: string
  /** Its real path: a folder's, to tell a loop. */
  readonly real: string
  /** What S3 would order it by: its name, and `/` after a folder's. */
  readonly orderKey: string
  /** A file's size and time; undefined for a folder. */
  readonly file: Found | undefined
}

/** Whether `candidate` (a real path) is `root` (a real path) or below it. */
const within = (separator: string, root: string, candidate: string): boolean =>
  candidate === root || candidate.startsWith(root.endsWith(separator) ? root : root + separator)

/** One walk: the tree, its options, and its root's real path. */
interface Walk {
  readonly tree: Tree
  readonly options: LocalFiles.WalkOptions
  readonly realRoot: string
}

/** What a symbolic link stands for in a walk: a file, a folder, or nothing (left out). */
const followed = ({ options, realRoot, tree }: Walk, linkPath: string, name: string) =>
  Effect.gen(function*() {
    const target = yield* tree.realPath(linkPath)
    if (Option.isNone(target) || !(options.followSymlinks || within(tree.separator, realRoot, target.value))) {
      return Option.none<Entry>()
    }
    const found = yield* tree.stat(linkPath, true)
    if (Option.isNone(found)) return Option.none<Entry>()
    if (found.value.type === "File") {
      return Option.some<Entry>({ name, path: linkPath, real: target.value, orderKey: name, file: found.value })
    }
    return found.value.type === "Directory" && options.followSymlinks && options.linkedFolders
      ? Option.some<Entry>({ name, path: linkPath, real: target.value, orderKey: `${name}/`, file: undefined })
      : Option.none<Entry>()
  })

const entryOf = (walk: Walk, directory: string, realDirectory: string, name: string) => {
  const path = walk.tree.join(directory, name)
  return Effect.flatMap(walk.tree.stat(path, false), (found): Effect.Effect<Option.Option<Entry>, PlatformError> => {
    if (Option.isNone(found)) return Effect.succeed(Option.none())
    const real = walk.tree.join(realDirectory, name)
    switch (found.value.type) {
      case "File":
        return Effect.succeed(Option.some({ name, path, real, orderKey: name, file: found.value }))
      case "Directory":
        return Effect.succeed(Option.some({ name, path, real, orderKey: `${name}/`, file: undefined }))
      case "SymbolicLink":
        return followed(walk, path, name)
      case "Other":
        return Effect.succeed(Option.none())
    }
  })
}

/** What a folder holds, in the order S3 lists the keys below it. */
const entriesOf = (walk: Walk, directory: string, realDirectory: string) =>
  Effect.gen(function*() {
    const names = yield* walk.tree.readDirectory(directory)
    if (Option.isNone(names)) return []
    const entries = yield* Effect.forEach(names.value, (name) => entryOf(walk, directory, realDirectory, name), {
      concurrency: walk.tree.concurrency
    })
    return Arr.getSomes(entries).sort((left, right) => compareKeys(left.orderKey, right.orderKey))
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
    const runs: Array<Array<LocalFiles.File> | Entry> = []
    let files: Array<LocalFiles.File> = []
    for (const entry of entries) {
      if (entry.file === undefined) {
        if (files.length > 0) runs.push(files)
        files = []
        // Through a followed link, a folder may hold one the walk is already in.
        if (!ancestors.has(entry.real)) runs.push(entry)
        continue
      }
      files.push({
        relative: prefix + entry.name,
        path: entry.path,
        size: entry.file.size,
        modified: entry.file.modified,
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
