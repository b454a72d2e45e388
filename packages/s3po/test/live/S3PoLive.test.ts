import * as Effect from "effect/Effect"
import { S3PoBackend } from "s3po"
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
import { customerKeysSuite } from "../contract/customerKeys.js"
import { documentsSuite } from "../contract/documents.js"
import { lifecycleSuite } from "../contract/lifecycle.js"
import { objectLockSuite } from "../contract/objectLock.js"
import { prefixCopyFaults, prefixCopySuite } from "../contract/prefixCopy.js"
import { presignSuite } from "../contract/presign.js"
import { syncSuite } from "../contract/sync.js"
import { versioningSuite } from "../contract/versioning.js"
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
versioningSuite("S3PoLive versions", liveLayer(), { capabilities })
objectLockSuite("S3PoLive object lock", liveLayer(), { capabilities })
handlesSuite("S3PoLive bucket and prefix handles", liveLayer(), { capabilities })
handlesPendingUploadsSuite("S3PoLive pending uploads under a prefix", liveLayer({ faults: handlesStrandingFaults }))
visibilitySuite("S3PoLive missing buckets and s3po's own metadata", Effect.sync(() => liveBackend()), { capabilities })
visibilitySuite(
  "S3PoLive missing buckets and s3po's own metadata, every request through the SDK",
  Effect.sync(() => sdkBackend()),
  { capabilities }
)
// Ceph RGW takes customer keys over plain HTTP only with `rgw crypt require ssl = false` (else 400 InvalidRequest).
customerKeysSuite("S3PoLive customer keys (SSE-C)", liveLayer(), {
  capabilities,
  fetch: (url, init) => Effect.promise(() => fetch(url, init))
})
// The live primitives through a call log, which shows that rules refused send no request.
const lifecycleLog = Effect.runSync(S3PoBackend.makeCallLog())
lifecycleSuite(
  "S3PoLive lifecycle rules",
  S3PoBackend.layer(S3PoBackend.withCallLog(liveBackend(), lifecycleLog)),
  {
    capabilities,
    requestsSent: Effect.map(lifecycleLog.counts, (counts) => counts.total)
  }
)
