// Bundles the command line into dist/: one file starts in a fraction of the time the modules of
// effect, @effect/cli and s3po take one by one. Everything is bundled, the AWS SDK and undici too,
// so the published package needs no dependencies; what only some commands use (the live layer and
// the SDK) runs when first imported, not at start.
//
// dist/s3po.js (src/bin.ts) is a small entry that answers `--version`, `--help` and `-h` from
// dist/answers.json (what dist/main.cjs printed for them, run here) without loading the command
// line; anything else it hands to dist/main.cjs (src/main.ts), run with V8's code cache
// (src/codeCache.ts). main.cjs is CommonJS for that: Node 20 compiles ES modules with no cache.
// `pnpm bench startup` measures them.
//
// `node scripts/build.mjs` builds only when the bundle is out of date: some file it was built from
// (esbuild's metafile lists them), this script, the lockfile or the package's manifest changed
// since the last build started, or dist/ is gone. `--force` builds regardless (for `prepack`).
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import process from "node:process"

const packageDir = path.join(import.meta.dirname, "..")
const workspaceDir = path.join(packageDir, "..", "..")
const distDir = path.join(packageDir, "dist")
const entry = path.join(packageDir, "dist", "s3po.js")
// Kept out of dist/, which is published.
const stampFile = path.join(packageDir, "build", "bundle-inputs.json")
const alwaysInputs = [
  import.meta.filename,
  path.join(packageDir, "package.json"),
  path.join(workspaceDir, "pnpm-lock.yaml")
]

// @effect/cli parses option files in YAML, TOML and INI with three libraries that the command line
// never calls (no option of s3po reads a file): stand-ins that refuse keep them, two fifths of what
// `s3po --help` would otherwise compile, out of the bundle.
const unusedFileParsers = {
  name: "unused-file-parsers",
  setup(build) {
    build.onResolve(
      { filter: /^(yaml|toml|ini)$/ },
      (args) => /@effect[\\/]cli[\\/]/.test(args.importer) ? { path: args.path, namespace: "unused-parser" } : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "unused-parser" }, (args) => ({
      contents: `export const parse = () => { throw new Error("s3po reads no ${args.path} files") }`,
      loader: "js"
    }))
  }
}

// s3po's live layer takes `Pool` and `buildConnector` from undici, whose index loads all of undici
// besides (fetch, cookies, mocks, caches), and with its fetch Node's own copy of undici: a third of
// the start-up of an `ls`. The command line takes the two from their own modules, and gives the
// dispatchers the methods undici's index gives them.
const undiciParts = {
  name: "undici-parts",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, async (args) => {
      if (args.pluginData === "undici-parts") return undefined
      const { path: index, errors } = await build.resolve("undici", {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "undici-parts"
      })
      if (errors.length > 0) return { errors }
      return { path: "undici", namespace: "undici-parts", pluginData: path.dirname(index) }
    })
    build.onLoad({ filter: /.*/, namespace: "undici-parts" }, (args) => ({
      contents: [
        `import Dispatcher from "./lib/dispatcher/dispatcher.js"`,
        `import api from "./lib/api/index.js"`,
        `export { default as Pool } from "./lib/dispatcher/pool.js"`,
        `export { default as buildConnector } from "./lib/core/connect.js"`,
        `Object.assign(Dispatcher.prototype, api)`
      ].join("\n"),
      resolveDir: args.pluginData,
      loader: "js"
    }))
  }
}

const modifiedAt = (file) => {
  try {
    return statSync(file).mtimeMs
  } catch {
    return undefined
  }
}

/** True when the last build's inputs are all unchanged since it started and its output is there. */
const upToDate = () => {
  if (!existsSync(entry) || !existsSync(stampFile)) return false
  let stamp
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8"))
  } catch {
    return false
  }
  if (typeof stamp.startedAt !== "number" || !Array.isArray(stamp.inputs)) return false
  return [...stamp.inputs, ...alwaysInputs].every((file) => {
    const mtime = modifiedAt(file)
    return mtime !== undefined && mtime < stamp.startedAt
  })
}

if (process.argv.includes("--force") || !upToDate()) {
  // Taken before esbuild reads anything, less a second for the file system's coarser clock: a file
  // saved during the build is newer, and the bundle is built again next time.
  const startedAt = Date.now() - 1000
  rmSync(distDir, { recursive: true, force: true })
  const { build } = await import("esbuild")
  const shared = { bundle: true, platform: "node", target: "node20", metafile: true, logLevel: "warning" }
  const main = await build({
    ...shared,
    entryPoints: [path.join(packageDir, "src", "main.ts")],
    outfile: path.join(distDir, "main.cjs"),
    format: "cjs",
    mainFields: ["module", "main"],
    // `import()` as `require`: a script run from the code cache has no loader for modules.
    supported: { "dynamic-import": false },
    // ASCII only, so that the entry reads it as Latin-1, undecoded: the licence comments, which
    // may not be, go to main.cjs.LEGAL.txt.
    charset: "ascii",
    legalComments: "external",
    // 1.6 MB instead of 3.6: every start reads the bundle and makes a string of it, at about 10 ms a
    // megabyte here. Names are kept, for the stacks of a bug report and the classes' names.
    minify: true,
    keepNames: true,
    plugins: [unusedFileParsers, undiciParts]
  })
  const mainCode = readFileSync(path.join(distDir, "main.cjs"))
  if (mainCode.some((byte) => byte > 0x7f)) {
    throw new Error("dist/main.cjs is not ASCII: src/codeCache.ts reads it as Latin-1")
  }
  const mainId = createHash("sha256").update(mainCode).digest("hex").slice(0, 16)
  const entryResult = await build({
    ...shared,
    entryPoints: [path.join(packageDir, "src", "bin.ts")],
    outfile: path.join(distDir, "s3po.js"),
    format: "esm",
    // Names the bundle's build in its code cache's file name: V8 checks a cache against the source's length only.
    define: { S3PO_MAIN_ID: JSON.stringify(mainId) }
  })
  // What `s3po --version`, `--help` and `-h` print, rendered once here: the entry prints it without
  // loading the command line.
  const answers = {}
  for (const flag of ["--version", "--help", "-h"]) {
    const answer = spawnSync(process.execPath, [path.join(distDir, "main.cjs"), flag], { encoding: "utf8" })
    if (answer.status !== 0) throw new Error(`s3po ${flag} failed (${answer.status}): ${answer.stderr}`)
    answers[flag] = answer.stdout
  }
  writeFileSync(path.join(distDir, "answers.json"), JSON.stringify(answers))
  const inputs = [...Object.keys(main.metafile.inputs), ...Object.keys(entryResult.metafile.inputs)]
    .map((input) => path.resolve(input))
    .filter(existsSync)
  mkdirSync(path.dirname(stampFile), { recursive: true })
  writeFileSync(stampFile, JSON.stringify({ startedAt, inputs }))
}
