/**
 * `--include` and `--exclude` as aws applies them: in the order typed, the last one that matches a
 * path deciding, on `sync` (both ways), `cp --recursive` (each way and S3 to S3), `mv --recursive`
 * and `rm --recursive`. What aws takes was found by running `aws s3` with the same flags on the
 * same tree against RGW (scripts/compareFilters.sh re-runs that comparison).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { S3Po } from "s3po"
import { FilterRules, orderedFilters, readFilters } from "../../src/internal/filterOrder.js"
import { makeCli, tempDir } from "./harness.js"

const tree = ["a.txt", "b.log", "c.jpg", "sub/c.txt", "sub/d.log", "sub/deep/e.txt"]

/** The three command lines, and what aws takes of `tree` with each. */
const examples: ReadonlyArray<readonly [ReadonlyArray<string>, ReadonlyArray<string>]> = [
  [["--include", "*.txt", "--exclude", "*"], []],
  [["--exclude", "*", "--include", "*.txt"], ["a.txt", "sub/c.txt", "sub/deep/e.txt"]],
  [["--include", "sub/*", "--exclude", "*.log"], ["a.txt", "c.jpg", "sub/c.txt", "sub/deep/e.txt"]]
]

const writeTree = async (root: string) => {
  for (const relative of tree) {
    await fs.mkdir(path.dirname(path.join(root, relative)), { recursive: true })
    await fs.writeFile(path.join(root, relative), relative)
  }
}

