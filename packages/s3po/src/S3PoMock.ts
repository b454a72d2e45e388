/**
 * An in-memory S3 that behaves like S3: for tests, demos and local development.
 * `S3PoMock.layer(options)` builds it as a test kit: seeded contents, injected faults and latency,
 * and `S3PoMock.Control` to inspect and steer the mock while a test runs.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Fault from "./Fault.js"
import * as TransferLimits from "./internal/core/transferLimits.js"
import * as MockBackend from "./internal/mock/backend.js"
import * as MockControl from "./internal/mock/control.js"
import * as MockPresign from "./internal/mock/presign.js"
import type { RetryPolicy } from "./Retry.js"
import type { Checksum, DeleteMarker, MultipartOptions, ObjectAttributes, ObjectVersion, S3Po } from "./S3Po.js"
import * as S3PoBackend from "./S3PoBackend.js"
import { ValidationError } from "./S3PoError.js"

/**
 * An object to seed the mock with: a UTF-8 string, bytes, or a body with its attributes (content
 * type, metadata, tags, ...).
 *
 * @since 0.5.0
 * @category models
 */
export type SeedContent = string | Uint8Array | SeedObject

/**
 * @since 0.5.0
 * @category models
 */
export interface SeedObject extends ObjectAttributes {
  readonly body: string | Uint8Array
  /**
   * The checksum the object is stored with, as given (one that does not match the body seeds a
   * corrupt object). Default: S3's default for an object written without one, CRC64NVME of the body.
   */
  readonly checksum?: Checksum | undefined
}

/**
 * Buckets and their objects: `{ "my-bucket": { "a.txt": "hello" } }`. A bucket with no objects
 * is created empty. A snapshot is a seed too.
 *
 * @since 0.5.0
 * @category models
 */
export type Seed = Readonly<Record<string, Readonly<Record<string, SeedContent>>>>

/**
 * One stored object, as a snapshot shows it.
 *
 * @since 0.5.0
 * @category models
 */
export interface StoredObject extends ObjectAttributes {
  readonly body: Uint8Array
  readonly etag: string
  readonly contentType: string
  readonly metadata: Readonly<Record<string, string>>
  readonly lastModified: Date
  /** The checksum S3 keeps: the one the upload sent (composite for a composite multipart upload), or the default. */
  readonly checksum?: Checksum | undefined
}

/**
 * Every bucket and object in the mock, as plain data: a copy the test may keep.
 *
 * @since 0.5.0
 * @category models
 */
export type Snapshot = Readonly<Record<string, Readonly<Record<string, StoredObject>>>>

/**
 * A multipart upload created and neither completed nor aborted.
 *
 * @since 0.5.0
 * @category models
 */
export interface PendingUpload {
  readonly bucket: string
  readonly key: string
  readonly uploadId: string
  readonly initiated: Date
  /** Parts uploaded so far. */
  readonly parts: number
}

/**
 * One request the mock received, with how it ended. Every attempt is a call of its own. The same
 * record as `S3PoBackend.CallRecord`, which any backend's call log keeps.
 *
 * @since 0.5.0
 * @category models
 */
export type Call = S3PoBackend.CallRecord

/**
 * How many requests the mock received since its call log was last cleared, all of them counted,
 * those the log dropped included (see `Options.callLogLimit`): `S3PoBackend.CallCounts`.
 *
 * @since 0.5.0
 * @category models
 */
export type CallCounts = S3PoBackend.CallCounts

/**
 * How long each request takes, on Effect's `Clock`: under `TestClock`, tests advance it with
 * `TestClock.adjust` and run in no real time. A `Duration` or a text such as `"50 millis"`, or a
 * function of the request giving one; never a bare number (see `DurationOption`). The same as
 * `S3PoBackend.Latency`, which `S3PoBackend.withLatency` takes for any backend.
 *
 * @since 0.5.0
 * @category models
 */
export type Latency = S3PoBackend.Latency

/**
 * @since 0.5.0
 * @category options
 */
