import * as path from "node:path"

/**
 * Why a key's path below a sync's prefix cannot be a file below the local directory, if it cannot:
 * it climbs out (`..`), starts at a root (`/x`, `C:\x`, `\\host`), has a NUL byte, or names the
 * same file as another key would (`a//b`, `a/./b`). Backslashes count as separators here, as they
 * do on Windows, so that a key is judged the same wherever the sync runs. On Windows
 * (`platform: "win32"`), also what Windows would not keep as the file the key names.
 */
export const unsafeReason = (relative: string, platform: NodeJS.Platform = process.platform): string | undefined => {
  if (relative.includes("\0")) return "it contains a NUL byte"
  if (/^[A-Za-z]:/.test(relative)) return "it starts with a drive letter"
  if (relative.startsWith("/") || relative.startsWith("\\")) return "it is an absolute path"
  for (const segment of relative.split(/[/\\]/)) {
    if (segment === "..") return "it climbs out of the directory (..)"
    if (segment === ".") return "it has a . segment"
    if (segment === "") return "it has an empty path segment"
  }
  return platform === "win32" ? unsafeOnWindows(relative) : undefined
}

/** Device names Windows reserves in every folder, with any extension (`aux.txt` is `AUX`). */
const reservedOnWindows = /^(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$)$/i

/**
 * Why Windows would not keep a key's path as the file it names: a backslash (a separator there:
 * `a\b` would be the file `b` in `a`, which lists as the key `a/b`), a character it refuses (`:`
 * opens an alternate data stream), a device name, or a name ending in a dot or space (dropped:
 * `a.` is `a`).
 */
const unsafeOnWindows = (relative: string): string | undefined => {
  if (relative.includes("\\")) return "it has a backslash, a folder separator on Windows"
  // eslint-disable-next-line no-control-regex
  const refused = /[<>:"|?*\u0001-\u001f]/.exec(relative)
  if (refused !== null) return `it has ${JSON.stringify(refused[0])}, which Windows refuses in a file name`
  for (const segment of relative.split("/")) {
    if (reservedOnWindows.test(segment.split(".")[0]!.trimEnd())) {
      return `${JSON.stringify(segment)} is a device name on Windows`
    }
    if (/[. ]$/.test(segment)) return `${JSON.stringify(segment)} ends in a dot or space, which Windows drops`
  }
  return undefined
}

/** The local path of a key's relative path (checked with `unsafeReason` first), inside `root`. */
export const localPathOf = (root: string, relative: string): string | undefined => {
  const resolved = path.resolve(root, ...relative.split("/"))
  return resolved !== path.resolve(root) && isWithin(path.resolve(root), resolved) ? resolved : undefined
}

/** Whether `candidate` (a real path) is `root` (a real path) or below it. */
export const isWithin = (root: string, candidate: string): boolean =>
  candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
