import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { type BrokenListing, S3Po, type S3PoError, Sync } from "s3po"
import { layerOver, mockBackend } from "../utils/backends.js"
import { tempDir } from "../utils/fixtures.js"
import { inOrder, layerAgainst, type ScriptedPage, type ScriptedS3, scriptedS3 } from "../utils/scriptedS3.js"

/** A listing that goes round forever fails the test instead of hanging it. */
const withinSeconds = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, { duration: "10 seconds", onTimeout: () => "the listing never ended" as const })

/** Runs `f` against the live layer over a fresh scripted server. */
const againstScripted = <A, E>(
  f: (server: ScriptedS3) => Effect.Effect<A, E, S3Po>
) =>
  Effect.gen(function*() {
    const server = yield* scriptedS3
    return yield* Effect.provide(f(server), layerAgainst(server))
  })

const brokenListing = (error: S3PoError | "the listing never ended"): BrokenListing => {
  if (typeof error === "string" || error._tag !== "BrokenListing") {
    assert.fail(`expected BrokenListing, got ${typeof error === "string" ? error : error._tag}`)
  }
  return error
}

const script = (...pages: ReadonlyArray<readonly [string, ScriptedPage]>) => new Map(pages)

const requestsOf = (server: ScriptedS3, operation: string) =>
  server.requests.filter((request) => request.operation === operation)

describe("ListObjectsV2 against a server that breaks the listing", () => {
  it.scopedLive("a continuation token given again fails the listing instead of going round forever", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(["", { names: ["a"], next: "t1" }], ["t1", { names: ["b"], next: "t1" }])
        const s3 = yield* S3Po
        const error = brokenListing(yield* Effect.flip(withinSeconds(Stream.runCollect(s3.listObjects("bkt")))))
        assert.strictEqual(error.operation, "ListObjectsV2")
        assert.strictEqual(error.bucket, "bkt")
        assert.include(error.message, "NextContinuationToken")
        assert.strictEqual(requestsOf(server, "ListObjectsV2").length, 2)
      })
    ))

  it.scopedLive("a cycle of two pages fails: any earlier token, not only the last", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(
          ["", { names: ["a"], next: "t1" }],
          ["t1", { names: ["b"], next: "t2" }],
          ["t2", { names: ["c"], next: "t1" }]
        )
        const s3 = yield* S3Po
        const seen: Array<string> = []
        const error = brokenListing(
          yield* Effect.flip(
            withinSeconds(Stream.runForEach(s3.list("bkt"), (key) => Effect.sync(() => seen.push(key))))
          )
        )
        assert.strictEqual(error.operation, "ListObjectsV2")
        assert.deepStrictEqual(seen, ["a", "b"])
        assert.strictEqual(requestsOf(server, "ListObjectsV2").length, 3)
      })
    ))

  it.scopedLive("a truncated page without a token fails the listing instead of ending it early", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(["", { names: ["a", "b"], truncated: true }])
        const s3 = yield* S3Po
        const error = brokenListing(yield* Effect.flip(withinSeconds(Stream.runCollect(s3.list("bkt")))))
        assert.strictEqual(error.operation, "ListObjectsV2")
        assert.include(error.reason, "IsTruncated")
      })
    ))

  it.scopedLive("an empty token on a truncated page is no token", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(["", { names: ["a"], truncated: true, next: "" }])
        const s3 = yield* S3Po
        brokenListing(yield* Effect.flip(withinSeconds(Stream.runCollect(s3.list("bkt")))))
      })
    ))

  it.scopedLive("a sound listing is read to its end: empty pages followed, a last page's stray token ignored", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(
          ["", { names: ["a"], next: "t1" }],
          ["t1", { names: [], next: "t2" }],
          ["t2", { names: ["b", "c"], truncated: false, next: "t3" }],
          ["t3", { names: ["never"] }]
        )
        const s3 = yield* S3Po
        const keys = yield* withinSeconds(Stream.runCollect(s3.list("bkt")))
        assert.deepStrictEqual(Chunk.toReadonlyArray(keys), ["a", "b", "c"])
      })
    ))
})

describe("ListMultipartUploads against a server that breaks the listing", () => {
  it.scopedLive("a truncated page without NextKeyMarker fails instead of asking for the first page forever", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.uploads = script(["", { names: ["a u1"], truncated: true }])
        const s3 = yield* S3Po
        const error = brokenListing(
          yield* Effect.flip(withinSeconds(Stream.runCollect(s3.listPendingUploads("bkt"))))
        )
        assert.strictEqual(error.operation, "ListMultipartUploads")
        assert.include(error.reason, "NextKeyMarker")
      })
    ))

  it.scopedLive("markers given again fail the listing", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.uploads = script(
          ["", { names: ["a u1"], next: "a u1" }],
          ["a u1", { names: ["b u2"], next: "a u1" }]
        )
        const s3 = yield* S3Po
        const error = brokenListing(
          yield* Effect.flip(withinSeconds(Stream.runCollect(s3.listPendingUploads("bkt"))))
        )
        assert.strictEqual(error.operation, "ListMultipartUploads")
        assert.strictEqual(requestsOf(server, "ListMultipartUploads").length, 2)
      })
    ))

  it.scopedLive("pending uploads stream a page at a time: the first is had after one request", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.uploads = inOrder([["a u1"], ["b u2"], ["c u3"]], (names) => names.at(-1)!)
        const s3 = yield* S3Po
        const first = yield* withinSeconds(Stream.runCollect(Stream.take(s3.listPendingUploads("bkt"), 1)))
        assert.deepStrictEqual(Chunk.toReadonlyArray(first).map((upload) => upload.key), ["a"])
        assert.strictEqual(requestsOf(server, "ListMultipartUploads").length, 1)
        const all = yield* withinSeconds(Stream.runCollect(s3.listPendingUploads("bkt")))
        assert.deepStrictEqual(Chunk.toReadonlyArray(all).map((upload) => upload.uploadId), ["u1", "u2", "u3"])
        assert.deepStrictEqual(
          requestsOf(server, "ListMultipartUploads").slice(1).map((request) => request.query.get("key-marker")),
          [null, "a", "b"]
        )
      })
    ))

  it.scopedLive("abortPendingUploads aborts only listed uploads, then fails with the listing", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.uploads = script(["", { names: ["a u1"], next: "a u1" }], ["a u1", { names: ["b u2"], next: "a u1" }])
        const s3 = yield* S3Po
        brokenListing(yield* Effect.flip(withinSeconds(s3.abortPendingUploads("bkt"))))
        const aborted = requestsOf(server, "AbortMultipartUpload").map((request) => request.query.get("uploadId"))
        assert.isTrue(aborted.every((uploadId) => uploadId === "u1" || uploadId === "u2"))
      })
    ))
})

