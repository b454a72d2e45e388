/**
 * What aws-cli 2.9 does, found by running it against RGW (scripts/compareFlags.sh re-runs it):
 * `--acl` on every write, `--flag=value` for every flag, filters on a copy of one file, no summary
 * line after a transfer, and `ls --human-readable --summarize`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock, S3PoMockControl } from "s3po"
import { humanSize } from "../../src/internal/output.js"
import { makeCli, tempDir } from "./harness.js"

const withTree = async () => {
  const cli = await makeCli(layerMock())
  await cli.s3((s3) => s3.createBucket("bkt"))
  const root = await tempDir()
  await fs.mkdir(path.join(root, "d", "sub"), { recursive: true })
  await fs.writeFile(path.join(root, "f.txt"), "file")
  await fs.writeFile(path.join(root, "d", "a.bin"), "x".repeat(1500))
  await fs.writeFile(path.join(root, "d", "c.txt"), "x\n")
  await fs.writeFile(path.join(root, "d", "sub", "b.bin"), "y".repeat(3_000_000))
  return { cli, root }
}

/** Every stored key of the bucket, with the canned ACL it was written with. */
const aclsOf = (cli: Awaited<ReturnType<typeof withTree>>["cli"]) =>
  cli.mock(Effect.map(
    Effect.flatMap(S3PoMockControl, (control) => control.snapshot),
    (snapshot) => Object.fromEntries(Object.entries(snapshot["bkt"] ?? {}).map(([key, object]) => [key, object.acl]))
  ))

describe("--acl", () => {
  it("cp, mv, cp --recursive and sync write with it, each way they write; none given, none sent", async () => {
    const { cli, root } = await withTree()
    const acl = ["--acl", "public-read"]
    const runs = [
      ["cp", path.join(root, "f.txt"), "s3://bkt/one.txt", ...acl],
      ["cp", "s3://bkt/one.txt", "s3://bkt/copied.txt", ...acl],
      ["cp", path.join(root, "d"), "s3://bkt/tree/", "--recursive", ...acl],
      ["cp", "s3://bkt/tree/", "s3://bkt/tree-copy/", "--recursive", ...acl],
      ["sync", path.join(root, "d"), "s3://bkt/synced/", ...acl],
      ["sync", "s3://bkt/synced/", "s3://bkt/synced-copy/", ...acl],
      ["mv", "s3://bkt/copied.txt", "s3://bkt/moved.txt", ...acl],
      ["cp", path.join(root, "f.txt"), "s3://bkt/plain.txt"],
      ["cp", "s3://bkt/one.txt", "s3://bkt/plain-copy.txt"]
    ]
    for (const args of runs) {
      const result = await cli.s3po(...args)
      assert.isTrue(result.ok, `${args.join(" ")}: ${result.stderr.join("\n")}`)
    }
    const acls = await aclsOf(cli)
    for (const [key, stored] of Object.entries(acls)) {
      assert.strictEqual(stored, key.startsWith("plain") ? undefined : "public-read", key)
    }
    assert.includeMembers(Object.keys(acls), ["moved.txt", "tree-copy/sub/b.bin", "synced-copy/c.txt"])
    await cli.close()
  })

  it("an ACL that is not an object's (log-delivery-write, a typo) is a usage error: exit 2, nothing written", async () => {
    const { cli, root } = await withTree()
    for (const acl of ["log-delivery-write", "public"]) {
      const refused = await cli.s3po("cp", path.join(root, "f.txt"), "s3://bkt/f.txt", "--acl", acl)
      assert.strictEqual(refused.code, 2, acl)
      assert.include(refused.stderr.join("\n"), "public-read", acl)
    }
    assert.deepStrictEqual(await aclsOf(cli), {})
    await cli.close()
  })
})

describe("--flag=value, as aws reads it", () => {
  it("every kind of flag: text, number, repeated, parsed, choice and boolean", async () => {
    const { cli, root } = await withTree()
    const written = await cli.s3po(
      "cp",
      path.join(root, "d"),
      "s3://bkt/eq/",
      "--recursive=true",
      "--exclude=*",
      "--include=*.txt",
      "--content-type=text/x-note",
      "--metadata=k=v,w=x=y",
      "--acl=public-read",
      "--concurrency=2"
    )
    assert.isTrue(written.ok, written.stderr.join("\n"))
    const snapshot = await cli.mock(Effect.flatMap(S3PoMockControl, (control) => control.snapshot))
    assert.deepStrictEqual(Object.keys(snapshot["bkt"]!), ["eq/c.txt"])
    const stored = snapshot["bkt"]!["eq/c.txt"]!
    assert.strictEqual(stored.contentType, "text/x-note")
    assert.deepStrictEqual(stored.metadata, { k: "v", w: "x=y" })
    assert.strictEqual(stored.acl, "public-read")
    // After --, a token is an argument: no flag is read from it.
    const literal = await cli.s3po("rm", "--", "s3://bkt/eq/--exclude=*")
    assert.strictEqual(literal.code, 0, literal.stderr.join("\n"))
    await cli.close()
  })
})

