import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Fault, layerMock, type S3Po, S3PoMockControl } from "s3po"
import { makeCli } from "./harness.js"

const listed = (s3: S3Po.Service, bucket: string) =>
  Effect.map(Stream.runCollect(s3.list(bucket)), Chunk.toReadonlyArray)

const seed = {
  src: { "p/a.txt": "alpha", "p/sub/b.txt": "beta", "p/sub/c.log": "log" },
  dst: { "q/extra.txt": "extra", "q/keep.log": "kept" }
}

describe("s3po sync s3://a/p s3://b/q", () => {
  it("copies server-side what differs, as aws prints it; nothing the second time", async () => {
    const cli = await makeCli(layerMock({ seed }))
    const first = await cli.s3po("sync", "s3://src/p", "s3://dst/q")
    assert.isTrue(first.ok, first.stderr.join("\n"))
    assert.sameMembers(first.stdout, [
      "copy: s3://src/p/a.txt to s3://dst/q/a.txt",
      "copy: s3://src/p/sub/b.txt to s3://dst/q/sub/b.txt",
      "copy: s3://src/p/sub/c.log to s3://dst/q/sub/c.log"
    ])
    const operations = (await cli.mock(Effect.flatMap(S3PoMockControl, (control) => control.calls)))
      .map((call) => call.operation)
    assert.include(operations, "CopyObject")
    assert.notInclude(operations, "GetObject")
    assert.notInclude(operations, "PutObject")
    const second = await cli.s3po("sync", "s3://src/p/", "s3://dst/q/", "--summarize")
    assert.deepStrictEqual(second.stdout, ["0 copied (0 B), 0 deleted, 3 unchanged, 0 failed"])
    await cli.close()
  })

  it("a newer source of the same size is copied; --delete removes what the source lacks within the filters", async () => {
    const cli = await makeCli(layerMock({ seed }))
    assert.isTrue((await cli.s3po("sync", "s3://src/p", "s3://dst/q")).ok)
    await cli.mock(Effect.flatMap(S3PoMockControl, (control) => control.clearCalls))
    // The mock keeps times to the second, as S3 does: the next second's write is newer.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await cli.s3((s3) => s3.upload("src", "p/a.txt", "ALPHA"))
    const deleting = await cli.s3po("sync", "--delete", "--exclude", "*.log", "s3://src/p", "s3://dst/q")
    assert.isTrue(deleting.ok, deleting.stderr.join("\n"))
    assert.sameMembers(deleting.stdout, [
      "copy: s3://src/p/a.txt to s3://dst/q/a.txt",
      "delete: s3://dst/q/extra.txt"
    ])
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "dst")), [
      "q/a.txt",
      "q/keep.log",
      "q/sub/b.txt",
      "q/sub/c.log"
    ])
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("dst", "q/a.txt")), "ALPHA")
    await cli.close()
  })

  it("--dryrun says what it would do and does nothing; --json gives records", async () => {
    const cli = await makeCli(layerMock({ seed }))
    const dry = await cli.s3po("sync", "--dryrun", "--delete", "--summarize", "s3://src/p", "s3://dst/q")
    assert.isTrue(dry.ok)
    assert.sameMembers(dry.stdout.slice(0, -1), [
      "(dryrun) copy: s3://src/p/a.txt to s3://dst/q/a.txt",
      "(dryrun) copy: s3://src/p/sub/b.txt to s3://dst/q/sub/b.txt",
      "(dryrun) copy: s3://src/p/sub/c.log to s3://dst/q/sub/c.log",
      "(dryrun) delete: s3://dst/q/extra.txt",
      "(dryrun) delete: s3://dst/q/keep.log"
    ])
    assert.strictEqual(dry.stdout.at(-1), "(dryrun) 3 copied (12 B), 2 deleted, 0 unchanged, 0 failed")
    assert.deepStrictEqual(await cli.s3((s3) => listed(s3, "dst")), ["q/extra.txt", "q/keep.log"])
    const json = await cli.s3po("sync", "--json", "--dryrun", "s3://src/p", "s3://dst/q")
    const records = json.stdout.map((line) => JSON.parse(line))
    assert.deepStrictEqual(records.find((record) => record.relative === "a.txt"), {
      _tag: "Copy",
      relative: "a.txt",
      from: { bucket: "src", key: "p/a.txt" },
      to: { bucket: "dst", key: "q/a.txt" },
      size: 5,
      dryRun: true
    })
    assert.strictEqual(records.at(-1).summary.copied, 3)
    await cli.close()
  })

  it("a failed copy is reported and the command fails; overlapping prefixes are refused", async () => {
    const cli = await makeCli(layerMock({
      seed,
      faults: [{ operation: "CopyObject", key: "q/sub/b.txt", fault: Fault.accessDenied() }]
    }))
    const failed = await cli.s3po("sync", "s3://src/p", "s3://dst/q", "--summarize")
    assert.isFalse(failed.ok)
    assert.match(failed.stderr[0]!, /^failed: sub\/b\.txt: /)
    assert.strictEqual(failed.stderr.at(-1), "s3po: 1 of 3 failed")
    assert.strictEqual(failed.stdout.at(-1), "2 copied (8 B), 0 deleted, 0 unchanged, 1 failed")
    const overlapping = await cli.s3po("sync", "s3://src/p", "s3://src/p/sub")
    assert.isFalse(overlapping.ok)
    assert.match(overlapping.stderr.at(-1)!, /overlaps the source/)
    await cli.close()
  })
})
