/** Canned ACLs against the real server: what an anonymous GET (no signature) of each write is answered. */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type CannedAcl, S3Po } from "s3po"
import { uniqueBucket } from "../utils/fixtures.js"
import { liveLayer, server } from "../utils/live.js"

const MiB = 1024 * 1024

/** The status an unsigned GET of the object gets: what anyone on the network would. */
const anonymousStatus = (bucket: string, key: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${server().endpoint}/${bucket}/${encodeURIComponent(key)}`)
    await response.arrayBuffer()
    return response.status
  })

describe("S3PoLive canned ACLs", () => {
  it.scoped(
    "public-read is readable unsigned after a put, a multipart upload and both copies; private and none are not",
    () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("acl")
        yield* s3.createBucket(bucket)
        yield* Effect.addFinalizer(() =>
          Effect.ignore(Effect.zipRight(s3.emptyBucket(bucket), s3.deleteBucket(bucket)))
        )
        const big = new Uint8Array(6 * MiB)
        const write = (key: string, acl: CannedAcl | undefined) => {
          const options = acl === undefined ? {} : { acl }
          return Effect.all([
            s3.upload(bucket, `${key}/put`, "small", options),
            s3.upload(bucket, `${key}/multipart`, big, { ...options, multipartThreshold: 5 * MiB })
          ]).pipe(
            Effect.zipRight(s3.copy({ bucket, key: `${key}/put` }, { bucket, key: `${key}/copy` }, options)),
            Effect.zipRight(
              s3.copy({ bucket, key: `${key}/put` }, { bucket, key: `${key}/copy-multipart` }, {
                ...options,
                multipartThreshold: 1
              })
            )
          )
        }
        yield* write("public", "public-read")
        yield* write("private", "private")
        yield* write("none", undefined)
        for (const kind of ["put", "multipart", "copy", "copy-multipart"]) {
          assert.strictEqual(yield* anonymousStatus(bucket, `public/${kind}`), 200, `public/${kind}`)
          assert.strictEqual(yield* anonymousStatus(bucket, `private/${kind}`), 403, `private/${kind}`)
          assert.strictEqual(yield* anonymousStatus(bucket, `none/${kind}`), 403, `none/${kind}`)
        }
        // A copy without an ACL gets the default, not its source's.
        yield* s3.copy({ bucket, key: "public/put" }, { bucket, key: "copied-without" })
        assert.strictEqual(yield* anonymousStatus(bucket, "copied-without"), 403)
      }).pipe(Effect.provide(liveLayer())),
    60_000
  )
})
