/**
 * A glob as `aws s3 sync` reads `--include` and `--exclude`, against a path relative to the sync's
 * directory or prefix: `*` is any run of characters (`/` included), `?` one character, `[abc]` and
 * `[!abc]` one of (or none of) a set; anything else stands for itself.
 */
export const globToRegExp = (glob: string): RegExp => {
  let source = ""
  for (let at = 0; at < glob.length; at++) {
    const character = glob[at]!
    if (character === "*") source += ".*"
    else if (character === "?") source += "."
    else if (character === "[") {
      const close = glob.indexOf("]", at + 2)
      if (close === -1) {
        source += "\\["
        continue
      }
      const inside = glob.slice(at + 1, close)
      const negated = inside.startsWith("!")
      const set = (negated ? inside.slice(1) : inside).replace(/[\\\]^]/g, "\\$&")
      source += negated ? `[^${set}]` : `[${set}]`
      at = close
    } else source += character.replace(/[.+^${}()|\\/-]/g, "\\$&")
  }
  return new RegExp(`^${source}$`, "s")
}

/** The first glob that is no pattern at all (`[z-a]`), and why. */
export const invalidGlob = (globs: ReadonlyArray<string>): string | undefined => {
  for (const glob of globs) {
    try {
      globToRegExp(glob)
    } catch (error) {
      return `${JSON.stringify(glob)} is not a glob: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  return undefined
}

/**
 * Which relative paths a sync takes: all but those matching an `exclude` glob, unless they also
 * match an `include` glob (`exclude: ["*"], include: ["*.jpg"]` takes only JPEGs).
 */
export const makeFilter = (
  include: ReadonlyArray<string> = [],
  exclude: ReadonlyArray<string> = []
): (relative: string) => boolean => {
  if (exclude.length === 0) return () => true
  const excluded = exclude.map(globToRegExp)
  const included = include.map(globToRegExp)
  return (relative) => !excluded.some((glob) => glob.test(relative)) || included.some((glob) => glob.test(relative))
}
