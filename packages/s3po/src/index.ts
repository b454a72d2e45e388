/**
 * @since 0.1.0
 */
export * from "./Batch.js"
/**
 * Faults to inject into requests, on any layer.
 *
 * @since 0.5.0
 */
export * as Fault from "./Fault.js"
/**
 * @deprecated use `Fault`
 * @since 0.1.0
 */
export * as MockFault from "./MockFault.js"
/**
 * What s3po does with local files, as one service: Node's by default, in memory for tests, or over
 * `@effect/platform`'s `FileSystem`.
 *
 * @since 0.6.0
 */
export * as LocalFiles from "./LocalFiles.js"
/**
 * Customer-provided encryption keys (SSE-C): make, generate or configure one, and the headers a
 * presigned URL's user sends.
 *
 * @since 0.7.0
 */
export * as CustomerKeys from "./CustomerKeys.js"
/**
 * The retry policy every layer applies to transient failures.
 *
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"
/**
 * The `S3Po` service, its options and results.
 *
 * @since 0.1.0
 */
export * from "./S3Po.js"
/**
 * The backend, s3po's extension point: the primitives every operation is built from, `layer` to
 * derive `S3Po` from any backend, and wrappers (retries, faults, latency, a call log, a prefix, a
 * concurrency limit, a rate limit).
 *
 * @since 0.5.0
 */
export * as S3PoBackend from "./S3PoBackend.js"
/**
 * Every error an operation can fail with.
 *
 * @since 0.1.0
 */
export * from "./S3PoError.js"
export {
  /**
   * @deprecated use `S3PoLive.layer`
   * @since 0.1.0
   */
  layerLive,
  /**
   * @deprecated use `S3PoLive.layerConfig`
   * @since 0.1.0
   */
  layerLiveConfig,
  /**
   * @deprecated use `S3PoLive.layerFromClient`
   * @since 0.1.0
   */
  layerLiveFromClient,
  /**
   * @deprecated use `S3PoLive.ClientOptions`
   * @since 0.1.0
   */
  type LiveClientOptions,
  /**
   * @deprecated use `S3PoLive.config`
   * @since 0.1.0
   */
  liveConfig,
  /**
   * @deprecated use `S3PoLive.Credentials`
   * @since 0.1.0
   */
  type LiveCredentials,
  /**
   * @deprecated use `S3PoLive.Options`
   * @since 0.1.0
   */
  type LiveOptions,
  /**
   * The live layer and its module: `S3PoLive.layer`, `S3PoLive.layerConfig`, `S3PoLive.layerFromClient`.
   *
   * @since 0.1.0
   */
  S3PoLive
} from "./S3PoLive.js"
export {
  /**
   * @deprecated use `S3PoMock.layer`
   * @since 0.1.0
   */
  layerMock,
  /**
   * @deprecated use `S3PoMock.Call`
   * @since 0.1.0
   */
  type MockCall,
  /**
   * @deprecated use `S3PoMock.CallCounts`
   * @since 0.3.0
   */
  type MockCallCounts,
  /**
   * @deprecated use `S3PoMock.Latency`
   * @since 0.1.0
   */
  type MockLatency,
  /**
   * @deprecated use `S3PoMock.StoredObject`
   * @since 0.1.0
   */
  type MockObject,
  /**
   * @deprecated use `S3PoMock.Options`
   * @since 0.1.0
   */
  type MockOptions,
  /**
   * @deprecated use `S3PoMock.PendingUpload`
   * @since 0.1.0
   */
  type MockPendingUpload,
  /**
   * @deprecated use `S3PoMock.Seed`
   * @since 0.1.0
   */
  type MockSeed,
  /**
   * @deprecated use `S3PoMock.SeedContent`
   * @since 0.1.0
   */
  type MockSeedContent,
  /**
   * @deprecated use `S3PoMock.SeedObject`
   * @since 0.2.0
   */
  type MockSeedObject,
  /**
   * @deprecated use `S3PoMock.Snapshot`
   * @since 0.1.0
   */
  type MockSnapshot,
  /**
   * The failure of `S3PoMock.Control`'s `assertNoPendingUploads`.
   *
   * @since 0.1.0
   */
  PendingUploadsLeft,
  /**
   * The in-memory layer and its module: `S3PoMock.layer`, `S3PoMock.Control`.
   *
   * @since 0.1.0
   */
  S3PoMock,
  /**
   * @deprecated use `S3PoMock.Control`
   * @since 0.1.0
   */
  S3PoMockControl
} from "./S3PoMock.js"
/**
 * Directory sync: a prefix made to match a directory, or a directory a prefix.
 *
 * @since 0.3.0
 */
export * as Sync from "./Sync.js"
