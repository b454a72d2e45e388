import { assert, describe, it } from "@effect/vitest"
import * as path from "node:path"
import { compileGlob, invalidGlob, makeFilter } from "../../src/internal/sync/filters.js"
import { localPathOf, unsafeReason } from "../../src/internal/sync/safePath.js"

describe("sync paths", () => {
  it("keys that would leave the directory, or name a file twice, are unsafe", () => {
    for (
      const key of [
        "../x",
        "a/../../x",
        "/abs",
        "C:\\x",
        "c:x",
        "a\\..\\x",
        "\\\\host\\share",
        "a\u0000b",
        "a//b",
        "./a",
        "a/./b",
        "..",
        "a/.."
      ]
    ) {
      assert.isDefined(unsafeReason(key), JSON.stringify(key))
    }
    for (const key of ["a", "a/b/c.txt", "..a", "a..", "a/..b/c", ".hidden", "a b/é/\u{1f600}", "x\\y"]) {
      assert.isUndefined(unsafeReason(key), JSON.stringify(key))
    }
  })

  it("on Windows, keys it would not keep as the file they name are unsafe too; elsewhere they are files", () => {
    const windowsOnly = [
      "x\\y",
      "CON",
      "aux.txt",
      "dir/Nul.tar.gz",
      "com1",
      "LPT9.log",
      "COM\u00b9",
      "conin$",
      "prn .txt",
      "trailing.",
      "trailing ",
      "dir./x",
      "file.txt:stream",
      "what?",
      "a*b",
      "a<b>c",
      "pipe|d",
      "quote\"d",
      "tab\tname"
    ]
    for (const key of windowsOnly) {
      assert.isDefined(unsafeReason(key, "win32"), JSON.stringify(key))
      assert.isUndefined(unsafeReason(key, "linux"), JSON.stringify(key))
    }
    for (
      const key of ["CONSOLE.txt", "auxiliary", "nul_file", "COM10", "a.b.c", ".hidden", "dir/LPT", "e\u0301 x.txt"]
    ) {
      assert.isUndefined(unsafeReason(key, "win32"), JSON.stringify(key))
    }
  })

  it("a safe key's path is inside the directory", () => {
    const root = path.resolve("/tmp/sync-root")
    assert.strictEqual(localPathOf(root, "a/b.txt"), path.join(root, "a", "b.txt"))
    assert.isUndefined(localPathOf(root, "../escape"))
  })

  it("globs as aws s3 sync reads them: * crosses folders, ? is one character, [] a set", () => {
    const cases: Array<[string, string, boolean]> = [
      ["*.jpg", "a.jpg", true],
      ["*.jpg", "deep/a.jpg", true],
      ["*.jpg", "a.jpeg", false],
      ["photos/*", "photos/2024/a.jpg", true],
      ["?.txt", "a.txt", true],
      ["?.txt", "ab.txt", false],
      ["[ab].txt", "b.txt", true],
      ["[!ab].txt", "b.txt", false],
      ["[!ab].txt", "c.txt", true],
      ["[a-c]x", "bx", true],
      ["a+b(1).txt", "a+b(1).txt", true],
      ["a.txt", "abtxt", false],
      ["[unclosed", "[unclosed", true],
      ["*", "", true],
      ["a**b", "a/x/b", true],
      ["*.txt*", "a.txt", true],
      ["a*b*c", "abxbc", true],
      ["a*b*c", "acb", false],
      ["?.txt", "\u{1f600}.txt", true],
      ["[a-]x", "-x", true],
      ["line?break", "line\nbreak", true]
    ]
    for (const [glob, relative, expected] of cases) {
      assert.strictEqual(compileGlob(glob)(relative), expected, `${glob} ${relative}`)
    }
    assert.include(invalidGlob(["*.txt", "[z-a]"]), "[z-a]")
  })

  it("a glob of many stars against a long name is answered at once, not by backtracking", () => {
    // Backtracking tries every way of splitting 5,000 characters among 12 stars: more than 10^30.
    const many = `${"*a".repeat(12)}b`
    const long = "a".repeat(5000)
    assert.isFalse(compileGlob(many)(long))
    assert.isTrue(compileGlob(many)(`${long}b`))
    assert.deepStrictEqual([long, `${long}b`].map(makeFilter({ exclude: [many] })), [true, false])
  })

  it("an include glob takes back what an exclude glob leaves out; include alone leaves out nothing", () => {
    const onlyJpegs = makeFilter({ include: ["*.jpg"], exclude: ["*"] })
    assert.deepStrictEqual(["a.jpg", "a.txt", "d/b.jpg"].map(onlyJpegs), [true, false, true])
    const noLogs = makeFilter({ exclude: ["logs/*", "*.tmp"] })
    assert.deepStrictEqual(["logs/a", "x.tmp", "keep"].map(noLogs), [false, false, true])
    assert.deepStrictEqual(["a", "b"].map(makeFilter({ include: ["a"] })), [true, true])
  })
})
