/**
 * The contract suite s3po runs on its mock and on a real S3 server, as functions you run on your
 * own layer or backend under `@effect/vitest`, with the helpers its tests are written with: fresh
 * buckets, bodies and their S3 ETags, a seeded mock layer and fault presets.
 *
 * `s3po/testing` imports `@effect/vitest` and `vitest` (optional peer dependencies of s3po): import
 * it from test files only. `import "s3po"` loads neither.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import { contractSuite } from "s3po/testing"
 *
 * declare const myBackend: S3PoBackend.Backend
 *
 * // In a test file: every test of the suite, against your backend; what it lacks is skipped.
 * contractSuite("my backend", S3PoBackend.layer(myBackend), {
 *   capabilities: { storageClasses: [], serverSideEncryption: false }
 * })
 * ```
 *
 * @since 0.5.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Fault from "./Fault.js"
import * as Buckets from "./internal/testing/buckets.js"
import * as Contract from "./internal/testing/contract.js"
import * as Documents from "./internal/testing/documents.js"
import * as Fixtures from "./internal/testing/fixtures.js"
import * as Precise from "./internal/testing/precise.js"
import * as PrefixCopy from "./internal/testing/prefixCopy.js"
import * as Presign from "./internal/testing/presign.js"
import * as StreamingBatches from "./internal/testing/streamingBatches.js"
import type { S3Po } from "./S3Po.js"
import type { ValidationError } from "./S3PoError.js"
import * as S3PoMock from "./S3PoMock.js"

// ---------------------------------------------------------------------------------------------
// models

/**
 * What a store may lack. The suite skips the tests of a capability set to `false` and adapts those
 * of a list (only the storage classes named are written):
 *
 * - `storageClasses`: the storage classes besides `STANDARD` that the store keeps and names back
 *   (`[]` for none). A class it does not know must be refused with a 400 either way.
 * - `serverSideEncryption`: whether `serverSideEncryption: { type: "AES256" }` is stored and named
 *   back by `head`; when `false`, the store must refuse it with 400 `InvalidRequest` (as Ceph RGW
 *   does over plain HTTP), never drop it silently.
 * - `conditionalWrites`: whether `ifNoneMatch: "*"` (create only) and `ifMatch` (compare and swap)
 *   hold on PutObject, CopyObject and CompleteMultipartUpload, atomically: of 20 writers racing
 *   for one key, one wins.
 * - `tags`: whether objects keep tags, given at upload (single and multipart), by `setTags`, and
 *   on copies. A store without tags still answers GetObjectTagging, with none: copies read the
 *   source's tags to carry them over. PutObjectTagging it may leave out.
 *
 * Everything else is required: what every s3po operation is built on (bodies and their ETags,
 * metadata and content type, listings in S3's order with delimiters and pages, deletes, copies,
 * multipart uploads and copies, ranges, conditional reads, typed errors).
 *
 * @since 0.5.0
 * @category models
 */
export type Capabilities = Precise.Capabilities

/**
 * How `contractSuite` runs.
 *
 * @since 0.5.0
 * @category options
 */
export interface SuiteOptions {
  /** What the store may lack; a capability not given is `awsS3Capabilities`'. */
  readonly capabilities?: Partial<Capabilities> | undefined
}

/**
 * Everything: what AWS S3 does, and what `S3PoMock` does with it.
 *
 * @since 0.5.0
 * @category capabilities
 */
export const awsS3Capabilities: Capabilities = Precise.awsS3Support

/**
 * Ceph RGW (16, as s3po's own live tests run it): no storage classes configured, no encryption
 * over plain HTTP.
 *
 * @since 0.5.0
 * @category capabilities
 */
export const cephRgwCapabilities: Capabilities = Precise.cephRgwSupport

// ---------------------------------------------------------------------------------------------
// suites

