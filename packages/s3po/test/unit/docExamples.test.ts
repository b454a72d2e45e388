import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

const packageDir = path.join(import.meta.dirname, "..", "..")
const root = path.join(packageDir, "..", "..")

interface Example {
  readonly name: string
  readonly source: string
}

const fenced = /```ts\n([\s\S]*?)```/g

/** The Markdown pages whose `ts` blocks are examples: the READMEs and every page under `docs/`. */
const markdownFiles = (): ReadonlyArray<string> => {
  const pages = (dir: string): ReadonlyArray<string> =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) return pages(file)
      return entry.name.endsWith(".md") ? [file] : []
    })
  return [
    path.join(root, "README.md"),
    path.join(root, "packages", "s3po", "README.md"),
    path.join(root, "packages", "cli", "README.md"),
    ...pages(path.join(root, "docs"))
  ].filter((file) => fs.existsSync(file))
}

/** Every `ts` block of the READMEs and of `docs/`, each a program of its own, named by its file and line. */
const markdownExamples = (): ReadonlyArray<Example> =>
  markdownFiles().flatMap((file) => {
    const text = fs.readFileSync(file, "utf8")
    return Array.from(text.matchAll(fenced), (match) => {
      const line = text.slice(0, match.index).split("\n").length
      return { name: `${path.relative(root, file)}:${line}`, source: match[1]! }
    })
  })

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "internal" ? [] : sourceFiles(file)
    return entry.name.endsWith(".ts") ? [file] : []
  })

/** Every `@example` of the public modules' doc comments, with the comments' ` * ` taken off. */
const docCommentExamples = (): ReadonlyArray<Example> =>
  sourceFiles(path.join(packageDir, "src")).flatMap((file) => {
    const text = fs.readFileSync(file, "utf8")
    const examples: Array<Example> = []
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const body = comment[0].split("\n").map((line) => line.replace(/^\s*\* ?/, "")).join("\n")
      const at = text.slice(0, comment.index).split("\n").length
      for (const match of body.matchAll(/@example\s*\n```ts\n([\s\S]*?)```/g)) {
        examples.push({ name: `${path.relative(packageDir, file)}:${at}`, source: match[1]! })
      }
    }
    return examples
  })

/**
 * The type errors of the examples, found by `test/utils/exampleTypes.ts` in a process of its own:
 * a compile of every example takes tens of seconds, and in the test's own thread it would stop the
 * worker answering the runner meanwhile.
 */
const typeErrors = async (examples: ReadonlyArray<Example>): Promise<ReadonlyArray<string>> => {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "s3po-doc-examples-"))
  try {
    const input = path.join(dir, "examples.json")
    await fs.promises.writeFile(input, JSON.stringify(examples))
    const script = path.join(packageDir, "test", "utils", "exampleTypes.ts")
    const { stdout } = await run(process.execPath, ["--import", "tsx", script, input], {
      cwd: packageDir,
      maxBuffer: 64 * 1024 * 1024
    })
    return JSON.parse(stdout) as ReadonlyArray<string>
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true })
  }
}

describe("documentation examples", () => {
  it("finds the examples of the README, of every page of docs/ and of the doc comments", () => {
    const names = markdownExamples().map((example) => example.name.replace(/:\d+$/, ""))
    assert.isAtLeast(names.filter((name) => name === "README.md").length, 1)
    for (
      const page of ["getting-started", "transfers", "testing", "database", "errors", "configuration", "sync-and-cli"]
    ) {
      assert.include(names, `docs/${page}.md`)
    }
    assert.isAtLeast(markdownExamples().length, 12)
    assert.isAtLeast(docCommentExamples().length, 4)
  })

  it("reports an example that does not type-check, naming where it is", { timeout: 120_000 }, async () => {
    const errors = await typeErrors([{
      name: "a wrong call",
      source: `import { S3Po } from "s3po"\nimport { Effect } from "effect"\n` +
        `export const program = Effect.flatMap(S3Po, (s3) => s3.downloadString("bucket"))\n`
    }])
    assert.strictEqual(errors.length, 1)
    assert.match(errors[0]!, /^a wrong call \(line 3 of the example\): Expected 2-3 arguments, but got 1/)
  })

  it("type-checks every example of the READMEs, of docs/ and of the doc comments", { timeout: 120_000 }, async () => {
    assert.deepStrictEqual(await typeErrors([...markdownExamples(), ...docCommentExamples()]), [])
  })
})
