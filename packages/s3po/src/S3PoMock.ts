/**
 * An in-memory S3 that behaves like S3: for tests, demos and local development. `S3PoMock` is
 * the plain layer; `layerMock` adds a test kit: seeded contents, injected faults and latency, and
 * `S3PoMockControl` to inspect and steer the mock while a test runs.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { fromBackend } from "./internal/core/layer.js"
import * as MockBackend from "./internal/mock/backend.js"
import * as MockControl from "./internal/mock/control.js"
import * as MockPresign from "./internal/mock/presign.js"
import type { Fault, FaultRule, MockRequest } from "./MockFault.js"
import type { RetryPolicy } from "./Retry.js"
import type { Checksum, MultipartOptions, ObjectAttributes, S3Operation, S3Po } from "./S3Po.js"
import type { S3PoError, ValidationError } from "./S3PoError.js"

/**
 * `S3Po` backed by a `Ref` holding an in-memory store, empty each time the layer is built. It
 * follows S3's rules: buckets must exist, keys list in UTF-8 byte order in pages of 1000,
 * delimiters roll keys up into common prefixes, ETags are MD5s, multipart uploads check part sizes
 * and order, and a pending multipart upload stays pending until completed or aborted. Checksums
 * too: a write's checksum is checked against its bytes (a mismatch, S3's `BadDigest`, fails with
 * `ChecksumMismatch`) and kept, full-object or composite as a multipart upload declared it; an
 * object written without one gets S3's default (CRC64NVME); HEAD and GET answer it only in checksum
 * mode, and a ranged GET never.
 *
 * @since 0.1.0
 * @category layers
 */
export const S3PoMock: Layer.Layer<S3Po> = fromBackend(
  Effect.map(MockBackend.makeEmpty, (backend) => ({
    backend,
    presigner: MockPresign.make().presigner,
    // Without injected faults no request fails in a way a retry could fix, so none is set up.
    settings: { retry: "off" }
  }))
)

/**
 * An object to seed the mock with: a UTF-8 string, bytes, or a body with its attributes (content
 * type, metadata, tags, ...).
 *
 * @since 0.1.0
 * @category models
 */
export type MockSeedContent = string | Uint8Array | MockSeedObject

/**
 * @since 0.2.0
 * @category models
 */
export interface MockSeedObject extends ObjectAttributes {
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
 * @since 0.1.0
 * @category models
 */
export type MockSeed = Readonly<Record<string, Readonly<Record<string, MockSeedContent>>>>

/**
 * One stored object, as a snapshot shows it.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockObject extends ObjectAttributes {
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
 * @since 0.1.0
 * @category models
 */
export type MockSnapshot = Readonly<Record<string, Readonly<Record<string, MockObject>>>>

/**
 * A multipart upload created and neither completed nor aborted.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockPendingUpload {
  readonly bucket: string
  readonly key: string
  readonly uploadId: string
  readonly initiated: Date
  /** Parts uploaded so far. */
  readonly parts: number
}

/**
 * One request the mock received, with how it ended. Every attempt is a call of its own.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockCall extends MockRequest {
  /** When the request arrived, in milliseconds on Effect's `Clock` (the `TestClock` in tests). */
  readonly startedAt: number
  readonly outcome: "pending" | "succeeded" | "failed" | "interrupted"
  /** The typed error the call failed with. */
  readonly error?: S3PoError | undefined
  /** The fault injected into this call, if one was. */
  readonly fault?: Fault | undefined
}

/**
 * How many requests the mock received since its call log was last cleared, all of them counted,
 * those the log dropped included.
 *
 * @since 0.3.0
 * @category models
 */
export interface MockCallCounts {
  /** Every request, each retry its own. */
  readonly total: number
  /** The oldest requests, no longer in `calls` (see `MockOptions.callLogLimit`). */
  readonly dropped: number
  readonly byOperation: Readonly<Partial<Record<S3Operation, number>>>
}

/**
 * How long each request takes, on Effect's `Clock`: under `TestClock`, tests advance it with
 * `TestClock.adjust` and run in no real time.
 *
 * @since 0.1.0
 * @category models
 */
