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
import { CommandLine, orderedFilters, rulesTyped } from "../../src/internal/filterOrder.js"
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
  it("reads the flags in the order typed, a value that looks like a flag included", () => {
    assert.deepStrictEqual(
      rulesTyped(["node", "s3po", "sync", "--include", "--exclude", "--exclude=a", "x", "--include"]),
      [{ kind: "include", glob: "--exclude" }, { kind: "exclude", glob: "a" }]
    )
  })

  it.effect("without the command line, or when it disagrees, excludes come before includes", () =>
    Effect.gen(function*() {
      const parsed = { include: ["*.txt"], exclude: ["*"] }
      assert.deepStrictEqual(yield* orderedFilters(parsed), [{ exclude: "*" }, { include: "*.txt" }])
      const typed = ["s3po", "sync", "--include", "*.txt", "--exclude", "*"]
      assert.deepStrictEqual(yield* Effect.provideService(orderedFilters(parsed), CommandLine, typed), [
        { include: "*.txt" },
        { exclude: "*" }
      ])
      const other = ["s3po", "sync", "--include", "*.md", "--exclude", "*"]
      assert.deepStrictEqual(yield* Effect.provideService(orderedFilters(parsed), CommandLine, other), [
        { exclude: "*" },
        { include: "*.txt" }
      ])
    }))
})
