import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import type { FileInfo, LocalFiles } from "../../LocalFiles.js"

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

const statOf = (files: LocalFiles, file: string): Effect.Effect<FileInfo | undefined> =>
  Effect.orElseSucceed(Effect.map(files.stat(file), Option.getOrUndefined), () => undefined)

/**
 * How the file system holding `directory` (a real path) tells names apart, found without writing: the
 * deepest folder of its path whose name has letters is looked up with their case swapped, and is the
 * same folder when case is folded.
 */
export const nameFoldOf = (files: LocalFiles, directory: string): Effect.Effect<NameFold> =>
  Effect.gen(function*() {
    for (let at = directory; path.dirname(at) !== at; at = path.dirname(at)) {
      const name = path.basename(at)
      const swapped = swappedCase(name)
      if (swapped === name) continue
      const [real, variant] = yield* Effect.all([
        statOf(files, at),
        statOf(files, path.join(path.dirname(at), swapped))
      ], { concurrency: 2 })
      // A directory a dry run would make is judged by the folder it would be made in.
      if (real === undefined) continue
      return variant !== undefined && real.identity === variant.identity ? foldedNames : exactNames
    }
    return exactNames
  })
