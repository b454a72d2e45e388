import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { LocalFiles, S3PoMock } from "s3po"
import { makeCli, tempDir } from "./harness.js"

/**
 * Node's local files, with `during` run at the move's second look at its source: after the upload,
 * before the removal (the window in which another program may replace the file).
 */
const filesReplacingAt = (source: string, during: () => Promise<void>) => {
  let looks = 0
  const files: LocalFiles.LocalFiles = {
    ...LocalFiles.nodeFiles,
    stat: (at, options) =>
      Effect.zipRight(
        at === source && options?.followLinks === false && ++looks === 2 ? Effect.promise(during) : Effect.void,
        LocalFiles.nodeFiles.stat(at, options)
      )
  }
  return makeCli(Layer.merge(S3PoMock, Layer.succeed(LocalFiles.LocalFiles, files)))
}

describe("mv of a local file removes it only if it is still the file it uploaded", () => {
  it("a file left alone is removed", async () => {
    const root = await tempDir()
    const source = path.join(root, "f.txt")
    await fs.writeFile(source, "file")
    const cli = await filesReplacingAt(source, async () => {})
    await cli.s3((s3) => s3.createBucket("bkt"))
    const moved = await cli.s3po("mv", source, "s3://bkt/f.txt")
    assert.isTrue(moved.ok, moved.stderr.join("\n"))
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "f.txt")), "file")
    assert.isFalse(await fs.access(source).then(() => true, () => false))
    await cli.close()
  })

  it("a link put in its place meanwhile is kept, and what it points to; the move fails", async () => {
    const root = await tempDir()
    const source = path.join(root, "f.txt")
    const precious = path.join(root, "precious.txt")
    await fs.writeFile(source, "file")
    await fs.writeFile(precious, "precious")
    const cli = await filesReplacingAt(source, async () => {
      await fs.rm(source)
      await fs.symlink(precious, source)
    })
    await cli.s3((s3) => s3.createBucket("bkt"))
    const moved = await cli.s3po("mv", source, "s3://bkt/f.txt")
    assert.isFalse(moved.ok)
    assert.strictEqual(moved.code, 1)
    assert.match(moved.stderr.join("\n"), /changed while it was copied: kept/)
    assert.strictEqual(await fs.readlink(source), precious)
    assert.strictEqual(await fs.readFile(precious, "utf8"), "precious")
    assert.strictEqual(await cli.s3((s3) => s3.downloadString("bkt", "f.txt")), "file")
    await cli.close()
  })

  it("another file renamed over it meanwhile is kept", async () => {
    const root = await tempDir()
    const source = path.join(root, "f.txt")
    await fs.writeFile(source, "file")
    await fs.writeFile(path.join(root, "other.txt"), "other")
    const cli = await filesReplacingAt(source, () => fs.rename(path.join(root, "other.txt"), source))
    await cli.s3((s3) => s3.createBucket("bkt"))
    const moved = await cli.s3po("mv", source, "s3://bkt/f.txt")
    assert.isFalse(moved.ok)
    assert.strictEqual(await fs.readFile(source, "utf8"), "other")
    await cli.close()
  })
})