export interface Options {
  /** The buckets and objects the mock starts with. */
  readonly seed?: Seed | undefined
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
  readonly latency?: Latency | undefined
  /** Seeds the random numbers that `rate` rules draw: the same seed fails the same requests. Default 0. */
  readonly randomSeed?: number | undefined
  /** The retry policy, as for `S3PoLive`. Default: `Retry.exponential()`. */
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /**
   * How many of the most recent requests `S3PoMock.Control`'s `calls` keeps: older ones are dropped,
   * so a long-running mock holds bounded memory, and still counted in `callCounts`. 0 keeps none.
   * Default 10,000.
   */
  readonly callLogLimit?: number | undefined
  /** As `S3PoLive`'s `verifyDownloads`: whether whole-object downloads check their bytes. Default true. */
  readonly verifyDownloads?: boolean | undefined
  /** As `S3PoLive`'s `recordPartSize`: whether multipart writes record their part size. Default true. */
  readonly recordPartSize?: boolean | undefined
  /**
   * As `S3PoLive`'s `rateLimit`: at most `limit` requests start in any `interval`, on Effect's
   * `Clock`, before they reach the store (and its call log). Default: none.
   *
   * @since 0.6.0
   */
  readonly rateLimit?: S3PoBackend.RateLimit | undefined
  /**
   * As `S3PoLive`'s `bandwidthLimit`: at most `bytesPerSecond` bytes a second, uploads and downloads
   * together, on Effect's `Clock`. Default: none.
   *
   * @since 0.6.0
   */
  readonly bandwidthLimit?: S3PoBackend.BandwidthLimit | undefined
}

/**
 * @since 0.5.0
 */
export declare namespace Control {
  /**
   * @since 0.5.0
   * @category models
   */
  export interface Service {
    /**
     * The requests so far, in the order they arrived: the most recent `callLogLimit` (default
     * 10,000) of them.
     */
    readonly calls: Effect.Effect<ReadonlyArray<Call>>
    /** How many requests arrived, by operation, exact however many `calls` dropped. */
    readonly callCounts: Effect.Effect<CallCounts>
    /** Empties the call log and sets its counts to 0. */
    readonly clearCalls: Effect.Effect<void>
    /** Adds a rule after the ones already there; one that is no `Fault.Rule` fails with `ValidationError`. */
    readonly addFault: (rule: Fault.Rule) => Effect.Effect<void, ValidationError>
    readonly clearFaults: Effect.Effect<void>
    /** Replaces the latency; `undefined` for none. */
    readonly setLatency: (latency: Latency | undefined) => Effect.Effect<void, ValidationError>
    /**
     * Every bucket and object, their metadata as a caller sees it: without s3po's own (`s3po-*`
     * names: a conditional write's id, a multipart upload's part-size record). In a versioned
     * bucket, the latest version of each key, and no key whose latest is a delete marker: see
     * `versions`.
     */
    readonly snapshot: Effect.Effect<Snapshot>
    /**
     * Every version and delete marker in the bucket, by key (in S3's order) then newest first, as
     * `listObjectVersions` lists them; none for a bucket that does not exist. A key written only
     * while the bucket was never versioned has one version, `"null"`.
     *
     * @since 0.7.0
     */
    readonly versions: (bucket: string) => Effect.Effect<ReadonlyArray<ObjectVersion | DeleteMarker>>
    /**
     * Replaces every bucket and object with the seed's, and drops pending uploads. Each object's ETag
     * is its body's MD5, as a seed's is (a multipart ETag is not kept), which downloads check it by.
     * A seed with metadata under s3po's names fails with `ValidationError`.
     */
    readonly restore: (seed: Seed) => Effect.Effect<void, ValidationError>
    readonly pendingUploads: Effect.Effect<ReadonlyArray<PendingUpload>>
    /**
     * Back to the layer as it was built: the seed's objects, no pending uploads, the options' faults
     * (counted afresh) and latency, an empty call log. For tests that share one layer.
     */
    readonly reset: Effect.Effect<void>
    /**
     * Answers a request to a presigned URL of this mock (`S3Po.presign`) as S3 would over HTTP: the
     * signature and expiry checked (against Effect's `Clock`), then the object read, written or
     * deleted. For code that hands URLs to browsers.
     */
    readonly fetch: (input: Request | string, init?: RequestInit) => Effect.Effect<Response>
    /** Fails with `PendingUploadsLeft` when any multipart upload is pending. */
    readonly assertNoPendingUploads: Effect.Effect<void, PendingUploadsLeft>
  }
}

/**
 * Inspects and steers the mock built by `S3PoMock.layer` while a test runs.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoMock } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const control = yield* S3PoMock.Control
 *   yield* s3.upload("bucket", "hello.txt", "hi")
 *   const snapshot = yield* control.snapshot
 *   return Object.keys(snapshot.bucket ?? {})
 * })
 *
 * Effect.runPromise(Effect.provide(program, S3PoMock.layer({ seed: { bucket: {} } }))).then(console.log)
 * // [ "hello.txt" ]
 * ```
 *
 * @since 0.5.0
 * @category tags
 */
export class Control extends Context.Tag("s3po/S3PoMockControl")<Control, Control.Service>() {}

