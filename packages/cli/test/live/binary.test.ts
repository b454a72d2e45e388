import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { binary, environment, packageDir, s3po } from "./binary.js"

const run = promisify(execFile)

const MiB = 1024 * 1024
const bucket = `s3po-cli-${process.pid}-${Date.now().toString(36)}`
let root: string

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-cli-live-"))
  await fs.mkdir(path.join(root, "up", "nested", "deeper"), { recursive: true })
  for (let index = 0; index < 30; index++) {
    await fs.writeFile(
      path.join(root, "up", index % 2 === 0 ? "nested" : "nested/deeper", `f${index}.txt`),
      `file ${index}`
    )
  }
  await fs.writeFile(path.join(root, "up", "large.bin"), randomBytes(12 * MiB))
})

afterAll(async () => {
  await s3po("rb", `s3://${bucket}`, "--force")
  await fs.rm(root, { recursive: true, force: true })
})

describe("the s3po binary on a real S3 server", () => {
  it("syncs a directory up and down; the summary counts match the bucket; nothing to do the second time", async () => {
    assert.strictEqual((await s3po("mb", `s3://${bucket}`)).code, 0)
    const up = await s3po("sync", path.join(root, "up"), `s3://${bucket}/tree`, "--json")
    assert.strictEqual(up.code, 0, up.stderr)
    const records = up.stdout.trim().split("\n").map((line) => JSON.parse(line))
    assert.deepStrictEqual(records.at(-1).summary, {
      copied: 31,
      copiedBytes: 12 * MiB + records.slice(0, -1).filter((r) => r.key !== "tree/large.bin")
        .reduce((sum: number, r: { size: number }) => sum + r.size, 0),
      skipped: 0,
      deleted: 0,
      failed: 0,
      dryRun: false
    })
    const listed = (await s3po("ls", `s3://${bucket}/tree/`, "--recursive", "--json")).stdout.trim().split("\n")
    assert.strictEqual(listed.length, 31)
    assert.include(listed.map((line) => JSON.parse(line).key), "tree/nested/deeper/f1.txt")
    const again = await s3po("sync", path.join(root, "up"), `s3://${bucket}/tree`, "--summarize")
    assert.strictEqual(again.stdout.trim(), "0 copied (0 B), 0 deleted, 31 unchanged, 0 failed")
    const down = await s3po("sync", `s3://${bucket}/tree`, path.join(root, "down"))
    assert.strictEqual(down.code, 0, down.stderr)
    assert.deepStrictEqual(
      await fs.readFile(path.join(root, "down", "large.bin")),
      await fs.readFile(path.join(root, "up", "large.bin"))
    )
    assert.strictEqual(await fs.readFile(path.join(root, "down", "nested", "deeper", "f29.txt"), "utf8"), "file 29")
  })

  it("fails with one readable line and exit code 1", async () => {
    const missing = await s3po("ls", "s3://s3po-cli-no-such-bucket/")
    assert.strictEqual(missing.code, 1)
    assert.match(missing.stderr.trim(), /^s3po: .*s3po-cli-no-such-bucket/)
    assert.notInclude(missing.stderr, "\n    at ")
  })

  it("with --json, a failure is also a record: its tag, bucket, S3 code and the server's request id", async () => {
    const missing = await s3po("ls", "s3://s3po-cli-no-such-bucket/", "--json")
    assert.strictEqual(missing.code, 1)
    const record = JSON.parse(missing.stdout.trim()) as Record<string, unknown>
    assert.strictEqual(record["error"], "NoSuchBucket")
    assert.strictEqual(record["bucket"], "s3po-cli-no-such-bucket")
    assert.strictEqual(record["code"], "NoSuchBucket")
    assert.match(String(record["requestId"]), /^\S+$/)
    assert.match(missing.stderr.trim(), /^s3po: .*s3po-cli-no-such-bucket/)
  })

  it("on a terminal, shows a progress bar that ends at 100%", async () => {
    await fs.mkdir(path.join(root, "bar"))
    for (let index = 0; index < 4; index++) {
      await fs.writeFile(path.join(root, "bar", `part${index}`), randomBytes(4 * MiB))
    }
    // `script` runs the command in a pseudo terminal and copies what it shows.
    const quoted = [process.execPath, binary, "sync", path.join(root, "bar"), `s3://${bucket}/bar`, "--summarize"].map((
      arg
    ) => `'${arg}'`).join(" ")
    const { stdout } = await run("script", ["-qfec", quoted, "/dev/null"], { env: environment(), cwd: packageDir })
    assert.include(stdout, "\u2588", "the bar is drawn")
    assert.include(stdout, "100% 16.0 MiB / 16.0 MiB")
    assert.include(stdout, "4/4 files")
    assert.include(stdout, "4 copied (16.0 MiB), 0 deleted, 0 unchanged, 0 failed")
  })
})
