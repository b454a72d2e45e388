/**
 * `S3Po` over the AWS SDK's `S3Client`: for AWS S3 and S3-compatible servers (MinIO, Ceph RGW,
 * Cloudflare R2, ...). `S3PoLive.layer(options)`, `S3PoLive.layerConfig()` (from the environment)
 * or `S3PoLive.layerFromClient(client)`.
 *
 * @since 0.1.0
 */
import type { S3Client } from "@aws-sdk/client-s3"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Fault from "./Fault.js"
import { fromBackend } from "./internal/core/layer.js"
import * as Retry from "./Retry.js"
import type { DurationOption, MultipartOptions, S3Po } from "./S3Po.js"
import type * as S3PoBackend from "./S3PoBackend.js"
import type { ValidationError } from "./S3PoError.js"

/**
 * Static credentials. When none are given, the AWS SDK's default provider chain finds them
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, shared profiles, SSO, instance roles, ...).
 *
 * @since 0.5.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string> | undefined
}

/**
 * @since 0.5.0
 * @category options
 */
export interface Options {
  /** An S3-compatible server, e.g. `http://127.0.0.1:9000`. Default: AWS S3. */
  readonly endpoint?: string | undefined
  /** Default `us-east-1`. */
  readonly region?: string | undefined
  readonly credentials?: Credentials | undefined
  /** Address buckets as `endpoint/bucket` instead of `bucket.endpoint`. Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean | undefined
  /**
   * Whether uploads carry a checksum unless they name one (`UploadOptions.checksumAlgorithm`):
   * `WHEN_SUPPORTED` (the SDK's default) sends CRC32; `WHEN_REQUIRED`, for servers that reject
   * checksum headers (Cloudflare R2, older MinIO and Ceph), sends none but those asked for. s3po
   * computes every upload's checksum itself: the SDK adds none of its own.
   */
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED" | undefined
  /** Default: `Retry.exponential()`. */
  readonly retry?: Retry.RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /**
   * The most connections the layer holds at once, over every host and both ways requests are sent
   * (s3po's own transport and the SDK's commands). A request past it waits for one: an idle
   * connection is closed to make room, a busy one waited for. Default 256, the highest concurrency
   * s3po runs.
   */
  readonly maxSockets?: number | undefined
  /**
   * Time from sending a request to the start of its response (its status and headers, so after an
   * upload's whole body) before the attempt fails with a retryable `TransportError`. Default: none,
   * as a large part on a slow link may take long; `idleTimeout` catches a server that stops.
   */
  readonly requestTimeout?: DurationOption | undefined
  /** Time to wait for a connection before failing the attempt with a retryable `TransportError`. Default 10 seconds. */
  readonly connectionTimeout?: DurationOption | undefined
  /**
   * Time a request may go without a byte sent or received, body included, before the attempt fails
   * with a retryable `TransportError` (a download then resumes from its first missing byte). A
   * transfer that keeps moving is never cut, however long it takes. Default 60 seconds.
   */
  readonly idleTimeout?: DurationOption | undefined
  /**
   * Sign the bytes of uploads over HTTPS too. Default false: over HTTPS, TLS guards them and S3
   * checks their CRC32 (unless `requestChecksumCalculation` is `WHEN_REQUIRED`), and hashing them
   * costs about 0.7 s of CPU per GiB (the AWS SDKs for Java, Go and Python leave them unsigned as
   * well). Over plain HTTP they are always signed.
   */
  readonly signPayloadOverHttps?: boolean | undefined
  /** PEM certificates to trust besides Node's own, for a server whose certificate a private CA issued. */
  readonly extraCaCertificates?: ReadonlyArray<string> | undefined
  /**
   * Faults to inject in front of the server, as `S3PoMock.layer` takes them (`Fault`): to rehearse
   * failures against a real server. Each injected fault becomes the typed error the real failure
   * would, and goes through the same retry policy. Default: none.
   */
  readonly faults?: ReadonlyArray<Fault.Rule> | undefined
  /** Seeds the random numbers that `rate` fault rules draw. Default 0. */
  readonly randomSeed?: number | undefined
  /**
   * At most `limit` requests start in any `interval`, over everything the layer sends, each attempt
   * counted: `S3PoBackend.withRateLimit` in front of the server. Default: none.
   *
   * @since 0.6.0
   */
  readonly rateLimit?: S3PoBackend.RateLimit | undefined
  /**
   * At most `bytesPerSecond` bytes a second, uploads and downloads together, over everything the
   * layer moves: `S3PoBackend.withBandwidthLimit` in front of the server. Default: none.
   *
   * @since 0.6.0
   */
  readonly bandwidthLimit?: S3PoBackend.BandwidthLimit | undefined
  /** How GET, PUT, HEAD and DELETE of objects are sent: by s3po's own transport (default) or the SDK's commands. */
  readonly transport?: Transport | undefined
  /**
   * Whether whole-object downloads check their bytes against the object's checksum (or its MD5
   * ETag, or the part size its upload recorded), as `DownloadOptions.verify`, which a call may set
   * the other way. Default true.
   */
  readonly verifyDownloads?: boolean | undefined
  /**
   * Whether multipart uploads and copies record their part size in the object's user metadata
   * (`x-amz-meta-s3po-part-size`, hidden from `head`'s metadata), so that a download can recompute
   * the object's multipart ETag and check its bytes on a server that keeps no checksum (Ceph RGW
   * 16). Default true; it takes about 25 of S3's 2 KB of user metadata, and is left out where the
   * caller's own leave no room.
   */
  readonly recordPartSize?: boolean | undefined
}

