import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock, MockFault, type S3Po, S3PoMockControl } from "s3po"
import { makeCli, tempDir } from "./harness.js"

const listed = (s3: S3Po.Service, prefix: string) =>
  Effect.map(Stream.runCollect(s3.list("bkt", { prefix })), Chunk.toReadonlyArray)

/** A local path as transfer lines show it, as aws does: relative to the working directory. */
const fromHere = (...parts: ReadonlyArray<string>) => path.relative(process.cwd(), path.join(...parts))

describe("s3po commands on S3PoMock", () => {
  it("mb, sync up, ls, sync again, sync down, rb --force", async () => {
    const cli = await makeCli()
    const root = await tempDir()
    await fs.mkdir(path.join(root, "d"))
    await fs.writeFile(path.join(root, "a.txt"), "alpha")
    await fs.writeFile(path.join(root, "d", "b.txt"), "beta!")
    assert.deepStrictEqual((await cli.s3po("mb", "s3://site")).stdout, ["make_bucket: site"])
    const up = await cli.s3po("sync", root, "s3://site/www")
    assert.isTrue(up.ok)
    // A file's line is printed when its upload completes: the two run at once, in either order.
    // No summary line after them, as aws prints none.
    assert.deepStrictEqual([...up.stdout].sort(), [
      `upload: ${fromHere(root, "a.txt")} to s3://site/www/a.txt`,
      `upload: ${fromHere(root, "d", "b.txt")} to s3://site/www/d/b.txt`
    ])
    const listing = await cli.s3po("ls", "s3://site/www/")
    assert.strictEqual(listing.stdout.length, 2)
    assert.match(listing.stdout[0]!, /^ +PRE d\/$/)
    assert.match(listing.stdout[1]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +5 a\.txt$/)
    const json = await cli.s3po("ls", "s3://site", "--recursive", "--json")
    assert.deepStrictEqual(json.stdout.map((line) => JSON.parse(line).key), ["www/a.txt", "www/d/b.txt"])
    assert.deepStrictEqual((await cli.s3po("sync", root, "s3://site/www")).stdout, [])
    assert.deepStrictEqual((await cli.s3po("sync", root, "s3://site/www", "--summarize")).stdout, [
      "0 copied (0 B), 0 deleted, 2 unchanged, 0 failed"
    ])
    const down = path.join(root, "copy")
    assert.isTrue((await cli.s3po("sync", "s3://site/www", down)).ok)
    assert.strictEqual(await fs.readFile(path.join(down, "d", "b.txt"), "utf8"), "beta!")
    const removed = await cli.s3po("rb", "s3://site", "--force")
    assert.deepStrictEqual(removed.stdout, [
      "delete: s3://site/www/a.txt",
      "delete: s3://site/www/d/b.txt",
      "remove_bucket: site"
    ])
    assert.isFalse(await cli.s3((s3) => s3.bucketExists("site")))
    await cli.close()
  })

  it("cp and mv one file or object each way, and S3 to S3; rm", async () => {
    const cli = await makeCli()
    const root = await tempDir()
    await cli.s3((s3) => s3.createBucket("bkt"))
    await fs.writeFile(path.join(root, "f.txt"), "file")
    assert.isTrue((await cli.s3po("cp", path.join(root, "f.txt"), "s3://bkt/in/")).ok)
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "in/f.txt")), "file")
    assert.isTrue((await cli.s3po("cp", "s3://bkt/in/f.txt", "s3://bkt/copy.txt")).ok)
    assert.isTrue((await cli.s3po("mv", "s3://bkt/copy.txt", path.join(root, "out") + "/")).ok)
    assert.strictEqual(await fs.readFile(path.join(root, "out", "copy.txt"), "utf8"), "file")
    assert.isFalse(await cli.s3((s3) => s3.exists("bkt", "copy.txt")))
    assert.isTrue((await cli.s3po("mv", path.join(root, "f.txt"), "s3://bkt/moved.txt")).ok)
    assert.isFalse(await fs.access(path.join(root, "f.txt")).then(() => true, () => false))
    assert.deepStrictEqual((await cli.s3po("rm", "s3://bkt/in", "--recursive")).stdout, ["delete: s3://bkt/in/f.txt"])
    assert.deepStrictEqual(await cli.s3((s3) => s3.exists("bkt", "moved.txt")), true)
    await cli.close()
  })

  it("cp --recursive copies every file, compared or not; S3 to S3 by prefix", async () => {
    const cli = await makeCli()
    const root = await tempDir()
    await cli.s3((s3) => s3.createBucket("bkt"))
    await fs.writeFile(path.join(root, "one"), "1")
    await fs.writeFile(path.join(root, "two"), "2")
    assert.isTrue((await cli.s3po("cp", root, "s3://bkt/p", "--recursive")).ok)
    const again = await cli.s3po("cp", root, "s3://bkt/p", "--recursive", "--summarize")
    assert.strictEqual(again.stdout.length, 3)
    assert.strictEqual(again.stdout.at(-1), "2 copied (2 B), 0 deleted, 0 unchanged, 0 failed")
    const between = await cli.s3po("cp", "s3://bkt/p", "s3://bkt/q", "--recursive", "--summarize")
    assert.strictEqual(between.stdout.at(-1), "2 copied (2 B), 0 deleted, 0 failed")
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "q/two")), "2")
    await cli.close()
  })

  it("cp --recursive S3 to S3 copies as the listing streams in: the first copy before the last page is listed", async () => {
    const keys = Array.from({ length: 3001 }, (_, index) => `src/${String(index).padStart(4, "0")}`)
    const cli = await makeCli(layerMock({ seed: { bkt: Object.fromEntries(keys.map((key) => [key, "x"])) } }))
    const copied = await cli.s3po("cp", "s3://bkt/src", "s3://bkt/dst", "--recursive", "--concurrency", "16")
    assert.isTrue(copied.ok, copied.stderr.join("\n"))
    assert.strictEqual(copied.stdout.length, keys.length)
    const operations = (await cli.mock(Effect.flatMap(S3PoMockControl, (control) => control.calls)))
      .map((call) => call.operation)
    const pages = operations.filter((operation) => operation === "ListObjectsV2").length
    assert.strictEqual(pages, 4)
    assert.isBelow(operations.indexOf("CopyObject"), operations.lastIndexOf("ListObjectsV2"))
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "dst/")), keys.map((key) => key.replace("src/", "dst/")))
    await cli.close()
  })

  it("a recursive S3 to S3 copy with a failed copy reports it, copies the rest and fails", async () => {
    const cli = await makeCli(layerMock({ seed: { bkt: { "src/a": "1", "src/b": "2", "src/c": "3" } } }))
    await cli.mock(
      Effect.flatMap(
        S3PoMockControl,
        (control) => control.addFault({ operation: "CopyObject", key: "dst/b", fault: MockFault.accessDenied })
      )
    )
    const copied = await cli.s3po("mv", "s3://bkt/src", "s3://bkt/dst", "--recursive")
    assert.isFalse(copied.ok)
    assert.strictEqual(copied.stdout.length, 2)
    assert.match(copied.stderr[0]!, /^failed: src\/b: /)
    assert.strictEqual(copied.stderr.at(-1), "s3po: 1 of 3 failed")
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "")), ["dst/a", "dst/c", "src/b"])
    await cli.close()
  })

  it("mv --recursive S3 to S3: a failed deletion is reported with both kept; overlapping prefixes are refused", async () => {
    const cli = await makeCli(layerMock({
      seed: { bkt: { "src/a": "1", "src/b": "2", "keep/x": "x" } },
      faults: [{ operation: "DeleteObjects", fault: MockFault.accessDenied }]
    }))
    const moved = await cli.s3po("mv", "s3://bkt/src", "s3://bkt/dst", "--recursive")
    assert.isFalse(moved.ok)
    assert.deepStrictEqual(moved.stdout, [])
    assert.deepStrictEqual(moved.stderr.slice(0, 2).map((line) => line.slice(0, 16)).sort(), [
      "failed: src/a: D",
      "failed: src/b: D"
    ])
    assert.strictEqual(moved.stderr.at(-1), "s3po: 2 of 2 failed")
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "")), ["dst/a", "dst/b", "keep/x", "src/a", "src/b"])

    // The copies would land under the listing and be copied again: refused before any copy.
    const into = await cli.s3po("cp", "s3://bkt/keep", "s3://bkt/keep/sub", "--recursive")
    assert.isFalse(into.ok)
    assert.match(into.stderr.join("\n"), /overlaps the source/)
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "keep/")), ["keep/x"])
    await cli.close()
  })

  it("a recursive S3 to S3 copy whose listing fails on a later page fails with the listing's error", async () => {
    const keys = Array.from({ length: 1001 }, (_, index) => `src/${String(index).padStart(4, "0")}`)
    const cli = await makeCli(layerMock({
      seed: { bkt: Object.fromEntries(keys.map((key) => [key, "x"])) },
      faults: [{ operation: "ListObjectsV2", nth: 2, fault: MockFault.accessDenied }]
    }))
    const copied = await cli.s3po("cp", "s3://bkt/src", "s3://bkt/dst", "--recursive")
    assert.isFalse(copied.ok)
    assert.strictEqual(copied.stderr.length, 1)
    assert.match(copied.stderr[0]!, /^s3po: ListObjectsV2: access denied \(AccessDenied\) on s3:\/\/bkt/)
    await cli.close()
  })

  it("a failure prints one line and fails; unsafe keys are reported and never written", async () => {
    const cli = await makeCli()
    const missing = await cli.s3po("ls", "s3://no-such-bucket/")
    assert.isFalse(missing.ok)
    assert.strictEqual(missing.stderr.length, 1)
    assert.match(missing.stderr[0]!, /^s3po: .*no-such-bucket/)
    await cli.s3((s3) => s3.createBucket("bkt"))
    await cli.s3((s3) => Effect.zipRight(s3.upload("bkt", "../escape.txt", "x"), s3.upload("bkt", "ok.txt", "y")))
    const root = await tempDir()
    const into = path.join(root, "into")
    const down = await cli.s3po("sync", "s3://bkt", into)
    assert.isFalse(down.ok)
    assert.include(down.stderr.join("\n"), "failed: ../escape.txt")
    assert.deepStrictEqual(await fs.readdir(root), ["into"])
    assert.deepStrictEqual(await fs.readdir(into), ["ok.txt"])
    const presigned = await cli.s3po("presign", "s3://bkt/ok.txt", "--expires", "10m")
    assert.isTrue(presigned.ok)
    assert.match(presigned.stdout[0]!, /^https?:\/\//)
    assert.isFalse((await cli.s3po("presign", "s3://bkt/ok.txt", "--expires", "soon")).ok)
    await cli.close()
  })
})
