import * as Effect from "effect/Effect"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3Po } from "s3po"

let buckets = 0

/** A bucket name no other test (or earlier run against the same server) uses. */
export const uniqueBucket = (label: string) =>
  `s3po-${label}-${process.pid}-${Date.now().toString(36)}-${(buckets++).toString(36)}`.slice(0, 63)

/** A new bucket of a unique name, created. */
export const freshBucket = (label: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = uniqueBucket(label)
    yield* s3.createBucket(bucket)
    return bucket
  })

export const md5ETag = (bytes: Uint8Array) => `"${createHash("md5").update(bytes).digest("hex")}"`

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-N`. */
export const multipartETag = (parts: ReadonlyArray<Uint8Array>) =>
  `"${
    createHash("md5").update(Buffer.concat(parts.map((part) => createHash("md5").update(part).digest()))).digest("hex")
  }-${parts.length}"`

export const randomBody = (size: number): Uint8Array => new Uint8Array(randomBytes(size))

export const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-test-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

export const bytesEqual = (left: Uint8Array, right: Uint8Array) => Buffer.compare(left, right) === 0

/** The tag of the error `effect` fails with (it must fail). */
export const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)
