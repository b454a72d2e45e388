import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const packageDir = path.join(import.meta.dirname, "..", "..")

/** `major.minor.patch` as numbers, for comparing. */
const parts = (version: string): [number, number, number] => {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  assert.isNotNull(match, `${version} is a version`)
  return [Number(match![1]), Number(match![2]), Number(match![3])]
}

const newer = (version: string, than: string) => {
  const [a, b] = [parts(version), parts(than)]
  const differing = a.findIndex((part, index) => part !== b[index])
  return differing !== -1 && a[differing]! > b[differing]!
}

/** Every `@since` tag under `dir`, with the file it is in. */
const sinceTags = (dir: string): Array<{ readonly file: string; readonly version: string }> =>
  fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) =>
      [...fs.readFileSync(path.join(dir, file), "utf8").matchAll(/@since\s+(\S+)/g)].map((match) => ({
        file,
        version: match[1]!.replace(/\*\/$/, "")
      }))
    )

describe("one version: package.json's", () => {
  it("no @since in src is newer than the package's version", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      readonly version: string
    }
    const tags = sinceTags(path.join(packageDir, "src"))
    assert.isAbove(tags.length, 100)
    assert.deepStrictEqual(tags.filter((tag) => newer(tag.version, version)), [])
  })
})
