import { S3Client } from "@aws-sdk/client-s3"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as tls from "node:tls"
import type { DurationOption } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import type { ClientOptions as LiveClientOptions, Options as LiveOptions } from "../../S3PoLive.js"
import * as ArgumentShapes from "../core/argumentShapes.js"
import type { Backend } from "../core/backend.js"
import * as FaultInjection from "../core/faultInjection.js"
import type { BackendSettings } from "../core/layer.js"
import * as Limits from "../core/limits.js"
import type { Presigner } from "../core/presign.js"
import * as TransferLimits from "../core/transferLimits.js"
import * as Validate from "../core/validation.js"
import * as LiveBackend from "./backend.js"
import * as ConnectionBudget from "./connectionBudget.js"
import * as Endpoints from "./endpoints.js"
import { capErrorBodies, defaultErrorBodyMillis, withCappedErrorBodies } from "./errorBodies.js"
import type { Lean } from "./objectRequests.js"
import * as PayloadHasher from "./payloadHasher.js"
import { presigner } from "./presign.js"
import type { LiveClient } from "./requests.js"
import * as SignedHttp from "./signedHttp.js"

/**
 * Everything `S3PoLive` needs of the AWS SDK, in the one module that loads it: the public module
 * imports it only when a live layer is built, so that importing s3po loads no SDK code.
 */

const defaultConnectionTimeout = Duration.seconds(10)
const defaultIdleTimeout = Duration.seconds(60)

const millis = (duration: DurationOption) => Math.round(Duration.toMillis(Duration.decode(duration)))

/**
 * Takes out of a client the SDK's own retry and logging steps, which s3po does itself: with
 * `maxAttempts: 1` and no logger they decide nothing, yet cost CPU on every request (a retry
 * token, a request id and a race of promises against the abort signal; a filtered copy of every
 * input and output for a logger that drops them). The retry step stays by name, as a
 * pass-through: the signing step is placed relative to it.
 */
const withoutSdkRetriesAndLogging = (client: S3Client): S3Client => {
  client.middlewareStack.add((next) => next, {
    name: "retryMiddleware",
    step: "finalizeRequest",
    priority: "high",
    override: true
  })
  client.middlewareStack.remove("loggerMiddleware")
  return client
}

const clientFor = (options: LiveOptions, budget: ConnectionBudget.ConnectionBudget): S3Client => {
  const agents = ConnectionBudget.agents({
    keepAlive: true,
    maxSockets: options.maxSockets ?? Limits.maxSockets,
    ...(options.extraCaCertificates === undefined
      ? {}
      : { ca: [...tls.rootCertificates, ...options.extraCaCertificates] })
  }, budget)
  const client = withoutSdkRetriesAndLogging(
    new S3Client({
      region: options.region ?? "us-east-1",
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      ...(options.credentials === undefined ? {} : {
        credentials: {
          accessKeyId: options.credentials.accessKeyId,
          secretAccessKey: Redacted.value(options.credentials.secretAccessKey),
          ...(options.credentials.sessionToken === undefined
            ? {}
            : { sessionToken: Redacted.value(options.credentials.sessionToken) })
        }
      }),
      ...(options.requestChecksumCalculation === undefined
        ? {}
        : { requestChecksumCalculation: options.requestChecksumCalculation }),
      // One retry policy: s3po's. The SDK's own retries would multiply attempts.
      maxAttempts: 1,
      // The SDK sends a request that carries `Expect: 100-continue` (by default, any body of 2 MiB or
      // more: every part) through a throwaway agent of its own: a new connection, and TLS handshake,
      // per part, outside `maxSockets` and without `extraCaCertificates`. Parts go through the agent
      // below instead; a part a server refuses is sent in vain, at most one part's bytes.
      expectContinueHeader: false,
      requestHandler: {
        ...agents,
        connectionTimeout: millis(options.connectionTimeout ?? defaultConnectionTimeout),
        socketTimeout: millis(options.idleTimeout ?? defaultIdleTimeout),
        ...(options.requestTimeout === undefined ? {} : { requestTimeout: millis(options.requestTimeout) }),
        // Without it the handler only logs a request past its `requestTimeout`, and waits on.
        throwOnRequestTimeout: true
      }
    })
  )
  // An error answer's body is read within the time a request may go without progress.
  capErrorBodies(client.middlewareStack, millis(options.idleTimeout ?? defaultIdleTimeout))
  return client
}

