/**
 * One side of the multipart comparison, run in its own process so that each side's memory is its
 * own: uploads `bytes` from a Node stream of fresh 64 KiB buffers, 8 MiB parts, 4 in flight, and
 * prints `{ seconds, cpuSeconds, idleRssMiB, peakRssMiB }` as JSON.
 *
 *   node --expose-gc --import tsx bench/multipartWorker.ts s3po|lib-storage <endpoint> <bytes>
 */
import { S3Client } from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import { Readable } from "node:stream"
import { S3Po } from "../src/index.js"
import { credentials, s3poLayer } from "./clients.js"

const [side, endpoint, size] = process.argv.slice(2) as [string, string, string]
const totalBytes = Number(size)
const MiB = 1024 * 1024
const partSize = 8 * MiB
const inFlight = 4

/** Fresh 64 KiB buffers, delivered asynchronously as a file or a socket delivers them. */
const source = (bytes: number) =>
  Readable.from((async function*() {
    for (let left = bytes; left > 0; left -= 64 * 1024) yield Buffer.allocUnsafe(Math.min(64 * 1024, left))
  })())

const s3po = Effect.runSync(
  Effect.sync(() => s3poLayer(endpoint, { multipart: { partSize, partConcurrency: inFlight } }))
)
const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials })

const upload = (key: string, bytes: number): Promise<unknown> =>
  side === "s3po"
    ? Effect.runPromise(
      Effect.flatMap(S3Po, (s3) =>
        s3.upload("bench", key, NodeStream.fromReadable(() => source(bytes), (error) => error))).pipe(
          Effect.provide(s3po)
        )
    )
    : new Upload({ client, params: { Bucket: "bench", Key: key, Body: source(bytes) }, partSize, queueSize: inFlight })
      .done()

const rssMiB = () => process.memoryUsage().rss / MiB
await upload("warmup", 17 * MiB)
globalThis.gc?.()
await new Promise((resolve) => setTimeout(resolve, 200))
const idleRssMiB = rssMiB()
let peakRssMiB = idleRssMiB
const sampler = setInterval(() => peakRssMiB = Math.max(peakRssMiB, rssMiB()), 5)
const cpu = process.cpuUsage()
const started = performance.now()
await upload("big", totalBytes)
const seconds = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
clearInterval(sampler)
peakRssMiB = Math.max(peakRssMiB, rssMiB())
client.destroy()
console.log(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, idleRssMiB, peakRssMiB }))
