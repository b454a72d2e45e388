import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { batch, S3Po } from "../src/index.js"
import { rawClient, s3poLayer } from "./clients.js"
import { measure } from "./measure.js"

const body = new Uint8Array(1024).fill(7)

/** Runs `task` over `count` items with at most `concurrency` in flight: the plain promise pool users would write. */
export const promisePool = async (count: number, concurrency: number, task: (index: number) => Promise<unknown>) => {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

/** The two sides of the small-object comparison, each a 1 KiB PUT then GET per item, over the same endpoint. */
export const makeSmallOpsSides = (endpoint: string, bucket: string) => {
  const client = rawClient(endpoint)
  const runtime = ManagedRuntime.make(s3poLayer(endpoint))
  let round = 0

  // Both sides keep each item's downloaded bytes until the batch ends, as `batch` does: the work a
  // caller needs done, not less.
  const sdk = (items: number, concurrency: number) => {
    const prefix = `sdk-${round++}`
    const results: Array<Uint8Array> = new Array(items)
    return measure(items * 2, () =>
      promisePool(items, concurrency, async (index) => {
        const key = `${prefix}/${index}`
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }))
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        results[index] = await got.Body!.transformToByteArray()
      }))
  }

  const s3po = (items: number, concurrency: number) => {
    const prefix = `s3po-${round++}`
    const keys = Array.from({ length: items }, (_, index) => `${prefix}/${index}`)
    return measure(items * 2, () =>
      runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
        Effect.flatMap(
          batch(keys, (key) => Effect.zipRight(s3.upload(bucket, key, body), s3.download(bucket, key)), {
            concurrency
          }),
          (result) => result.success ? Effect.void : Effect.die(new Error("a benchmark operation failed"))
        ))))
  }

  const setup = () => runtime.runPromise(Effect.flatMap(S3Po, (s3) => s3.createBucket(bucket)))
  const close = async () => {
    client.destroy()
    await runtime.dispose()
  }
  return { sdk, s3po, setup, close }
}
