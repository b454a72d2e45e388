import { S3Client } from "@aws-sdk/client-s3"
import * as Redacted from "effect/Redacted"
import { Pool } from "undici"
import { layerLive, type LiveOptions } from "../src/index.js"
import { maxSockets } from "../src/internal/core/limits.js"
import { emptyPayloadHash } from "../src/internal/live/signedHttp.js"

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

/**
 * The floor of any client that signs with the SDK's signer: GETs signed by the raw client's own
 * signer and sent over an `undici` pool, nothing else. No retries, no spans, no checks.
 */
export const signedUndiciGet = async (endpoint: string, bucket: string, key: string) => {
  const client = rawClient(endpoint)
  const signer = await client.config.signer({
    name: "sigv4",
    signingName: "s3",
    signingRegion: "us-east-1",
    properties: {}
  })
  const url = new URL(endpoint)
  const pool = new Pool(endpoint, { connections: maxSockets, pipelining: 1 })
  const get = async () => {
    const signed = await signer.sign({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: `/${bucket}/${key}`,
      query: {},
      headers: { host: url.host, "x-amz-content-sha256": emptyPayloadHash }
    })
    const response = await pool.request({ method: "GET", path: signed.path, headers: signed.headers })
    const body = await response.body.bytes()
    if (response.statusCode !== 200) throw new Error(`GET answered ${response.statusCode}`)
    return body
  }
  const close = async () => {
    client.destroy()
    await pool.close()
  }
  return { get, close }
}
