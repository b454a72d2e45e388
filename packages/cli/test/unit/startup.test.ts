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

  it("the entry and what it imports statically are a few kilobytes; the command line is main.js", () => {
    const closure = [...staticClosure("s3po.js")]
    const bytes = closure.reduce((sum, file) => sum + fs.statSync(path.join(dist, file)).size, 0)
    assert.isFalse(closure.includes("main.js"))
    assert.isBelow(bytes, 16 * 1024, closure.join(", "))
    assert.isAbove([...staticClosure("main.js")].length, 1)
  })

  it("--help and -h print, byte for byte, the help the command line renders", async () => {
    const rendered = await s3po("main.js", "--help")
    assert.include(rendered, "USAGE")
    assert.strictEqual(await s3po("s3po.js", "--help"), rendered)
    assert.strictEqual(await s3po("s3po.js", "-h"), rendered)
  })

  it("--version prints what the command line prints", async () => {
    assert.strictEqual(await s3po("s3po.js", "--version"), await s3po("main.js", "--version"))
  })

  // Signing needs no server: the bundle's own load order is what is tried (a constant read before its
  // module ran once made every presign die in the bundle, while the sources passed).
  it("the bundle presigns: the live layer, the argument checks and the signer load and run", async () => {
    const url = await run(process.execPath, [path.join(packageDir, "bin", "s3po.js"), "presign", "s3://b/k"], {
      env: {
        ...env,
        S3PO_ENDPOINT: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "startup-test",
        AWS_SECRET_ACCESS_KEY: "startup-test-secret",
        AWS_REGION: "us-east-1"
      }
    }).then(({ stdout }) => stdout.trim())
    assert.match(url, /^http:\/\/127\.0\.0\.1:9\/b\/k\?.*X-Amz-Expires=3600.*X-Amz-Signature=[0-9a-f]{64}/)
  })
})