export type MockLatency = Duration.DurationInput | ((request: MockRequest) => Duration.DurationInput)

/**
 * @since 0.1.0
 * @category options
 */
export interface MockOptions {
  /** The buckets and objects the mock starts with. */
  readonly seed?: MockSeed | undefined
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  readonly latency?: MockLatency | undefined
  /** Seeds the random numbers that `rate` rules draw: the same seed fails the same requests. Default 0. */
  readonly randomSeed?: number | undefined
  /** The retry policy, as for `S3PoLive`. Default: `Retry.exponential()`. */
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /**
   * How many of the most recent requests `S3PoMockControl.calls` keeps: older ones are dropped, so a
   * long-running mock holds bounded memory, and still counted in `callCounts`. 0 keeps none.
   * Default 10,000.
   */
  readonly callLogLimit?: number | undefined
  /** As `S3PoLive`'s `verifyDownloads`: whether whole-object downloads check their bytes. Default true. */
  readonly verifyDownloads?: boolean | undefined
  /** As `S3PoLive`'s `recordPartSize`: whether multipart writes record their part size. Default true. */
  readonly recordPartSize?: boolean | undefined
}

/**
 * @since 0.1.0
 */
export declare namespace S3PoMockControl {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /**
     * The requests so far, in the order they arrived: the most recent `callLogLimit` (default
     * 10,000) of them.
     */
    readonly calls: Effect.Effect<ReadonlyArray<MockCall>>
    /** How many requests arrived, by operation, exact however many `calls` dropped. */
    readonly callCounts: Effect.Effect<MockCallCounts>
    /** Empties the call log and sets its counts to 0. */
    readonly clearCalls: Effect.Effect<void>
    /** Adds a rule after the ones already there; one that is no `FaultRule` fails with `ValidationError`. */
    readonly addFault: (rule: FaultRule) => Effect.Effect<void, ValidationError>
    readonly clearFaults: Effect.Effect<void>
    /** Replaces the latency; `undefined` for none. */
    readonly setLatency: (latency: MockLatency | undefined) => Effect.Effect<void, ValidationError>
    readonly snapshot: Effect.Effect<MockSnapshot>
    /** Replaces every bucket and object with the seed's, and drops pending uploads. */
    readonly restore: (seed: MockSeed) => Effect.Effect<void, ValidationError>
    readonly pendingUploads: Effect.Effect<ReadonlyArray<MockPendingUpload>>
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
 * Inspects and steers the mock built by `layerMock` while a test runs.
 *
 * @since 0.1.0
 * @category tags
 */
export class S3PoMockControl extends Context.Tag("s3po/S3PoMockControl")<
  S3PoMockControl,
  S3PoMockControl.Service
>() {}

/**
 * The mock as a test kit: `S3Po` over a fresh in-memory store (seeded from `options.seed`), with
 * the faults and latency the options and `S3PoMockControl` set. Injected faults become the typed
 * errors `S3PoLive` produces for the same failures and are retried by the same policy.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMock = (options: MockOptions = {}): Layer.Layer<S3Po | S3PoMockControl, ValidationError> =>
  Layer.unwrapEffect(
    Effect.map(MockControl.make(options), ({ backend, control, presigner }) =>
      Layer.merge(
        fromBackend(
          Effect.succeed({
            backend,
            presigner,
            settings: {
              retry: options.retry,
              multipart: options.multipart,
              verifyDownloads: options.verifyDownloads,
              recordPartSize: options.recordPartSize
            }
          })
        ),
        Layer.succeed(S3PoMockControl, control)
      ))
  )

/**
 * A test found multipart uploads left pending in the mock: what `S3PoMockControl.assertNoPendingUploads`
 * fails with. Not an `S3PoError`: no S3 request fails with it.
 *
 * @since 0.1.0
 * @category errors
 */
export class PendingUploadsLeft extends Data.TaggedError("PendingUploadsLeft")<{
  readonly uploads: ReadonlyArray<MockPendingUpload>
}> {
  override get message(): string {
    const list = this.uploads.map((upload) => `s3://${upload.bucket}/${upload.key} (${upload.parts} parts)`)
    return `${this.uploads.length} multipart upload(s) left pending: ${list.join(", ")}`
  }
}
