/**
 * Sync at scale on S3PoMock, in a process of its own so that its peak RSS is its own:
 *   up <n>     syncUp of a directory of n empty files (made first, in folders of 1000)
 *   plan <n>   planDown of a bucket of n keys against an empty directory
 *   store <n>  n empty objects put by `Effect.forEach`, no sync: what the mock's store itself takes
 * Prints `{ files, seconds, peakRssMiB, baselineRssMiB, heapAfterMiB }` as JSON: `heapAfterMiB` is
 * the JS heap after a full collection once the work is done, the mock's store still held. The
 * store's own share is what `store` reports; the rest is what the sync keeps.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3Po, S3PoMock, Sync } from "../src/index.js"

const [mode = "up", countText = "200000"] = process.argv.slice(2)
const count = Number(countText)
const MiB = 1024 * 1024
let peak = 0
const sample = () => {
  peak = Math.max(peak, process.memoryUsage.rss())
}
const sampler = setInterval(sample, 20)

const program = Effect.gen(function*() {
  const s3 = yield* S3Po
  yield* s3.createBucket("bench")
  const root = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-bench-sync-")))
  if (mode === "up") {
    yield* Effect.promise(async () => {
      for (let index = 0; index < count; index++) {
        if (index % 1000 === 0) await fs.mkdir(path.join(root, `d${index / 1000}`))
        await fs.writeFile(path.join(root, `d${Math.floor(index / 1000)}`, `f${index}`), "")
      }
    })
  } else {
    // Empty objects put one by one first (about 10 s for 1,000,000): the plan is what is measured.
    yield* Effect.forEach(
      Array.from({ length: count }, (_, index) => `k/${String(index).padStart(7, "0")}`),
      (key) => s3.upload("bench", key, ""),
      { concurrency: 1, discard: true }
    )
  }
  globalThis.gc?.()
  peak = 0
  const baseline = process.memoryUsage.rss()
  const started = performance.now()
  const files = mode === "up"
    ? (yield* Sync.syncUp(root, { bucket: "bench" })).copied
    : mode === "store"
    ? (yield* Effect.forEach(
      Array.from({ length: count }, (_, index) => `d${Math.floor(index / 1000)}/f${index}`),
      (key) => s3.upload("bench", key, ""),
      { concurrency: 16, discard: true }
    ),
      count)
    : yield* Stream.runCount(Sync.planDown({ bucket: "bench" }, path.join(root, "empty")))
  const seconds = (performance.now() - started) / 1000
  sample()
  globalThis.gc?.()
  const heapAfter = process.memoryUsage().heapUsed
  yield* Effect.promise(() => fs.rm(root, { recursive: true, force: true }))
  return { files, seconds, peakRssMiB: peak / MiB, baselineRssMiB: baseline / MiB, heapAfterMiB: heapAfter / MiB }
})

const figures = await Effect.runPromise(Effect.provide(program, S3PoMock))
clearInterval(sampler)
console.log(JSON.stringify(figures))
