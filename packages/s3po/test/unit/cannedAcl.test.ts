/** Canned ACLs on the mock: kept with each write that gives one, as S3 keeps them; never shown by head. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { S3Po, S3PoMock } from "s3po"

const MiB = 1024 * 1024

describe("canned ACLs on S3PoMock", () => {
  it.effect("a put, a multipart upload and both copies keep theirs; a copy without one gets none; head shows none", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      yield* s3.createBucket("bkt")
      yield* s3.upload("bkt", "put", "small", { acl: "public-read" })
      yield* s3.upload("bkt", "multipart", new Uint8Array(6 * MiB), {
        acl: "authenticated-read",
        multipartThreshold: 5 * MiB
      })
      yield* s3.copy({ bucket: "bkt", key: "put" }, { bucket: "bkt", key: "copy" }, { acl: "bucket-owner-read" })
      yield* s3.copy({ bucket: "bkt", key: "put" }, { bucket: "bkt", key: "copy-multipart" }, {
        acl: "private",
        multipartThreshold: 1
      })
      yield* s3.copy({ bucket: "bkt", key: "put" }, { bucket: "bkt", key: "copy-without" })
      const snapshot = (yield* control.snapshot)["bkt"]!
      assert.deepStrictEqual(Object.fromEntries(Object.entries(snapshot).map(([key, object]) => [key, object.acl])), {
        "copy": "bucket-owner-read",
        "copy-multipart": "private",
        "copy-without": undefined,
        "multipart": "authenticated-read",
        "put": "public-read"
      })
      assert.notProperty(yield* s3.head("bkt", "put"), "acl")
    }).pipe(Effect.provide(S3PoMock.layer())))
})