/**
 * How object requests are sent. `"s3po"`: by s3po's own transport, signed with the SDK's
 * credentials, endpoint rules and signer, at a fraction of the SDK's CPU per request. `"sdk"`:
 * through the SDK's commands, its request handler and middleware (a client mocked at `send`, a
 * custom handler or middleware then sees them).
 *
 * @since 0.2.0
 * @category options
 */
export type Transport = "s3po" | "sdk"

/**
 * @since 0.5.0
 * @category options
 */
export interface ClientOptions {
  readonly retry?: Retry.RetryPolicy | undefined
  readonly multipart?: MultipartOptions | undefined
  /**
   * PEM certificates to trust besides Node's own for object requests, which s3po sends itself
   * with the client's credentials, endpoints and signer, over its own connections: the client's
   * HTTP handler (and its agent's certificates) carries only its other requests.
   */
  readonly extraCaCertificates?: ReadonlyArray<string> | undefined
  /** How GET, PUT, HEAD and DELETE of objects are sent (default `"s3po"`). */
  readonly transport?: Transport | undefined
  /** As `Options.verifyDownloads`. Default true. */
  readonly verifyDownloads?: boolean | undefined
  /** As `Options.recordPartSize`. Default true. */
  readonly recordPartSize?: boolean | undefined
  /** As `Options.rateLimit`. Default: none. @since 0.6.0 */
  readonly rateLimit?: S3PoBackend.RateLimit | undefined
  /** As `Options.bandwidthLimit`. Default: none. @since 0.6.0 */
  readonly bandwidthLimit?: S3PoBackend.BandwidthLimit | undefined
}

/** The module that loads the AWS SDK, loaded when a live layer is built. */
const loadLive = Effect.promise(() => import("./internal/live/layer.js"))