/**
 * A test found multipart uploads left pending in the mock: what `S3PoMock.Control`'s
 * `assertNoPendingUploads` fails with. Not an `S3PoError`: no S3 request fails with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class PendingUploadsLeft extends Data.TaggedError("PendingUploadsLeft")<{
  readonly uploads: ReadonlyArray<PendingUpload>
}> {
  override get message(): string {
    const list = this.uploads.map((upload) => `s3://${upload.bucket}/${upload.key} (${upload.parts} parts)`)
    return `${this.uploads.length} multipart upload(s) left pending: ${list.join(", ")}`
  }
}

/**
 * The mock's store as a backend, with its control: a fresh in-memory store seeded from
 * `options.seed`, behind the options' faults, latency and call log, which `control` inspects and
 * steers. What `S3PoMock.layer` serves `S3Po` from; wrap it and derive a layer of your own with
 * `S3PoBackend.layer` (provide `S3PoMock.Control` with `control` to keep using it). Options it
 * cannot take fail with a `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoBackend, S3PoMock } from "s3po"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * // The mock, each request 20 ms and at most 4 in flight.
 * const slowMock = Layer.unwrapEffect(
 *   Effect.map(S3PoMock.backend({ seed: { bucket: {} } }), ({ backend, control }) =>
 *     Layer.merge(
 *       S3PoBackend.layer(backend.pipe(S3PoBackend.withLatency("20 millis"), S3PoBackend.withConcurrencyLimit(4))),
 *       Layer.succeed(S3PoMock.Control, control)
 *     ))
 * )
 *
 * const program = Effect.flatMap(S3Po, (s3) => s3.upload("bucket", "a.txt", "hi")).pipe(Effect.provide(slowMock))
 * ```
 *
 * @since 0.5.0
 * @category constructors
 */
export const backend = (
  options: Pick<Options, "seed" | "faults" | "latency" | "randomSeed" | "callLogLimit"> = {}
): Effect.Effect<{ readonly backend: S3PoBackend.Backend; readonly control: Control.Service }, ValidationError> =>
  Effect.map(MockControl.make(options), (made) => ({ backend: S3PoBackend.make(made.backend), control: made.control }))

/**
 * The mock as a test kit: `S3Po` over a fresh in-memory store (seeded from `options.seed`), with
 * the faults and latency the options and `S3PoMock.Control` set, and `S3PoMock.Control` itself. It
 * follows S3's rules: buckets must exist, keys list in UTF-8 byte order in pages of 1000,
 * delimiters roll keys up into common prefixes, ETags are MD5s, multipart uploads check part sizes
 * and order, and a pending multipart upload stays pending until completed or aborted. Checksums
 * too: a write's checksum is checked against its bytes (a mismatch, S3's `BadDigest`, fails with
 * `ChecksumMismatch`) and kept, full-object or composite as a multipart upload declared it; an
 * object written without one gets S3's default (CRC64NVME); HEAD and GET answer it only in checksum
 * mode, and a ranged GET never. Versioning (the `null` version, delete markers), object lock,
 * customer keys (SSE-C) and lifecycle rules follow AWS S3's documentation, also where Ceph RGW
 * differs (the testing guide lists the rules and the differences). Injected faults become the
 * typed errors `S3PoLive` produces for the same failures and are retried by the same policy.
 * Options it cannot take fail the layer with a `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoMock } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   return yield* s3.downloadString("config", "app.json")
 * })
 *
 * const layer = S3PoMock.layer({ seed: { config: { "app.json": "{\"debug\":true}" } } })
 * Effect.runPromise(Effect.provide(program, layer)).then(console.log) // {"debug":true}
 * ```
 *
 * @since 0.5.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<S3Po | Control, ValidationError> =>
  Layer.unwrapEffect(
    Effect.flatMap(backend(options), ({ backend, control }) => {
      const limited = TransferLimits.withLimits("S3PoMock.layer", backend, options)
      if (limited instanceof ValidationError) return Effect.fail(limited)
      return Effect.succeed(Layer.merge(
        S3PoBackend.layer(limited, {
          retry: options.retry,
          multipart: options.multipart,
          verifyDownloads: options.verifyDownloads,
          recordPartSize: options.recordPartSize
        }),
        Layer.succeed(Control, control)
      ))
    })
  )

/** The plain mock: what providing `S3PoMock` itself builds. */
const plain: Layer.Layer<S3Po> = Layer.orDie(
  S3PoBackend.layer(
    Effect.map(MockBackend.makeEmpty, (backend) => ({ ...backend, presigner: MockPresign.make().presigner })),
    // Without injected faults no request fails in a way a retry could fix, so none is set up.
    { retry: "off" }
  )
)