describe("filters on a copy of one file or object, as aws applies them", () => {
  it("an excluded file or object is not copied, and nothing is printed; an included one is", async () => {
    const { cli, root } = await withTree()
    const file = path.join(root, "f.txt")
    assert.deepStrictEqual(await cli.s3po("cp", file, "s3://bkt/", "--exclude", "*"), {
      ok: true,
      code: 0,
      stdout: [],
      stderr: []
    })
    assert.deepStrictEqual((await cli.s3po("mv", file, "s3://bkt/", "--exclude=*.txt")).stdout, [])
    assert.isTrue(await fs.access(file).then(() => true, () => false))
    const included = await cli.s3po("cp", file, "s3://bkt/one/", "--exclude", "*", "--include", "f.txt")
    assert.strictEqual(included.stdout.length, 1)
    // The folder is the root: a glob of the folder's name does not match the file.
    const folder = path.basename(root)
    assert.strictEqual((await cli.s3po("cp", file, "s3://bkt/two/", "--exclude", `${folder}/*`)).stdout.length, 1)
    assert.deepStrictEqual((await cli.s3po("cp", "s3://bkt/one/f.txt", "s3://bkt/three/", "--exclude", "*")).stdout, [])
    const target = path.join(root, "down.txt")
    assert.deepStrictEqual((await cli.s3po("cp", "s3://bkt/one/f.txt", target, "--exclude", "f.*")).stdout, [])
    assert.isFalse(await fs.access(target).then(() => true, () => false))
    const keys = await cli.s3((s3) => Effect.map(Stream.runCollect(s3.list("bkt")), Chunk.toReadonlyArray))
    assert.deepStrictEqual(keys, ["one/f.txt", "two/f.txt"])
    await cli.close()
  })
})

describe("ls --human-readable --summarize", () => {
  it("sizes as aws's human_readable_size gives them (Python's rounding of ties to even)", () => {
    const aws: ReadonlyArray<readonly [number, string]> = [
      [0, "0 Bytes"],
      [1, "1 Byte"],
      [2, "2 Bytes"],
      [1023, "1023 Bytes"],
      [1024, "1.0 KiB"],
      [1280, "1.2 KiB"],
      [1500, "1.5 KiB"],
      [1536, "1.5 KiB"],
      [1126, "1.1 KiB"],
      [1048575, "1.0 MiB"],
      [1048576, "1.0 MiB"],
      [1310720, "1.2 MiB"],
      [3000000, "2.9 MiB"],
      [5368709127, "5.0 GiB"],
      [3353510464716, "3.0 TiB"]
    ]
    assert.deepStrictEqual(aws.map(([bytes]) => [bytes, humanSize(bytes)] as const), aws)
  })

  it("lines as aws prints them: sizes in a column of 10, then a blank line and the totals of the objects", async () => {
    const { cli, root } = await withTree()
    assert.isTrue((await cli.s3po("sync", path.join(root, "d"), "s3://bkt/sync/")).ok)
    const level = await cli.s3po("ls", "--human-readable", "--summarize", "s3://bkt/sync/")
    assert.strictEqual(level.code, 0)
    assert.deepStrictEqual(level.stdout.map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, "TIME")), [
      "                           PRE sub/",
      "TIME    1.5 KiB a.bin",
      "TIME    2 Bytes c.txt",
      "",
      "Total Objects: 2",
      "   Total Size: 1.5 KiB"
    ])
    const bytes = await cli.s3po("ls", "--summarize", "--recursive", "s3://bkt/sync")
    assert.deepStrictEqual(bytes.stdout.slice(-3), ["", "Total Objects: 3", "   Total Size: 3001502"])
    assert.match(bytes.stdout[2]!, / 3000000 sync\/sub\/b\.bin$/)
    const none = await cli.s3po("ls", "--summarize", "--human-readable", "s3://bkt/nothing/")
    assert.deepStrictEqual(none, {
      ok: false,
      code: 1,
      stdout: ["", "Total Objects: 0", "   Total Size: 0 Bytes"],
      stderr: []
    })
    const json = await cli.s3po("ls", "--summarize", "--recursive", "--json", "s3://bkt/sync")
    assert.deepStrictEqual(JSON.parse(json.stdout.at(-1)!), { totalObjects: 3, totalSize: 3001502 })
    await cli.close()
  })
})