/**
 * The contract suite over any `S3Po` layer, as `@effect/vitest` suites (call it at a test file's top
 * level): what S3 does and every s3po operation relies on, then precise writes and reads (conditions,
 * attributes and tags, storage classes, ranges, conditional reads) as far as `capabilities` allow.
 * s3po runs exactly this on `S3PoMock` and on a real server. Each test makes buckets of its own
 * (`freshBucket`), so a shared server is fine; nothing is deleted after.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import { contractSuite } from "s3po/testing"
 *
 * declare const readOnlyMirror: S3PoBackend.Backend
 *
 * contractSuite("mirror", S3PoBackend.layer(readOnlyMirror, { retry: "off" }), {
 *   capabilities: { conditionalWrites: false, tags: false, storageClasses: [], serverSideEncryption: false }
 * })
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const contractSuite = (name: string, layer: Layer.Layer<S3Po, unknown>, options: SuiteOptions = {}): void => {
  Contract.coreSuite(name, layer)
  Precise.preciseSuite(`${name} precise writes and reads`, layer, {
    ...awsS3Capabilities,
    ...options.capabilities
  })
}

/**
 * Reads with their info (`get`, `getStream`) and JSON documents (`putJson`, `getJson`,
 * `updateJson`, 50 concurrent updates losing none) over any layer. It needs conditional writes
 * (`ifMatch`) and conditional reads. s3po runs it on `S3PoMock` with 1 ms of latency per request,
 * so that concurrent updates overlap as over a network.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import { documentsSuite } from "s3po/testing"
 *
 * declare const myBackend: S3PoBackend.Backend
 *
 * documentsSuite("my backend: documents", S3PoBackend.layer(myBackend.pipe(S3PoBackend.withLatency("1 millis"))))
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const documentsSuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void = Documents.documentsSuite

/**
 * Buckets: listed, checked and deleted (a bucket with objects is `BucketNotEmpty` until
 * emptied), `deletePrefix` page by page, and the pending uploads of a bucket without any, over any
 * layer. It lists every bucket the credentials own: run it on a store (or an account) of test
 * buckets.
 *
 * @example
 * ```ts
 * import { bucketsSuite, mockLayer } from "s3po/testing"
 *
 * bucketsSuite("buckets", mockLayer())
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const bucketsSuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void = Buckets.bucketsSuite

/**
 * The faults `pendingUploadsSuite`'s layer must have: the parts of keys under `stuck/` are denied,
 * then the first two aborts too, so that uploads are left pending.
 *
 * @since 0.5.0
 * @category fault presets
 */
export const strandingFaults: ReadonlyArray<Fault.Rule> = Buckets.strandingFaults

/**
 * Multipart uploads left pending, listed and aborted by prefix and age: over a layer with
 * `strandingFaults`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import { pendingUploadsSuite, strandingFaults } from "s3po/testing"
 *
 * declare const myBackend: S3PoBackend.Backend
 *
 * pendingUploadsSuite("pending uploads", S3PoBackend.layer(myBackend.pipe(S3PoBackend.withFaults(strandingFaults))))
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const pendingUploadsSuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void =
  Buckets.pendingUploadsSuite

/**
 * The faults `prefixCopySuite`'s layer must have: a CopyObject onto a key ending in `/refused` is
 * denied, so that one object of a prefix fails and the others do not.
 *
 * @since 0.5.0
 * @category fault presets
 */
export const prefixCopyFaults: ReadonlyArray<Fault.Rule> = PrefixCopy.prefixCopyFaults

/**
 * Copying and moving every object under a prefix (`copyPrefix`, `movePrefix`): progress, a failure
 * of one object reported without stopping the others, overlapping prefixes refused. Over a layer
 * with `prefixCopyFaults`.
 *
 * @example
 * ```ts
 * import { mockLayer, prefixCopyFaults, prefixCopySuite } from "s3po/testing"
 *
 * prefixCopySuite("prefix copies", mockLayer({}, { faults: prefixCopyFaults }))
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const prefixCopySuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void = PrefixCopy.prefixCopySuite

/**
 * Streams of keys through a store: `deleteManyStream` (each result in the order of the keys),
 * `listObjects` feeding `batchStream`, and every item's outcome once, failures included.
 *
 * @example
 * ```ts
 * import { mockLayer, streamingBatchesSuite } from "s3po/testing"
 *
 * streamingBatchesSuite("streaming batches", mockLayer())
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const streamingBatchesSuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void =
  StreamingBatches.streamingBatchesSuite

/**
 * Sends a request to a presigned URL, as a browser would: `fetch` for a server, the mock's
 * `S3PoMock.Control.fetch` for `S3PoMock`.
 *
 * @since 0.5.0
 * @category models
 */
