import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock, MockFault, S3PoMockControl } from "s3po"
import { makeCli, tempDir } from "./harness.js"

/** Names that drive a terminal, or hide text, when printed raw; each with how a line shows it. */
const hostile: ReadonlyArray<readonly [name: string, shown: string]> = [
  ["title\x1b]0;pwned\x07.txt", "title\\x1b]0;pwned\\x07.txt"],
  ["clip\x1b]52;c;cm0gLXJmIH4K\x07.txt", "clip\\x1b]52;c;cm0gLXJmIH4K\\x07.txt"],
  ["clear\x1b[2J\x1b[H.txt", "clear\\x1b[2J\\x1b[H.txt"],
  ["cr\rOK.txt", "cr\\x0dOK.txt"],
  ["lf\nline.txt", "lf\\x0aline.txt"],
  ["tab\t.txt", "tab\\x09.txt"],
  ["del\x7f.txt", "del\\x7f.txt"],
  ["csi\u009b31m.txt", "csi\\x9b31m.txt"],
  ["bidi\u202etxt.exe", "bidi\\u202etxt.exe"],
  ["isolate\u2066x\u2069.txt", "isolate\\u2066x\\u2069.txt"],
  ["back\\x1b.txt", "back\\\\x1b.txt"]
]
/** A key no file can be named after. */
const nul = ["nul\x00.txt", "nul\\x00.txt"] as const

/** What a terminal would act on, or reorder text by. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const unprintable = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

const assertPrintable = (lines: ReadonlyArray<string>) => {
  for (const line of lines) assert.notMatch(line, unprintable, JSON.stringify(line))
}

/** Each line of `--json` output: ASCII only, and parsed. */
const records = (lines: ReadonlyArray<string>) =>
  lines.map((line) => {
    assert.match(line, /^[\x20-\x7e]*$/, JSON.stringify(line))
    return JSON.parse(line)
  })

/** A local path as transfer lines show it, as aws does: relative to the working directory. */
const fromHere = (...parts: ReadonlyArray<string>) => path.relative(process.cwd(), path.join(...parts))

const seeded = (keys: ReadonlyArray<string>) =>
  makeCli(layerMock({ seed: { bkt: Object.fromEntries(keys.map((key) => [key, "x"])) } }))