/** The client's checksum setting; an invalid one fails every request in the SDK, with the SDK's own error. */
const checksumsOf = (client: S3Client) =>
  Effect.tryPromise(() => client.config.requestChecksumCalculation()).pipe(
    Effect.orElseSucceed(() => "WHEN_SUPPORTED")
  )

/** The checksum uploads carry unless they name one, as the client's checksum setting says. */
const defaultChecksumOf = (client: S3Client) =>
  Effect.map(checksumsOf(client), (setting) => setting === "WHEN_REQUIRED" ? "none" as const : "CRC32" as const)

/**
 * s3po computes every upload's checksum (`upload.ts`), once: the layer's own client is set to add
 * none of its own, which under `WHEN_SUPPORTED` it would add to an upload sent with none, re-encoding
 * a streamed part as `aws-chunked` to carry it. The client's setting is read first, as the default.
 */
const withoutSdkChecksums = (client: S3Client) =>
  Effect.map(defaultChecksumOf(client), (checksumAlgorithm) => {
    client.config.requestChecksumCalculation = () => Promise.resolve("WHEN_REQUIRED")
    return checksumAlgorithm
  })

/** s3po's own signed transport for the client's object requests, closed with the scope. */
const acquireLean = (client: S3Client, http: SignedHttp.HttpOptions): Effect.Effect<Lean, never, Scope.Scope> =>
  Effect.gen(function*() {
    const signedHttp = yield* Effect.acquireRelease(
      Effect.sync(() => SignedHttp.make(client, http)),
      (transport) => Effect.promise(() => transport.close())
    )
    return { http: signedHttp, endpoints: Endpoints.make(client) }
  })

/** The transport's pools and timeouts, as the SDK's handler gets them. */
const httpOptionsOf = (options: LiveOptions, budget: ConnectionBudget.ConnectionBudget): SignedHttp.HttpOptions => {
  const idleTimeout = options.idleTimeout ?? defaultIdleTimeout
  return {
    connections: options.maxSockets ?? Limits.maxSockets,
    budget,
    connectTimeout: options.connectionTimeout ?? defaultConnectionTimeout,
    // Waiting for the answer's headers is a time without a byte received, unless a limit of its own is set.
    headersTimeout: options.requestTimeout ?? idleTimeout,
    bodyTimeout: idleTimeout,
    ca: options.extraCaCertificates === undefined
      ? undefined
      : [...tls.rootCertificates, ...options.extraCaCertificates]
  }
}

/** Whether the bytes of uploads are signed: always over plain HTTP, over HTTPS when asked. */
const signsUploads = (options: LiveOptions): boolean =>
  options.signPayloadOverHttps === true || options.endpoint?.toLowerCase().startsWith("http:") === true

const acquireHasher = Effect.acquireRelease(Effect.sync(PayloadHasher.make), (hasher) => hasher.close)

/**
 * How the live backend signs the bytes of uploads: with parts hashed off the event loop, or not at
 * all, guarded by TLS and the checksum each upload carries.
 */
const liveClient = (client: S3Client, options: LiveOptions): Effect.Effect<LiveClient, never, Scope.Scope> =>
  signsUploads(options)
    ? Effect.map(acquireHasher, (hasher) => ({ client, hasher }))
    : Effect.succeed({ client, unsignedUploads: true })

interface Acquired {
  readonly backend: Backend
  readonly presigner: Presigner
  readonly settings: BackendSettings
}

/** The backend, behind the injected faults when there are any; no one reads its call log, so none is kept. */
const withFaults = (backend: Backend, options: LiveOptions): Backend =>
  options.faults === undefined || options.faults.length === 0
    ? backend
    : FaultInjection.make(backend, { faults: options.faults, randomSeed: options.randomSeed, callLogLimit: 0 }).backend

