/**
 * The contract suite s3po runs on its mock and on a real S3 server, as functions you run on your
 * own layer or backend under `@effect/vitest`, with the helpers its tests are written with: fresh
 * buckets, bodies and their S3 ETags, a seeded mock layer and fault presets.
 *
 * Most suites run over an `S3Po` layer (`contractSuite(name, layer, options)`); four test the
 * backend underneath and take a `BackendSource`, a backend for each test (`primitivesSuite`,
 * `streamingSuite`, `checksumsSuite`, `visibilitySuite`). `options.capabilities` says what the store
 * lacks: the tests that need it are skipped, each naming the capability.
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
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Fault from "./Fault.js"
import type * as Backends from "./internal/testing/backends.js"
import * as Buckets from "./internal/testing/buckets.js"
import * as InternalCapabilities from "./internal/testing/capabilities.js"
import * as Checksums from "./internal/testing/checksums.js"
import * as Contract from "./internal/testing/contract.js"
import * as Documents from "./internal/testing/documents.js"
import * as Fixtures from "./internal/testing/fixtures.js"
import * as Handles from "./internal/testing/handles.js"
import * as InputRules from "./internal/testing/inputRules.js"
import * as Precise from "./internal/testing/precise.js"
import * as PrefixCopy from "./internal/testing/prefixCopy.js"
import * as Presign from "./internal/testing/presign.js"
import * as Primitives from "./internal/testing/primitives.js"
import * as Streaming from "./internal/testing/streaming.js"
import * as StreamingBatches from "./internal/testing/streamingBatches.js"
import * as Visibility from "./internal/testing/visibility.js"
import type { S3Po } from "./S3Po.js"
import type { ValidationError } from "./S3PoError.js"
import * as S3PoMock from "./S3PoMock.js"

// ---------------------------------------------------------------------------------------------
// models

/**
 * What a store may lack, and where it answers otherwise than AWS S3. The suites skip the tests of a
 * capability set to `false` (each skipped test names the capability it needs) and adapt those of a
 * value (only the storage classes named are written; the error code expected is the one given):
 *
 * - `storageClasses`: the storage classes besides `STANDARD` that the store keeps and names back
 *   (`[]` for none). A class it does not know must be refused with a 400 either way.
 * - `serverSideEncryption`: whether `serverSideEncryption: { type: "AES256" }` is stored and named
 *   back by `head`; when `false`, the store refuses it with 400 `InvalidRequest` (as Ceph RGW does
 *   over plain HTTP by default), or stores the object plain and `head` names no encryption (Ceph RGW
 *   16 once `rgw crypt require ssl = false`, which customer keys over plain HTTP need).
 * - `conditionalWrites`: whether `ifNoneMatch: "*"` (create only) and `ifMatch` (compare and swap)
 *   hold on PutObject, CopyObject and CompleteMultipartUpload, atomically: of 20 writers racing
 *   for one key, one wins.
 * - `tags`: whether objects keep tags, given at upload (single and multipart), by `setTags`, and
 *   on copies. A store without tags still answers GetObjectTagging, with none: copies read the
 *   source's tags to carry them over. PutObjectTagging it may leave out.
 * - `keepsChecksums`: whether the additional checksums an upload gives (CRC32, CRC32C, CRC64NVME,
 *   SHA1, SHA256: of a PUT, of each part, of the whole multipart object) are checked, stored and
 *   returned, so that `upload` reports the checksum the store keeps and a part altered on the way
 *   is refused. When `false` (Ceph RGW 16 drops them; the local-directory example keeps none), the
 *   store must still take the uploads that carry them, and `upload` reports no checksum.
 * - `checksPartOrder`: whether CompleteMultipartUpload refuses parts listed out of order with
 *   `InvalidPartOrder`, as AWS S3 does. When `false` (Ceph RGW 16 sorts them), it completes.
 * - `completeUnknownUploadCode`: the error code CompleteMultipartUpload of an unknown upload id
 *   fails with: AWS S3's `NoSuchUpload`; Ceph RGW 16 answers 500 `InternalError`.
 * - `presign`: whether the layer presigns URLs and forms that the store serves, with their policy
 *   (`handlesSuite`'s presigning test). `S3PoBackend.layer` over a backend without a presigner has
 *   none: `presign: false`.
 * - `copiesFromCustomerKeyed`, `copiesToCustomerKeyed`: whether a copy reads a source encrypted with
 *   a customer key (SSE-C), and encrypts its copy with the one given; Ceph RGW 16 answers the first
 *   501 `NotImplemented` and stores the second unencrypted (since 0.7.0).
 * - `keepsLifecycleRuleOrder`, `keepsNewerLifecycleFields`: whether a bucket's lifecycle rules come
 *   back in the order given, with their size filters and `newerNoncurrentVersions`; Ceph RGW 16
 *   sorts them by id and drops those fields (since 0.7.0).
 * - `readOfDeleteMarker`, `conditionalDeletes`, `copyVersionIds`, `ifMatchInVersionedBuckets`,
 *   `locksOnCopy`: how a GET of a delete marker by its id fails (S3's 405 `MethodNotAllowed`, Ceph
 *   RGW 16's `NoSuchKey`), whether `If-Match` holds on DeleteObject, whether CopyObject answers
 *   version ids, whether a PUT with `If-Match` holds in a versioned bucket, and whether a copy keeps
 *   the lock it is given; Ceph RGW 16 does none of the last four (since 0.7.0).
 *
 * Everything else is required: what every s3po operation is built on (bodies and their ETags,
 * metadata and content type, listings in S3's order with delimiters and pages, deletes, copies,
 * multipart uploads and copies, ranges, conditional reads, typed errors).
 *
 * @since 0.5.0
 * @category models
 */
