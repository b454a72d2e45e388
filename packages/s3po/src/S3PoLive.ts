/**
 * `S3Po` over the AWS SDK's `S3Client`: for AWS S3 and S3-compatible servers (MinIO, Ceph RGW,
 * Cloudflare R2, ...).
 *
 * @since 0.1.0
 */
import { S3Client } from "@aws-sdk/client-s3"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as tls from "node:tls"
import { fromBackend } from "./internal/core/layer.js"
import * as Limits from "./internal/core/limits.js"
import { exponential } from "./internal/core/retry.js"
import * as LiveBackend from "./internal/live/backend.js"
import * as PayloadHasher from "./internal/live/payloadHasher.js"
import type { RetryPolicy } from "./Retry.js"
import type { MultipartOptions, S3Po } from "./S3Po.js"

/**
 * Static credentials. When none are given, the AWS SDK's default provider chain finds them
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, shared profiles, SSO, instance roles, ...).
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

/**
 * @since 0.1.0
 * @category options
 */
export interface LiveOptions {
  /** An S3-compatible server, e.g. `http://127.0.0.1:9000`. Default: AWS S3. */
  readonly endpoint?: string | undefined
  /** Default `us-east-1`. */
  readonly region?: string | undefined
  readonly credentials?: LiveCredentials | undefined
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint`. Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean | undefined
  /**
   * When the SDK adds CRC32 checksums to requests. `WHEN_REQUIRED` for servers that reject them
   * (Cloudflare R2, older MinIO and Ceph). Default: the SDK's (`WHEN_SUPPORTED`).
   */
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED" | undefined
  /** Default: `Retry.exponential()`. */
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /** Sockets per host. Default 256, the highest concurrency s3po runs. */
  readonly maxSockets?: number | undefined
  /**
   * Time from sending a request to the start of its response (its status and headers, so after an
   * upload's whole body) before the attempt fails with a retryable `TransportError`. Default: none,
   * as a large part on a slow link may take long; `idleTimeout` catches a server that stops.
   */
  readonly requestTimeout?: Duration.DurationInput | undefined
  /** Time to wait for a connection before failing the attempt with a retryable `TransportError`. Default 10 seconds. */
  readonly connectionTimeout?: Duration.DurationInput | undefined
  /**
   * Time a request may go without a byte sent or received, body included, before the attempt fails
   * with a retryable `TransportError` (a download then resumes from its first missing byte). A
   * transfer that keeps moving is never cut, however long it takes. Default 60 seconds.
   */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /**
   * Sign the bytes of uploads over HTTPS too. Default false: over HTTPS, TLS guards them and S3
   * checks their CRC32 (unless `requestChecksumCalculation` is `WHEN_REQUIRED`), and hashing them
   * costs about 0.7 s of CPU per GiB (the AWS SDKs for Java, Go and Python leave them unsigned as
   * well). Over plain HTTP they are always signed.
   */
  readonly signPayloadOverHttps?: boolean | undefined
  /** PEM certificates to trust besides Node's own, for a server whose certificate a private CA issued. */
  readonly extraCaCertificates?: ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category options
 */
export interface LiveClientOptions {
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
}

const defaultConnectionTimeout = Duration.seconds(10)
const defaultIdleTimeout = Duration.seconds(60)

const millis = (duration: Duration.DurationInput) => Math.round(Duration.toMillis(Duration.decode(duration)))

/**
 * Takes out of a client the SDK's own retry and logging steps, which s3po does itself: with
 * `maxAttempts: 1` and no logger they decide nothing, yet cost 5-15% of the client's CPU on a small
 * request, measured (a retry token, a request id and a race of promises against the abort signal; a
 * filtered copy of every input and output for a logger that drops them). The retry step stays by
 * name, as a pass-through: the signing step is placed relative to it.
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

const clientFor = (options: LiveOptions): S3Client => {
  const agent = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? Limits.maxSockets,
    ...(options.extraCaCertificates === undefined
      ? {}
      : { ca: [...tls.rootCertificates, ...options.extraCaCertificates] })
  }
  return withoutSdkRetriesAndLogging(
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
        httpAgent: agent,
        httpsAgent: agent,
        connectionTimeout: millis(options.connectionTimeout ?? defaultConnectionTimeout),
        socketTimeout: millis(options.idleTimeout ?? defaultIdleTimeout),
        ...(options.requestTimeout === undefined ? {} : { requestTimeout: millis(options.requestTimeout) }),
        // Without it the handler only logs a request past its `requestTimeout`, and waits on.
        throwOnRequestTimeout: true
      }
    })
  )
}

/** Whether the bytes of uploads are signed: always over plain HTTP, over HTTPS when asked. */
const signsUploads = (options: LiveOptions): boolean =>
  options.signPayloadOverHttps === true || options.endpoint?.toLowerCase().startsWith("http:") === true

const acquireHasher = Effect.acquireRelease(Effect.sync(PayloadHasher.make), (hasher) => hasher.close)

/**
 * How the live backend signs the bytes of uploads: with parts hashed off the event loop, or not at
 * all, each part then carrying the CRC32 the SDK would send.
 */
const backendOptions = (
  client: S3Client,
  options: LiveOptions
): Effect.Effect<LiveBackend.LiveBackendOptions, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (signsUploads(options)) return { hasher: yield* acquireHasher }
    // An invalid setting fails every request in the SDK, with the SDK's own error.
    const checksums = yield* Effect.tryPromise(() => client.config.requestChecksumCalculation()).pipe(
      Effect.orElseSucceed(() => "WHEN_SUPPORTED")
    )
    return { unsignedUploads: { crc32: checksums === "WHEN_SUPPORTED" } }
  })

/**
 * `S3Po` over an `S3Client` built from `options`, created with the layer and destroyed with it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLive = (options: LiveOptions = {}): Layer.Layer<S3Po> =>
  fromBackend(Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => clientFor(options)),
      (client) => Effect.sync(() => client.destroy())
    )
    return {
      backend: LiveBackend.make(client, yield* backendOptions(client, options)),
      settings: { retry: options.retry, multipart: options.multipart }
    }
  }))

/**
 * `S3Po` over an `S3Client` the caller already has and keeps owning: the layer does not destroy it.
 * Configure that client with `maxAttempts: 1`, or its retries multiply s3po's. The layer leaves the
 * client's configuration as it is: unlike `layerLive`'s, such a client signs upload bytes over HTTPS
 * too and, by the SDK's default `expectContinueHeader`, opens a new connection for every body of
 * 2 MiB or more.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLiveFromClient = (client: S3Client, options: LiveClientOptions = {}): Layer.Layer<S3Po> =>
  fromBackend(
    Effect.map(acquireHasher, (hasher) => ({ backend: LiveBackend.make(client, { hasher }), settings: options }))
  )

/**
 * Reads `LiveOptions` from configuration: `S3PO_ENDPOINT`, `AWS_REGION` (default `us-east-1`),
 * `S3PO_FORCE_PATH_STYLE` (default: true when an endpoint is set), `AWS_REQUEST_CHECKSUM_CALCULATION`
 * (`WHEN_SUPPORTED` or `WHEN_REQUIRED`), `S3PO_MAX_RETRIES` (default 5). Credentials come from the
 * AWS SDK's default provider chain.
 *
 * @since 0.1.0
 * @category config
 */
export const liveConfig: Config.Config<LiveOptions> = Config.all({
  endpoint: Config.option(Config.string("S3PO_ENDPOINT")),
  region: Config.withDefault(Config.string("AWS_REGION"), "us-east-1"),
  forcePathStyle: Config.option(Config.boolean("S3PO_FORCE_PATH_STYLE")),
  requestChecksumCalculation: Config.option(
    Config.literal("WHEN_SUPPORTED", "WHEN_REQUIRED")("AWS_REQUEST_CHECKSUM_CALCULATION")
  ),
  maxRetries: Config.option(Config.integer("S3PO_MAX_RETRIES"))
}).pipe(Config.map((config): LiveOptions => ({
  endpoint: Option.getOrUndefined(config.endpoint),
  region: config.region,
  forcePathStyle: Option.getOrUndefined(config.forcePathStyle),
  requestChecksumCalculation: Option.getOrUndefined(config.requestChecksumCalculation),
  retry: Option.match(config.maxRetries, {
    onNone: () => undefined,
    onSome: (maxRetries) => maxRetries === 0 ? "off" as const : exponential({ maxRetries })
  })
})))

/**
 * `S3Po` over an `S3Client` configured from `config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLiveConfig = (config: Config.Config<LiveOptions>): Layer.Layer<S3Po, ConfigError.ConfigError> =>
  Layer.unwrapEffect(Effect.map(config, layerLive))

/**
 * `S3Po` over AWS S3 or the S3-compatible server that the environment names (see `liveConfig`).
 *
 * @since 0.1.0
 * @category layers
 */
export const S3PoLive: Layer.Layer<S3Po, ConfigError.ConfigError> = layerLiveConfig(liveConfig)