export type Fetch<R> = Presign.Fetch<R>

/**
 * Presigned URLs and forms (`presign`, `presignPost`), used without credentials through `fetch`:
 * for a backend with a presigner.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoBackend } from "s3po"
 * import { presignSuite } from "s3po/testing"
 *
 * declare const myBackend: S3PoBackend.Backend
 *
 * presignSuite("presigned URLs", S3PoBackend.layer(myBackend), (url, init) => Effect.promise(() => fetch(url, init)))
 * ```
 *
 * @since 0.5.0
 * @category suites
 */
export const presignSuite: <R>(name: string, layer: Layer.Layer<S3Po | R, unknown>, fetch: Fetch<R>) => void =
  Presign.presignSuite

// ---------------------------------------------------------------------------------------------
// helpers

/**
 * A bucket name no other test, nor an earlier run against the same server, uses: a valid S3 name
 * from `label`, the process and the time.
 *
 * @example
 * ```ts
 * import { uniqueBucket } from "s3po/testing"
 *
 * const bucket = uniqueBucket("uploads") // "s3po-uploads-4242-m3x9k2-0"
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const uniqueBucket: (label: string) => string = Fixtures.uniqueBucket

/**
 * A new bucket of a unique name (`uniqueBucket(label)`), created with the `S3Po` in context.
 *
 * @example
 * ```ts
 * import { S3Po } from "s3po"
 * import { freshBucket } from "s3po/testing"
 * import * as Effect from "effect/Effect"
 *
 * const roundTrip = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const bucket = yield* freshBucket("round-trip")
 *   yield* s3.upload(bucket, "a.txt", "hello")
 *   return yield* s3.downloadString(bucket, "a.txt")
 * })
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const freshBucket: (label: string) => Effect.Effect<string, S3Po.WriteError, S3Po> = Fixtures.freshBucket

/**
 * A temporary directory, removed with everything in it when the scope closes (`it.scoped`).
 *
 * @example
 * ```ts
 * import { S3Po } from "s3po"
 * import { tempDir } from "s3po/testing"
 * import * as Effect from "effect/Effect"
 * import * as path from "node:path"
 *
 * const downloadOnce = Effect.gen(function*() {
 *   const dir = yield* tempDir
 *   const s3 = yield* S3Po
 *   return yield* s3.downloadFile("bucket", "a.txt", path.join(dir, "a.txt"))
 * })
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Fixtures.tempDir

/**
 * `size` random bytes: a body no compression or deduplication can shortcut.
 *
 * @example
 * ```ts
 * import { randomBody } from "s3po/testing"
 *
 * const sixMiB = randomBody(6 * 1024 * 1024)
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const randomBody: (size: number) => Uint8Array = Fixtures.randomBody

/**
 * The ETag S3 gives an object written in one request: the MD5 of its bytes, in hex, quoted.
 *
 * @example
 * ```ts
 * import { md5ETag } from "s3po/testing"
 *
 * console.log(md5ETag(new Uint8Array(0))) // "d41d8cd98f00b204e9800998ecf8427e"
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const md5ETag: (bytes: Uint8Array) => string = Fixtures.md5ETag

/**
 * The ETag S3 gives an object written by a multipart upload of these parts: the MD5 of the parts'
 * binary MD5s, in hex, then `-` and the number of parts, quoted.
 *
 * @example
 * ```ts
 * import { multipartETag, randomBody } from "s3po/testing"
 *
 * const body = randomBody(11 * 1024 * 1024)
 * const etag = multipartETag([body.subarray(0, 8 * 1024 * 1024), body.subarray(8 * 1024 * 1024)]) // "...-2"
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const multipartETag: (parts: ReadonlyArray<Uint8Array>) => string = Fixtures.multipartETag

/**
 * Whether two byte arrays hold the same bytes.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "s3po/testing"
 *
 * console.log(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))) // true
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const bytesEqual: (left: Uint8Array, right: Uint8Array) => boolean = Fixtures.bytesEqual

/**
 * The tag of the error an effect fails with; an effect that succeeds fails the test with its
 * value (`Effect.flip`).
 *
 * @example
 * ```ts
 * import { S3Po } from "s3po"
 * import { tagOf } from "s3po/testing"
 * import * as Effect from "effect/Effect"
 *
 * const missing = Effect.flatMap(S3Po, (s3) => tagOf(s3.download("bucket", "no-such-key"))) // "NoSuchKey"
 * ```
 *
 * @since 0.5.0
 * @category helpers
 */
