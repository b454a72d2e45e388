// Runs the command line's CommonJS bundle with V8's code cache, as Node 22's compile cache does but
// on Node 20 too: the first run compiles the bundle and, at exit, saves the code of every function it
// ran; later runs load that code instead of compiling it again. Without a usable cache (none yet, a
// directory that cannot be written, another Node), the bundle is compiled as usual.
import type * as Fs from "node:fs"
import module from "node:module"
import type * as Os from "node:os"
import type * as Path from "node:path"
import type * as Vm from "node:vm"

// Node's modules by `require`: an ES module's `import` of node:fs builds a facade of all its exports,
// which loads fs's streams (and Node's streams with them) before anything runs.
const nodeRequire = module.createRequire(import.meta.url)
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync }: typeof Fs = nodeRequire("node:fs")
const os: typeof Os = nodeRequire("node:os")
const path: typeof Path = nodeRequire("node:path")
const vm: typeof Vm = nodeRequire("node:vm")

/**
 * Where the cache of `bundle` goes: beside it, and else in the user's cache directory (a global
 * install's directory is seldom writable by the user). `id` names the bundle's build, and the V8
 * flags the run set: V8 checks a cache against its source's length only, so a cache never outlives
 * the build it was made for, and it rejects one made under other flags.
 */
const cacheFilesOf = (bundle: string, id: string): Array<string> => {
  const name = `${path.basename(bundle)}.${id}.${process.version}-${process.arch}.cache`
  const userCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache")
  return [path.join(path.dirname(bundle), name), path.join(userCache, "s3po", name)]
}

const readCache = (files: ReadonlyArray<string>): Buffer | undefined => {
  for (const file of files) {
    try {
      return readFileSync(file)
    } catch {
      // none there
    }
  }
  return undefined
}

/** Writes `data` to the first of `files` that takes it, through a temporary file (a concurrent run reads all or nothing). */
const writeCache = (files: ReadonlyArray<string>, data: Buffer): void => {
  for (const file of files) {
    const partial = `${file}.${process.pid}.partial`
    try {
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(partial, data)
      renameSync(partial, file)
      return
    } catch {
      rmSync(partial, { force: true })
    }
  }
}

/**
 * Runs the CommonJS file `bundle` (as `require` would) with the code cache made for build and flags `id`.
 * `NODE_DISABLE_COMPILE_CACHE` turns the cache off, as it does Node's.
 */
export const runWithCodeCache = (bundle: string, id: string): void => {
  // The build keeps the bundle ASCII, which reads as Latin-1 without decoding: as UTF-8, a bundle of
  // a few megabytes takes tens of milliseconds to decode.
  const source = readFileSync(bundle, "latin1")
  const enabled = !process.env.NODE_DISABLE_COMPILE_CACHE
  const files = cacheFilesOf(bundle, id)
  const cachedData = enabled ? readCache(files) : undefined
  const script = new vm.Script(module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) })
  if (enabled && (cachedData === undefined || script.cachedDataRejected === true)) {
    // At exit, not now: the cache then holds the functions the run compiled, not only the top level.
    process.once("exit", () => writeCache(files, script.createCachedData()))
  }
  const exports = {}
  script.runInThisContext()(exports, module.createRequire(bundle), { exports }, bundle, path.dirname(bundle))
}
