import * as fs from "node:fs"
import * as path from "node:path"

/**
 * `pnpm bench` runs the benchmarks compiled by tsc, as a published package would run: under tsx,
 * esbuild's `keepNames` wraps every closure s3po creates in a naming call, which costs a third of
 * an S3PoMock PUT. A benchmark script started as `.ts` still works, and starts its helpers as `.ts`.
 */
const extension = path.extname(import.meta.filename)

/** Node's arguments to run the benchmark script `name` (e.g. "fixture") beside this one. */
export const nodeArgsFor = (name: string): Array<string> => [
  ...(extension === ".ts" ? ["--import", "tsx"] : []),
  path.join(import.meta.dirname, `${name}${extension}`)
]

/** The repository root: the nearest folder above with `pnpm-workspace.yaml`. */
export const repositoryRoot = (): string => {
  for (let dir = import.meta.dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir
  }
  throw new Error(`no pnpm-workspace.yaml above ${import.meta.dirname}`)
}
