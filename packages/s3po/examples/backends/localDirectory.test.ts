import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3PoBackend } from "s3po"
import { contractSuite } from "s3po/testing"
import { localDirectory } from "./localDirectory.js"

// A folder of its own, removed when the suite's layer is released.
const overTempDir = Layer.unwrapScoped(
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-local-"))),
      (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
    ),
    (dir) => S3PoBackend.layer(localDirectory(dir), { checksumAlgorithm: "none" })
  )
)

contractSuite("a local directory", overTempDir, {
  capabilities: { storageClasses: [], serverSideEncryption: false }
})