/** What the layer cannot be built with, found before a client is made. */
const optionsProblem = (options: LiveOptions): Validate.Problem =>
  ArgumentShapes.options("S3PoLive.layer", options) ??
    Validate.region("S3PoLive.layer", options.region) ??
    Validate.concurrency("S3PoLive.layer", "maxSockets", options.maxSockets) ??
    Validate.multipart("S3PoLive.layer", options.multipart ?? {}) ??
    Validate.duration("S3PoLive.layer", "requestTimeout", options.requestTimeout) ??
    Validate.duration("S3PoLive.layer", "connectionTimeout", options.connectionTimeout) ??
    Validate.duration("S3PoLive.layer", "idleTimeout", options.idleTimeout) ??
    TransferLimits.limitsProblem("S3PoLive.layer", options)

/** A backend over an `S3Client` built from `options`, destroyed with the scope. */
export const acquire = (
  options: LiveOptions
): Effect.Effect<Acquired, ValidationError, Scope.Scope> =>
  Effect.gen(function*() {
    const problem = optionsProblem(options)
    if (problem !== undefined) return yield* problem
    // `maxSockets` holds over both paths: the SDK's agents and the own transport's pools share it.
    const budget = yield* Effect.acquireRelease(
      Effect.sync(() => ConnectionBudget.make(options.maxSockets ?? Limits.maxSockets)),
      (budget) => Effect.sync(budget.end)
    )
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => clientFor(options, budget)),
      (client) => Effect.sync(() => client.destroy())
    )
    const checksumAlgorithm = yield* withoutSdkChecksums(client)
    const backend = TransferLimits.withLimits(
      "S3PoLive.layer",
      withFaults(
        options.transport === "sdk"
          ? LiveBackend.makeSdk(yield* liveClient(client, options))
          : LiveBackend.make(
            yield* liveClient(client, options),
            yield* acquireLean(client, httpOptionsOf(options, budget))
          ),
        options
      ),
      options
    )
    if (backend instanceof ValidationError) return yield* backend
    return {
      backend,
      presigner: presigner(client),
      settings: {
        retry: options.retry,
        multipart: options.multipart,
        verifyDownloads: options.verifyDownloads,
        checksumAlgorithm,
        recordPartSize: options.recordPartSize
      }
    }
  })

/** A backend over the caller's own `S3Client`, which it leaves as it is. */
export const acquireFromClient = (
  client: S3Client,
  options: LiveClientOptions
): Effect.Effect<Acquired, ValidationError, Scope.Scope> =>
  Effect.gen(function*() {
    const problem = ArgumentShapes.argumentsProblem("S3PoLive.layerFromClient", [
      ["client", "client"],
      ["options", "options"]
    ], [client, options]) ?? Validate.multipart("S3PoLive.layerFromClient", options.multipart ?? {}) ??
      TransferLimits.limitsProblem("S3PoLive.layerFromClient", options)
    if (problem !== undefined) return yield* problem
    const hasher = yield* acquireHasher
    // The caller's client is left as it is: under `WHEN_SUPPORTED`, the SDK adds a CRC32 of its own
    // to an upload sent through its commands with `checksumAlgorithm: "none"`.
    const settings = {
      retry: options.retry,
      multipart: options.multipart,
      verifyDownloads: options.verifyDownloads,
      checksumAlgorithm: yield* defaultChecksumOf(client),
      recordPartSize: options.recordPartSize
    }
    const sending = withCappedErrorBodies(client, defaultErrorBodyMillis)
    const backend = TransferLimits.withLimits(
      "S3PoLive.layerFromClient",
      options.transport === "sdk" ? LiveBackend.makeSdk({ client: sending, hasher }) : LiveBackend.make(
        { client: sending, hasher },
        // The client's own handler settings are not the transport's: its pools get Node's defaults.
        yield* acquireLean(client, {
          connections: Limits.maxSockets,
          ca: options.extraCaCertificates === undefined
            ? undefined
            : [...tls.rootCertificates, ...options.extraCaCertificates]
        })
      ),
      options
    )
    if (backend instanceof ValidationError) return yield* backend
    return { backend, presigner: presigner(client), settings }
  })
