import type { Stats } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"

/**
 * How a directory's file system tells names apart, as the name it files a path under: exactly
 * (Linux), or with case folded (macOS and Windows by default, where `A.txt` and `a.txt` are one file).
 */
export type NameFold = (relative: string) => string

export const exactNames: NameFold = (relative) => relative

/** Case folded, and composed characters too: macOS takes `é` and `e` + accent for one name. */
export const foldedNames: NameFold = (relative) => relative.normalize("NFC").toLowerCase()

const swappedCase = (name: string) =>
  Array.from(name, (character) => {
    const upper = character.toUpperCase()
    return upper === character ? character.toLowerCase() : upper
  }).join("")

const statOf = (file: string): Promise<Stats | undefined> => fs.stat(file).catch(() => undefined)

/**
 * How the file system holding `directory` (a real path) tells names apart, found without writing: the
 * deepest folder of its path whose name has letters is looked up with their case swapped, and is the
 * same folder when case is folded.
 */
export const nameFoldOf = async (directory: string): Promise<NameFold> => {
  for (let at = directory; path.dirname(at) !== at; at = path.dirname(at)) {
    const name = path.basename(at)
    const swapped = swappedCase(name)
    if (swapped === name) continue
    const [real, variant] = await Promise.all([statOf(at), statOf(path.join(path.dirname(at), swapped))])
    // A directory a dry run would make is judged by the folder it would be made in.
    if (real === undefined) continue
    return variant !== undefined && real.dev === variant.dev && real.ino === variant.ino ? foldedNames : exactNames
  }
  return exactNames
}
