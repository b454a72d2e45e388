import { Options } from "@effect/cli"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Sync } from "s3po"

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

/**
 * The command line as typed (`process.argv`): `@effect/cli` gives `--include` and `--exclude` as
 * two lists, and the order between them, which aws's rule needs, is only there.
 */
export class CommandLine extends Context.Tag("@s3po/cli/CommandLine")<CommandLine, ReadonlyArray<string>>() {}

type Rule = { readonly kind: "include" | "exclude"; readonly glob: string }

const flagged = /^--(include|exclude)(?:=([\s\S]*))?$/

/** The `--include` and `--exclude` of a command line with their globs, in the order typed. */
export const rulesTyped = (argv: ReadonlyArray<string>): ReadonlyArray<Rule> => {
  const rules: Array<Rule> = []
  for (let at = 0; at < argv.length; at++) {
    const match = flagged.exec(argv[at]!)
    if (match === null) continue
    const kind = match[1] as Rule["kind"]
    if (match[2] !== undefined) rules.push({ kind, glob: match[2] })
    else if (at + 1 < argv.length) rules.push({ kind, glob: argv[++at]! })
  }
  return rules
}

const sameGlobs = (rules: ReadonlyArray<Rule>, kind: Rule["kind"], parsed: ReadonlyArray<string>) => {
  const typed = rules.filter((rule) => rule.kind === kind).map((rule) => rule.glob)
  return typed.length === parsed.length && typed.every((glob, index) => glob === parsed[index])
}

/**
 * The parsed `--include` and `--exclude` globs as the library's ordered `filters`, in the order
 * the command line has them. Without the command line (or when it does not hold these very globs),
 * the excludes come first, then the includes: the library's reading of `exclude` and `include`.
 */
export const orderedFilters = (parsed: FilterFlags): Effect.Effect<ReadonlyArray<Sync.SyncFilter>> =>
  Effect.map(Effect.serviceOption(CommandLine), (argv) => {
    const rules = Option.match(argv, { onNone: () => [], onSome: rulesTyped })
    const typedInOrder = sameGlobs(rules, "include", parsed.include) && sameGlobs(rules, "exclude", parsed.exclude)
    return typedInOrder
      ? rules.map((rule): Sync.SyncFilter => rule.kind === "include" ? { include: rule.glob } : { exclude: rule.glob })
      : [
        ...parsed.exclude.map((exclude): Sync.SyncFilter => ({ exclude })),
        ...parsed.include.map((include): Sync.SyncFilter => ({ include }))
      ]
  })

/**
 * Sync options with their `include` and `exclude` lists made `filters` in the order typed, before
 * any `filters` they had (where the library puts `include` and `exclude`).
 */
export const inTypedOrder = (options: Sync.SyncOptions): Effect.Effect<Sync.SyncOptions> => {
  const { exclude = [], include = [], ...rest } = options
  if (include.length === 0 && exclude.length === 0) return Effect.succeed(options)
  return Effect.map(orderedFilters({ include, exclude }), (typed) => ({
    ...rest,
    filters: [...typed, ...(rest.filters ?? [])]
  }))
}