describe("keys, paths and messages on a terminal: escaped, and exact in --json", () => {
  it("ls, at one level and recursively; --json keeps the exact keys", async () => {
    const keys = [...hostile.map(([name]) => `in/${name}`), `in/${nul[0]}`, "dir\x1b[2J/inner"]
    const cli = await seeded(keys)
    const level = await cli.s3po("ls", "s3://bkt/in/")
    assert.isTrue(level.ok, level.stderr.join("\n"))
    assertPrintable(level.stdout)
    for (const [, shown] of [...hostile, nul]) assert.isTrue(level.stdout.some((line) => line.endsWith(` ${shown}`)))
    const top = await cli.s3po("ls", "s3://bkt/")
    assertPrintable(top.stdout)
    assert.isTrue(top.stdout.some((line) => line.endsWith(" PRE dir\\x1b[2J/")))
    const recursive = await cli.s3po("ls", "s3://bkt", "--recursive")
    assertPrintable(recursive.stdout)
    assert.isTrue(recursive.stdout.some((line) => line.endsWith(" in/clip\\x1b]52;c;cm0gLXJmIH4K\\x07.txt")))
    const json = await cli.s3po("ls", "s3://bkt", "--recursive", "--json")
    assert.deepStrictEqual(records(json.stdout).map((record) => record.key).sort(), [...keys].sort())
    const prefixes = await cli.s3po("ls", "s3://bkt/", "--json")
    assert.deepStrictEqual(records(prefixes.stdout).map((record) => record.prefix), ["dir\x1b[2J/", "in/"])
    await cli.close()
  })

  it("cp, mv and rm of one object or file: every line escaped, --json exact", async () => {
    const [title, clip, , cr, , , , csi, bidi] = hostile.map(([name]) => name)
    const cli = await seeded([`in/${title}`, `in/${clip}`, `in/${cr}`, `in/${csi}`, "dir\x1b[2J/inner"])
    const root = await tempDir()
    const lines: Array<string> = []
    const ran = async (...args: ReadonlyArray<string>) => {
      const result = await cli.s3po(...args)
      assert.isTrue(result.ok, result.stderr.join("\n"))
      lines.push(...result.stdout, ...result.stderr)
      return result.stdout
    }
    assert.deepStrictEqual(await ran("cp", `s3://bkt/in/${title}`, "s3://bkt/out/"), [
      "copy: s3://bkt/in/title\\x1b]0;pwned\\x07.txt to s3://bkt/out/title\\x1b]0;pwned\\x07.txt"
    ])
    assert.deepStrictEqual(await ran("cp", `s3://bkt/in/${clip}`, root + "/"), [
      `download: s3://bkt/in/clip\\x1b]52;c;cm0gLXJmIH4K\\x07.txt to ${
        fromHere(root)
      }/clip\\x1b]52;c;cm0gLXJmIH4K\\x07.txt`
    ])
    assert.strictEqual(await fs.readFile(path.join(root, clip!), "utf8"), "x")
    assert.deepStrictEqual(await ran("mv", `s3://bkt/in/${csi}`, `s3://bkt/moved/${csi}`), [
      "move: s3://bkt/in/csi\\x9b31m.txt to s3://bkt/moved/csi\\x9b31m.txt"
    ])
    await fs.writeFile(path.join(root, bidi!), "y")
    assert.deepStrictEqual(await ran("cp", path.join(root, bidi!), "s3://bkt/up/"), [
      `upload: ${fromHere(root)}/bidi\\u202etxt.exe to s3://bkt/up/bidi\\u202etxt.exe`
    ])
    assert.deepStrictEqual(await ran("rm", `s3://bkt/in/${cr}`), ["delete: s3://bkt/in/cr\\x0dOK.txt"])
    assert.deepStrictEqual(await ran("rm", "s3://bkt/dir\x1b[2J", "--recursive"), [
      "delete: s3://bkt/dir\\x1b[2J/inner"
    ])
    assertPrintable(lines)
    const json = records(await ran("cp", `s3://bkt/out/${title}`, `s3://bkt/again/${title}`, "--json"))
    assert.deepStrictEqual(json, [{
      action: "Copy",
      from: { bucket: "bkt", key: `out/${title}` },
      to: { bucket: "bkt", key: `again/${title}` }
    }])
    const removed = records(await ran("rm", `s3://bkt/again/${title}`, "--json"))
    assert.deepStrictEqual(removed, [{ action: "DeleteObject", bucket: "bkt", key: `again/${title}` }])
    await cli.close()
  })

  it("cp and mv --recursive S3 to S3: lines and failure lines escaped, --json exact", async () => {
    const keys = [...hostile.map(([name]) => `in/${name}`), `in/${nul[0]}`]
    const cli = await seeded(keys)
    const copied = await cli.s3po("cp", "s3://bkt/in", "s3://bkt/out", "--recursive")
    assert.isTrue(copied.ok, copied.stderr.join("\n"))
    assertPrintable(copied.stdout)
    for (const [, shown] of [...hostile, nul]) {
      assert.include(copied.stdout, `copy: s3://bkt/in/${shown} to s3://bkt/out/${shown}`)
    }
    const json = await cli.s3po("cp", "s3://bkt/in", "s3://bkt/again", "--recursive", "--json")
    assert.deepStrictEqual(
      records(json.stdout).filter((record) => record.summary === undefined).map((record) => [
        record.from.key,
        record.to.key
      ]).sort(),
      keys.map((key) => [key, key.replace("in/", "again/")]).sort()
    )
    await cli.mock(
      Effect.flatMap(
        S3PoMockControl,
        (control) =>
          control.addFault({ operation: "CopyObject", key: `moved/${hostile[1]![0]}`, fault: MockFault.accessDenied })
      )
    )
    const moved = await cli.s3po("mv", "s3://bkt/out", "s3://bkt/moved", "--recursive")
    assert.isFalse(moved.ok)
    assertPrintable([...moved.stdout, ...moved.stderr])
    assert.include(moved.stdout, "move: s3://bkt/out/nul\\x00.txt to s3://bkt/moved/nul\\x00.txt")
    assert.match(moved.stderr[0]!, /^failed: out\/clip\\x1b\]52;c;cm0gLXJmIH4K\\x07\.txt: .*access denied/)
    assert.include(moved.stderr[0]!, "s3://bkt/moved/clip\\x1b]52;c;cm0gLXJmIH4K\\x07.txt")
    await cli.close()
  })

  it("sync down and up: lines escaped, a NUL key's UnsafeKey line escaped, --json exact", async () => {
    const keys = [...hostile.map(([name]) => `in/${name}`), `in/${nul[0]}`]
    const cli = await seeded(keys)
    const root = await tempDir()
    const down = await cli.s3po("sync", "s3://bkt/in", path.join(root, "down"))
    assert.isFalse(down.ok)
    assertPrintable([...down.stdout, ...down.stderr])
    for (const [, shown] of hostile) {
      assert.include(down.stdout, `download: s3://bkt/in/${shown} to ${fromHere(root, "down")}/${shown}`)
    }
    assert.match(down.stderr[0]!, /^failed: nul\\x00\.txt: syncDown: s3:\/\/bkt\/in\/nul\\x00\.txt: .*NUL byte$/)
    assert.deepStrictEqual(
      (await fs.readdir(path.join(root, "down"))).sort(),
      hostile.map(([name]) => name).sort()
    )
    const up = await cli.s3po("sync", path.join(root, "down"), "s3://bkt/up", "--delete")
    assert.isTrue(up.ok, up.stderr.join("\n"))
    assertPrintable(up.stdout)
    for (const [, shown] of hostile) {
      assert.include(up.stdout, `upload: ${fromHere(root, "down")}/${shown} to s3://bkt/up/${shown}`)
    }
    await fs.rm(path.join(root, "down", hostile[0]![0]))
    const deleted = await cli.s3po("sync", path.join(root, "down"), "s3://bkt/up", "--delete", "--json")
    assert.isTrue(deleted.ok, deleted.stderr.join("\n"))
    const [deletion, summary] = records(deleted.stdout)
    assert.deepStrictEqual([deletion._tag, deletion.key], ["DeleteObject", `up/${hostile[0]![0]}`])
    assert.strictEqual(summary.summary.deleted, 1)
    const refused = await cli.s3po("sync", "s3://bkt/in", path.join(root, "json"), "--json")
    assert.isFalse(refused.ok)
    const failure = records(refused.stdout).find((record) => record.error === "UnsafeKey")
    assert.strictEqual(failure.relative, nul[0])
    await cli.close()
  })

  it("error lines: the library's messages and the command line's own", async () => {
    const cli = await seeded(["in/a"])
    const missing = await cli.s3po("cp", "s3://bkt/missing\x1b]52;c;aGk=\x07", "s3://bkt/x")
    assert.isFalse(missing.ok)
    assertPrintable(missing.stderr)
    assert.match(missing.stderr[0]!, /^s3po: .*no such key s3:\/\/bkt\/missing\\x1b\]52;c;aGk=\\x07$/)
    const notS3 = await cli.s3po("presign", "\x1b]0;pwned\x07")
    assert.deepStrictEqual(notS3.stderr, ["s3po: \\x1b]0;pwned\\x07: expected s3://bucket/key"])
    const root = await tempDir()
    const noFile = await cli.s3po("cp", path.join(root, "gone\x1b[2J"), "s3://bkt/x")
    assert.isFalse(noFile.ok)
    assertPrintable(noFile.stderr)
    assert.include(noFile.stderr[0]!, `${root}/gone\\x1b[2J`)
    await cli.close()
  })
})
