import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type ObjectInfo, S3Po, Sync } from "s3po"
import type { Backend } from "../../src/internal/core/backend.js"
import { layerOver, mockBackend } from "../utils/backends.js"
import { randomBody, tempDir } from "../utils/fixtures.js"

/**
 * `compare: "checksum"` against a multipart object compares what the object stores (its
 * full-object checksum, or the part size its upload recorded), asked for with one HEAD, instead of
 * guessing the part size. 6 MiB parts are none of the part sizes guessed.
 */
const MiB = 1024 * 1024
const size = 13 * MiB
const sixMiBParts = { partSize: 6 * MiB, multipartThreshold: 5 * MiB }

/** The mock's primitives, counting HEADs; `keepsChecksums: false` answers no checksum, as Ceph RGW. */
const store = (keepsChecksums: boolean) => {
  const base = mockBackend()
  let heads = 0
  const plain = (info: ObjectInfo): ObjectInfo => {
    if (keepsChecksums || info.checksum === undefined) return info
    const { checksum: _, ...rest } = info
    return rest
  }
  const backend: Backend = {
    ...base,
    headObject: (request) => {
      heads++
      return Effect.map(base.headObject(request), plain)
    },
    getObject: (request) =>
      Effect.map(base.getObject(request), (response) => ({ ...response, info: plain(response.info) }))
  }
  return { layer: layerOver(backend), heads: Effect.sync(() => heads) }
}

const setUp = (checksumAlgorithm: "CRC32" | "none") =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    yield* s3.createBucket("bkt")
    const root = yield* tempDir
    const content = randomBody(size)
    yield* Effect.promise(() => fs.writeFile(path.join(root, "large.bin"), content))
    const uploaded = yield* s3.uploadFile("bkt", "large.bin", path.join(root, "large.bin"), {
      ...sixMiBParts,
      checksumAlgorithm
    })
    assert.match(uploaded.etag, /-3"$/)
    return { s3, root, content, uploaded }
  })

describe("Sync compare checksum, by what the object stores", () => {
  const cases = [
    { name: "a full-object CRC32", checksumAlgorithm: "CRC32", keepsChecksums: true },
    {
      name: "the recorded part size, on a server that keeps no checksum",
      checksumAlgorithm: "CRC32",
      keepsChecksums: false
    }
  ] as const
  for (const { checksumAlgorithm, keepsChecksums, name } of cases) {
    const { heads, layer } = store(keepsChecksums)
    it.scoped(`by ${name}: the same content is skipped, a same-size change is copied`, () =>
      Effect.gen(function*() {
        const { content, root, s3, uploaded } = yield* setUp(checksumAlgorithm)
        assert.strictEqual(uploaded.checksum?.type, "FULL_OBJECT")
        const before = yield* heads
        const same = yield* Sync.syncUp(root, { bucket: "bkt" }, { compare: "checksum" })
        assert.deepStrictEqual([same.copied, same.skipped], [0, 1])
        assert.strictEqual((yield* heads) - before, 1)

        const changed = Uint8Array.from(content)
        changed[size - 1] = changed[size - 1]! ^ 1
        yield* Effect.promise(() => fs.writeFile(path.join(root, "large.bin"), changed))
        const down = yield* Sync.syncDown({ bucket: "bkt" }, root, { compare: "checksum", dryRun: true })
        assert.deepStrictEqual([down.copied, down.skipped], [1, 0])
        const up = yield* Sync.syncUp(root, { bucket: "bkt" }, { compare: "checksum" })
        assert.deepStrictEqual([up.copied, up.skipped], [1, 0])
        assert.deepStrictEqual(yield* s3.download("bkt", "large.bin"), changed)
      }).pipe(Effect.provide(layer)))
  }

  it.scoped("a single-part object is compared by its ETag, without a HEAD", () => {
    const { heads, layer } = store(true)
    return Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("bkt")
      const root = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(root, "small.txt"), "0123456789"))
      yield* s3.upload("bkt", "small.txt", "0123456789")
      const before = yield* heads
      const same = yield* Sync.syncUp(root, { bucket: "bkt" }, { compare: "checksum" })
      assert.deepStrictEqual([same.copied, same.skipped], [0, 1])
      assert.strictEqual((yield* heads) - before, 0)
    }).pipe(Effect.provide(layer))
  })
})
