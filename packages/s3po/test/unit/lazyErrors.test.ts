import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Schema from "effect/Schema"
import { NoSuchBucket, NoSuchKey, S3PoError, ValidationError } from "s3po"
import { lazyTaggedError, lazyUnion } from "../../src/internal/core/errorClass.js"

/** Whether `errorClass` extends a stand-in for a schema class not made yet. */
const standingIn = (errorClass: object) => {
  const standIn = Object.getPrototypeOf(errorClass)
  return standIn.name === "LazyTaggedError" && Object.getPrototypeOf(standIn) === Function.prototype
}

describe("error classes build their schemas on first use", () => {
  // First in the file: the module graph is this file's own, and nothing here has used them yet.
  it("loading s3po builds none of them", () => {
    assert.isTrue(standingIn(NoSuchKey))
    assert.isTrue(standingIn(NoSuchBucket))
    assert.strictEqual(NoSuchKey._tag, "NoSuchKey")
    assert.isTrue(standingIn(NoSuchKey))
  })

  it("a class is made once, at its first error or schema use, and is then a Schema.TaggedError class", () => {
    let made = 0
    class Missing extends lazyTaggedError<Missing>()("Missing", () => {
      made++
      return { key: Schema.String, size: Schema.optional(Schema.Number) }
    }) {
      override get message() {
        return `missing ${this.key}`
      }
    }
    class Other extends lazyTaggedError<Other>()("Other", () => {
      made++
      return { n: Schema.Number }
    }) {}
    const Both = lazyUnion(() => [Missing, Other] as const)
    assert.strictEqual(made, 0)
    const error = new Missing({ key: "k" })
    assert.strictEqual(made, 1)
    assert.isFalse(standingIn(Missing))
    assert.instanceOf(error, Missing)
    assert.instanceOf(error, Error)
    assert.strictEqual(error._tag, "Missing")
    assert.strictEqual(error.message, "missing k")
    assert.throws(() => new Missing({ key: 1 as unknown as string }))
    assert.strictEqual(Schema.is(Other)(error), false)
    assert.strictEqual(made, 2)
    const encoded = Schema.encodeSync(Both)(error)
    assert.deepStrictEqual(encoded, { _tag: "Missing", key: "k" })
    const decoded = Schema.decodeUnknownSync(Both)(encoded)
    assert.instanceOf(decoded, Missing)
    assert.isTrue(Equal.equals(decoded, error))
    assert.strictEqual(Both.members.length, 2)
    assert.strictEqual(made, 2)
  })

  it.effect("s3po's errors, made on use, fail, are caught by tag, and go through S3PoError as before", () =>
    Effect.gen(function*() {
      const error = new ValidationError({ operation: "upload", field: "key", reason: "empty" })
      assert.isFalse(standingIn(ValidationError))
      const caught = yield* Effect.catchTag(error, "ValidationError", (failed) => Effect.succeed(failed.field))
      assert.strictEqual(caught, "key")
      const missing = new NoSuchKey({ operation: "download", bucket: "b", key: "k" })
      const json = JSON.parse(JSON.stringify(yield* Schema.encode(S3PoError)(missing)))
      assert.deepStrictEqual(json, { _tag: "NoSuchKey", operation: "download", bucket: "b", key: "k" })
      const back = yield* Schema.decodeUnknown(S3PoError)(json)
      assert.instanceOf(back, NoSuchKey)
      assert.isTrue(Equal.equals(back, missing))
      assert.strictEqual(back.message, "download: no such key s3://b/k")
    }))
})