export type Capabilities = InternalCapabilities.Capabilities

/**
 * How a suite runs: what the store lacks.
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
export const awsS3Capabilities: Capabilities = InternalCapabilities.awsS3Support

/**
 * Ceph RGW (16, as s3po's own live tests run it): no storage classes configured, no encryption
 * over plain HTTP, no checksums kept, parts listed out of order sorted, and a Complete of an unknown
 * upload answered with 500 `InternalError`.
 *
 * @since 0.5.0
 * @category capabilities
 */
export const cephRgwCapabilities: Capabilities = InternalCapabilities.cephRgwSupport

/**
 * A backend of its own for each test of a backend suite (`primitivesSuite`, `streamingSuite`,
 * `checksumsSuite`, `visibilitySuite`): acquired in the test's scope and released when the test
 * ends, so a temporary folder or a client can be cleaned up with `Effect.acquireRelease`. Where there
 * is nothing to release, `Effect.sync(() => makeBackend())`. These suites build the service over it
 * themselves (with a mock presigner and quick retries), to look at what reaches the backend.
 *
 * @since 0.6.0
 * @category models
 */
export type BackendSource = Backends.BackendSource

/**
 * How `inputRulesSuite` and `handlesSuite` run: capabilities, and where the layer can count the
 * requests it sent (the mock's `S3PoMock.Control`, `S3PoBackend.withCallLog`, or a proxy in front of
 * a server), `requestsSent`, so that each bad input is shown to send none.
 *
 * @since 0.6.0
 * @category options
 */
export interface CountingSuiteOptions<R> extends SuiteOptions {
  /** The number of requests the layer's store has received so far. */
  readonly requestsSent?: Effect.Effect<number, never, R> | undefined
}

/**
 * How `handlesSuite` runs: `CountingSuiteOptions`, and the `fetch` its presigning test sends the
 * URLs and forms with (default: the global `fetch`; `S3PoMock.Control.fetch` for the mock).
 *
 * @since 0.6.0
 * @category options
 */
export interface HandlesSuiteOptions<R> extends CountingSuiteOptions<R> {
  readonly fetch?: Fetch<R> | undefined
}

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
  Precise.preciseSuite(
    `${name} precise writes and reads`,
    layer,
    InternalCapabilities.withDefaults(options.capabilities)
  )
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

