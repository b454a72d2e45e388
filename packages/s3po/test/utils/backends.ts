import { S3Client } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { Backend } from "../../src/internal/core/backend.js"
import { fromBackend } from "../../src/internal/core/layer.js"
import * as LiveBackend from "../../src/internal/live/backend.js"
import * as Endpoints from "../../src/internal/live/endpoints.js"
import * as SignedHttp from "../../src/internal/live/signedHttp.js"
import * as MockBackend from "../../src/internal/mock/backend.js"
import * as MockPresign from "../../src/internal/mock/presign.js"
import type { RetryPolicy } from "../../src/Retry.js"
import type { S3Po } from "../../src/S3Po.js"
import type { S3PoError } from "../../src/S3PoError.js"
import { server } from "./live.js"

/** A layer over a backend the test keeps a handle on, to look at what the service did underneath. */
export const layerOver = (backend: Backend, retry?: RetryPolicy): Layer.Layer<S3Po> =>
  fromBackend(Effect.succeed({ backend, presigner: MockPresign.make().presigner, settings: { retry } }))

export const mockBackend = () => Effect.runSync(MockBackend.makeEmpty)

/**
 * The live primitives over a client, as `S3PoLive` assembles them: object requests over s3po's own
 * signed transport (whose pools live as long as the test process), the rest through the SDK.
 */
export const liveBackendOf = (client: S3Client) =>
  LiveBackend.make({ client }, {
    http: SignedHttp.make(client, { connections: 64 }),
    endpoints: Endpoints.make(client)
  })

export const liveBackend = (endpoint = server().endpoint) =>
  liveBackendOf(
    new S3Client({
      endpoint,
      region: server().region,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
    })
  )

/** The live primitives, every one through the AWS SDK's `S3Client` (`S3PoLive`'s SDK transport). */
export const sdkBackend = (endpoint = server().endpoint) =>
  LiveBackend.makeSdk({
    client: new S3Client({
      endpoint,
      region: server().region,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: server().accessKeyId, secretAccessKey: server().secretAccessKey }
    })
  })

/** Counts runs of each primitive (each attempt counts) and lets a test fail chosen ones. */
export const instrument = (
  backend: Backend,
  fail: (operation: keyof Backend, call: number, args: ReadonlyArray<unknown>) => S3PoError | undefined = () =>
    undefined
) => {
  const calls = new Map<keyof Backend, number>()
  const wrapped = Object.fromEntries(
    Object.entries(backend).map(([name, primitive]) => [
      name,
      (...args: Array<unknown>) =>
        Effect.suspend(() => {
          const operation = name as keyof Backend
          const call = (calls.get(operation) ?? 0) + 1
          calls.set(operation, call)
          const failure = fail(operation, call, args)
          return failure === undefined
            ? (primitive as (...args: Array<unknown>) => Effect.Effect<unknown, S3PoError>)(...args)
            : Effect.fail(failure)
        })
    ])
  ) as unknown as Backend
  return { backend: wrapped, calls: (operation: keyof Backend) => calls.get(operation) ?? 0 }
}
