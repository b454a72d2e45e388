/**
 * The `s3po` binary against a real S3 server, where aws-cli 2.9 was run on the same tree
 * (scripts/compareFlags.sh): canned ACLs as an unsigned GET sees them, and `ls --human-readable
 * --summarize` line for line as aws printed it.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { s3po, server } from "./binary.js"

/** What anyone on the network gets for the object: an unsigned GET's status. */
const anonymousStatus = async (key: string) => {
  const response = await fetch(`${server().endpoint}/${bucket}/${key}`)
  await response.arrayBuffer()
  return response.status
}

const bucket = `s3po-cli-parity-${process.pid}-${Date.now().toString(36)}`
let root: string

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-cli-parity-"))
  await fs.mkdir(path.join(root, "d", "sub"), { recursive: true })
  await fs.writeFile(path.join(root, "f.txt"), "hi\n")
  await fs.writeFile(path.join(root, "d", "a.bin"), Buffer.alloc(1500, 1))
  await fs.writeFile(path.join(root, "d", "c.txt"), "x\n")
  await fs.writeFile(path.join(root, "d", "sub", "b.bin"), Buffer.alloc(3_000_000, 2))
  assert.strictEqual((await s3po("mb", `s3://${bucket}`)).code, 0)
})

afterAll(async () => {
  await s3po("rb", `s3://${bucket}`, "--force")
  await fs.rm(root, { recursive: true, force: true })
})

describe("the s3po binary as aws s3 on a real server", () => {
  it("--acl public-read: cp, sync (multipart too) and a copy in S3 are readable unsigned; private and none are not", async () => {
    const file = path.join(root, "f.txt")
    const runs = [
      ["cp", file, `s3://${bucket}/acl/public.txt`, "--acl", "public-read"],
      ["cp", file, `s3://${bucket}/acl/private.txt`, "--acl=private"],
      ["cp", file, `s3://${bucket}/acl/none.txt`],
      ["cp", `s3://${bucket}/acl/none.txt`, `s3://${bucket}/acl/copied.txt`, "--acl", "public-read"],
      ["sync", path.join(root, "d"), `s3://${bucket}/acl/tree/`, "--acl", "public-read"]
    ]
    for (const args of runs) {
      const result = await s3po(...args)
      assert.strictEqual(result.code, 0, `${args.join(" ")}: ${result.stderr}`)
    }
    for (const key of ["public.txt", "copied.txt", "tree/a.bin", "tree/sub/b.bin"]) {
      assert.strictEqual(await anonymousStatus(`acl/${key}`), 200, key)
    }
    for (const key of ["private.txt", "none.txt"]) assert.strictEqual(await anonymousStatus(`acl/${key}`), 403, key)
  })

  it("ls --human-readable --summarize prints what aws printed for the same objects", async () => {
    const synced = await s3po("sync", path.join(root, "d"), `s3://${bucket}/sync/`)
    // A line per upload, and no summary after them: aws prints none.
    assert.strictEqual(synced.stdout.trim().split("\n").filter((line) => !line.startsWith("upload: ")).length, 0)
    const times = (text: string) => text.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/gm, "TIME")
    const level = await s3po("ls", "--human-readable", "--summarize", `s3://${bucket}/sync/`)
    assert.strictEqual(level.code, 0)
    assert.strictEqual(
      times(level.stdout),
      [
        "                           PRE sub/",
        "TIME    1.5 KiB a.bin",
        "TIME    2 Bytes c.txt",
        "",
        "Total Objects: 2",
        "   Total Size: 1.5 KiB",
        ""
      ].join("\n")
    )
    const recursive = await s3po("ls", "--summarize", "--recursive", `s3://${bucket}/sync`)
    assert.strictEqual(
      times(recursive.stdout),
      [
        "TIME       1500 sync/a.bin",
        "TIME          2 sync/c.txt",
        "TIME    3000000 sync/sub/b.bin",
        "",
        "Total Objects: 3",
        "   Total Size: 3001502",
        ""
      ].join("\n")
    )
    const none = await s3po("ls", "--summarize", `s3://${bucket}/nothing/`)
    assert.deepStrictEqual([none.code, none.stdout], [1, "\nTotal Objects: 0\n   Total Size: 0\n"])
  })
})
