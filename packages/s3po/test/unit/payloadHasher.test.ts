import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { createHash, randomFillSync } from "node:crypto"
import * as PayloadHasher from "../../src/internal/live/payloadHasher.js"

const MiB = 1024 * 1024

const shared = (size: number, offset = 0) => {
  const bytes = new Uint8Array(new SharedArrayBuffer(size + offset), offset, size)
  randomFillSync(bytes)
  return bytes
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

describe("PayloadHasher", () => {
  it.scopedLive("hashes parts in shared memory on its worker, several at once, views at an offset included", () =>
    Effect.gen(function*() {
      const hasher = yield* Effect.acquireRelease(Effect.sync(PayloadHasher.make), (hasher) => hasher.close)
      const parts = [shared(5 * MiB), shared(2 * MiB + 3, 17), shared(MiB)]
      const hashes = yield* Effect.forEach(parts, hasher.sha256, { concurrency: "unbounded" })
      assert.deepStrictEqual(hashes, parts.map(sha256))
    }))

  it.live("a part waiting when the worker ends is not left hanging: it gets its hash or none", () =>
    Effect.gen(function*() {
      const hasher = PayloadHasher.make()
      const part = shared(64 * MiB)
      const hashing = yield* Effect.fork(hasher.sha256(part))
      yield* Effect.sleep("1 millis")
      yield* hasher.close
      const hash = yield* Fiber.join(hashing).pipe(Effect.timeoutFail({
        duration: "5 seconds",
        onTimeout: () => new Error("the hash never came")
      }))
      assert.include([undefined, sha256(part)], hash)
    }))

  it.scopedLive("leaves small bodies and bodies outside shared memory to the SDK", () =>
    Effect.gen(function*() {
      const hasher = yield* Effect.acquireRelease(Effect.sync(PayloadHasher.make), (hasher) => hasher.close)
      assert.isUndefined(yield* hasher.sha256(shared(MiB - 1)))
      assert.isUndefined(yield* hasher.sha256(new Uint8Array(2 * MiB)))
    }))
})
