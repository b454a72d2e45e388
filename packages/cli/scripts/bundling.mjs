// How the command line's programs are bundled: the command line itself (scripts/build.mjs) and the
// bare listing the start-up benchmark measures it against (scripts/buildBareLs.mjs), alike.
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import * as path from "node:path"

// @effect/cli parses option files in YAML, TOML and INI with three libraries that the command line
// never calls (no option of s3po reads a file): stand-ins that refuse keep them, two fifths of what
// `s3po --help` would otherwise compile, out of the bundle.
export const unusedFileParsers = {
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

// s3po's live layer takes `Pool` and `buildConnector` from undici (with its first object request),
// whose index loads all of undici besides (fetch, cookies, mocks, caches), and with its fetch Node's
// own copy of undici: it was a third of the start-up of an `ls`. The command line takes the two from their own modules, and gives the
// dispatchers the methods undici's index gives them.
export const undiciParts = {
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

// The SDK tells its default logger from one it is given by the class's name (`logger.constructor.name
// === "NoOpLogger"`), which minifying renames: that class keeps its name. A bundle of the SDK in
// which the class was not found fails to build, rather than take its logger for a real one.
export const sdkLoggerName = {
  name: "sdk-logger-name",
  setup(build) {
    let named = false
    build.onLoad({ filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/].*[\\/]NoOpLogger\.js$/ }, async (args) => {
      const contents = await readFile(args.path, "utf8")
      if (!/^export class NoOpLogger\b/m.test(contents)) return undefined
      named = true
      return {
        contents: `${contents}\nObject.defineProperty(NoOpLogger, "name", { value: "NoOpLogger" })\n`,
        loader: "js"
      }
    })
    build.onEnd((result) => {
      const bundlesSdk = Object.keys(result.metafile?.inputs ?? {}).some((input) => /@smithy[\\/]core[\\/]/.test(input))
      return bundlesSdk && !named
        ? { errors: [{ text: "the SDK's class NoOpLogger was not found to keep its name: see sdkLoggerName" }] }
        : undefined
    })
  }
}

/** What every bundle of the command line is: one file for Node 20 and later, with its inputs listed. */
const bundleOf = (entryPoint, outfile) => ({
  bundle: true,
  platform: "node",
  target: "node20",
  metafile: true,
  logLevel: "warning",
  entryPoints: [entryPoint],
  outfile
})

/** esbuild's options for a program bundled as one CommonJS file, run with the code cache (src/codeCache.ts). */
export const programOptions = (entryPoint, outfile) => ({
  ...bundleOf(entryPoint, outfile),
  format: "cjs",
  mainFields: ["module", "main"],
  // `import()` as `require`: a script run from the code cache has no loader for modules.
  supported: { "dynamic-import": false },
  // ASCII only, so that the entry reads it as Latin-1, undecoded: the licence comments, which
  // may not be, go to a .LEGAL.txt beside it.
  charset: "ascii",
  legalComments: "external",
  // 1.5 MB instead of 3.6: every start reads the bundle and makes a string of it, at about 10 ms a
  // megabyte here. Without esbuild's keepNames, which sets the name of each of thousands of functions
  // as it is made, some on every call: 25 ms of an `ls` (0.333 -> 0.307 s). The price is minified
  // names in the stack of a defect; no output of s3po's takes a name from a class or function.
  minify: true,
  plugins: [unusedFileParsers, undiciParts, sdkLoggerName]
})

/**
 * The build id of the bundle `file`, for its entry (`S3PO_MAIN_ID`): V8 checks a code cache against
 * its source's length only. Fails when the bundle is not ASCII (src/codeCache.ts reads it as Latin-1).
 */
export const bundleId = (file) => {
  const code = readFileSync(file)
  if (code.some((byte) => byte > 0x7f)) throw new Error(`${file} is not ASCII: src/codeCache.ts reads it as Latin-1`)
  return createHash("sha256").update(code).digest("hex").slice(0, 16)
}

/** esbuild's options for the small ES module entry that runs a program bundle, told its build id. */
export const entryOptions = (entryPoint, outfile, id) => ({
  ...bundleOf(entryPoint, outfile),
  format: "esm",
  define: { S3PO_MAIN_ID: JSON.stringify(id) }
})
