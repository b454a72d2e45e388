import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { layerLive, Retry, S3Po, Sync } from "s3po"
import { type FaultPlan, type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, randomBody, tempDir, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"
import { readPathsWith } from "../utils/readPaths.js"

/**
 * Downloads from Ceph RGW through a proxy that flips one byte of GET bodies (status, headers and
 * length kept). RGW keeps no checksum, so a single PUT is checked by its MD5 ETag and a multipart
 * upload by its ETag recomputed from the part size it recorded (`s3po-part-size`). Every read path
 * gets the right bytes after a re-read when some reads are corrupt, `ChecksumMismatch` when all
 * are, never wrong bytes and never a file; with verification off the same reads hand out the
 * flipped byte.
 */

const MiB = 1024 * 1024
const quickRetry = Retry.exponential({ base: "5 millis", maxDelay: "20 millis", maxRetries: 3 })

let proxy: FaultProxy
/** GETs of object bodies still to corrupt. */
let corruptGets = 0
const plan: FaultPlan = ({ method, query }) => {
  const ofObject = method === "GET" && !query.includes("list-type") && !query.includes("uploads")
  if (!ofObject || corruptGets <= 0) return "pass"
  corruptGets--
  return "flipResponseByte"
}
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

/** Corrupts the next `gets` GETs of objects. */
const corrupting = (gets: number) =>
  Effect.sync(() => {
    proxy.setPlan(plan)
    corruptGets = gets
  })

/** The object GETs the proxy has seen since `proxy.reset()`, and how many it corrupted. */
const gets = () => proxy.requests.filter((request) => request.method === "GET" && !request.query.includes("list-type"))

const layerFor = (transport: "s3po" | "sdk") =>
  layerLive(liveOptions({ endpoint: proxy.url, retry: quickRetry, transport }))

const ranged = { concurrency: 3, partSize: 2 * MiB }

const readPaths = readPathsWith(ranged.partSize)

/** Printable bytes, so that `downloadString` gives them back. */
const textBody = (size: number) => randomBody(size).map((byte) => 97 + (byte % 26))

const objects = [
  { key: "single", size: 3 * MiB + 17, partSize: undefined, algorithm: "MD5" },
  { key: "multipart", size: 11 * MiB + 5, partSize: 5 * MiB, algorithm: "MD5-of-parts" }
] as const

for (const transport of ["s3po", "sdk"] as const) {
  describe(`verified downloads from RGW through a corrupting proxy (${transport} transport)`, () => {
    for (const object of objects) {
      it.scopedLive(
        `${object.key}: every read path heals a corrupt read, fails typed when all are, no file`,
        () =>
          Effect.gen(function*() {
            const s3 = yield* S3Po
            const dir = yield* tempDir
            const bucket = uniqueBucket(`integrity-${transport}`)
            yield* s3.createBucket(bucket)
            const body = textBody(object.size)
            yield* s3.upload(
              bucket,
              object.key,
              Stream.make(body),
              object.partSize === undefined ? {} : { partSize: object.partSize, multipartThreshold: object.partSize }
            )
            for (const readPath of readPaths) {
              proxy.reset()
              yield* corrupting(1)
              const read = yield* readPath.read(s3, bucket, object.key, dir)
              assert.isTrue(bytesEqual(read, body), readPath.name)
              assert.strictEqual(gets().filter((get) => get.fault === "flipResponseByte").length, 1)
              // The re-read is of the whole object again, pinned to its ETag.
              assert.isTrue(gets().slice(1).some((get) => get.ifMatch !== undefined), readPath.name)

              yield* Effect.promise(() => fs.rm(dir, { recursive: true, force: true }).then(() => fs.mkdir(dir)))
              yield* corrupting(Infinity)
              const error = yield* Effect.flip(readPath.read(s3, bucket, object.key, dir))
              assert.strictEqual(error._tag, "ChecksumMismatch", readPath.name)
              if (error._tag === "ChecksumMismatch") assert.strictEqual(error.algorithm, object.algorithm)
              assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), [], readPath.name)

              // What verification prevents: the flipped byte handed out as the object's.
              const unverified = yield* readPath.read(s3, bucket, object.key, dir, { verify: false })
              assert.strictEqual(unverified.length, body.length)
              assert.isFalse(bytesEqual(unverified, body), readPath.name)
              yield* corrupting(0)
            }

            for (const options of [{}, ranged]) {
              yield* corrupting(Infinity)
              let handedOut = 0
              const exit = yield* Effect.exit(
                Stream.runForEach(s3.downloadStream(bucket, object.key, options), (chunk) =>
                  Effect.sync(() => {
                    handedOut += chunk.length
                  }))
              )
              assert.isTrue(Exit.isFailure(exit))
              if (Exit.isFailure(exit)) assert.include(String(exit.cause), "ChecksumMismatch")
              // Its last chunk is never handed out: the caller never holds every byte of a corrupt object.
              assert.isBelow(handedOut, body.length)
              yield* corrupting(0)
              const whole = yield* Stream.runCollect(s3.downloadStream(bucket, object.key, options))
              assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(whole)), body))
            }
          }).pipe(Effect.provide(layerFor(transport))),
        120_000
      )
    }

    it.scopedLive(
      "syncDown heals a corrupt download; one that stays corrupt is a failed action and leaves no file",
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          const dir = yield* tempDir
          const bucket = uniqueBucket(`integrity-sync-${transport}`)
          yield* s3.createBucket(bucket)
          const small = textBody(100_000)
          const large = textBody(11 * MiB + 5)
          yield* s3.upload(bucket, "small.txt", small)
          yield* s3.upload(bucket, "large.bin", Stream.make(large), { partSize: 5 * MiB })

          yield* corrupting(2)
          const healed = yield* Sync.syncDown({ bucket }, path.join(dir, "healed"))
          assert.strictEqual(healed.copied, 2)
          assert.deepStrictEqual(healed.failed, [])
          const read = (name: string) => Effect.promise(() => fs.readFile(path.join(dir, "healed", name)))
          assert.isTrue(bytesEqual(yield* read("small.txt"), small))
          assert.isTrue(bytesEqual(yield* read("large.bin"), large))

          yield* corrupting(Infinity)
          const failed = yield* Sync.syncDown({ bucket }, path.join(dir, "failed"))
          yield* corrupting(0)
          assert.strictEqual(failed.copied, 0)
          assert.deepStrictEqual(failed.failed.map(({ error }) => error._tag), ["ChecksumMismatch", "ChecksumMismatch"])
          const left = yield* Effect.promise(() => fs.readdir(path.join(dir, "failed")).catch(() => []))
          assert.deepStrictEqual(left, [])
        }).pipe(Effect.provide(layerFor(transport))),
      120_000
    )
  })
}
