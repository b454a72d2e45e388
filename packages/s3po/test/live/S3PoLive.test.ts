import * as Effect from "effect/Effect"
import { bucketsSuite, pendingUploadsSuite, strandingFaults } from "../contract/buckets.js"
import { contractSuite } from "../contract/contract.js"
import { documentsSuite } from "../contract/documents.js"
import { handlesPendingUploadsSuite, handlesStrandingFaults, handlesSuite } from "../contract/handles.js"
import { awsS3Support, cephRgwSupport, preciseSuite } from "../contract/precise.js"
import { prefixCopyFaults, prefixCopySuite } from "../contract/prefixCopy.js"
import { presignSuite } from "../contract/presign.js"
import { syncSuite } from "../contract/sync.js"
import { visibilitySuite } from "../contract/visibility.js"
import { liveBackend, sdkBackend } from "../utils/backends.js"
import { liveLayer, server } from "../utils/live.js"

contractSuite("S3PoLive", liveLayer())
documentsSuite("S3PoLive reads with info and JSON documents", liveLayer())
bucketsSuite("S3PoLive buckets", liveLayer())
pendingUploadsSuite("S3PoLive pending uploads", liveLayer({ faults: strandingFaults }))
presignSuite("S3PoLive presigned URLs", liveLayer(), (url, init) => Effect.promise(() => fetch(url, init)))
preciseSuite("S3PoLive precise writes and reads", liveLayer(), server().kind === "rgw" ? cephRgwSupport : awsS3Support)
syncSuite("S3PoLive sync", liveLayer())
prefixCopySuite("S3PoLive prefix copy and move", liveLayer({ faults: prefixCopyFaults }))
handlesSuite("S3PoLive bucket and prefix handles", liveLayer(), (url, init) => Effect.promise(() => fetch(url, init)))
handlesPendingUploadsSuite("S3PoLive pending uploads under a prefix", liveLayer({ faults: handlesStrandingFaults }))
visibilitySuite("S3PoLive missing buckets and s3po's own metadata", () => liveBackend())
visibilitySuite("S3PoLive missing buckets and s3po's own metadata, every request through the SDK", () => sdkBackend())
