import * as Effect from "effect/Effect"
import { S3PoMock } from "s3po"
import {
  awsS3Capabilities,
  checksumsSuite,
  contractSuite,
  handlesPendingUploadsSuite,
  handlesStrandingFaults,
  handlesSuite,
  inputRulesSuite,
  visibilitySuite
} from "s3po/testing"
import { bucketsSuite } from "../contract/buckets.js"
import { customerKeysSuite } from "../contract/customerKeys.js"
import { documentsSuite } from "../contract/documents.js"
import { lifecycleSuite } from "../contract/lifecycle.js"
import { objectLockSuite } from "../contract/objectLock.js"
import { prefixCopyFaults, prefixCopySuite } from "../contract/prefixCopy.js"
import { versioningSuite } from "../contract/versioning.js"
import { mockBackend } from "../utils/backends.js"

// The contract suite as users run it (s3po/testing), its precise part included.
contractSuite("S3PoMock", S3PoMock, { capabilities: awsS3Capabilities })
// With a millisecond per request, concurrent updates overlap as over a network.
documentsSuite("S3PoMock reads with info and JSON documents", S3PoMock.layer({ latency: "1 millis" }))
// S3PoMock keeps no call log: layerMock, the same service over the same store, counts the requests.
inputRulesSuite("S3PoMock input rules", S3PoMock)
bucketsSuite("S3PoMock buckets", S3PoMock)
handlesSuite("S3PoMock bucket and prefix handles", S3PoMock.layer(), {
  capabilities: awsS3Capabilities,
  fetch: (url, init) => Effect.flatMap(S3PoMock.Control, (control) => control.fetch(url, init)),
  requestsSent: Effect.flatMap(S3PoMock.Control, (control) => Effect.map(control.callCounts, (counts) => counts.total))
})
handlesPendingUploadsSuite(
  "S3PoMock pending uploads under a prefix",
  S3PoMock.layer({ faults: handlesStrandingFaults })
)
prefixCopySuite("S3PoMock prefix copy and move", S3PoMock.layer({ faults: prefixCopyFaults }))
versioningSuite("S3PoMock versions", S3PoMock.layer(), { capabilities: awsS3Capabilities })
objectLockSuite("S3PoMock object lock", S3PoMock.layer(), { capabilities: awsS3Capabilities })
checksumsSuite("S3PoMock checksums on upload", Effect.sync(mockBackend), { capabilities: awsS3Capabilities })
visibilitySuite("S3PoMock missing buckets and s3po's own metadata", Effect.sync(mockBackend), {
  capabilities: awsS3Capabilities
})
const requestsSent = Effect.flatMap(
  S3PoMock.Control,
  (control) => Effect.map(control.callCounts, (counts) => counts.total)
)
customerKeysSuite("S3PoMock customer keys (SSE-C)", S3PoMock.layer(), {
  capabilities: awsS3Capabilities,
  fetch: (url, init) => Effect.flatMap(S3PoMock.Control, (control) => control.fetch(url, init)),
  requestsSent
})
lifecycleSuite("S3PoMock lifecycle rules", S3PoMock.layer(), { capabilities: awsS3Capabilities, requestsSent })
