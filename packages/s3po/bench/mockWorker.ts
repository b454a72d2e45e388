/**
 * The S3PoMock section of `pnpm bench`, in a process of its own: 1 KiB uploads into an empty store
 * and downloads back, five runs after a warm-up; then one 1000-key page listed from a bucket of
 * 1,000,000 keys. Prints `{ putsPerSec, getsPerSec, listPageMsAt1M }` (medians) as JSON.
 */
import * as Effect from "effect/Effect"
import { S3Po, S3PoMock } from "../src/index.js"
import * as MockBackend from "../src/internal/mock/backend.js"
import { measure, median, opsPerSecond } from "./measure.js"

const body = new Uint8Array(1024).fill(3)
const count = 100_000
const keys = Array.from({ length: count }, (_, i) => `k/${i}`)
// Each run fills a new, empty store with `count` objects, then reads each back once.
const fillAndRead = Effect.gen(function*() {
  const s3 = yield* S3Po
  yield* s3.createBucket("bench")
  const put = yield* Effect.promise(() =>
    measure(
      count,
      () => Effect.runPromise(Effect.forEach(keys, (key) => s3.upload("bench", key, body), { discard: true }))
    )
  )
  const get = yield* Effect.promise(() =>
    measure(
      count,
      () => Effect.runPromise(Effect.forEach(keys, (key) => s3.download("bench", key), { discard: true }))
    )
  )
  return { put: opsPerSecond(put), get: opsPerSecond(get) }
}).pipe(Effect.provide(S3PoMock))
await Effect.runPromise(fillAndRead) // warm-up, not counted
const puts: Array<number> = []
const gets: Array<number> = []
for (let run = 0; run < 5; run++) {
  const { get, put } = await Effect.runPromise(fillAndRead)
  puts.push(put)
  gets.push(get)
}
const figures = { putsPerSec: median(puts), getsPerSec: median(gets) }

// A bucket of 1,000,000 keys, filled through the mock's primitives (the listing is what is measured).
const backend = Effect.runSync(MockBackend.makeEmpty)
const million = 1_000_000
await Effect.runPromise(Effect.gen(function*() {
  yield* backend.createBucket({ bucket: "million" })
  for (let i = 0; i < million; i++) {
    yield* backend.putObject({ bucket: "million", key: `k/${String(i).padStart(7, "0")}`, body })
  }
}))
const pages: Array<number> = []
for (const from of [0, 250_000, 500_000, 750_000, 999_000, 0, 500_000]) {
  const token = Buffer.from(`k/${String(from).padStart(7, "0")}`).toString("base64url")
  const started = performance.now()
  const page = Effect.runSync(backend.listPage({ bucket: "million", continuationToken: token }))
  pages.push(performance.now() - started)
  if (page.objects.length !== Math.min(1000, million - from)) throw new Error("unexpected page size")
}
console.log(JSON.stringify({ ...figures, listPageMsAt1M: median(pages) }))
