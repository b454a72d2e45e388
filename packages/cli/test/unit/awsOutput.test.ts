import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock } from "s3po"
import { inTempWorkingDir, makeCli } from "./harness.js"

// What each line should be is what aws-cli 2.9 printed for the same command against Ceph RGW
// (packages/cli/scripts/compareWithAws.sh runs both again where aws is installed).

const timeZone = process.env.TZ
const here = inTempWorkingDir()

afterEach(() => {
  if (timeZone === undefined) delete process.env.TZ
  else process.env.TZ = timeZone
})

/** `a.txt`, `sub/b.txt` below `site/` in the working directory, and `c.txt` beside it. */
const tree = async () => {
  await fs.mkdir(path.join(here(), "site", "sub"), { recursive: true })
  await fs.writeFile(path.join(here(), "site", "a.txt"), "a\n")
  await fs.writeFile(path.join(here(), "site", "sub", "b.txt"), "b\n")
  await fs.writeFile(path.join(here(), "c.txt"), "c\n")
}

/** A transfer's file lines (its summary left out), in order of name: files are copied at once. */
const fileLines = (lines: ReadonlyArray<string>) => lines.filter((line) => /^(upload|download): /.test(line)).sort()

/** A time as `aws s3 ls` shows it at a fixed offset from UTC, computed without the local time zone. */
const shifted = (when: Date, minutes: number) =>
  new Date(when.getTime() + minutes * 60_000).toISOString().slice(0, 19).replace("T", " ")

