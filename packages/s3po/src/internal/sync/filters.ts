/** One step of a glob: any run of characters, any one character, one of a set, or a character itself. */
type Token =
  | { readonly _tag: "Any" }
  | { readonly _tag: "One" }
  | { readonly _tag: "Set"; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> }
  | { readonly _tag: "Literal"; readonly codePoint: number }

/** A set's members (`a`, `a-z`) as ranges of code points; a range that runs backwards is no pattern. */
const rangesOf = (members: ReadonlyArray<number>): Array<readonly [number, number]> => {
  const ranges: Array<readonly [number, number]> = []
  for (let at = 0; at < members.length; at++) {
    const low = members[at]!
    if (members[at + 1] === 0x2d && at + 2 < members.length) {
      const high = members[at + 2]!
      if (high < low) {
        throw new Error(`the range ${String.fromCodePoint(low)}-${String.fromCodePoint(high)} runs backwards`)
      }
      ranges.push([low, high])
      at += 2
    } else ranges.push([low, low])
  }
  return ranges
}

/** A glob's steps, or an error saying why it is no pattern. */
const tokensOf = (glob: string): Array<Token> => {
  const characters = Array.from(glob, (character) => character.codePointAt(0)!)
  const tokens: Array<Token> = []
  for (let at = 0; at < characters.length; at++) {
    const character = characters[at]!
    if (character === 0x2a) {
      // `**` matches what `*` does: one step, so that a run of stars costs no more than one.
      if (tokens.at(-1)?._tag !== "Any") tokens.push({ _tag: "Any" })
    } else if (character === 0x3f) tokens.push({ _tag: "One" })
    else if (character === 0x5b && characters.indexOf(0x5d, at + 2) !== -1) {
      const close = characters.indexOf(0x5d, at + 2)
      const inside = characters.slice(at + 1, close)
      const negated = inside[0] === 0x21
      tokens.push({ _tag: "Set", negated, ranges: rangesOf(negated ? inside.slice(1) : inside) })
      at = close
    } else tokens.push({ _tag: "Literal", codePoint: character })
  }
  return tokens
}

const matchesOne = (token: Exclude<Token, { _tag: "Any" }>, codePoint: number): boolean => {
  switch (token._tag) {
    case "One":
      return true
    case "Literal":
      return token.codePoint === codePoint
    case "Set":
      return token.ranges.some(([low, high]) => low <= codePoint && codePoint <= high) !== token.negated
  }
}

/**
 * A glob as `aws s3 sync` reads `--include` and `--exclude`, against a path relative to the sync's
 * directory or prefix: `*` is any run of characters (`/` included), `?` one character, `[abc]`,
 * `[a-z]` and `[!abc]` one of (or none of) a set; anything else stands for itself. Throws when the
 * glob is no pattern (`[z-a]`).
 *
 * The match takes at most (path length × glob length) steps, whatever the glob: a star that fails
 * is only ever moved on from the last star, never retried from earlier ones (as a regular
 * expression's backtracking would, in time exponential in the number of stars).
 */
export const compileGlob = (glob: string): (relative: string) => boolean => {
  const tokens = tokensOf(glob)
  return (relative) => {
    const text = Array.from(relative, (character) => character.codePointAt(0)!)
    let tokenAt = 0
    let textAt = 0
    // Where the last star was, and where in the text its run now ends.
    let starAt = -1
    let starTextAt = 0
    while (textAt < text.length) {
      const token = tokens[tokenAt]
      if (token !== undefined && token._tag === "Any") {
        starAt = tokenAt++
        starTextAt = textAt
      } else if (token !== undefined && matchesOne(token, text[textAt]!)) {
        tokenAt++
        textAt++
      } else if (starAt !== -1) {
        tokenAt = starAt + 1
        textAt = ++starTextAt
      } else return false
    }
    while (tokens[tokenAt]?._tag === "Any") tokenAt++
    return tokenAt === tokens.length
  }
}

/** The first glob that is no pattern at all (`[z-a]`), and why. */
export const invalidGlob = (globs: ReadonlyArray<string>): string | undefined => {
  for (const glob of globs) {
    try {
      compileGlob(glob)
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
  const excluded = exclude.map(compileGlob)
  const included = include.map(compileGlob)
  return (relative) => !excluded.some((matches) => matches(relative)) || included.some((matches) => matches(relative))
}
