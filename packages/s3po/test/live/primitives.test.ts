import { S3Client } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import { awsS3Capabilities, cephRgwCapabilities, primitivesSuite } from "s3po/testing"
import { liveBackendOf } from "../utils/backends.js"
import { server } from "../utils/live.js"

primitivesSuite(
  "live primitives",
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() =>
        new S3Client({
          endpoint: server().endpoint,
          region: server().region,
          forcePathStyle: true,
          maxAttempts: 1,
          credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
        })
      ),
      (client) => Effect.sync(() => client.destroy())
    ),
    liveBackendOf
  ),
  { capabilities: server().kind === "rgw" ? cephRgwCapabilities : awsS3Capabilities }
)
