import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

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
 * Type-checks the examples as the package's own code is checked, each as a module importing
 * `s3po` as a user would, in one program: a file name for each under `examples/`, served from
 * memory.
 */
const typeErrors = (examples: ReadonlyArray<Example>): ReadonlyArray<string> => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(packageDir, "tsconfig.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined }
  )!
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    composite: false,
    declaration: false,
    emitDeclarationOnly: false,
    incremental: false,
    // An example may define what it does not use: it shows how to write it.
    noUnusedLocals: false,
    noUnusedParameters: false
  }
  const files = new Map(
    examples.map((example, i) => [
      path.join(packageDir, "examples", `.doc-example-${i}.ts`),
      { example, text: example.source.includes("import ") ? example.source : `${example.source}\nexport {}\n` }
    ])
  )
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  const fileExists = host.fileExists.bind(host)
  const readFile = host.readFile.bind(host)
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const virtual = files.get(path.normalize(fileName))
    return virtual === undefined
      ? getSourceFile(fileName, languageVersion, ...rest)
      : ts.createSourceFile(fileName, virtual.text, languageVersion, true)
  }
  host.fileExists = (fileName) => files.has(path.normalize(fileName)) || fileExists(fileName)
  host.readFile = (fileName) => files.get(path.normalize(fileName))?.text ?? readFile(fileName)
  const program = ts.createProgram([...files.keys()], options, host)
  return [...files.keys()].flatMap((fileName) => {
    const sourceFile = program.getSourceFile(fileName)!
    const { example } = files.get(fileName)!
    return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map(
      (diagnostic) => {
        const line = diagnostic.start === undefined
          ? 0
          : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line + 1
        return `${example.name} (line ${line} of the example): ${
          ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")
        }`
      }
    )
  })
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

  it("reports an example that does not type-check, naming where it is", { timeout: 120_000 }, () => {
    const errors = typeErrors([{
      name: "a wrong call",
      source: `import { S3Po } from "s3po"\nimport { Effect } from "effect"\n` +
        `export const program = Effect.flatMap(S3Po, (s3) => s3.downloadString("bucket"))\n`
    }])
    assert.strictEqual(errors.length, 1)
    assert.match(errors[0]!, /^a wrong call \(line 3 of the example\): Expected 2-3 arguments, but got 1/)
  })

  it("type-checks every example of the READMEs, of docs/ and of the doc comments", { timeout: 120_000 }, () => {
    assert.deepStrictEqual(typeErrors([...markdownExamples(), ...docCommentExamples()]), [])
  })
})
