/**
 * @since 0.1.0
 */
export * from "./Batch.js"
export * as Fault from "./Fault.js"
/** @deprecated use `Fault` */
export * as MockFault from "./MockFault.js"
export * as Retry from "./Retry.js"
export * from "./S3Po.js"
export * from "./S3PoError.js"
export {
  layerLive,
  layerLiveConfig,
  layerLiveFromClient,
  type LiveClientOptions,
  liveConfig,
  type LiveCredentials,
  type LiveOptions,
  S3PoLive
} from "./S3PoLive.js"
export {
  layerMock,
  type MockCall,
  type MockCallCounts,
  type MockLatency,
  type MockObject,
  type MockOptions,
  type MockPendingUpload,
  type MockSeed,
  type MockSeedContent,
  type MockSeedObject,
  type MockSnapshot,
  PendingUploadsLeft,
  S3PoMock,
  S3PoMockControl
} from "./S3PoMock.js"
export * as Sync from "./Sync.js"
