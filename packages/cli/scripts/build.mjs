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
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import process from "node:process"
import { bundleId, entryOptions, programOptions } from "./bundling.mjs"

const packageDir = path.join(import.meta.dirname, "..")
const workspaceDir = path.join(packageDir, "..", "..")
const distDir = path.join(packageDir, "dist")
const entry = path.join(packageDir, "dist", "s3po.js")
// Kept out of dist/, which is published.
const stampFile = path.join(packageDir, "build", "bundle-inputs.json")
const alwaysInputs = [
  import.meta.filename,
  path.join(import.meta.dirname, "bundling.mjs"),
  path.join(packageDir, "package.json"),
  // The library's manifest too: its `sideEffects` decides what of it the bundle evaluates.
  path.join(workspaceDir, "packages", "s3po", "package.json"),
  path.join(workspaceDir, "pnpm-lock.yaml")
]

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
  const main = await build(programOptions(path.join(packageDir, "src", "main.ts"), path.join(distDir, "main.cjs")))
  const entryResult = await build(
    entryOptions(
      path.join(packageDir, "src", "bin.ts"),
      path.join(distDir, "s3po.js"),
      bundleId(path.join(distDir, "main.cjs"))
    )
  )
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
