import type { Dirent, Stats } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { File as LocalFile, WalkOptions } from "../../LocalFiles.js"
import { compareKeys } from "../core/keyOrder.js"
import { isPartialFileName } from "../core/partialFile.js"
import { isWithin } from "../sync/safePath.js"

interface Entry {
  readonly name: string
  readonly path: string
  readonly kind: "file" | "directory"
  /** What S3 would order it by: its name, and `/` after a directory's. */
  readonly orderKey: string
}

/** Whether a file system error says the path is not there. */
export const missing = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error &&
  (error.code === "ENOENT" || error.code === "ENOTDIR")

/** What a symbolic link stands for in a sync: a file, a directory, or nothing (left out). */
const followed = async (
  linkPath: string,
  root: string,
  options: WalkOptions
): Promise<"file" | "directory" | undefined> => {
  // A dangling link is nothing; a link that cannot be read fails the walk rather than pass for absent.
  const target = await fs.realpath(linkPath).catch((error: unknown) => {
    if (missing(error)) return undefined
    throw error
  })
  if (target === undefined || !(options.followSymlinks || isWithin(root, target))) return undefined
  const stats = await fs.stat(linkPath)
  if (stats.isFile()) return "file"
  return stats.isDirectory() && options.followSymlinks && options.linkedFolders ? "directory" : undefined
}

/**
 * What a directory holds, in the order S3 lists the keys below it. A symbolic link is followed when
 * it points inside `root`, or anywhere with `followSymlinks`; a link to a directory only with
 * `followSymlinks` and `linkedFolders`.
 */
const entriesOf = async (directory: string, root: string, options: WalkOptions): Promise<Array<Entry>> => {
  let dirents: Array<Dirent>
  try {
    dirents = await fs.readdir(directory, { withFileTypes: true })
  } catch (error) {
    if (missing(error)) return []
    throw error
  }
  const entries: Array<Entry> = []
  for (const dirent of dirents) {
    const entryPath = path.join(directory, dirent.name)
    const kind = dirent.isFile()
      ? "file"
      : dirent.isDirectory()
      ? "directory"
      : dirent.isSymbolicLink()
      ? await followed(entryPath, root, options)
      : undefined
    if (kind === undefined) continue
    entries.push({
      name: dirent.name,
      path: entryPath,
      kind,
      orderKey: kind === "directory" ? `${dirent.name}/` : dirent.name
    })
  }
  return entries.sort((left, right) => compareKeys(left.orderKey, right.orderKey))
}

const statBatch = 64

/**
 * A file's stats; none when it is gone since its directory was read (left out, as a file created
 * now would be). Never rejects: a batch asked for ahead may not all be awaited.
 */
const statOf = (file: string): Promise<Stats | undefined | { readonly failed: unknown }> =>
  fs.stat(file).catch((error: unknown) => missing(error) ? undefined : { failed: error })

/**
 * The regular files below `root`, in the order S3 lists their keys (UTF-8 bytes), in batches, read
 * one directory at a time: memory grows with the depth of the tree and the largest directory, not
 * with the number of files. A missing `root` holds nothing.
 */
export async function* filesInKeyOrder(
  root: string,
  options: WalkOptions
): AsyncGenerator<ReadonlyArray<LocalFile>> {
  const realRoot = await fs.realpath(root).catch((error: unknown) => {
    if (missing(error)) return undefined
    throw error
  })
  if (realRoot === undefined) return
  async function* below(
    directory: string,
    prefix: string,
    ancestors: ReadonlySet<string>
  ): AsyncGenerator<ReadonlyArray<LocalFile>> {
    const entries = await entriesOf(directory, realRoot!, options)
    // The files' stats are asked for a batch at a time: one by one, each waits its turn in the
    // thread pool and a walk of many small files takes several times as long.
    for (let start = 0; start < entries.length; start += statBatch) {
      const slice = entries.slice(start, start + statBatch)
      const stats = slice.map((entry) => entry.kind === "file" ? statOf(entry.path) : undefined)
      let files: Array<LocalFile> = []
      for (let at = 0; at < slice.length; at++) {
        const entry = slice[at]!
        const relative = prefix + entry.name
        if (entry.kind === "file") {
          const found = await stats[at]
          if (found !== undefined && "failed" in found) throw found.failed
          if (found?.isFile() === true) {
            files.push({
              relative,
              path: entry.path,
              size: found.size,
              modified: found.mtime,
              partial: isPartialFileName(entry.name)
            })
          }
          continue
        }
        if (files.length > 0) yield files
        files = []
        if (!options.followSymlinks) {
          yield* below(entry.path, `${relative}/`, ancestors)
          continue
        }
        // Through a followed link, a folder may hold one the walk is already in.
        const real = await fs.realpath(entry.path)
        if (!ancestors.has(real)) yield* below(entry.path, `${relative}/`, new Set([...ancestors, real]))
      }
      if (files.length > 0) yield files
    }
  }
  yield* below(root, "", new Set([realRoot]))
}
