// Bundles the command line into dist/: one file (and chunks loaded on demand) starts in a fraction of
// the time the modules of effect, @effect/cli and s3po take one by one. Everything is bundled,
// the AWS SDK and undici too: they sit in a chunk of their own that only a live layer imports, so
// `s3po --help` never loads them and the published package needs no dependencies.
//
// `node scripts/build.mjs` builds only when the bundle is out of date: some file it was built from
// (esbuild's metafile lists them), this script, the lockfile or the package's manifest changed
// since the last build started, or dist/ is gone. `--force` builds regardless (for `prepack`).
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
    entryPoints: { s3po: path.join(packageDir, "src", "bin.ts") },
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
    metafile: true,
    logLevel: "warning"
  })
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input)).filter(existsSync)
  mkdirSync(path.dirname(stampFile), { recursive: true })
  writeFileSync(stampFile, JSON.stringify({ startedAt, inputs }))
}