/**
 * `S3Po` over an `S3Client` built from `options`, created with the layer and destroyed with it.
 * The AWS SDK is loaded when the layer is built, not when s3po is imported. An option it cannot
 * take (a timeout that is a bare number, not a duration) fails the layer with a `ValidationError`.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoLive } from "s3po"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 *
 * const minio = S3PoLive.layer({
 *   endpoint: "http://127.0.0.1:9000",
 *   credentials: { accessKeyId: "minioadmin", secretAccessKey: Redacted.make("minioadmin") },
 *   requestTimeout: "30 seconds",
 *   idleTimeout: "1 minute"
 * })
 *
 * const buckets = Effect.flatMap(S3Po, (s3) => s3.listBuckets()).pipe(Effect.provide(minio))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<S3Po, ValidationError> =>
  fromBackend(Effect.flatMap(loadLive, (live) => live.acquire(options)))

/**
 * `S3Po` over an `S3Client` the caller already has and keeps owning: the layer does not destroy it.
 * Configure that client with `maxAttempts: 1`, or its retries multiply s3po's. The layer leaves the
 * client's configuration as it is: unlike `layer`'s, such a client signs upload bytes over HTTPS
 * too, has no default timeouts and, by the SDK's default `expectContinueHeader`, opens a new
 * connection for every body of 2 MiB or more.
 *
 * @example
 * ```ts
 * import { S3Client } from "@aws-sdk/client-s3"
 * import { S3Po, S3PoLive } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const client = new S3Client({ region: "eu-west-1", maxAttempts: 1 })
 * const buckets = Effect.flatMap(S3Po, (s3) => s3.listBuckets()).pipe(
 *   Effect.provide(S3PoLive.layerFromClient(client))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerFromClient = (
  client: S3Client,
  options: ClientOptions = {}
): Layer.Layer<S3Po, ValidationError> =>
  fromBackend(Effect.flatMap(loadLive, (live) => live.acquireFromClient(client, options)))

/**
 * Reads `Options` from configuration: `S3PO_ENDPOINT`, `AWS_REGION` (default `us-east-1`),
 * `S3PO_FORCE_PATH_STYLE` (default: true when an endpoint is set), `AWS_REQUEST_CHECKSUM_CALCULATION`
 * (`WHEN_SUPPORTED` or `WHEN_REQUIRED`), `S3PO_MAX_RETRIES` (default 5), and the timeouts
 * `S3PO_REQUEST_TIMEOUT`, `S3PO_CONNECTION_TIMEOUT` and `S3PO_IDLE_TIMEOUT` as durations with their
 * unit (`"30 seconds"`: a bare number is a configuration error). Credentials come from the AWS
 * SDK's default provider chain.
 *
 * @since 0.2.0
 * @category config
 */
export const config: Config.Config<Options> = Config.all({
  endpoint: Config.option(Config.string("S3PO_ENDPOINT")),
  region: Config.withDefault(Config.string("AWS_REGION"), "us-east-1"),
  forcePathStyle: Config.option(Config.boolean("S3PO_FORCE_PATH_STYLE")),
  requestChecksumCalculation: Config.option(
    Config.literal("WHEN_SUPPORTED", "WHEN_REQUIRED")("AWS_REQUEST_CHECKSUM_CALCULATION")
  ),
  maxRetries: Config.option(Config.integer("S3PO_MAX_RETRIES")),
  requestTimeout: Config.option(Config.duration("S3PO_REQUEST_TIMEOUT")),
  connectionTimeout: Config.option(Config.duration("S3PO_CONNECTION_TIMEOUT")),
  idleTimeout: Config.option(Config.duration("S3PO_IDLE_TIMEOUT"))
}).pipe(Config.map((config): Options => ({
  endpoint: Option.getOrUndefined(config.endpoint),
  region: config.region,
  forcePathStyle: Option.getOrUndefined(config.forcePathStyle),
  requestChecksumCalculation: Option.getOrUndefined(config.requestChecksumCalculation),
  retry: Option.match(config.maxRetries, {
    onNone: () => undefined,
    onSome: (maxRetries) => maxRetries === 0 ? "off" as const : Retry.exponential({ maxRetries })
  }),
  requestTimeout: Option.getOrUndefined(config.requestTimeout),
  connectionTimeout: Option.getOrUndefined(config.connectionTimeout),
  idleTimeout: Option.getOrUndefined(config.idleTimeout)
})))

