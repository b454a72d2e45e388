import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { S3Po, S3ServiceError } from "s3po"
import type { Backend } from "../../src/internal/core/backend.js"
import { instrument, layerOver, mockBackend } from "../utils/backends.js"

const MiB = 1024 * 1024

/** A mock backend with `count` objects `src/NNNN` in bucket `bkt`, and the order of the requests made after. */
const seeded = (count: number, wrap: (backend: Backend) => Backend = (backend) => backend) =>
  Effect.gen(function*() {
    const base = mockBackend()
    yield* base.createBucket({ bucket: "bkt" })
    for (let i = 0; i < count; i++) {
      const key = `src/${String(i).padStart(4, "0")}`
      yield* base.putObject({ bucket: "bkt", key, body: new TextEncoder().encode(key) })
    }
    const order: Array<keyof Backend> = []
    const { backend, calls } = instrument(wrap(base), (operation) => {
      order.push(operation)
      return undefined
    })
    return { base, backend, calls, order }
  })

const withService = <A, E>(backend: Backend, f: (s3: S3Po.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(S3Po, f).pipe(Effect.provide(layerOver(backend, "off")))

const keysOf = (backend: Backend, prefix: string) =>
  Effect.map(backend.listPage({ bucket: "bkt", prefix }), (page) => page.objects.map((object) => object.key))

describe("copyPrefix and movePrefix", () => {
  it.effect("copies as the listing streams in: the first copy before the last page is listed", () =>
    Effect.gen(function*() {
      const { backend, calls, order } = yield* seeded(2501)
      const summary = yield* withService(
        backend,
        (s3) => s3.copyPrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" })
      )
      assert.strictEqual(summary.copied, 2501)
      assert.strictEqual(calls("listPage"), 3)
      assert.isBelow(order.indexOf("copyObject"), order.lastIndexOf("listPage"))
      // Listing a page ahead at most: before the second page is asked for, no more than one page was copied.
      assert.isAtMost(order.slice(0, order.indexOf("listPage", 1)).filter((op) => op === "copyObject").length, 1000)
    }))

  it.live("runs `concurrency` copies at once, never more", () =>
    Effect.gen(function*() {
      const inFlight = { now: 0, most: 0 }
      const slow = (backend: Backend): Backend => ({
        ...backend,
        copyObject: (request) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              inFlight.now++
              inFlight.most = Math.max(inFlight.most, inFlight.now)
            }),
            () => Effect.zipRight(Effect.sleep("3 millis"), backend.copyObject(request)),
            () => Effect.sync(() => inFlight.now--)
          )
      })
      const { backend } = yield* seeded(60, slow)
      let done = 0
      const summary = yield* withService(backend, (s3) =>
        s3.copyPrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, {
          concurrency: 5,
          onObject: (_, failure) =>
            Effect.sync(() => failure === undefined && done++)
        }))
      assert.strictEqual(summary.copied, 60)
      assert.strictEqual(done, 60)
      assert.strictEqual(inFlight.most, 5)
    }))

  it.effect("a move deletes sources 1000 to a DeleteObjects, and only those copied", () =>
    Effect.gen(function*() {
      const sent: Array<ReadonlyArray<string>> = []
      const { backend } = yield* seeded(2100, (base) => ({
        ...base,
        copyObject: (request) =>
          request.key === "dst/0500"
            ? Effect.fail(
              new S3ServiceError({
                operation: "CopyObject",
                bucket: "bkt",
                key: request.key,
                status: 500,
                code: "InternalError",
                detail: "no",
                retryable: false
              })
            )
            : base.copyObject(request),
        deleteObjects: (request) =>
          Effect.zipRight(Effect.sync(() => sent.push(request.keys)), base.deleteObjects(request))
      }))
      const summary = yield* withService(backend, (s3) =>
        s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }))
      assert.deepStrictEqual([summary.copied, summary.deleted], [2099, 2099])
      assert.deepStrictEqual(summary.failed.map((failure) => [failure.from.key, failure.step, failure.error._tag]), [
        ["src/0500", "copy", "S3ServiceError"]
      ])
      assert.deepStrictEqual(
        sent.map((keys) =>
          keys.length
        ).sort((a, b) => b - a),
        [1000, 1000, 99]
      )
      assert.isFalse(sent.some((keys) => keys.includes("src/0500")))
      assert.deepStrictEqual(yield* keysOf(backend, "src/"), ["src/0500"])
      assert.strictEqual((yield* keysOf(backend, "dst/")).length, 1000)
    }))

  it.effect("a deletion refused for one key, or a failed DeleteObjects, is reported: copies and sources both kept", () =>
    Effect.gen(function*() {
      const { backend } = yield* seeded(30, (base) => ({
        ...base,
        deleteObjects: (request) =>
          Effect.map(
            base.deleteObjects({ ...request, keys: request.keys.filter((key) => key !== "src/0003") }),
            (answer) => ({
              ...answer,
              failed: request.keys.includes("src/0003")
                ? [{ key: "src/0003", code: "AccessDenied", message: "Access Denied" }]
                : []
            })
          )
      }))
      const done: Array<string> = []
      const summary = yield* withService(
        backend,
        (s3) =>
          s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, {
            onObject: (object, failure) =>
              Effect.sync(() =>
                done.push(`${object.from.key}>${object.to.key}:${object.size}:${failure?.step ?? "ok"}`)
              )
          })
      )
      assert.deepStrictEqual([summary.copied, summary.deleted], [30, 29])
      // Each object once, after its source's deletion, with the failure of the one not deleted.
      assert.deepStrictEqual(
        done.sort(),
        Array.from({ length: 30 }, (_, i) => String(i).padStart(4, "0")).map((n) =>
          `src/${n}>dst/${n}:8:${n === "0003" ? "delete" : "ok"}`
        )
      )
      assert.deepStrictEqual(
        summary.failed.map((failure) => [failure.from.key, failure.to.key, failure.step, failure.error._tag]),
        [["src/0003", "dst/0003", "delete", "AccessDenied"]]
      )
      assert.deepStrictEqual(yield* keysOf(backend, "src/"), ["src/0003"])

      const broken = yield* seeded(5, (base) => ({
        ...base,
        deleteObjects: () =>
          Effect.fail(
            new S3ServiceError({
              operation: "DeleteObjects",
              bucket: "bkt",
              status: 400,
              code: "MalformedXML",
              detail: "refused",
              retryable: false
            })
          )
      }))
      const refused = yield* withService(
        broken.backend,
        (s3) => s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" })
      )
      assert.deepStrictEqual([refused.copied, refused.deleted, refused.failed.length], [5, 0, 5])
      assert.isTrue(
        refused.failed.every((failure) => failure.step === "delete" && failure.error._tag === "S3ServiceError")
      )
      assert.strictEqual((yield* keysOf(broken.backend, "src/")).length, 5)
      assert.strictEqual((yield* keysOf(broken.backend, "dst/")).length, 5)
    }))

  it.effect("a listing that fails on a later page fails the call with its error", () =>
    Effect.gen(function*() {
      const { backend } = yield* seeded(1500)
      const failing = instrument(backend, (operation, call) =>
        operation === "listPage" && call === 2
          ? new S3ServiceError({
            operation: "ListObjectsV2",
            bucket: "bkt",
            status: 500,
            code: "InternalError",
            detail: "broken",
            retryable: false
          })
          : undefined)
      const error = yield* Effect.flip(withService(failing.backend, (s3) =>
        s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" })))
      assert.strictEqual(error._tag, "S3ServiceError")
      assert.strictEqual(error._tag === "S3ServiceError" && error.operation, "ListObjectsV2")
    }))

  it.effect("each copy is `copy`: multipart with the multipart options given, attributes applied to every object", () =>
    Effect.gen(function*() {
      const { backend, base, calls } = yield* seeded(0)
      yield* base.putObject({ bucket: "bkt", key: "src/big", body: new Uint8Array(11 * MiB) })
      yield* base.putObject({ bucket: "bkt", key: "src/small", body: new Uint8Array(10) })
      const summary = yield* withService(backend, (s3) =>
        Effect.zipLeft(
          s3.copyPrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, {
            multipartThreshold: 5 * MiB,
            partSize: 5 * MiB,
            cacheControl: "max-age=60"
          }),
          Effect.void
        ))
      assert.deepStrictEqual([summary.copied, summary.copiedBytes], [2, 11 * MiB + 10])
      assert.strictEqual(calls("uploadPartCopy"), 3)
      const heads = yield* Effect.all([
        base.headObject({ bucket: "bkt", key: "dst/big" }),
        base.headObject({ bucket: "bkt", key: "dst/small" })
      ])
      assert.deepStrictEqual(heads.map((info) => info.cacheControl), ["max-age=60", "max-age=60"])
    }))

  it.effect("ifNoneMatch: \"*\" copies onto free keys only: an object already there is left, its source reported and kept", () =>
    Effect.gen(function*() {
      const { backend, base } = yield* seeded(3)
      yield* base.putObject({ bucket: "bkt", key: "dst/0001", body: new TextEncoder().encode("already here") })
      const summary = yield* withService(
        backend,
        (s3) =>
          s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, { ifNoneMatch: "*" })
      )
      assert.deepStrictEqual([summary.copied, summary.deleted], [2, 2])
      assert.deepStrictEqual(summary.failed.map((failure) => [failure.from.key, failure.step, failure.error._tag]), [
        ["src/0001", "copy", "PreconditionFailed"]
      ])
      assert.deepStrictEqual(yield* keysOf(backend, "src/"), ["src/0001"])
      const kept = yield* withService(backend, (s3) => s3.downloadString("bkt", "dst/0001"))
      assert.strictEqual(kept, "already here")
    }))

  it.effect("bad input is a ValidationError before any request", () =>
    Effect.gen(function*() {
      const { backend, order } = yield* seeded(3)
      const errors = yield* withService(backend, (s3) =>
        Effect.all([
          s3.copyPrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "src/sub/" }),
          s3.copyPrefix({ bucket: "" }, { bucket: "bkt", prefix: "x/" }),
          s3.copyPrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, { partSize: 1 }),
          s3.movePrefix({ bucket: "bkt", prefix: "src/" }, { bucket: "bkt", prefix: "dst/" }, {
            ifNoneMatch: "x" as "*"
          }),
          s3.movePrefix({ bucket: "bkt", prefix: "src/" }, "dst/" as never)
        ].map(Effect.flip)))
      assert.deepStrictEqual(errors.map((error) => error._tag), Array(5).fill("ValidationError"))
      assert.deepStrictEqual(order, [])
      assert.strictEqual(yield* withService(backend, (s3) => Stream.runCount(s3.list("bkt"))), 3)
    }))
})
