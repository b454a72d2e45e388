// Bundles bench/bareLs.ts, the least an `ls` can cost on the command line's stack, as scripts/build.mjs
// bundles the command line, into build/bench/, and prints the path of its entry. `pnpm bench startup`
// runs it beside `s3po ls`.
import { build } from "esbuild"
import { rmSync } from "node:fs"
import * as path from "node:path"
import process from "node:process"
import { bundleId, entryOptions, programOptions } from "./bundling.mjs"

const packageDir = path.join(import.meta.dirname, "..")
const outDir = path.join(packageDir, "build", "bench")
rmSync(outDir, { recursive: true, force: true })
await build(programOptions(path.join(packageDir, "bench", "bareLs.ts"), path.join(outDir, "bareLs.cjs")))
const entry = path.join(outDir, "bareLs.js")
await build(
  entryOptions(path.join(packageDir, "bench", "bareLsEntry.ts"), entry, bundleId(path.join(outDir, "bareLs.cjs")))
)
process.stdout.write(`${entry}\n`)