/**
 * `S3Po` over an `S3Client` configured from `options`, by default `config`: the environment.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoLive } from "s3po"
 * import * as Config from "effect/Config"
 * import * as Effect from "effect/Effect"
 *
 * // From the environment as it is, or with an option set over it.
 * const fromEnvironment = S3PoLive.layerConfig()
 * const patient = S3PoLive.layerConfig(
 *   Config.map(S3PoLive.config, (options) => ({ ...options, idleTimeout: "5 minutes" as const }))
 * )
 *
 * const buckets = Effect.flatMap(S3Po, (s3) => s3.listBuckets()).pipe(Effect.provide(fromEnvironment))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config<Options> = config
): Layer.Layer<S3Po, ConfigError.ConfigError | ValidationError> => Layer.unwrapEffect(Effect.map(options, layer))

/**
 * The live layer's module as one value, `import { S3PoLive } from "s3po"`: `S3PoLive.layer(options)`,
 * `S3PoLive.layerConfig(config?)`, `S3PoLive.layerFromClient(client)`, `S3PoLive.config`, and the
 * types `S3PoLive.Options`, `S3PoLive.ClientOptions`, `S3PoLive.Credentials`, `S3PoLive.Transport`.
 *
 * It is also, until 1.0, the layer it always was: providing `S3PoLive` itself serves `S3Po` over
 * AWS S3 or the S3-compatible server that the environment names. That form is deprecated: provide
 * `S3PoLive.layerConfig()` instead.
 *
 * @example
 * ```ts
 * import { S3Po, S3PoLive } from "s3po"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   return yield* s3.presign("reports", "2026/q1.pdf", { expiresIn: "1 hour" })
 * })
 *
 * const url = program.pipe(Effect.provide(S3PoLive.layerConfig()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const S3PoLive: Layer.Layer<S3Po, ConfigError.ConfigError | ValidationError> & {
  readonly layer: typeof layer
  readonly layerConfig: typeof layerConfig
  readonly layerFromClient: typeof layerFromClient
  readonly config: typeof config
} = Object.assign(Layer.suspend(() => layerConfig(config)), { layer, layerConfig, layerFromClient, config })

/**
 * The types of the live layer's module, reached through the `S3PoLive` value's name.
 *
 * @since 0.5.0
 */
export declare namespace S3PoLive {
  /**
   * @since 0.5.0
   * @category options
   */
  export type Options = LiveOptions
  /**
   * @since 0.5.0
   * @category options
   */
  export type ClientOptions = LiveClientOptions
  /**
   * @since 0.5.0
   * @category models
   */
  export type Credentials = LiveCredentials
  /**
   * @since 0.5.0
   * @category options
   */
  export type Transport = LiveTransport
}

type LiveTransport = Transport

/**
 * @since 0.1.0
 * @category models
 * @deprecated use `S3PoLive.Credentials`
 */
export type LiveCredentials = Credentials

/**
 * @since 0.1.0
 * @category options
 * @deprecated use `S3PoLive.Options`
 */
export type LiveOptions = Options

/**
 * @since 0.1.0
 * @category options
 * @deprecated use `S3PoLive.ClientOptions`
 */
export type LiveClientOptions = ClientOptions

/**
 * @since 0.1.0
 * @category layers
 * @deprecated use `S3PoLive.layer`
 */
export const layerLive: typeof layer = layer

/**
 * @since 0.1.0
 * @category layers
 * @deprecated use `S3PoLive.layerFromClient`
 */
export const layerLiveFromClient: typeof layerFromClient = layerFromClient

/**
 * @since 0.1.0
 * @category layers
 * @deprecated use `S3PoLive.layerConfig`
 */
export const layerLiveConfig: typeof layerConfig = layerConfig

/**
 * @since 0.1.0
 * @category config
 * @deprecated use `S3PoLive.config`
 */
export const liveConfig: typeof config = config
