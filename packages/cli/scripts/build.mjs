// Bundles the command line into dist/: one file (and chunks loaded on demand) starts in a fraction of
// the time the modules of effect, @effect/cli and s3po take one by one. Everything is bundled,
// the AWS SDK and undici too: they sit in a chunk of their own that only a live layer imports, so
// `s3po --help` never loads them and the published package needs no dependencies.
//
// dist/s3po.js (src/bin.ts) is a small entry that answers `--version`, `--help` and `-h` from
// dist/answers.json (what dist/main.js printed for them, run here) without loading the command
// line; anything else it hands to dist/main.js (src/main.ts). `pnpm bench startup` measures them.
//
// `node scripts/build.mjs` builds only when the bundle is out of date: some file it was built from
// (esbuild's metafile lists them), this script, the lockfile or the package's manifest changed
// since the last build started, or dist/ is gone. `--force` builds regardless (for `prepack`).
import { spawnSync } from "node:child_process"
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
  const result = await build({
    entryPoints: { s3po: path.join(packageDir, "src", "bin.ts"), main: path.join(packageDir, "src", "main.ts") },
    outdir: distDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    mainFields: ["module", "main"],
    // Bundled CommonJS (a few dependencies) asks for `require`.
    banner: {
      js:
        "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
    },
    plugins: [unusedFileParsers, undiciParts],
    metafile: true,
    logLevel: "warning"
  })
  // What `s3po --version`, `--help` and `-h` print, rendered once here: the entry prints it without
  // loading the command line.
  const answers = {}
  for (const flag of ["--version", "--help", "-h"]) {
    const answer = spawnSync(process.execPath, [path.join(distDir, "main.js"), flag], { encoding: "utf8" })
    if (answer.status !== 0) throw new Error(`s3po ${flag} failed (${answer.status}): ${answer.stderr}`)
    answers[flag] = answer.stdout
  }
  writeFileSync(path.join(distDir, "answers.json"), JSON.stringify(answers))
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input)).filter(existsSync)
  mkdirSync(path.dirname(stampFile), { recursive: true })
  writeFileSync(stampFile, JSON.stringify({ startedAt, inputs }))
}
