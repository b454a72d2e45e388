/**
 * Which paths a sync takes, by aws's rule: every path, unless the last `--include`/`--exclude` that
 * matches it is an exclude; the globs as Python's `fnmatch` reads them (what aws uses).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import { compileGlob, filterProblem, makeFilter, pathFilter, rulesOf } from "../../src/internal/sync/filters.js"
import type { SyncFilter } from "../../src/internal/sync/model.js"

const paths = ["a.txt", "b.log", "c.jpg", "sub/c.txt", "sub/d.log", "sub/deep/e.txt", "x"]

const taken = (filters: ReadonlyArray<SyncFilter>) => paths.filter(makeFilter({ filters }))

/** `fnmatch.translate` as Python 3.11 has it, for globs of the alphabet below: the reference. */
const fnmatchReference = (glob: string) => {
  let source = ""
  for (let at = 0; at < glob.length; at++) {
    const character = glob[at]!
    if (character === "*") source += "[\\s\\S]*"
    else if (character === "?") source += "[\\s\\S]"
    else if (character === "[") {
      let end = at + 1
      if (glob[end] === "!") end++
      if (glob[end] === "]") end++
      end = glob.indexOf("]", end)
      if (end === -1) source += "\\["
      else {
        const inside = glob.slice(at + 1, end)
        const negated = inside.startsWith("!")
        const members = (negated ? inside.slice(1) : inside).replace(/[\\\]^]/g, (c) => `\\${c}`)
        source += `[${negated ? "^" : ""}${members}]`
        at = end
      }
    } else source += character.replace(/[.+(){}|$^\\/\]]/g, (c) => `\\${c}`)
  }
  return new RegExp(`^(?:${source})$`, "u")
}

/** Globs and paths of a small alphabet, so that they often match: no backwards ranges. */
const globCharacter = fc.constantFrom("a", "b", "/", ".", "*", "?", "[", "]", "!", "-", "c")
const glob = fc.array(globCharacter, { maxLength: 7 }).map((characters) => characters.join(""))
const path = fc.array(fc.constantFrom("a", "b", "c", "/", ".", "-", "!", "[", "]"), { maxLength: 8 }).map((
  characters
) => characters.join(""))
const validGlob = glob.filter((text) => filterProblem({ filters: [{ include: text }] }) === undefined)
const rule: fc.Arbitrary<SyncFilter> = fc.oneof(
  validGlob.map((include) => ({ include })),
  validGlob.map((exclude) => ({ exclude }))
)

