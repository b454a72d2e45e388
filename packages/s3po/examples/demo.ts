/**
 * What s3po does, end to end: runs on the in-memory S3PoMock unless S3PO_ENDPOINT names a server.
 *
 *   pnpm demo                                   # in memory, nothing to set up
 *   S3PO_ENDPOINT=http://127.0.0.1:7480 pnpm demo  # against a real S3-compatible server
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Option, Stream } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { batch, S3Po, S3PoLive, S3PoMock } from "s3po"

const progressBar = (bytes: number, total: number) => {
  const filled = Math.round((bytes / total) * 20)
  return `[${"#".repeat(filled)}${".".repeat(20 - filled)}] ${(bytes / 1024 / 1024).toFixed(0)}/${
    total / 1024 / 1024
  } MiB`
}

const program = Effect.gen(function*() {
  const s3 = yield* S3Po
  const bucket = process.env.S3PO_DEMO_BUCKET ?? `s3po-demo-${Date.now().toString(36)}`
  yield* s3.createBucket(bucket)
  yield* Console.log(`bucket ${bucket}`)

  yield* s3.upload(bucket, "hello.txt", "Hello there!", { contentType: "text/plain" })
  yield* Console.log(`string round trip: ${JSON.stringify(yield* s3.downloadString(bucket, "hello.txt"))}`)

  const dir = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-demo-")))
  const source = path.join(dir, "notes.txt")
  yield* Effect.promise(() => fs.writeFile(source, "These are not the droids you are looking for.\n".repeat(100)))
  yield* s3.uploadFile(bucket, "files/notes.txt", source)
  yield* s3.downloadFile(bucket, "files/notes.txt", path.join(dir, "copy.txt"))
  const same = (yield* Effect.promise(() => fs.readFile(source, "utf8"))) ===
    (yield* Effect.promise(() => fs.readFile(path.join(dir, "copy.txt"), "utf8")))
  yield* Console.log(`file round trip: ${same ? "identical" : "DIFFERENT"}`)
  yield* Effect.promise(() => fs.rm(dir, { recursive: true }))

  const keys = Array.from({ length: 1000 }, (_, i) => `batch/${String(i).padStart(4, "0")}.txt`)
  const started = Date.now()
  const uploads = yield* batch(keys, (key) => s3.upload(bucket, key, `contents of ${key}`), { concurrency: 50 })
  yield* Console.log(
    `batch upload: ${uploads.results.length} objects, success=${uploads.success}, ${Date.now() - started} ms`
  )

  let bytes = 0
  const downloads = yield* batch(
    keys.slice(0, 100),
    (key) => s3.downloadString(bucket, key).pipe(Effect.tap((text) => Effect.sync(() => bytes += text.length))),
    { concurrency: 50 }
  )
  yield* Console.log(`batch download with a callback: ${downloads.results.length} objects, ${bytes} characters`)

  const top = yield* Stream.runCollect(s3.list(bucket, { delimiter: "/" }))
  const under = yield* Stream.runCount(s3.list(bucket, { prefix: "batch/" }))
  yield* Console.log(`list with delimiter "/": ${[...top].join(", ")}; under "batch/": ${under} keys`)

  const size = 64 * 1024 * 1024
  const chunk = new Uint8Array(1024 * 1024).fill(42)
  const large = Stream.repeatValue(chunk).pipe(Stream.take(size / chunk.length))
  const uploaded = yield* s3.upload(bucket, "large.bin", large, {
    onProgress: ({ bytes, parts }) => Console.log(`multipart upload ${progressBar(bytes, size)} ${parts} parts`)
  })
  yield* Console.log(`uploaded large.bin as ${uploaded.parts} parts, ETag ${uploaded.etag}`)

  const copied = yield* s3.copy({ bucket, key: "large.bin" }, { bucket, key: "copies/large.bin" })
  yield* Console.log(`server-side copy of large.bin: ${copied.size} bytes, no byte through this process`)
  const entries = yield* Stream.runCollect(s3.listObjects(bucket, { delimiter: "/" }))
  for (const entry of entries) {
    yield* Console.log(
      entry._tag === "Object"
        ? `  ${entry.key}  ${entry.size} bytes  ${entry.lastModified.toISOString()}`
        : `  ${entry.prefix}  (prefix)`
    )
  }

  // S3 as a database: a lock taken only if free, a version replaced only if unchanged.
  yield* s3.upload(bucket, "locks/nightly", "worker-1", { ifNoneMatch: "*" })
  const taken = yield* Effect.flip(s3.upload(bucket, "locks/nightly", "worker-2", { ifNoneMatch: "*" }))
  const v1 = yield* s3.upload(bucket, "state.json", `{"n":1}`)
  yield* s3.upload(bucket, "state.json", `{"n":2}`, { ifMatch: v1.etag, tags: { app: "demo" } })
  const stale = yield* Effect.flip(s3.upload(bucket, "state.json", `{"n":-1}`, { ifMatch: v1.etag }))
  yield* Console.log(
    `second lock taker: ${taken._tag}; stale write: ${stale._tag}; state ${yield* s3.downloadString(
      bucket,
      "state.json"
    )}, tags ${JSON.stringify(yield* s3.getTags(bucket, "state.json"))}; last 3 bytes of hello.txt: ${yield* s3
      .downloadString(bucket, "hello.txt", { range: { suffix: 3 } })}`
  )

  // A presigned GET, fetched without credentials (on the mock, its control answers the URL).
  const url = yield* s3.presign(bucket, "hello.txt", { expiresIn: "5 minutes" })
  const control = yield* Effect.serviceOption(S3PoMock.Control)
  const response = yield* Option.match(control, {
    onNone: () => Effect.promise(() => fetch(url)),
    onSome: (mock) => mock.fetch(url)
  })
  yield* Console.log(
    `presigned GET: ${response.status} ${JSON.stringify(yield* Effect.promise(() => response.text()))}`
  )

  yield* s3.delete(bucket, "hello.txt")
  const removed = yield* s3.deleteMany(bucket, [...keys, "files/notes.txt", "large.bin"])
  yield* Console.log(`deleted hello.txt and ${removed.deleted.length} more`)
  const emptied = yield* s3.emptyBucket(bucket)
  yield* s3.deleteBucket(bucket)
  yield* Console.log(`emptied (${emptied.deleted} more) and deleted the bucket`)

  const missing = yield* s3.downloadString(bucket, "hello.txt").pipe(
    Effect.catchTag("NoSuchBucket", (error) => Effect.succeed(`caught NoSuchBucket for ${error.key}`))
  )
  yield* Console.log(missing)
})

const live = process.env.S3PO_ENDPOINT !== undefined && process.env.S3PO_ENDPOINT !== ""
console.log(live ? `s3po demo on S3PoLive at ${process.env.S3PO_ENDPOINT}` : "s3po demo on the in-memory S3PoMock")

NodeRuntime.runMain(
  live ? Effect.provide(program, S3PoLive.layerConfig()) : Effect.provide(program, S3PoMock.layer())
)
