import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { layerLive, Retry, S3Po } from "s3po"
import { type Fault, type FaultPlan, type FaultProxy, startFaultProxy } from "../utils/faultProxy.js"
import { bytesEqual, md5ETag, multipartETag, randomBody, uniqueBucket } from "../utils/fixtures.js"
import { liveOptions, server } from "../utils/live.js"

const MiB = 1024 * 1024

let proxy: FaultProxy
beforeAll(async () => {
  proxy = await startFaultProxy(server().endpoint)
})
afterAll(() => proxy.close())

const throughProxy = () =>
  layerLive(liveOptions({
    endpoint: proxy.url,
    retry: Retry.exponential({ base: "5 millis", maxDelay: "40 millis", maxRetries: 4 })
  }))

const isComplete = (request: { readonly method: string; readonly query: string }) =>
  request.method === "POST" && request.query.startsWith("uploadId=")

/** Faults for the nth (from 0) request that `matches`, in order; every other request passes. */
const planOf = (matches: (request: Parameters<FaultPlan>[0]) => boolean, faults: ReadonlyArray<Fault>): FaultPlan => {
  let seen = 0
  return (request) => matches(request) ? faults[seen++] ?? "pass" : "pass"
}

const onFreshBucket = <A, E>(label: string, plan: FaultPlan, f: (bucket: string) => Effect.Effect<A, E, S3Po>) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = uniqueBucket(label)
    yield* s3.createBucket(bucket)
    proxy.reset()
    proxy.setPlan(plan)
    return yield* Effect.ensuring(f(bucket), Effect.sync(() => proxy.setPlan(() => "pass")))
  }).pipe(Effect.provide(throughProxy()))

const pending = (bucket: string) =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.listPendingUploads(bucket))).pipe(Effect.map(Chunk.toArray))

const multipart = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }

describe("S3PoLive conditional writes whose answer was lost", () => {
  it.live("a create-only PUT stored before its answer was lost: the retry's 412 is this PUT's own success", () =>
    onFreshBucket(
      "lost-put",
      planOf((request) => request.method === "PUT", ["dropAnswer"]),
      (bucket) =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          const result = yield* s3.upload(bucket, "lock", "owner: me", { ifNoneMatch: "*" })
          assert.strictEqual(result.etag, md5ETag(new TextEncoder().encode("owner: me")))
          assert.deepStrictEqual(proxy.requests.filter((request) => request.method === "PUT").map((r) => r.fault), [
            "dropAnswer",
            "pass"
          ])
          // The same PUT again is a conflict: a 412 on a first attempt is never taken for a success.
          const again = yield* Effect.flip(s3.upload(bucket, "lock", "owner: me", { ifNoneMatch: "*" }))
          assert.strictEqual(again._tag, "PreconditionFailed")
        })
    ))

  it.live("a conditional multipart upload whose Complete answer was lost, then answered 412, is this upload's success", () =>
    onFreshBucket(
      "lost-complete",
      planOf(isComplete, ["dropAnswer", "preconditionFailed412"]),
      (bucket) =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          const body = randomBody(6 * MiB)
          const result = yield* s3.upload(bucket, "manifest", body, { ifNoneMatch: "*", ...multipart })
          assert.strictEqual(result.etag, multipartETag([body.subarray(0, 5 * MiB), body.subarray(5 * MiB)]))
          assert.deepStrictEqual(
            proxy.requests.filter(isComplete).map((request) => [request.fault, request.ifNoneMatch]),
            [["dropAnswer", "*"], ["preconditionFailed412", "*"]]
          )
          assert.deepStrictEqual(yield* pending(bucket), [])
        })
    ))

  it.live("a conditional multipart upload whose first Complete is answered 412 fails, aborted", () =>
    onFreshBucket(
      "conflict-complete",
      planOf(isComplete, ["preconditionFailed412"]),
      (bucket) =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          const error = yield* Effect.flip(
            s3.upload(bucket, "manifest", randomBody(6 * MiB), { ifNoneMatch: "*", ...multipart })
          )
          assert.strictEqual(error._tag, "PreconditionFailed")
          assert.isTrue(
            proxy.requests.some((request) => request.method === "DELETE" && request.query.startsWith("uploadId="))
          )
          assert.deepStrictEqual(yield* pending(bucket), [])
          assert.isFalse(yield* s3.exists(bucket, "manifest"))
        })
    ))
})

describe("S3PoLive conditions on the wire", () => {
  it.live("CompleteMultipartUpload and CopyObject carry the write's condition, ifMatch unquoted", () =>
    onFreshBucket("wire", () => "pass", (bucket) =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const { etag } = yield* s3.upload(bucket, "k", "v1")
        yield* s3.upload(bucket, "k", randomBody(6 * MiB), { ifMatch: etag, ...multipart })
        yield* s3.copy({ bucket, key: "k" }, { bucket, key: "copy" }, { ifNoneMatch: "*" })
        const complete = proxy.requests.filter(isComplete)
        assert.deepStrictEqual(complete.map((request) => request.ifMatch), [etag.slice(1, -1)])
        const copies = proxy.requests.filter((request) => request.method === "PUT" && request.path.endsWith("/copy"))
        assert.deepStrictEqual(copies.map((request) => request.ifNoneMatch), ["*"])
      })))
})

describe("S3PoLive ranged downloads through faults", () => {
  it.live("a range cut short resumes from its first missing byte with a pinned, absolute range", () =>
    onFreshBucket("range-resume", () => "pass", (bucket) =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const body = randomBody(MiB)
        const { etag } = yield* s3.upload(bucket, "k", body)
        const cases = [
          [{ start: 1000, end: 600_000 }, body.subarray(1000, 600_001), "bytes=1000-600000"],
          [{ suffix: 300_000 }, body.subarray(MiB - 300_000), "bytes=-300000"]
        ] as const
        for (const [range, expected, header] of cases) {
          proxy.reset()
          proxy.setPlan(planOf((request) => request.method === "GET", ["truncate"]))
          assert.isTrue(bytesEqual(yield* s3.download(bucket, "k", { range }), expected))
          const gets = proxy.requests.filter((request) => request.method === "GET")
          assert.strictEqual(gets.length, 2)
          assert.strictEqual(gets[0]?.range, header)
          // The rest of the range, from where the first body stopped, in the object's own offsets.
          const resumedAt = /^bytes=(\d+)-(\d+)$/.exec(gets[1]?.range ?? "")
          assert.isNotNull(resumedAt)
          assert.strictEqual(Number(resumedAt?.[2]), "suffix" in range ? MiB - 1 : 600_000)
          assert.isAbove(Number(resumedAt?.[1]), "suffix" in range ? MiB - 300_000 : 1000)
          assert.strictEqual(gets[1]?.ifMatch, etag)
        }
      })))
})
