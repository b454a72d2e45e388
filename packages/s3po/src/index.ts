/**
 * @since 0.1.0
 */
export * from "./Batch.js"
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
export * from "./S3PoMock.js"
export * as Sync from "./Sync.js"
