import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerMock } from "s3po"
import { inTempWorkingDir, makeCli } from "./harness.js"

const here = inTempWorkingDir()

const exists = (file: string) => fs.stat(path.join(here(), file)).then(() => true, () => false)

/** A line of `ls --versions` without its time, which the mock's clock sets. */
const untimed = (line: string) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /, "")

/**
 * A versioned bucket `bkt` where `notes.txt` was written twice and then deleted (a delete marker on
 * top), and `docs/a.txt` written once; the version ids each write and the delete answered.
 */
const versionedStore = async () => {
  const cli = await makeCli(layerMock({ seed: { bkt: {} } }))
  const ids = await cli.s3((s3) =>
    Effect.gen(function*() {
      yield* s3.setBucketVersioning("bkt", "Enabled")
      const first = yield* s3.upload("bkt", "notes.txt", "first\n")
      const second = yield* s3.upload("bkt", "notes.txt", "second!\n")
      const marker = yield* s3.delete("bkt", "notes.txt")
      const doc = yield* s3.upload("bkt", "docs/a.txt", "a")
      return { first: first.versionId!, second: second.versionId!, marker: marker.versionId!, doc: doc.versionId! }
    })
  )
  return { cli, ids }
}

describe("versions from the command line", () => {
  it("ls --versions: each key's versions newest first, a delete marker as (deleted), latest or noncurrent", async () => {
    const { cli, ids } = await versionedStore()
    const level = await cli.s3po("ls", "--versions", "s3://bkt/")
    assert.strictEqual(level.code, 0, level.stderr.join("\n"))
    assert.deepStrictEqual(level.stdout.map(untimed), [
      "                           PRE docs/",
      ` (deleted) ${ids.marker} latest     notes.txt`,
      `         8 ${ids.second} noncurrent notes.txt`,
      `         6 ${ids.first} noncurrent notes.txt`
    ])
    const recursive = await cli.s3po("ls", "--versions", "--recursive", "--summarize", "s3://bkt")
    assert.deepStrictEqual(recursive.stdout.map(untimed), [
      `         1 ${ids.doc} latest     docs/a.txt`,
      ` (deleted) ${ids.marker} latest     notes.txt`,
      `         8 ${ids.second} noncurrent notes.txt`,
      `         6 ${ids.first} noncurrent notes.txt`,
      "",
      "Total Objects: 3",
      "   Total Size: 15"
    ])
    // A plain ls sees no deleted key.
    assert.deepStrictEqual((await cli.s3po("ls", "s3://bkt/")).stdout.map(untimed), [
      "                           PRE docs/"
    ])
    await cli.close()
  })

  it("ls --versions --json: every field exact; an unversioned bucket's objects are version null", async () => {
    const { cli, ids } = await versionedStore()
    const result = await cli.s3po("ls", "--versions", "--json", "s3://bkt/notes")
    assert.strictEqual(result.code, 0, result.stderr.join("\n"))
    const records = result.stdout.map((line) => JSON.parse(line) as Record<string, unknown>)
    assert.deepStrictEqual(records.map(({ lastModified: _, ...rest }) => rest), [
      { key: "notes.txt", versionId: ids.marker, isLatest: true, deleteMarker: true },
      {
        key: "notes.txt",
        versionId: ids.second,
        isLatest: false,
        deleteMarker: false,
        size: 8,
        etag: records[1]!.etag
      },
      { key: "notes.txt", versionId: ids.first, isLatest: false, deleteMarker: false, size: 6, etag: records[2]!.etag }
    ])
    assert.match(String(records[1]!.etag), /^"[0-9a-f]{32}"$/)
    assert.notStrictEqual(records[1]!.etag, records[2]!.etag)

    const plain = await makeCli(layerMock({ seed: { plain: { "k.txt": "abc" } } }))
    assert.deepStrictEqual((await plain.s3po("ls", "--versions", "s3://plain/")).stdout.map(untimed), [
      "         3 null latest     k.txt"
    ])
    await plain.close()
    await cli.close()
  })

  it("ls --versions of nothing exits 1, of the buckets 2 (a usage error)", async () => {
    const { cli } = await versionedStore()
    const none = await cli.s3po("ls", "--versions", "s3://bkt/nothing/")
    assert.deepStrictEqual([none.code, none.stdout], [1, []])
    const buckets = await cli.s3po("ls", "--versions")
    assert.strictEqual(buckets.code, 2)
    assert.match(buckets.stderr.join("\n"), /--versions/)
    await cli.close()
  })

  it("cp --version-id reads that version into a file, to another key, and as cat does to stdout", async () => {
    const { cli, ids } = await versionedStore()
    const copied = await cli.s3po("cp", "--version-id", ids.first, "s3://bkt/notes.txt", "old.txt")
    assert.strictEqual(copied.code, 0, copied.stderr.join("\n"))
    assert.deepStrictEqual(copied.stdout, [`download: s3://bkt/notes.txt (version ${ids.first}) to ./old.txt`])
    assert.strictEqual(await fs.readFile(path.join(here(), "old.txt"), "utf8"), "first\n")

    const inS3 = await cli.s3po("cp", "s3://bkt/notes.txt", "s3://bkt/restored.txt", `--version-id=${ids.second}`)
    assert.deepStrictEqual(inS3.stdout, [`copy: s3://bkt/notes.txt (version ${ids.second}) to s3://bkt/restored.txt`])
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "restored.txt")), "second!\n")

    // The latest is a delete marker: without a version there is nothing to read.
    const latest = await cli.s3po("cp", "s3://bkt/notes.txt", "latest.txt")
    assert.strictEqual(latest.code, 1)
    assert.isFalse(await exists("latest.txt"))
    // A version that is not there is a failure, not an empty file.
    const missing = await cli.s3po("cp", "--version-id", "no-such-version", "s3://bkt/notes.txt", "missing.txt")
    assert.strictEqual(missing.code, 1)
    assert.isFalse(await exists("missing.txt"))
    await cli.close()
  })

  it("rm --version-id deletes that version for good; deleting the marker brings the key back", async () => {
    const { cli, ids } = await versionedStore()
    const gone = await cli.s3po("rm", "s3://bkt/notes.txt", "--version-id", ids.first)
    assert.deepStrictEqual(gone.stdout, [`delete: s3://bkt/notes.txt (version ${ids.first})`])
    const dry = await cli.s3po("rm", "s3://bkt/notes.txt", "--version-id", ids.marker, "--dryrun")
    assert.deepStrictEqual(dry.stdout, [`(dryrun) delete: s3://bkt/notes.txt (version ${ids.marker})`])
    const versions = async () =>
      (await cli.s3po("ls", "--versions", "--json", "s3://bkt/notes.txt")).stdout.map((line) =>
        (JSON.parse(line) as { versionId: string }).versionId
      )
    assert.deepStrictEqual(await versions(), [ids.marker, ids.second])

    const marker = await cli.s3po("rm", "s3://bkt/notes.txt", "--version-id", ids.marker, "--json")
    assert.deepStrictEqual(JSON.parse(marker.stdout[0]!), {
      action: "DeleteObject",
      bucket: "bkt",
      key: "notes.txt",
      deleteMarker: true,
      versionId: ids.marker
    })
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "notes.txt")), "second!\n")

    // Without a version id, a versioned bucket gets a new delete marker and keeps the version.
    const marked = await cli.s3po("rm", "s3://bkt/notes.txt", "--json")
    const record = JSON.parse(marked.stdout[0]!) as { deleteMarker: boolean; versionId: string }
    assert.isTrue(record.deleteMarker)
    assert.deepStrictEqual(await versions(), [record.versionId, ids.second])
    await cli.close()
  })

  it("--version-id where it cannot apply is a usage error (2), and nothing is touched", async () => {
    const { cli, ids } = await versionedStore()
    await fs.writeFile(path.join(here(), "f.txt"), "f")
    for (
      const args of [
        ["rm", "--recursive", "s3://bkt/", "--version-id", ids.first],
        ["cp", "--recursive", "s3://bkt/", "down", "--version-id", ids.first],
        ["cp", "f.txt", "s3://bkt/f.txt", "--version-id", ids.first],
        ["cp", "-", "s3://bkt/f.txt", "--version-id", ids.first],
        ["mv", "s3://bkt/docs/a.txt", "s3://bkt/b.txt", "--version-id", ids.doc]
      ]
    ) {
      const result = await cli.s3po(...args)
      assert.strictEqual(result.code, 2, `${args.join(" ")}: ${result.stderr.join("\n")}`)
    }
    const left = await cli.s3po("ls", "--versions", "--recursive", "--json", "s3://bkt/")
    assert.strictEqual(left.stdout.length, 4)
    assert.isFalse(await exists("down"))
    await cli.close()
  })
})
