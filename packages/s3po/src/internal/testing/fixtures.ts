import type { Vitest } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3Po } from "../../S3Po.js"

let buckets = 0

/** A bucket name no other test (or earlier run against the same server) uses. */
export const uniqueBucket = (label: string): string =>
  `s3po-${label}-${process.pid}-${Date.now().toString(36)}-${(buckets++).toString(36)}`.slice(0, 63)

/** A new bucket of a unique name, created. */
export const freshBucket = (label: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = uniqueBucket(label)
    yield* s3.createBucket(bucket)
    return bucket
  })

/** The ETag S3 gives an object written in one request: the quoted MD5 of its bytes. */
export const md5ETag = (bytes: Uint8Array): string => `"${createHash("md5").update(bytes).digest("hex")}"`

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-N`. */
export const multipartETag = (parts: ReadonlyArray<Uint8Array>): string =>
  `"${
    createHash("md5").update(Buffer.concat(parts.map((part) => createHash("md5").update(part).digest()))).digest("hex")
  }-${parts.length}"`

export const randomBody = (size: number): Uint8Array => new Uint8Array(randomBytes(size))

export const tempDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-test-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

export const bytesEqual = (left: Uint8Array, right: Uint8Array): boolean => Buffer.compare(left, right) === 0

/** The tag of the error `effect` fails with (it must fail). */
export const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => error._tag)

/** A tracer that makes spans as Effect's own does and keeps every one, for a test to read. */
export const recordingTracer = Effect.map(Effect.tracer, (builtIn) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args: Parameters<Tracer.Tracer["span"]>) => {
      const span = builtIn.span(...args)
      spans.push(span)
      return span
    },
    context: builtIn.context
  })
  return { tracer, spans }
})

/** The test functions of a suite that shares one `S3Po` layer (`layer(s3Layer)(name, (it) => ...)`). */
export type SuiteMethods = Vitest.MethodsNonLive<S3Po, true>

/** A value passed where its type says it cannot be: how a test gives bad input that the types would refuse. */
export const unchecked = <A>(value: unknown): A => value as A
