import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3PoBackend } from "s3po"
import {
  bucketsSuite,
  contractSuite,
  documentsSuite,
  pendingUploadsSuite,
  prefixCopyFaults,
  prefixCopySuite,
  strandingFaults,
  streamingBatchesSuite
} from "s3po/testing"
import { localDirectory } from "./localDirectory.js"

/** `S3Po` over a folder of its own, removed when the suite's layer is released, through `wrap`. */
const overTempDir = (wrap: (backend: S3PoBackend.Backend) => S3PoBackend.Backend = (backend) => backend) =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-local-"))),
        (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
      ),
      (dir) => S3PoBackend.layer(wrap(localDirectory(dir)), { checksumAlgorithm: "none" })
    )
  )

// No storage class but STANDARD, no encryption; conditional writes and tags it has.
contractSuite("a local directory", overTempDir(), {
  capabilities: { storageClasses: [], serverSideEncryption: false }
})
// A store that keeps no tags passes too, once it says so: it answers GetObjectTagging with none (copies
// read the source's tags) and leaves PutObjectTagging out (S3PoBackend.make answers 501 NotImplemented).
contractSuite(
  "a local directory without tags",
  overTempDir(({ putObjectTagging: _, ...rest }) =>
    S3PoBackend.make({ ...rest, getObjectTagging: () => Effect.succeed({}) })
  ),
  { capabilities: { storageClasses: [], serverSideEncryption: false, tags: false } }
)
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