describe("sync filters", () => {
  it("the issue's examples: the last rule that matches decides", () => {
    assert.deepStrictEqual(taken([{ include: "*.txt" }, { exclude: "*" }]), [])
    assert.deepStrictEqual(taken([{ exclude: "*" }, { include: "*.txt" }]), ["a.txt", "sub/c.txt", "sub/deep/e.txt"])
    assert.deepStrictEqual(
      taken([{ include: "sub/*" }, { exclude: "*.log" }]),
      ["a.txt", "c.jpg", "sub/c.txt", "sub/deep/e.txt", "x"]
    )
    assert.deepStrictEqual(
      taken([{ exclude: "*" }, { include: "sub/*" }, { exclude: "*.log" }]),
      ["sub/c.txt", "sub/deep/e.txt"]
    )
    assert.deepStrictEqual(taken([{ exclude: "*.log" }, { include: "sub/*" }]), [
      "a.txt",
      "c.jpg",
      "sub/c.txt",
      "sub/d.log",
      "sub/deep/e.txt",
      "x"
    ])
    assert.deepStrictEqual(taken([]), paths)
    assert.deepStrictEqual(taken([{ include: "*.txt" }]), paths)
  })

  it("include and exclude arrays are excludes then includes: an include takes back any exclude", () => {
    assert.deepStrictEqual(rulesOf({ include: ["a"], exclude: ["b", "c"], filters: [{ exclude: "d" }] }), [
      { exclude: "b" },
      { exclude: "c" },
      { include: "a" },
      { exclude: "d" }
    ])
    fc.assert(
      fc.property(fc.array(validGlob, { maxLength: 3 }), fc.array(validGlob, { maxLength: 3 }), path, (
        include,
        exclude,
        relative
      ) => {
        const matches = (globs: ReadonlyArray<string>) => globs.some((one) => compileGlob(one)(relative))
        const takenBefore = !matches(exclude) || matches(include)
        return makeFilter({ include, exclude })(relative) === takenBefore
      }),
      { numRuns: 500 }
    )
  })

  it("a path is taken unless the last rule that matches it excludes it", () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), path, (filters, relative) => {
        let expected = true
        for (const one of filters) {
          const include = one.include !== undefined
          if (compileGlob(include ? one.include! : one.exclude!)(relative)) expected = include
        }
        return makeFilter({ filters })(relative) === expected
      }),
      { numRuns: 1000 }
    )
  })

  it("a rule that matches everything, put last, decides alone", () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 5 }),
        path,
        (filters, relative) =>
          makeFilter({ filters: [...filters, { exclude: "*" }] })(relative) === false &&
          makeFilter({ filters: [...filters, { include: "*" }] })(relative) === true
      ),
      { numRuns: 300 }
    )
  })

  it("globs match as Python's fnmatch does: * and ? cross /, sets with ! and ranges, a lone [ is itself", () => {
    fc.assert(
      fc.property(
        validGlob,
        path,
        (text, relative) => compileGlob(text)(relative) === fnmatchReference(text).test(relative)
      ),
      { numRuns: 3000 }
    )
    const cases: Array<[string, string, boolean]> = [
      ["[]a]", "]", true],
      ["[]a]", "a", true],
      ["[!]a]", "]", false],
      ["[!]a]", "b", true],
      ["[!]", "[!]", true],
      ["[]", "[]", true],
      ["sub/?", "sub/a", true],
      ["sub?a", "sub/a", true],
      ["*.txt", "sub/deep/e.txt", true],
      ["sub/*", "sub", false],
      ["a\\b", "a\\b", true],
      ["[^a]", "^", true],
      ["[^a]", "b", false]
    ]
    for (const [text, relative, expected] of cases) {
      assert.strictEqual(compileGlob(text)(relative), expected, `${text} ${relative}`)
    }
  })

  it("filters that are no rules are refused, naming the rule and why", () => {
    assert.deepStrictEqual(filterProblem({ filters: [{ include: "*.txt" }, { exclude: "[z-a]" }] }), {
      field: "filters[1]",
      reason: "\"[z-a]\" is not a glob: the range z-a runs backwards"
    })
    assert.deepStrictEqual(filterProblem({ exclude: ["[z-a]"] })?.field, "include/exclude")
    const bad: ReadonlyArray<unknown> = ["*.txt", { include: "a", exclude: "b" }, {}, { include: 3 }, null, ["a"]]
    for (const [index, filter] of bad.entries()) {
      const problem = filterProblem({ filters: [{ include: "ok" }, filter] as ReadonlyArray<SyncFilter> })
      assert.strictEqual(problem?.field, "filters[1]", `${index}`)
    }
    assert.strictEqual(filterProblem({ filters: "*" as unknown as ReadonlyArray<SyncFilter> })?.field, "filters")
    assert.isUndefined(filterProblem({ include: ["*"], exclude: ["a"], filters: [{ exclude: "[!a-c]" }] }))
  })

  it("any value given as filters is a rule list or a problem, never a throw", () => {
    fc.assert(
      fc.property(fc.anything(), path, (filters, relative) => {
        const options = { filters } as { readonly filters: ReadonlyArray<SyncFilter> }
        return filterProblem(options) !== undefined || typeof makeFilter(options)(relative) === "boolean"
      }),
      { numRuns: 2000 }
    )
  })

  it.effect("pathFilter is the predicate, or a ValidationError for a rule that is no rule", () =>
    Effect.gen(function*() {
      const onlyText = yield* pathFilter({ filters: [{ exclude: "*" }, { include: "*.txt" }] })
      assert.deepStrictEqual(paths.filter(onlyText), ["a.txt", "sub/c.txt", "sub/deep/e.txt"])
      const error = yield* Effect.flip(pathFilter({ filters: [{ exclude: "[z-a]" }] }))
      assert.deepStrictEqual([error._tag, error.field], ["ValidationError", "filters[0]"])
    }))
})
