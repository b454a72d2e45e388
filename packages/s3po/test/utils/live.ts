import * as Redacted from "effect/Redacted"
import { layerLive, type LiveOptions } from "s3po"
import { inject } from "vitest"

export const server = () => inject("s3Server")

/** `S3PoLive` options for the test server, or for a proxy in front of it. */
export const liveOptions = (overrides: Partial<LiveOptions> = {}): LiveOptions => {
  const s3 = server()
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: Redacted.make(s3.secretAccessKey) },
    ...overrides
  }
}

export const liveLayer = (overrides: Partial<LiveOptions> = {}) => layerLive(liveOptions(overrides))
