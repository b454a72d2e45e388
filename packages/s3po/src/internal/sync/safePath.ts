import * as path from "node:path"

/**
 * Why a key's path below a sync's prefix cannot be a file below the local directory, if it cannot:
 * it climbs out (`..`), starts at a root (`/x`, `C:\x`, `\\host`), has a NUL byte, or names the
 * same file as another key would (`a//b`, `a/./b`). Backslashes count as separators here, as they
 * do on Windows, so that a key is judged the same wherever the sync runs.
 */
export const unsafeReason = (relative: string): string | undefined => {
  if (relative.includes("\0")) return "it contains a NUL byte"
  if (/^[A-Za-z]:/.test(relative)) return "it starts with a drive letter"
  if (relative.startsWith("/") || relative.startsWith("\\")) return "it is an absolute path"
  for (const segment of relative.split(/[/\\]/)) {
    if (segment === "..") return "it climbs out of the directory (..)"
    if (segment === ".") return "it has a . segment"
    if (segment === "") return "it has an empty path segment"
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
