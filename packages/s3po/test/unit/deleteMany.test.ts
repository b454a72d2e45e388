import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { S3Po, S3ServiceError } from "s3po"
import { instrument, layerOver, mockBackend } from "../utils/backends.js"

/** What deleteMany sends, seen underneath the service: the same code runs on every layer. */
describe("deleteMany requests", () => {
  it.effect("sends each distinct key once, and keys XML cannot carry as DeleteObject", () =>
    Effect.gen(function*() {
      const sent: Array<ReadonlyArray<string>> = []
      const alone: Array<string> = []
      const { backend } = instrument(mockBackend(), (operation, _call, args) => {
        if (operation === "deleteObjects") sent.push((args[0] as { readonly keys: ReadonlyArray<string> }).keys)
        if (operation === "deleteObject") alone.push((args[0] as { readonly key: string }).key)
        return undefined
      })
      const keys = Array.from({ length: 1500 }, (_, i) => `k${i}`)
      const given = [...keys, ...keys.slice(0, 700), "bell\u0007", "bell\u0007", "tab\tok"]
      const result = yield* Effect.flatMap(S3Po, (s3) =>
        Effect.zipRight(s3.createBucket("bkt"), s3.deleteMany("bkt", given))).pipe(
          Effect.provide(layerOver(backend))
        )
      assert.deepStrictEqual(result.deleted, given)
      assert.deepStrictEqual(
        sent.map((batch) =>
          batch.length
        ),
        [1000, 501]
      )
      assert.strictEqual(new Set(sent.flat()).size, 1501)
      assert.isTrue(sent.flat().includes("tab\tok"))
      assert.deepStrictEqual(alone, ["bell\u0007"])
    }))

  it.effect("when several of its requests fail, the caller gets one typed failure", () =>
    Effect.gen(function*() {
      const { backend, calls } = instrument(mockBackend(), (operation) =>
        operation === "deleteObjects"
          ? new S3ServiceError({
            operation: "DeleteObjects",
            bucket: "bkt",
            status: 400,
            code: "MalformedXML",
            detail: "refused",
            retryable: false
          })
          : undefined)
      const exit = yield* Effect.flatMap(S3Po, (s3) =>
        Effect.zipRight(
          s3.createBucket("bkt"),
          s3.deleteMany("bkt", Array.from({ length: 4000 }, (_, i) => `k${i}`))
        )).pipe(Effect.provide(layerOver(backend, "off")), Effect.exit)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        assert.strictEqual(exit.cause._tag, "Fail")
        assert.strictEqual(Cause.failures(exit.cause).length, 1)
      }
      // The four requests ran at once: all of them failed.
      assert.strictEqual(calls("deleteObjects"), 4)
    }))
})

describe("deletePrefix", () => {
  it.effect("deletes 25,000 keys a listed page at a time: never more than one page of keys held", () =>
    Effect.gen(function*() {
      const base = mockBackend()
      yield* base.createBucket({ bucket: "bkt" })
      const body = new Uint8Array(0)
      for (let i = 0; i < 25_000; i++) {
        yield* base.putObject({ bucket: "bkt", key: `logs/${String(i).padStart(5, "0")}`, body })
      }
      yield* base.putObject({ bucket: "bkt", key: "other", body })
      // The order of requests: each page listed is deleted before the next page is listed.
      const order: Array<string> = []
      const { backend } = instrument(base, (operation, _call, args) => {
        if (operation === "listPage") order.push("list")
        if (operation === "deleteObjects") {
          order.push(`delete ${(args[0] as { readonly keys: Array<string> }).keys.length}`)
        }
        return undefined
      })
      const deleted = yield* Effect.flatMap(S3Po, (s3) => s3.deletePrefix("bkt", "logs/")).pipe(
        Effect.provide(layerOver(backend))
      )
      assert.strictEqual(deleted, 25_000)
      assert.deepStrictEqual(order, Array.from({ length: 25 }, () => ["list", "delete 1000"]).flat())
      assert.deepStrictEqual((yield* base.listPage({ bucket: "bkt" })).objects.map((object) => object.key), ["other"])
    }))
})
