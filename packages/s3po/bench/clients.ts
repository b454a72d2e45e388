import { S3Client } from "@aws-sdk/client-s3"
import * as Redacted from "effect/Redacted"
import { layerLive, type LiveOptions } from "../src/index.js"
import { maxSockets } from "../src/internal/core/limits.js"

/** The credentials the benchmark fixture is given and takes. */
export const credentials = { accessKeyId: "bench", secretAccessKey: "bench-secret" }

/** `S3PoLive` on the fixture at `endpoint`, with `options` besides. */
export const s3poLayer = (endpoint: string, options: LiveOptions = {}) =>
  layerLive({
    endpoint,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: Redacted.make(credentials.secretAccessKey) },
    ...options
  })

/** The raw SDK client the comparisons pit s3po against: no retries, and as many sockets as s3po's. */
export const rawClient = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    maxAttempts: 1,
    credentials,
    requestHandler: { httpAgent: { keepAlive: true, maxSockets } }
  })
