import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const packageDir = path.join(import.meta.dirname, "..", "..")
const dist = path.join(packageDir, "dist")
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
const s3po = (file: string, ...args: Array<string>) =>
  run(process.execPath, [path.join(dist, file), ...args], { env }).then(({ stdout }) => stdout)

const signingEnv = {
  ...env,
  S3PO_ENDPOINT: "http://127.0.0.1:9",
  AWS_ACCESS_KEY_ID: "startup-test",
  AWS_SECRET_ACCESS_KEY: "startup-test-secret",
  AWS_REGION: "us-east-1"
}

/** The files `file` imports statically, and theirs: what Node compiles before `file` runs. */
const staticClosure = (file: string, seen = new Set<string>()): Set<string> => {
  if (seen.has(file)) return seen
  seen.add(file)
  const source = fs.readFileSync(path.join(dist, file), "utf8")
  for (const [, imported] of source.matchAll(/^\s*(?:import|export)\b[^"'()]*?(?:from\s*)?["']\.\/([^"']+)["']/gm)) {
    staticClosure(imported!, seen)
  }
  return seen
}

describe("start-up: the entry answers --version and --help without loading the command line", () => {
  beforeAll(async () => {
    await run(process.execPath, [path.join(packageDir, "scripts", "build.mjs")])
  }, 120_000)

  it("the entry and what it imports statically are a few kilobytes; the command line is main.cjs", () => {
    const closure = [...staticClosure("s3po.js")]
    const bytes = closure.reduce((sum, file) => sum + fs.statSync(path.join(dist, file)).size, 0)
    assert.isFalse(closure.includes("main.cjs"))
    assert.isBelow(bytes, 16 * 1024, closure.join(", "))
    assert.isAbove(fs.statSync(path.join(dist, "main.cjs")).size, 1024 * 1024)
  })

  it("--help and -h print, byte for byte, the help the command line renders", async () => {
    const rendered = await s3po("main.cjs", "--help")
    assert.include(rendered, "USAGE")
    assert.strictEqual(await s3po("s3po.js", "--help"), rendered)
    assert.strictEqual(await s3po("s3po.js", "-h"), rendered)
  })

  it("--version prints what the command line prints", async () => {
    assert.strictEqual(await s3po("s3po.js", "--version"), await s3po("main.cjs", "--version"))
  })

  /** The code caches beside the bundle. */
  const caches = () => fs.readdirSync(dist).filter((file) => file.startsWith("main.cjs.") && file.endsWith(".cache"))
  /** A presign through the entry: the URL it prints, without its query. */
  const presign = () =>
    run(process.execPath, [path.join(dist, "s3po.js"), "presign", "s3://b/k"], { env: signingEnv })
      .then(({ stdout }) => stdout.slice(0, stdout.indexOf("?")))

  it("a run saves the code it compiled beside the bundle, the next runs from it; a damaged cache is replaced", async () => {
    for (const cache of caches()) fs.rmSync(path.join(dist, cache))
    assert.strictEqual(await presign(), "http://127.0.0.1:9/b/k")
    const [cache] = caches()
    assert.isDefined(cache)
    const cacheFile = path.join(dist, cache!)
    assert.isAbove(fs.statSync(cacheFile).size, 100 * 1024)
    const written = fs.statSync(cacheFile).mtimeMs
    assert.strictEqual(await presign(), "http://127.0.0.1:9/b/k")
    assert.strictEqual(fs.statSync(cacheFile).mtimeMs, written, "a cache V8 took is not written again")
    fs.writeFileSync(cacheFile, Buffer.alloc(4096, 7))
    assert.strictEqual(await presign(), "http://127.0.0.1:9/b/k")
    assert.isAbove(fs.statSync(cacheFile).size, 100 * 1024)
    assert.deepStrictEqual(caches(), [cache])
  })

  it("sync, cp, mv and rm run with their own heap setting, from a code cache of their own: alternating, neither is written again", async () => {
    for (const cache of caches()) fs.rmSync(path.join(dist, cache))
    // A usage error: the command line is loaded, and the run's code saved, before it finds no arguments.
    const cp = () =>
      run(process.execPath, [path.join(dist, "s3po.js"), "cp"], { env: signingEnv }).then(
        () => assert.fail("cp without arguments succeeded"),
        (error: { code?: number }) => assert.strictEqual(error.code, 2)
      )
    await presign()
    await cp()
    const made = caches()
    assert.strictEqual(made.length, 2, made.join(", "))
    assert.sameMembers(made.map((file) => file.includes("-heap100.")), [false, true])
    const written = made.map((file) => fs.statSync(path.join(dist, file)).mtimeMs)
    await presign()
    await cp()
    await presign()
    assert.deepStrictEqual(made.map((file) => fs.statSync(path.join(dist, file)).mtimeMs), written)
  })

  // Signing needs no server: the bundle's own load order is what is tried (a constant read before its
  // module ran once made every presign die in the bundle, while the sources passed).
  it("the bundle presigns: the live layer, the argument checks and the signer load and run", async () => {
    const url = await run(process.execPath, [path.join(packageDir, "bin", "s3po.js"), "presign", "s3://b/k"], {
      env: signingEnv
    }).then(({ stdout }) => stdout.trim())
    assert.match(url, /^http:\/\/127\.0\.0\.1:9\/b\/k\?.*X-Amz-Expires=3600.*X-Amz-Signature=[0-9a-f]{64}/)
  })
})