describe("ListBuckets, paginated since 2024", () => {
  it.scopedLive("follows ContinuationToken to the last page", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.buckets = inOrder([["alpha", "beta"], ["gamma"]])
        const s3 = yield* S3Po
        const buckets = yield* withinSeconds(s3.listBuckets())
        assert.deepStrictEqual(buckets.map((bucket) => bucket.name), ["alpha", "beta", "gamma"])
        assert.deepStrictEqual(
          requestsOf(server, "ListBuckets").map((request) => request.query.get("continuation-token")),
          [null, "t1"]
        )
      })
    ))

  it.scopedLive("a token given again fails the listing", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.buckets = script(["", { names: ["alpha"], next: "t1" }], ["t1", { names: ["beta"], next: "t1" }])
        const s3 = yield* S3Po
        const error = brokenListing(yield* Effect.flip(withinSeconds(s3.listBuckets())))
        assert.strictEqual(error.operation, "ListBuckets")
        assert.include(error.message, "ListBuckets: broken listing of the buckets")
      })
    ))
})

describe("nothing is done on the strength of a broken listing", () => {
  it.scopedLive("deletePrefix fails instead of reporting a prefix emptied that is not", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.objects = script(["", { names: ["logs/a", "logs/b"], truncated: true }])
        const s3 = yield* S3Po
        const error = brokenListing(yield* Effect.flip(withinSeconds(s3.deletePrefix("bkt", "logs/"))))
        assert.strictEqual(error.operation, "ListObjectsV2")
      })
    ))

  it.scopedLive("emptyBucket fails when the pending uploads' listing breaks", () =>
    againstScripted((server) =>
      Effect.gen(function*() {
        server.uploads = script(["", { names: ["a u1"], truncated: true }])
        const s3 = yield* S3Po
        const error = brokenListing(yield* Effect.flip(withinSeconds(s3.emptyBucket("bkt"))))
        assert.strictEqual(error.operation, "ListMultipartUploads")
      })
    ))

  it.scopedLive("syncDown with delete deletes no local file when the listing is truncated without a token", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const names = ["a.txt", "b.txt", "c.txt"]
      for (const name of names) yield* Effect.promise(() => fs.writeFile(path.join(root, name), "a"))
      yield* againstScripted((server) =>
        Effect.gen(function*() {
          // Every file is in the bucket, but the server breaks off after the first page.
          server.objects = script(["", { names: ["dir/a.txt"], truncated: true }])
          const error = yield* Effect.flip(
            withinSeconds(Sync.syncDown({ bucket: "bkt", prefix: "dir/" }, root, { delete: true }))
          )
          assert.strictEqual(brokenListing(error).operation, "ListObjectsV2")
        })
      )
      assert.deepStrictEqual((yield* Effect.promise(() => fs.readdir(root))).sort(), names)
    }))
})

describe("the mock pages pending uploads as S3 does", () => {
  it.effect("1000 a page, by key then by start, each upload once across pages", () =>
    Effect.gen(function*() {
      const backend = mockBackend()
      yield* backend.createBucket({ bucket: "bkt" })
      const started: Array<{ readonly key: string; readonly uploadId: string }> = []
      for (let i = 0; i < 1200; i++) {
        const key = `k${2 - (i % 3)}`
        started.push({ key, uploadId: yield* backend.createMultipartUpload({ bucket: "bkt", key }) })
      }
      const first = yield* backend.listMultipartUploads({ bucket: "bkt" })
      assert.strictEqual(first.uploads.length, 1000)
      assert.isTrue(first.isTruncated)
      assert.deepStrictEqual(
        [first.nextKeyMarker, first.nextUploadIdMarker],
        [first.uploads.at(-1)!.key, first.uploads.at(-1)!.uploadId]
      )
      const listed = yield* Stream.runCollect(
        Stream.unwrap(Effect.map(S3Po, (s3) => s3.listPendingUploads("bkt")))
      ).pipe(Effect.provide(layerOver(backend)))
      const expected = ["k0", "k1", "k2"].flatMap((key) => started.filter((upload) => upload.key === key))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(listed).map(({ key, uploadId }) => ({ key, uploadId })),
        expected
      )
    }))
})
