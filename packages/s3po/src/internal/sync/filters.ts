import * as Effect from "effect/Effect"
import { ValidationError } from "../../S3PoError.js"
import type { SyncFilter } from "./model.js"

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

/**
 * Where the set opened at `open` closes, or -1 when it does not (the `[` then stands for itself).
 * As in Python's `fnmatch`, which aws uses: a `]` right after `[` or `[!` is a member, not the end.
 */
const setEnd = (characters: ReadonlyArray<number>, open: number): number => {
  let first = open + 1
  if (characters[first] === 0x21) first++
  if (characters[first] === 0x5d) first++
  return characters.indexOf(0x5d, first)
}

/** A glob's steps, or an error saying why it is no pattern. */
const tokensOf = (glob: string): Array<Token> => {
  const characters = Array.from(glob, (character) => character.codePointAt(0)!)
  const tokens: Array<Token> = []
  for (let at = 0; at < characters.length; at++) {
    const character = characters[at]!
    const close = character === 0x5b ? setEnd(characters, at) : -1
    if (character === 0x2a) {
      // `**` matches what `*` does: one step, so that a run of stars costs no more than one.
      if (tokens.at(-1)?._tag !== "Any") tokens.push({ _tag: "Any" })
    } else if (character === 0x3f) tokens.push({ _tag: "One" })
    else if (close !== -1) {
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

const globReason = (glob: string): string | undefined => {
  try {
    compileGlob(glob)
    return undefined
  } catch (error) {
    return `${JSON.stringify(glob)} is not a glob: ${error instanceof Error ? error.message : String(error)}`
  }
}

/** The first glob that is no pattern at all (`[z-a]`), and why. */
export const invalidGlob = (globs: ReadonlyArray<string>): string | undefined => {
  for (const glob of globs) {
    const reason = globReason(glob)
    if (reason !== undefined) return reason
  }
  return undefined
}

/** The options that say which paths a sync takes. */
export interface FilterOptions {
  readonly include?: ReadonlyArray<string> | undefined
  readonly exclude?: ReadonlyArray<string> | undefined
  readonly filters?: ReadonlyArray<SyncFilter> | undefined
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/** What is wrong with one of `filters`: not `{ include: glob }` or `{ exclude: glob }`, or no glob. */
const filterReason = (filter: unknown): string | undefined => {
  if (!isObject(filter) || Array.isArray(filter)) return "must be { include: glob } or { exclude: glob }"
  const include: unknown = Reflect.get(filter, "include")
  const exclude: unknown = Reflect.get(filter, "exclude")
  if ((include === undefined) === (exclude === undefined)) {
    return "must be { include: glob } or { exclude: glob }, one of the two"
  }
  const glob = include ?? exclude
  return typeof glob === "string" ? globReason(glob) : "must have a string glob"
}

/**
 * The field and reason of the first filter option that is no filter: `filters` not an array of
 * `{ include }` and `{ exclude }`, or a glob that is no pattern (`[z-a]`).
 */
export const filterProblem = (
  options: FilterOptions
): { readonly field: string; readonly reason: string } | undefined => {
  const arrays = invalidGlob([...(options.include ?? []), ...(options.exclude ?? [])])
  if (arrays !== undefined) return { field: "include/exclude", reason: arrays }
  const filters: unknown = options.filters
  if (filters === undefined) return undefined
  if (!Array.isArray(filters)) return { field: "filters", reason: "must be an array of { include } and { exclude }" }
  for (const [index, filter] of filters.entries()) {
    const reason = filterReason(filter)
    if (reason !== undefined) return { field: `filters[${index}]`, reason }
  }
  return undefined
}

/** `filterProblem` as the `ValidationError` of an operation. */
export const filterError = (operation: string, options: FilterOptions): ValidationError | undefined => {
  const problem = filterProblem(options)
  return problem === undefined ? undefined : new ValidationError({ operation, ...problem })
}

/**
 * The rules of a sync's options in the order they apply: `exclude`'s globs, then `include`'s (as
 * `aws s3 sync --exclude ... --include ...` gives them), then `filters` as given.
 */
export const rulesOf = (options: FilterOptions): ReadonlyArray<SyncFilter> => [
  ...(options.exclude ?? []).map((exclude) => ({ exclude })),
  ...(options.include ?? []).map((include) => ({ include })),
  ...(options.filters ?? [])
]

/**
 * Which relative paths a sync takes, by aws's rule: every path, unless the last rule whose glob
 * matches it is an `exclude` (`[{ exclude: "*" }, { include: "*.jpg" }]` takes only JPEGs;
 * `[{ include: "*.jpg" }, { exclude: "*" }]` takes nothing).
 */
export const makeFilter = (options: FilterOptions): (relative: string) => boolean => {
  const rules = rulesOf(options)
  const firstExclude = rules.findIndex((rule) => "exclude" in rule && rule.exclude !== undefined)
  // Includes before any exclude take back nothing: every path is taken until something excludes it.
  if (firstExclude === -1) return () => true
  const compiled = rules.slice(firstExclude).map((rule) =>
    "exclude" in rule && rule.exclude !== undefined
      ? { taken: false, matches: compileGlob(rule.exclude) }
      : { taken: true, matches: compileGlob(rule.include!) }
  ).reverse()
  return (relative) => compiled.find((rule) => rule.matches(relative))?.taken ?? true
}

/** `makeFilter` for callers of the public API: a rule that is no rule fails with `ValidationError`. */
export const pathFilter = (options: FilterOptions): Effect.Effect<(relative: string) => boolean, ValidationError> =>
  Effect.suspend(() => {
    const problem = filterError("Sync.pathFilter", options)
    return problem === undefined ? Effect.succeed(makeFilter(options)) : Effect.fail(problem)
  })
