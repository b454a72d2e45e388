// Run as `node --import tsx test/utils/exampleTypes.ts <examples.json>`: type-checks the examples
// (a JSON array of { name, source }) and prints their type errors as a JSON array of strings.
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"

interface Example {
  readonly name: string
  readonly source: string
}

const packageDir = path.join(import.meta.dirname, "..", "..")

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

const examples = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8")) as ReadonlyArray<Example>
process.stdout.write(JSON.stringify(typeErrors(examples)))
