import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { BucketNotEmpty, LocalFileError, NoSuchKey, type S3Operation, S3Po, S3ServiceError } from "s3po"
import * as Fault from "s3po/Fault"
import * as S3PoMock from "s3po/S3PoMock"
import { asErrorOf, generic, operationErrors } from "../../src/internal/core/operationErrors.js"

/** A mock whose every request of `operation` is answered with this error, and no retry. */
const answering = (operation: string, status: number, code: string) =>
  S3PoMock.layer({
    seed: { bkt: { "k": "v", "doc.json": "{\"n\":1}" } },
    retry: "off",
    faults: [{ operation: operation as S3Operation, fault: Fault.errorResponse({ status, code }) }]
  })

const Doc = Schema.Struct({ n: Schema.Number })

describe("an error answer outside an operation's errors reaches it in its generic form", () => {
  it.effect("BucketNotEmpty answered to a GetObject: S3ServiceError with its status, code and request id", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const failures = [
        yield* Effect.flip(s3.download("bkt", "k")),
        yield* Effect.flip(s3.downloadString("bkt", "k")),
        yield* Effect.flip(Stream.runDrain(s3.downloadStream("bkt", "k"))),
        yield* Effect.flip(s3.get("bkt", "k")),
        yield* Effect.flip(Effect.scoped(s3.getStream("bkt", "k"))),
        yield* Effect.flip(s3.getJson("bkt", "doc.json", Doc))
      ]
      for (const error of failures) {
        assert.instanceOf(error, S3ServiceError)
        if (!(error instanceof S3ServiceError)) continue
        assert.strictEqual(error.status, 409)
        assert.strictEqual(error.code, "BucketNotEmpty")
        assert.strictEqual(error.bucket, "bkt")
        assert.match(error.requestId ?? "", /^s3po-mock-/)
        assert.isFalse(error.retryable)
        assert.include(error.message, "409 BucketNotEmpty on s3://bkt")
      }
    }).pipe(Effect.provide(answering("GetObject", 409, "BucketNotEmpty"))))

  it.effect("the same answer where the operation names it stays what it is", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const refused = yield* Effect.flip(s3.deleteBucket("bkt"))
      assert.instanceOf(refused, BucketNotEmpty)
    }).pipe(Effect.provide(answering("DeleteBucket", 409, "BucketNotEmpty"))))

  it.effect("a NoSuchKey answered to a delete (which S3 never fails for a missing key) is an S3ServiceError", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const error = yield* Effect.flip(s3.delete("bkt", "k"))
      assert.instanceOf(error, S3ServiceError)
      assert.strictEqual(error._tag === "S3ServiceError" ? error.code : undefined, "NoSuchKey")
      assert.strictEqual(error._tag === "S3ServiceError" ? error.status : undefined, 404)
      assert.strictEqual(error._tag === "S3ServiceError" ? error.key : undefined, "k")
      // A read names NoSuchKey: it stays one there.
      assert.instanceOf(yield* Effect.flip(s3.download("bkt", "k")), NoSuchKey)
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: { bkt: { k: "v" } },
      retry: "off",
      faults: [{ fault: Fault.noSuchKey() }]
    }))))

  it.effect("the caller's own failures pass as they are, whatever their tag", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const own = new NoSuchKey({ operation: "elsewhere", bucket: "other", key: "source" })
      const body = Stream.concat(Stream.make(new Uint8Array(3)), Stream.fail(own))
      assert.strictEqual(yield* Effect.flip(s3.upload("bkt", "up", body)), own)
      const keys = Stream.concat(Stream.make("a"), Stream.fail(own))
      // Effect wraps it to carry its span: the same error, with the same fields.
      const keysFailure = yield* Effect.flip(Stream.runDrain(s3.deleteManyStream("bkt", keys)))
      assert.instanceOf(keysFailure, NoSuchKey)
      assert.deepStrictEqual({ ...keysFailure }, { ...own })
      const updated = s3.updateJson("bkt", "doc.json", Doc, (_: Option.Option<typeof Doc.Type>) => Effect.fail(own))
      assert.strictEqual(yield* Effect.flip(updated), own)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: { "doc.json": "{\"n\":1}" } } }))))

  it("every method that fails has a row in the table", async () => {
    const service = await Effect.runPromise(Effect.provide(S3Po, S3PoMock.layer()))
    const methods = Object.keys(service).filter((name) => name !== "bucket")
    assert.deepStrictEqual(methods.filter((name) => !(name in operationErrors)), [])
  })

  it("an error s3po makes itself, outside an operation's errors (a bug), is an S3ServiceError of status 0", () => {
    const error = generic(new LocalFileError({ operation: "x", path: "p", reason: "r" }))
    assert.deepInclude(error, { _tag: "S3ServiceError", status: 0, code: "LocalFileError", operation: "x" })
    const missing = new NoSuchKey({ operation: "GetObject", bucket: "b", key: "k", requestId: "r" })
    assert.strictEqual(asErrorOf("download", missing), missing)
    assert.deepInclude(asErrorOf("delete", missing), { _tag: "S3ServiceError", status: 404, requestId: "r" })
  })
})

// Type-level: the error types name what can be caught.
export const caught = (s3: S3Po.Service) => [
  Effect.catchTag(s3.download("b", "k"), "NoSuchKey", () => Effect.succeed(new Uint8Array())),
  Effect.catchTag(s3.deleteBucket("b"), "BucketNotEmpty", () => Effect.void),
  Effect.catchTag(s3.uploadFile("b", "k", "/tmp/f"), "LocalFileError", () => Effect.void),
  Stream.catchTag(s3.listObjects("b"), "BrokenListing", () => Stream.empty),
  // @ts-expect-error a read never fails with BucketNotEmpty
  Effect.catchTag(s3.download("b", "k"), "BucketNotEmpty", () => Effect.void),
  // @ts-expect-error a delete never fails with NoSuchKey
  Effect.catchTag(s3.delete("b", "k"), "NoSuchKey", () => Effect.void),
  // @ts-expect-error an upload of bytes never fails with NoSuchKey
  Effect.catchTag(s3.upload("b", "k", "text"), "NoSuchKey", () => Effect.void),
  // @ts-expect-error a download to memory never fails with LocalFileError
  Effect.catchTag(s3.download("b", "k"), "LocalFileError", () => Effect.void),
  // @ts-expect-error only a listing fails with BrokenListing
  Effect.catchTag(s3.head("b", "k"), "BrokenListing", () => Effect.void),
  // @ts-expect-error UnsafeKey is Sync's: no operation of the service fails with it
  Effect.catchTag(s3.downloadFile("b", "k", "/tmp/f"), "UnsafeKey", () => Effect.void)
]
