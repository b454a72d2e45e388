import { Options } from "@effect/cli"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Sync } from "s3po"
import { UsageError } from "./common.js"

/**
 * `--exclude` and `--include` as aws has them: repeated, in any order, and the last one that
 * matches a path decides whether it is taken. Commands that transfer or delete many take both.
 */
export const filterOptions = {
  exclude: Options.text("exclude").pipe(
    Options.repeated,
    Options.withDescription("Leave out paths matching a glob, unless a later --include matches them")
  ),
  include: Options.text("include").pipe(
    Options.repeated,
    Options.withDescription("Take paths matching a glob, unless a later --exclude matches them")
  )
}

/** The globs of `--include` and `--exclude`, as `@effect/cli` parses them: each its own list. */
export interface FilterFlags {
  readonly include: ReadonlyArray<string>
  readonly exclude: ReadonlyArray<string>
}

export type Rule = { readonly kind: "include" | "exclude"; readonly glob: string }

/**
 * The `--include` and `--exclude` rules of the command line, in the order typed: `@effect/cli`
 * gives them as two lists, and the order between them, which aws's rule needs, is only here.
 */
export class FilterRules extends Context.Tag("@s3po/cli/FilterRules")<FilterRules, ReadonlyArray<Rule>>() {}

/** The commands that take `--include` and `--exclude`. */
const filtering = new Set(["cp", "mv", "rm", "sync"])

const flagged = /^--(include|exclude)(?:=([\s\S]*))?$/

/**
 * What `@effect/cli` stands in for the `index`th glob: never read as a flag, never trimmed or
 * dropped as empty, so that the parsed lists say exactly which rule is which.
 */
const standIn = (index: number) => `${standInPrefix}${index}`

/** No argument of a process holds a NUL: nothing typed looks like a stand-in. */
const standInPrefix = "\u0000glob:"

const indexOfStandIn = (text: string): number | undefined => {
  if (!text.startsWith(standInPrefix)) return undefined
  const index = Number(text.slice(standInPrefix.length))
  return Number.isSafeInteger(index) ? index : undefined
}

/** A command line `@effect/cli` can parse, its globs stood in for, and the rules they stand for. */
export interface ReadFilters {
  readonly argv: ReadonlyArray<string>
  readonly rules: ReadonlyArray<Rule>
}

/**
 * Takes the `--include` and `--exclude` of a command that has them out of its command line (up to a
 * `--`), in the order typed, each as aws reads it: `--exclude GLOB` or `--exclude=GLOB`, a glob
 * that starts with `-` written the second way (after a bare flag, aws reads it as the next flag and
 * refuses the command: so does this, with the way to write it). Each is left for `@effect/cli` as
 * the flag and a stand-in for its glob. `@effect/cli` takes `--name=value` for every other flag, but
 * not for repeated ones.
 */
export const readFilters = (argv: ReadonlyArray<string>): ReadFilters | { readonly problem: string } => {
  if (!filtering.has(argv[2] ?? "")) return { argv, rules: [] }
  const rules: Array<Rule> = []
  const rest: Array<string> = []
  for (let at = 0; at < argv.length; at++) {
    const token = argv[at]!
    if (token === "--") {
      rest.push(...argv.slice(at))
      break
    }
    const match = at < 3 ? null : flagged.exec(token)
    if (match === null) {
      rest.push(token)
      continue
    }
    const kind = match[1] as Rule["kind"]
    let glob = match[2]
    if (glob === undefined) {
      const next = argv[at + 1]
      // None: `@effect/cli` says that the flag needs a value.
      if (next === undefined) {
        rest.push(token)
        continue
      }
      if (next.startsWith("-") && next !== "-") {
        return {
          problem: `--${kind} needs a glob, and ${next} reads as the next flag: write a glob that starts with - as ` +
            `--${kind}=${next}`
        }
      }
      glob = next
      at++
    }
    rest.push(`--${kind}`, standIn(rules.length))
    rules.push({ kind, glob })
  }
  return { argv: rest, rules }
}

/**
 * The parsed `--include` and `--exclude` globs as the library's ordered `filters`, in the order
 * the command line has them (`readFilters`). Commands run without it (by `Command.run` on
 * `command` rather than by `run`) give real globs, and there is no order to recover: the excludes
 * come first, then the includes, the library's reading of `exclude` and `include`. A stand-in that
 * names no rule of the command line fails with a `UsageError`, never a silent other order.
 */
export const orderedFilters = (parsed: FilterFlags): Effect.Effect<ReadonlyArray<Sync.SyncFilter>, UsageError> =>
  Effect.flatMap(Effect.serviceOption(FilterRules), (typed) => {
    const standsIn = [...parsed.include, ...parsed.exclude].some((glob) => indexOfStandIn(glob) !== undefined)
    if (Option.isNone(typed) || !standsIn) {
      return Effect.succeed([
        ...parsed.exclude.map((exclude): Sync.SyncFilter => ({ exclude })),
        ...parsed.include.map((include): Sync.SyncFilter => ({ include }))
      ])
    }
    const rules = typed.value
    const sameRules = (kind: Rule["kind"], globs: ReadonlyArray<string>) => {
      const indexes = rules.flatMap((rule, index) => rule.kind === kind ? [index] : [])
      return indexes.length === globs.length && indexes.every((index, at) => indexOfStandIn(globs[at]!) === index)
    }
    return sameRules("include", parsed.include) && sameRules("exclude", parsed.exclude)
      ? Effect.succeed(
        rules.map((rule): Sync.SyncFilter => rule.kind === "include" ? { include: rule.glob } : { exclude: rule.glob })
      )
      : Effect.fail(
        new UsageError({
          message: "the order of --include and --exclude could not be read from the command line: " +
            "give each glob right after its flag, as --include GLOB or --include=GLOB"
        })
      )
  })

/**
 * Sync options with their `include` and `exclude` lists made `filters` in the order typed, before
 * any `filters` they had (where the library puts `include` and `exclude`).
 */
export const inTypedOrder = (options: Sync.SyncOptions): Effect.Effect<Sync.SyncOptions, UsageError> => {
  const { exclude = [], include = [], ...rest } = options
  if (include.length === 0 && exclude.length === 0) return Effect.succeed(options)
  return Effect.map(orderedFilters({ include, exclude }), (typed) => ({
    ...rest,
    filters: [...typed, ...(rest.filters ?? [])]
  }))
}
