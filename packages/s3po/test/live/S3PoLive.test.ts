import * as Effect from "effect/Effect"
import {
  awsS3Capabilities,
  cephRgwCapabilities,
  contractSuite,
  handlesPendingUploadsSuite,
  handlesStrandingFaults,
  handlesSuite,
  visibilitySuite
} from "s3po/testing"
import { bucketsSuite, pendingUploadsSuite, strandingFaults } from "../contract/buckets.js"
import { documentsSuite } from "../contract/documents.js"
import { prefixCopyFaults, prefixCopySuite } from "../contract/prefixCopy.js"
import { presignSuite } from "../contract/presign.js"
import { syncSuite } from "../contract/sync.js"
import { liveBackend, sdkBackend } from "../utils/backends.js"
import { liveLayer, server } from "../utils/live.js"

// The contract suite as users run it (s3po/testing), its precise part included.
const capabilities = server().kind === "rgw" ? cephRgwCapabilities : awsS3Capabilities
contractSuite("S3PoLive", liveLayer(), { capabilities })
documentsSuite("S3PoLive reads with info and JSON documents", liveLayer())
bucketsSuite("S3PoLive buckets", liveLayer())
pendingUploadsSuite("S3PoLive pending uploads", liveLayer({ faults: strandingFaults }))
presignSuite("S3PoLive presigned URLs", liveLayer(), (url, init) => Effect.promise(() => fetch(url, init)))
syncSuite("S3PoLive sync", liveLayer())
prefixCopySuite("S3PoLive prefix copy and move", liveLayer({ faults: prefixCopyFaults }))
handlesSuite("S3PoLive bucket and prefix handles", liveLayer(), { capabilities })
handlesPendingUploadsSuite("S3PoLive pending uploads under a prefix", liveLayer({ faults: handlesStrandingFaults }))
visibilitySuite("S3PoLive missing buckets and s3po's own metadata", Effect.sync(() => liveBackend()), { capabilities })
visibilitySuite(
  "S3PoLive missing buckets and s3po's own metadata, every request through the SDK",
  Effect.sync(() => sdkBackend()),
  { capabilities }
)
