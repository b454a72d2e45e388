/**
 * Peak memory of a 1 GiB stream upload at default settings (8 MiB parts, 4 in flight), against the
 * benchmark fixture in its own process. s3po should hold about (4 + 1) × 8 MiB of body at once:
 * the target is a peak RSS within 100 MiB above the idle RSS.
 *
 *   pnpm --filter s3po bench:memory [GiB]
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { S3Po } from "../src/index.js"
import { s3poLayer } from "./clients.js"
import { startFixture } from "./fixtureProcess.js"

const MiB = 1024 * 1024
const gib = Number(process.argv[2] ?? 1)
const chunkSize = 64 * 1024
const rssMiB = () => process.memoryUsage().rss / MiB

/** Peak RSS above idle while `run` runs, idle taken after a collection. */
const peakDuring = <A, E, R>(run: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    globalThis.gc?.()
    yield* Effect.sleep("200 millis")
    const idle = rssMiB()
    let peak = idle
    const sampler = setInterval(() => peak = Math.max(peak, rssMiB()), 5)
    const started = performance.now()
    const result = yield* Effect.ensuring(run, Effect.sync(() => clearInterval(sampler)))
    const seconds = (performance.now() - started) / 1000
    peak = Math.max(peak, rssMiB())
    return { result, seconds, idleRssMiB: idle, peakRssMiB: peak, peakAboveIdleMiB: peak - idle }
  })

/** Fresh 64 KiB buffers one at a time, as a socket or a file stream delivers them. */
const freshChunks = (totalBytes: number) =>
  Stream.repeatEffect(Effect.sync(() => Buffer.allocUnsafe(chunkSize))).pipe(
    Stream.take(Math.ceil(totalBytes / chunkSize))
  )

export const measureUploadMemory = async (totalBytes: number) => {
  const fixture = await startFixture({ discard: true })
  try {
    return await Effect.runPromise(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("memory")
        // Warm up the client, the connection pool and the code paths once with a small multipart upload.
        yield* s3.upload("memory", "warmup", new Uint8Array(17 * MiB))
        const measured = yield* peakDuring(s3.upload("memory", "big", freshChunks(totalBytes)))
        const { result, seconds, ...memory } = measured
        return {
          bytes: result.size,
          parts: result.parts,
          ...memory,
          maxRssMiB: process.resourceUsage().maxRSS / 1024,
          mibPerSecond: result.size / MiB / seconds
        }
      }).pipe(Effect.provide(s3poLayer(fixture.endpoint)))
    )
  } finally {
    await fixture.stop()
  }
}

/** Peak RSS while streaming an object back: one GET, then 8 ranged GETs of 8 MiB at once. */
export const measureDownloadMemory = async (totalBytes: number) => {
  const fixture = await startFixture()
  try {
    return await Effect.runPromise(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket("memory")
        yield* s3.upload("memory", "big", freshChunks(totalBytes))
        yield* Stream.runDrain(s3.downloadStream("memory", "big", { concurrency: 8 }).pipe(Stream.take(10)))
        const single = yield* peakDuring(Stream.runDrain(s3.downloadStream("memory", "big")))
        const ranged = yield* peakDuring(Stream.runDrain(s3.downloadStream("memory", "big", { concurrency: 8 })))
        return { singleGetPeakAboveIdleMiB: single.peakAboveIdleMiB, rangedPeakAboveIdleMiB: ranged.peakAboveIdleMiB }
      }).pipe(Effect.provide(s3poLayer(fixture.endpoint)))
    )
  } finally {
    await fixture.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureUploadMemory(gib * 1024 * MiB)
  console.log(JSON.stringify(result, null, 2))
  const verdict = result.peakAboveIdleMiB <= 100 ? "within" : "OVER"
  console.log(
    `${gib} GiB stream upload: peak RSS ${result.peakAboveIdleMiB.toFixed(1)} MiB above idle ` +
      `(${result.idleRssMiB.toFixed(1)} -> ${result.peakRssMiB.toFixed(1)} MiB), ${verdict} the 100 MiB target; ` +
      `${result.mibPerSecond.toFixed(0)} MiB/s`
  )
  const download = await measureDownloadMemory(gib * 1024 * MiB)
  console.log(
    `${gib} GiB downloadStream: peak RSS ${
      download.singleGetPeakAboveIdleMiB.toFixed(1)
    } MiB above idle with one GET, ` +
      `${download.rangedPeakAboveIdleMiB.toFixed(1)} MiB with 8 ranged GETs of 8 MiB at once`
  )
}
