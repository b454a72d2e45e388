import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)
const packageDir = path.join(import.meta.dirname, "..", "..")
const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
  readonly version: string
}

describe("one version: package.json's", () => {
  beforeAll(async () => {
    // Builds the bundle when it is out of date (nothing to do under `pnpm test`, which built it).
    await run(process.execPath, [path.join(packageDir, "scripts", "build.mjs")])
  }, 120_000)

  it("the bundled binary prints the package's version", async () => {
    const { stdout } = await run(process.execPath, [path.join(packageDir, "bin", "s3po.js"), "--version"], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }
    })
    assert.strictEqual(stdout.trim(), version)
  })

  it("no @since in src is newer than the package's version", () => {
    const parts = (tag: string) => tag.split(".").map(Number)
    const newer = (tag: string) => {
      const [a, b] = [parts(tag), parts(version)]
      const differing = a.findIndex((part, index) => part !== b[index])
      return differing !== -1 && a[differing]! > b[differing]!
    }
    const dir = path.join(packageDir, "src")
    const tags = fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .flatMap((file) =>
        [...fs.readFileSync(path.join(dir, file), "utf8").matchAll(/@since\s+(\d+\.\d+\.\d+)/g)].map((match) => ({
          file,
          version: match[1]!
        }))
      )
    assert.isAbove(tags.length, 0)
    assert.deepStrictEqual(tags.filter((tag) => newer(tag.version)), [])
  })
})
