import * as Effect from "effect/Effect"
import { S3Po, S3PoMock } from "../src/index.js"

const body = new Uint8Array(1024).fill(3)
const count = 100_000
const keys = Array.from({ length: count }, (_, i) => `k/${i}`)
for (let run = 0; run < 5; run++) {
  await Effect.runPromise(
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("bench")
      const t = performance.now()
      yield* Effect.forEach(keys, (key) => s3.upload("bench", key, body), { discard: true })
      console.log(`puts/s ${Math.round(count / ((performance.now() - t) / 1000))}`)
    }).pipe(Effect.provide(S3PoMock))
  )
}