/**
 * S3's rules for the request primitives themselves, on the backend without the service in front:
 * a multipart upload completed into one object with its `-N` ETag, Complete refusing parts under
 * 5 MiB but the last (`EntityTooSmall`), unknown parts (`InvalidPart`) and, with `checksPartOrder`,
 * parts out of order (`InvalidPartOrder`); an unknown upload id (`NoSuchUpload`; at Complete,
 * `completeUnknownUploadCode`); ranges clamped at the end, a start past the object `InvalidRange`;
 * reads pinned by `If-Match`; and HEAD of a key in a missing bucket answering `NoSuchKey`, as S3's
 * 404 without a body does (the service asks HeadBucket to tell them apart).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoBackend } from "s3po"
 * import { cephRgwCapabilities, primitivesSuite } from "s3po/testing"
 *
 * declare const makeBackend: () => S3PoBackend.Backend
 *
 * primitivesSuite("my backend: primitives", Effect.sync(makeBackend))
 * // A server that departs from AWS S3 as Ceph RGW 16 does.
 * primitivesSuite("rgw: primitives", Effect.sync(makeBackend), { capabilities: cephRgwCapabilities })
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const primitivesSuite = (name: string, backend: BackendSource, options: SuiteOptions = {}): void => {
  Primitives.primitivesSuite(name, backend, InternalCapabilities.withDefaults(options.capabilities))
}

/**
 * Multipart uploads and copies through the service over a backend: a 64 MiB stream with failing
 * parts uploaded byte for byte with one Complete and progress in order; an upload interrupted, its
 * body stream failing, a part refused for good or Complete refused, each aborted with nothing left
 * pending; a multipart copy sending no object bytes through the client; a source replaced during a
 * multipart copy failing with `PreconditionFailed`.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as fs from "node:fs/promises"
 * import * as os from "node:os"
 * import * as path from "node:path"
 * import type { S3PoBackend } from "s3po"
 * import { streamingSuite } from "s3po/testing"
 *
 * declare const overFolder: (root: string) => S3PoBackend.Backend
 *
 * // Each test gets a folder of its own, removed when it ends.
 * const folderBackend = Effect.map(
 *   Effect.acquireRelease(
 *     Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "store-"))),
 *     (root) => Effect.promise(() => fs.rm(root, { recursive: true, force: true }))
 *   ),
 *   overFolder
 * )
 * streamingSuite("my backend: streaming", folderBackend)
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const streamingSuite: (name: string, backend: BackendSource) => void = Streaming.streamingSuite

/**
 * Checksums on upload and the part-size record, over a backend: what each PutObject, UploadPart
 * and CompleteMultipartUpload carries for every algorithm (CRC32 by default, none with
 * `checksumAlgorithm: "none"`), what `upload` reports (the store's checksum with `keepsChecksums`,
 * none without), an echo of another checksum failing the upload as `ChecksumMismatch`, a bad
 * algorithm refused before any request, the part size a multipart upload records in its metadata
 * (hidden from `head`) and copies keeping it true to their ETag, and, with `keepsChecksums`, a part
 * altered after its checksum was computed refused by the store.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoBackend } from "s3po"
 * import { checksumsSuite } from "s3po/testing"
 *
 * declare const makeBackend: () => S3PoBackend.Backend
 *
 * // A store that takes the checksums' headers but keeps none of them.
 * checksumsSuite("my backend: checksums", Effect.sync(makeBackend), { capabilities: { keepsChecksums: false } })
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const checksumsSuite = (name: string, backend: BackendSource, options: SuiteOptions = {}): void => {
  Checksums.checksumsSuite(name, backend, InternalCapabilities.withDefaults(options.capabilities))
}

/**
 * What a caller sees of an object, over a backend: every read of a missing bucket (`exists`,
 * `head`, `download` whole, ranged and in parts, `downloadString`, `downloadStream`,
 * `downloadFile`, `get`, `getStream`) fails with `NoSuchBucket`, of a missing key with `NoSuchKey`;
 * s3po's own metadata (a conditional upload's write id, the part-size record) shows in no result and
 * goes into no copy that does not need it; metadata under an `s3po-` name is refused before any
 * request.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoBackend } from "s3po"
 * import { visibilitySuite } from "s3po/testing"
 *
 * declare const makeBackend: () => S3PoBackend.Backend
 *
 * visibilitySuite("my backend: visibility", Effect.sync(makeBackend), { capabilities: { tags: false } })
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const visibilitySuite = (name: string, backend: BackendSource, options: SuiteOptions = {}): void => {
  Visibility.visibilitySuite(name, backend, InternalCapabilities.withDefaults(options.capabilities))
}

/**
 * s3po's input rules over any layer: a key that is not well-formed UTF-16, a bucket name that
 * cannot be sent, header values, metadata, attributes, tags, conditions, ranges and read conditions
 * that S3 would refuse fail with a `ValidationError` naming the field, before any request
 * (`requestsSent` shows none was sent, where the layer can count them).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoMock } from "s3po"
 * import { inputRulesSuite } from "s3po/testing"
 *
 * inputRulesSuite("input rules", S3PoMock.layer(), {
 *   requestsSent: Effect.flatMap(S3PoMock.Control, (control) => Effect.map(control.callCounts, (counts) => counts.total))
 * })
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const inputRulesSuite = <R = never>(
  name: string,
  layer: Layer.Layer<S3Po | R, unknown>,
  options: CountingSuiteOptions<R> = {}
): void =>
  InputRules.inputRulesSuite(
    name,
    layer,
    InternalCapabilities.withDefaults(options.capabilities),
    options.requestsSent
  )

/**
 * Bucket and prefix handles (`s3.bucket(name).prefix(path)`) over any layer: keys given to a
 * prefixed handle land under its prefix and come back relative to it, a sibling prefix is never
 * touched (reads, writes, copies, moves, deletes, tags, listings, JSON documents, prefix copies,
 * presigned URLs and forms, sync), and a key or prefix that could climb out is a `ValidationError`
 * with no request sent.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { S3PoBackend } from "s3po"
 * import { handlesSuite } from "s3po/testing"
 *
 * declare const myBackend: S3PoBackend.Backend
 *
 * const log = Effect.runSync(S3PoBackend.makeCallLog())
 * handlesSuite("my backend: handles", S3PoBackend.layer(myBackend.pipe(S3PoBackend.withCallLog(log))), {
 *   capabilities: { presign: false },
 *   requestsSent: Effect.map(log.counts, (counts) => counts.total)
 * })
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const handlesSuite = <R = never>(
  name: string,
  layer: Layer.Layer<S3Po | R, unknown>,
  options: HandlesSuiteOptions<R> = {}
): void =>
  Handles.handlesSuite(
    name,
    layer,
    InternalCapabilities.withDefaults(options.capabilities),
    options.fetch ?? ((url, init) => Effect.promise(() => fetch(url, init))),
    options.requestsSent
  )

/**
 * The faults `handlesPendingUploadsSuite`'s layer must have: the parts of keys under `stuck/` are
 * denied, then the first three aborts too, so that uploads are left pending.
 *
 * @since 0.6.0
 * @category fault presets
 */
export const handlesStrandingFaults: ReadonlyArray<Fault.Rule> = Handles.handlesStrandingFaults

/**
 * Multipart uploads left pending under a prefixed handle: listed relative to it, aborted by a
 * relative prefix, and those of a sibling prefix left alone. Over a layer with
 * `handlesStrandingFaults`.
 *
 * @example
 * ```ts
 * import { handlesPendingUploadsSuite, handlesStrandingFaults, mockLayer } from "s3po/testing"
 *
 * handlesPendingUploadsSuite("pending uploads under a prefix", mockLayer({}, { faults: handlesStrandingFaults }))
 * ```
 *
 * @since 0.6.0
 * @category suites
 */
export const handlesPendingUploadsSuite: (name: string, layer: Layer.Layer<S3Po, unknown>) => void =
  Handles.handlesPendingUploadsSuite

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
