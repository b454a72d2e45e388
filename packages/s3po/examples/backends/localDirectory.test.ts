import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3PoBackend } from "s3po"
import {
  bucketsSuite,
  type Capabilities,
  checksumsSuite,
  contractSuite,
  documentsSuite,
  handlesPendingUploadsSuite,
  handlesStrandingFaults,
  handlesSuite,
  inputRulesSuite,
  pendingUploadsSuite,
  prefixCopyFaults,
  prefixCopySuite,
  primitivesSuite,
  strandingFaults,
  streamingBatchesSuite,
  streamingSuite,
  visibilitySuite
} from "s3po/testing"
import { localDirectory } from "./localDirectory.js"

/** A folder of its own, removed when the scope closes. */
const tempFolder = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-local-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

/** `S3Po` over a folder of its own, removed when the suite's layer is released, through `wrap`. */
const overTempDir = (wrap: (backend: S3PoBackend.Backend) => S3PoBackend.Backend = (backend) => backend) =>
  Layer.unwrapScoped(
    Effect.map(tempFolder, (dir) => S3PoBackend.layer(wrap(localDirectory(dir)), { checksumAlgorithm: "none" }))
  )

/** For the backend suites: a backend over a folder of each test's own. */
const inTempDir = (wrap: (backend: S3PoBackend.Backend) => S3PoBackend.Backend = (backend) => backend) =>
  Effect.map(tempFolder, (dir) => wrap(localDirectory(dir)))

/**
 * The store without tags: it answers GetObjectTagging with none (copies read the source's tags) and
 * leaves PutObjectTagging out (S3PoBackend.make answers 501 NotImplemented).
 */
const withoutTags = ({ putObjectTagging: _, ...rest }: S3PoBackend.Backend) =>
  S3PoBackend.make({ ...rest, getObjectTagging: () => Effect.succeed({}) })

// No storage class but STANDARD, no encryption, no checksum kept, no presigner; conditional writes and
// tags it has, and parts out of order it refuses, as AWS S3 does.
const capabilities: Partial<Capabilities> = {
  storageClasses: [],
  serverSideEncryption: false,
  keepsChecksums: false,
  presign: false
}
const tagless: Partial<Capabilities> = { ...capabilities, tags: false }

/** A call log the layer's requests go through, for the suites that show bad input sends none. */
const counted = () => {
  const log = Effect.runSync(S3PoBackend.makeCallLog({ limit: 0 }))
  return {
    wrap: (backend: S3PoBackend.Backend) => backend.pipe(S3PoBackend.withCallLog(log)),
    requestsSent: Effect.map(log.counts, (counts) => counts.total)
  }
}

contractSuite("a local directory", overTempDir(), { capabilities })
// A store that keeps no tags passes too, once it says so.
contractSuite("a local directory without tags", overTempDir(withoutTags), { capabilities: tagless })
documentsSuite("a local directory: documents", overTempDir())
bucketsSuite("a local directory: buckets", overTempDir())
pendingUploadsSuite(
  "a local directory: pending uploads",
  overTempDir((backend) => backend.pipe(S3PoBackend.withFaults(strandingFaults)))
)
prefixCopySuite(
  "a local directory: prefix copies",
  overTempDir((backend) => backend.pipe(S3PoBackend.withFaults(prefixCopyFaults)))
)
streamingBatchesSuite("a local directory: streaming batches", overTempDir())

primitivesSuite("a local directory: primitives", inTempDir(), { capabilities })
streamingSuite("a local directory: streaming", inTempDir())
checksumsSuite("a local directory: checksums", inTempDir(), { capabilities })
visibilitySuite("a local directory: visibility", inTempDir(), { capabilities })
visibilitySuite("a local directory without tags: visibility", inTempDir(withoutTags), { capabilities: tagless })

const inputs = counted()
inputRulesSuite("a local directory: input rules", overTempDir(inputs.wrap), {
  capabilities,
  requestsSent: inputs.requestsSent
})
const untaggedInputs = counted()
inputRulesSuite(
  "a local directory without tags: input rules",
  overTempDir((backend) => untaggedInputs.wrap(withoutTags(backend))),
  {
    capabilities: tagless,
    requestsSent: untaggedInputs.requestsSent
  }
)
const handles = counted()
handlesSuite("a local directory: bucket and prefix handles", overTempDir(handles.wrap), {
  capabilities,
  requestsSent: handles.requestsSent
})
handlesSuite("a local directory without tags: bucket and prefix handles", overTempDir(withoutTags), {
  capabilities: tagless
})
handlesPendingUploadsSuite(
  "a local directory: pending uploads under a prefix",
  overTempDir((backend) => backend.pipe(S3PoBackend.withFaults(handlesStrandingFaults)))
)