export const tagOf: <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>
) => Effect.Effect<E["_tag"], A, R> = Fixtures.tagOf

// ---------------------------------------------------------------------------------------------
// layers

/**
 * `S3PoMock` seeded with buckets and objects, with its `Control`: a test starts from known contents.
 * The options are `S3PoMock.layer`'s (faults, latency, retry, ...).
 *
 * @example
 * ```ts
 * import { S3Po } from "s3po"
 * import { mockLayer } from "s3po/testing"
 * import * as Effect from "effect/Effect"
 *
 * const seeded = mockLayer({ photos: { "cat.jpg": new Uint8Array([0xff, 0xd8]), "index.json": "[]" } })
 * const exists = Effect.flatMap(S3Po, (s3) => s3.exists("photos", "cat.jpg")).pipe(Effect.provide(seeded))
 * ```
 *
 * @since 0.5.0
 * @category layers
 */
export const mockLayer = (
  seed: S3PoMock.Seed = {},
  options: Omit<S3PoMock.Options, "seed"> = {}
): Layer.Layer<S3Po | S3PoMock.Control, ValidationError> => S3PoMock.layer({ ...options, seed })

// ---------------------------------------------------------------------------------------------
// fault presets

/**
 * A fraction (`rate`, default 0.1) of every request answers 503 `ServiceUnavailable`: a server
 * having a bad day. Fault rules for `S3PoMock.layer({ faults })` or `S3PoBackend.withFaults`.
 *
 * @example
 * ```ts
 * import { S3PoBackend } from "s3po"
 * import { flakyServer } from "s3po/testing"
 *
 * const flaky = (backend: S3PoBackend.Backend) => backend.pipe(S3PoBackend.withFaults(flakyServer(0.2)))
 * ```
 *
 * @since 0.5.0
 * @category fault presets
 */
export const flakyServer = (rate = 0.1): ReadonlyArray<Fault.Rule> => [{ fault: Fault.serviceUnavailable(), rate }]

/**
 * A fraction (`rate`, default 0.3) of every request answers 503 `SlowDown`: a store throttling its
 * callers, which retries must back off from.
 *
 * @example
 * ```ts
 * import { mockLayer, throttling } from "s3po/testing"
 *
 * const throttled = mockLayer({ bucket: {} }, { faults: throttling(0.5) })
 * ```
 *
 * @since 0.5.0
 * @category fault presets
 */
export const throttling = (rate = 0.3): ReadonlyArray<Fault.Rule> => [{ fault: Fault.throttled(), rate }]

/**
 * A fraction (`rate`, default 0.1) of writes (PutObject, UploadPart, CompleteMultipartUpload,
 * CopyObject, DeleteObject, DeleteObjects) take effect but their answer is lost to a reset
 * connection: retries of writes must be safe to repeat.
 *
 * @example
 * ```ts
 * import { lostResponses, mockLayer } from "s3po/testing"
 *
 * const lossy = mockLayer({ bucket: {} }, { faults: lostResponses(0.2) })
 * ```
 *
 * @since 0.5.0
 * @category fault presets
 */
export const lostResponses = (rate = 0.1): ReadonlyArray<Fault.Rule> => [{
  fault: Fault.connectionReset(),
  operation: ["PutObject", "UploadPart", "CompleteMultipartUpload", "CopyObject", "DeleteObject", "DeleteObjects"],
  takesEffect: true,
  rate
}]

/**
 * A fraction (`rate`, default 0.2) of downloads (GetObject) end early: the body stops short of its
 * length. Downloads must resume, or fail, never answer short bytes.
 *
 * @example
 * ```ts
 * import { interruptedDownloads, mockLayer } from "s3po/testing"
 *
 * const cutShort = mockLayer({ bucket: { "big.bin": new Uint8Array(1024) } }, { faults: interruptedDownloads() })
 * ```
 *
 * @since 0.5.0
 * @category fault presets
 */
export const interruptedDownloads = (rate = 0.2): ReadonlyArray<Fault.Rule> => [{
  fault: Fault.truncatedBody(),
  operation: "GetObject",
  rate
}]