describe("output as aws s3 prints it", () => {
  it("transfer lines: local paths relative to the working directory, however typed", async () => {
    await tree()
    const cli = await makeCli(layerMock({ seed: { bkt: {} } }))
    const lines = async (...args: ReadonlyArray<string>) => {
      const result = await cli.s3po(...args)
      assert.strictEqual(result.code, 0, result.stderr.join("\n"))
      return result.stdout
    }
    assert.deepStrictEqual(await lines("cp", "c.txt", "s3://bkt/"), ["upload: ./c.txt to s3://bkt/c.txt"])
    assert.deepStrictEqual(await lines("cp", "./c.txt", "s3://bkt/x/"), ["upload: ./c.txt to s3://bkt/x/c.txt"])
    assert.deepStrictEqual(await lines("cp", path.join(here(), "c.txt"), "s3://bkt/y/"), [
      "upload: ./c.txt to s3://bkt/y/c.txt"
    ])
    assert.deepStrictEqual(fileLines(await lines("cp", "site", "s3://bkt/site", "--recursive")), [
      "upload: site/a.txt to s3://bkt/site/a.txt",
      "upload: site/sub/b.txt to s3://bkt/site/sub/b.txt"
    ])
    assert.deepStrictEqual(fileLines(await lines("sync", "./site/", "s3://bkt/sync")), [
      "upload: site/a.txt to s3://bkt/sync/a.txt",
      "upload: site/sub/b.txt to s3://bkt/sync/sub/b.txt"
    ])
    assert.deepStrictEqual(fileLines(await lines("sync", "s3://bkt/sync", "down")), [
      "download: s3://bkt/sync/a.txt to down/a.txt",
      "download: s3://bkt/sync/sub/b.txt to down/sub/b.txt"
    ])
    assert.deepStrictEqual(fileLines(await lines("cp", "s3://bkt/site", "./rec", "--recursive")), [
      "download: s3://bkt/site/a.txt to rec/a.txt",
      "download: s3://bkt/site/sub/b.txt to rec/sub/b.txt"
    ])
    assert.deepStrictEqual(await lines("cp", "s3://bkt/c.txt", "."), ["download: s3://bkt/c.txt to ./c.txt"])
    assert.deepStrictEqual(await lines("cp", "s3://bkt/c.txt", "./dl/"), ["download: s3://bkt/c.txt to dl/c.txt"])
    assert.deepStrictEqual(await lines("cp", "s3://bkt/c.txt", "dl2.txt"), ["download: s3://bkt/c.txt to ./dl2.txt"])
    assert.deepStrictEqual(await lines("cp", "s3://bkt/c.txt", path.join(path.dirname(here()), "elsewhere-h")), [
      "download: s3://bkt/c.txt to ../elsewhere-h"
    ])
    assert.deepStrictEqual(await lines("mv", "c.txt", "s3://bkt/m/"), ["move: ./c.txt to s3://bkt/m/c.txt"])
    process.chdir(path.join(here(), "site"))
    assert.deepStrictEqual(await lines("cp", "../dl2.txt", "s3://bkt/"), ["upload: ../dl2.txt to s3://bkt/dl2.txt"])
    // --json keeps the paths the library gives, exact.
    const [record] = (await lines("cp", "a.txt", "s3://bkt/j/", "--json")).map((line) => JSON.parse(line))
    assert.strictEqual(record.path, "a.txt")
    await fs.rm(path.join(here(), "elsewhere-h"), { force: true })
    await cli.close()
  })

  it("rm --recursive and rb --force: a delete: line per object, no summary; --json keeps its count", async () => {
    const cli = await makeCli(
      layerMock({ seed: { bkt: { "site/a.txt": "a", "site/sub/b.txt": "b", "site2/c": "c" } } })
    )
    const removed = await cli.s3po("rm", "s3://bkt/site", "--recursive")
    assert.deepStrictEqual(removed.stdout, ["delete: s3://bkt/site/a.txt", "delete: s3://bkt/site/sub/b.txt"])
    assert.deepStrictEqual(removed.stderr, [])
    assert.deepStrictEqual((await cli.s3po("rm", "s3://bkt/nothing", "--recursive")).stdout, [])
    const json = await cli.s3po("rm", "s3://bkt/site2/", "--recursive", "--json")
    assert.deepStrictEqual(json.stdout.map((line) => JSON.parse(line)), [{
      deleted: 1,
      bucket: "bkt",
      prefix: "site2/"
    }])
    await cli.s3((s3) => s3.upload("bkt", "last", "x"))
    const emptied = await cli.s3po("rb", "s3://bkt", "--force")
    assert.deepStrictEqual(emptied.stderr, [])
    assert.deepStrictEqual(emptied.stdout, [
      "delete: s3://bkt/last",
      "remove_bucket: bkt"
    ])
    await cli.close()
  })

  it("ls: PRE lines first, then objects with their local time; --json in S3's order, in UTC", async () => {
    const cli = await makeCli(layerMock({ seed: { bkt: { "a.txt": "a", "b/x": "x", "c.txt": "cc", "d/y": "y" } } }))
    const modified = await cli.s3((s3) =>
      Effect.map(
        Stream.runCollect(s3.listObjects("bkt")),
        (entries) =>
          new Map([...entries].flatMap((entry) => entry._tag === "Object" ? [[entry.key, entry.lastModified]] : []))
      )
    )
    process.env.TZ = "Asia/Kolkata"
    const listed = await cli.s3po("ls", "s3://bkt/")
    assert.deepStrictEqual(listed.stdout, [
      "                           PRE b/",
      "                           PRE d/",
      `${shifted(modified.get("a.txt")!, 330)}          1 a.txt`,
      `${shifted(modified.get("c.txt")!, 330)}          2 c.txt`
    ])
    process.env.TZ = "UTC"
    assert.deepStrictEqual((await cli.s3po("ls", "s3://bkt/b")).stdout, ["                           PRE b/"])
    assert.deepStrictEqual((await cli.s3po("ls", "bkt/c")).stdout, [
      `${shifted(modified.get("c.txt")!, 0)}          2 c.txt`
    ])
    assert.deepStrictEqual((await cli.s3po("ls", "s3://bkt/", "--recursive")).stdout.map((line) => line.slice(20)), [
      "         1 a.txt",
      "         1 b/x",
      "         2 c.txt",
      "         1 d/y"
    ])
    const json = (await cli.s3po("ls", "s3://bkt/", "--json")).stdout.map((line) => JSON.parse(line))
    assert.deepStrictEqual(json.map((record) => record.key ?? record.prefix), ["a.txt", "b/", "c.txt", "d/"])
    assert.strictEqual(json[0].lastModified, modified.get("a.txt")!.toISOString())
    await cli.close()
  })

  it("ls s3:// and ls with nothing list the buckets, with their local time of creation", async () => {
    const cli = await makeCli(layerMock({ seed: { beta: {}, alpha: { k: "v" } } }))
    const buckets = await cli.s3((s3) => s3.listBuckets())
    process.env.TZ = "Asia/Kolkata"
    const expected = buckets.map((bucket) => `${shifted(bucket.creationDate, 330)} ${bucket.name}`)
    assert.deepStrictEqual(buckets.map((bucket) => bucket.name), ["alpha", "beta"])
    for (const args of [["ls"], ["ls", "s3://"]]) {
      const listed = await cli.s3po(...args)
      assert.strictEqual(listed.code, 0)
      assert.deepStrictEqual(listed.stdout, expected)
    }
    const json = (await cli.s3po("ls", "s3://", "--json")).stdout.map((line) => JSON.parse(line))
    assert.deepStrictEqual(
      json,
      buckets.map((bucket) => ({ bucket: bucket.name, created: bucket.creationDate.toISOString() }))
    )
    await cli.close()
  })

  it("ls of more than a page: each page's PRE lines before its objects, as aws's pages", async () => {
    const keys = ["0/x", ...Array.from({ length: 1004 }, (_, index) => `a${String(index).padStart(4, "0")}`), "b/y"]
    const cli = await makeCli(layerMock({ seed: { bkt: Object.fromEntries(keys.map((key) => [key, "x"])) } }))
    const names = (await cli.s3po("ls", "s3://bkt/")).stdout.map((line) => line.split(" ").at(-1))
    // Page 1: 0/ and a0000..a0998 (1000 entries); page 2: a0999..a1003 and b/.
    assert.deepStrictEqual(names.slice(0, 2), ["0/", "a0000"])
    assert.deepStrictEqual(names.slice(1000), ["b/", "a0999", "a1000", "a1001", "a1002", "a1003"])
    assert.strictEqual(names.length, 1006)
    await cli.close()
  })
})