const filesBelow = async (root: string) =>
  (await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort()

const keysBelow = (prefix: string) => (s3: S3Po.Service) =>
  Effect.map(
    Stream.runCollect(s3.list("bkt", { prefix })),
    (keys) => Chunk.toReadonlyArray(keys).map((key) => key.slice(prefix.length))
  )

const seed = (prefix: string) => (s3: S3Po.Service) =>
  Effect.forEach(tree, (key) => s3.upload("bkt", prefix + key, key), { discard: true })

const setUp = async () => {
  const cli = await makeCli()
  await cli.s3((s3) => s3.createBucket("bkt"))
  const root = await tempDir()
  await writeTree(root)
  return { cli, root }
}

describe("--include and --exclude, in the order typed", () => {
  it("sync up and down take what aws takes", async () => {
    const { cli, root } = await setUp()
    await cli.s3(seed("seed/"))
    for (const [index, [flags, taken]] of examples.entries()) {
      assert.isTrue((await cli.s3po("sync", root, `s3://bkt/up${index}`, ...flags)).ok)
      assert.deepStrictEqual(await cli.s3(keysBelow(`up${index}/`)), taken, flags.join(" "))
      const down = path.join(root, "..", `${path.basename(root)}-down${index}`)
      assert.isTrue((await cli.s3po("sync", "s3://bkt/seed", down, ...flags)).ok)
      assert.deepStrictEqual(await filesBelow(down), taken, flags.join(" "))
    }
    await cli.close()
  })

  it("cp --recursive takes what aws takes, each way and S3 to S3", async () => {
    const { cli, root } = await setUp()
    await cli.s3(seed("seed/"))
    for (const [index, [flags, taken]] of examples.entries()) {
      assert.isTrue((await cli.s3po("cp", root, `s3://bkt/cp${index}/`, "--recursive", ...flags)).ok)
      assert.deepStrictEqual(await cli.s3(keysBelow(`cp${index}/`)), taken, flags.join(" "))
      assert.isTrue((await cli.s3po("cp", "s3://bkt/seed/", `s3://bkt/s3cp${index}/`, "--recursive", ...flags)).ok)
      assert.deepStrictEqual(await cli.s3(keysBelow(`s3cp${index}/`)), taken, flags.join(" "))
      const down = path.join(root, "..", `${path.basename(root)}-cp${index}`)
      assert.isTrue((await cli.s3po("cp", "s3://bkt/seed/", down, "--recursive", ...flags)).ok)
      assert.deepStrictEqual(await filesBelow(down), taken, flags.join(" "))
    }
    await cli.close()
  })

  it("rm --recursive deletes what aws deletes, and leaves the rest", async () => {
    const { cli } = await setUp()
    for (const [index, [flags, taken]] of examples.entries()) {
      await cli.s3(seed(`rm${index}/`))
      const removed = await cli.s3po("rm", `s3://bkt/rm${index}/`, "--recursive", ...flags)
      assert.isTrue(removed.ok)
      assert.deepStrictEqual(removed.stdout, taken.map((key) => `delete: s3://bkt/rm${index}/${key}`))
      assert.deepStrictEqual(
        await cli.s3(keysBelow(`rm${index}/`)),
        tree.filter((key) => !taken.includes(key)),
        flags.join(" ")
      )
    }
    await cli.close()
  })

  it("mv --recursive moves what the filters take, and leaves the rest where it was", async () => {
    const { cli, root } = await setUp()
    const [flags, taken] = examples[2]!
    assert.isTrue((await cli.s3po("mv", root, "s3://bkt/moved/", "--recursive", ...flags)).ok)
    assert.deepStrictEqual(await cli.s3(keysBelow("moved/")), taken)
    assert.deepStrictEqual(await filesBelow(root), tree.filter((file) => !taken.includes(file)))
    await cli.close()
  })

  it("three rules; a glob that is no pattern is refused, nothing uploaded", async () => {
    const { cli, root } = await setUp()
    const flags = ["--exclude", "*", "--include", "sub/*", "--exclude", "*.log"]
    assert.isTrue((await cli.s3po("sync", root, "s3://bkt/three", ...flags)).ok)
    assert.deepStrictEqual(await cli.s3(keysBelow("three/")), ["sub/c.txt", "sub/deep/e.txt"])
    const refused = await cli.s3po("sync", root, "s3://bkt/bad", "--exclude", "[z-a]")
    assert.isFalse(refused.ok)
    assert.include(refused.stderr.join("\n"), "[z-a]")
    assert.deepStrictEqual(await cli.s3(keysBelow("bad/")), [])
    await cli.close()
  })
})

describe("filterOrder", () => {
  it("reads the flags in the order typed, --flag GLOB and --flag=GLOB, up to --, on the commands that filter", () => {
    const read = readFilters([
      "node",
      "s3po",
      "sync",
      "--include",
      "*.txt",
      "--exclude=--x",
      "a",
      "--exclude=",
      "--",
      "--include=b"
    ])
    assert.deepStrictEqual("rules" in read && read.rules, [
      { kind: "include", glob: "*.txt" },
      { kind: "exclude", glob: "--x" },
      { kind: "exclude", glob: "" }
    ])
    assert.deepStrictEqual("argv" in read && read.argv.slice(3).map((token) => token.replace("\u0000", "<NUL>")), [
      "--include",
      "<NUL>glob:0",
      "--exclude",
      "<NUL>glob:1",
      "a",
      "--exclude",
      "<NUL>glob:2",
      "--",
      "--include=b"
    ])
    const ls = ["node", "s3po", "ls", "--exclude=x"]
    assert.deepStrictEqual(readFilters(ls), { argv: ls, rules: [] })
  })

  it("a bare flag before something that starts with - is refused with the way to write it, as aws refuses it", () => {
    assert.deepStrictEqual(readFilters(["node", "s3po", "cp", "a", "s3://b/", "--include", "--exclude", "x"]), {
      problem: "--include needs a glob, and --exclude reads as the next flag: write a glob that starts with - as " +
        "--include=--exclude"
    })
  })

  it.effect("stand-ins are put back in the order typed; real globs (no run) are excludes then includes", () =>
    Effect.gen(function*() {
      const read = readFilters(["node", "s3po", "sync", "--include", "*.txt", "--exclude", "*"])
      assert.isTrue("rules" in read)
      if (!("rules" in read)) return
      const parsed = { include: [read.argv[4]!], exclude: [read.argv[6]!] }
      assert.deepStrictEqual(yield* Effect.provideService(orderedFilters(parsed), FilterRules, read.rules), [
        { include: "*.txt" },
        { exclude: "*" }
      ])
      const swapped = { include: parsed.exclude, exclude: parsed.include }
      const refused = yield* Effect.flip(Effect.provideService(orderedFilters(swapped), FilterRules, read.rules))
      assert.include(refused.message, "could not be read from the command line")
      const real = { include: ["*.txt"], exclude: ["*"] }
      assert.deepStrictEqual(yield* orderedFilters(real), [{ exclude: "*" }, { include: "*.txt" }])
    }))

  it("the command line refuses an order it cannot read with exit 2, and takes --exclude=GLOB", async () => {
    const { cli, root } = await setUp()
    const refused = await cli.s3po("sync", root, "s3://bkt/x", "--exclude", "--include", "*.txt")
    assert.strictEqual(refused.code, 2)
    assert.include(refused.stderr.join("\n"), "--exclude=--include")
    assert.deepStrictEqual(await cli.s3(keysBelow("x/")), [])
    for (const [index, [flags, taken]] of examples.entries()) {
      const joined = flags.flatMap((flag, at) => at % 2 === 0 ? [`${flag}=${flags[at + 1]}`] : [])
      assert.isTrue((await cli.s3po("sync", root, `s3://bkt/eq${index}/`, ...joined)).ok, joined.join(" "))
      assert.deepStrictEqual(await cli.s3(keysBelow(`eq${index}/`)), taken, joined.join(" "))
    }
    await cli.close()
  })
})