/**
 * The mock's module as one value, `import { S3PoMock } from "s3po"`: `S3PoMock.layer(options)`,
 * `S3PoMock.Control`, `S3PoMock.PendingUploadsLeft`, and the types `S3PoMock.Options`,
 * `S3PoMock.Seed`, `S3PoMock.Snapshot`, `S3PoMock.Control.Service`, ...
 *
 * It is also, until 1.0, the layer it always was: providing `S3PoMock` itself serves `S3Po` over
 * an empty store, without the control and with retries off. That form is deprecated: provide
 * `S3PoMock.layer()` instead.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoMock } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   yield* s3.createBucket("scratch")
 *   yield* s3.upload("scratch", "note.txt", "hello")
 *   return yield* s3.downloadString("scratch", "note.txt")
 * })
 *
 * Effect.runPromise(Effect.provide(program, S3PoMock.layer())).then(console.log) // hello
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const S3PoMock: Layer.Layer<S3Po> & {
  readonly layer: typeof layer
  readonly backend: typeof backend
  readonly Control: typeof Control
  readonly PendingUploadsLeft: typeof PendingUploadsLeft
} = Object.assign(Layer.suspend(() => plain), { layer, backend, Control, PendingUploadsLeft })

/**
 * The types of the mock's module, reached through the `S3PoMock` value's name.
 *
 * @since 0.5.0
 */
export declare namespace S3PoMock {
  /**
   * @since 0.5.0
   * @category options
   */
  export type Options = MockOptions
  /**
   * @since 0.5.0
   * @category models
   */
  export type Seed = MockSeed
  /**
   * @since 0.5.0
   * @category models
   */
  export type SeedContent = MockSeedContent
  /**
   * @since 0.5.0
   * @category models
   */
  export type SeedObject = MockSeedObject
  /**
   * @since 0.5.0
   * @category models
   */
  export type StoredObject = MockObject
  /**
   * @since 0.5.0
   * @category models
   */
  export type Snapshot = MockSnapshot
  /**
   * @since 0.5.0
   * @category models
   */
  export type PendingUpload = MockPendingUpload
  /**
   * @since 0.5.0
   * @category models
   */
  export type Call = MockCall
  /**
   * @since 0.5.0
   * @category models
   */
  export type CallCounts = MockCallCounts
  /**
   * @since 0.5.0
   * @category models
   */
  export type Latency = MockLatency
  /**
   * @since 0.5.0
   * @category tags
   */
  export type Control = S3PoMockControl
  /**
   * @since 0.5.0
   */
  export namespace Control {
    /**
     * @since 0.5.0
     * @category models
     */
    export type Service = S3PoMockControl.Service
  }
  /**
   * @since 0.5.0
   * @category errors
   */
  export type PendingUploadsLeft = MockPendingUploadsLeft
}

type MockPendingUploadsLeft = PendingUploadsLeft

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.SeedContent`
 */
export type MockSeedContent = SeedContent

/**
 * @since 0.2.0
 * @category models
 * @deprecated use `S3PoMock.SeedObject`
 */
export type MockSeedObject = SeedObject

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.Seed`
 */
export type MockSeed = Seed

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.StoredObject`
 */
export type MockObject = StoredObject

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.Snapshot`
 */
export type MockSnapshot = Snapshot

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.PendingUpload`
 */
export type MockPendingUpload = PendingUpload

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.Call`
 */
export type MockCall = Call

/**
 * @since 0.3.0
 * @category models
 * @deprecated use `S3PoMock.CallCounts`
 */
export type MockCallCounts = CallCounts

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoMock.Latency`
 */
export type MockLatency = Latency

/**
 * @since 0.1.0
 * @category options
 * @deprecated use `S3PoMock.Options`
 */
export type MockOptions = Options

/**
 * @since 0.1.0
 * @category tags
 * @deprecated use `S3PoMock.Control`
 */
export const S3PoMockControl: typeof Control = Control

/**
 * @since 0.1.0
 * @category tags
 * @deprecated use `S3PoMock.Control`
 */
export type S3PoMockControl = Control

/**
 * @since 0.1.0
 * @deprecated use `S3PoMock.Control`
 */
export declare namespace S3PoMockControl {
  /**
   * @since 0.1.0
   * @category models
   * @deprecated use `S3PoMock.Control.Service`
   */
  export type Service = Control.Service
}

/**
 * @since 0.1.0
 * @category layers
 * @deprecated use `S3PoMock.layer`
 */
export const layerMock: typeof layer = layer
