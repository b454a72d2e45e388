import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as crypto from "node:crypto"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3Po, S3PoMock } from "s3po"
import { vi } from "vitest"
import { isPartialFileName, partialFileName } from "../../src/internal/core/partialFile.js"
import { freshBucket, tempDir } from "../utils/fixtures.js"

// The partial file's random name, made predictable: a file or link planted under it must be refused.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>()
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) }
})

describe("partial file names", () => {
  it("carry 128 random bits, fit 255 bytes, and are told apart from a user's file ending the same", () => {
    const long = "é".repeat(127) // 254 bytes of UTF-8
    const names = [partialFileName("report.pdf"), partialFileName("report.pdf"), partialFileName(long)]
    assert.notStrictEqual(names[0], names[1])
    assert.match(names[0]!, /^\.report\.pdf\.[0-9a-f]{32}\.s3po-partial$/)
    assert.isAtMost(Buffer.byteLength(names[2]!), 255)
    for (const name of names) assert.isTrue(isPartialFileName(name), name)
    for (
      const name of [
        "report.s3po-partial",
        ".report.s3po-partial",
        `.x.${"g".repeat(32)}.s3po-partial`,
        `x.${"a".repeat(32)}.s3po-partial`,
        `.x.${"a".repeat(31)}.s3po-partial`,
        `.x.${"a".repeat(32)}.s3po-partial.txt`
      ]
    ) assert.isFalse(isPartialFileName(name), name)
  })
})

layer(S3PoMock)("downloadFile's partial file", (it) => {
  it.scoped("is created exclusively: a link planted under its name is not written through", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = yield* freshBucket("partial-excl")
      yield* s3.upload(bucket, "k", "the object")
      const root = yield* tempDir
      const outside = path.join(root, "outside.txt")
      const destination = path.join(root, "inside", "out.txt")
      const fixed = Buffer.alloc(16, 0xab)
      yield* Effect.promise(async () => {
        await fs.mkdir(path.dirname(destination))
        await fs.writeFile(outside, "not to be touched")
        await fs.symlink(
          outside,
          path.join(path.dirname(destination), `.out.txt.${fixed.toString("hex")}.s3po-partial`)
        )
      })
      vi.mocked(randomBytes).mockImplementation(((size: number) => size === 16 ? fixed : Buffer.alloc(size)) as never)
      const error = yield* Effect.flip(s3.downloadFile(bucket, "k", destination)).pipe(
        Effect.ensuring(Effect.sync(() => vi.mocked(randomBytes).mockRestore()))
      )
      assert.strictEqual(error._tag, "LocalFileError")
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(outside, "utf8")), "not to be touched")
      assert.isFalse(yield* Effect.promise(() => fs.access(destination).then(() => true, () => false)))
    }))
})
