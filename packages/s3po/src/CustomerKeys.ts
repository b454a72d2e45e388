/**
 * Customer-provided encryption keys (SSE-C): S3 encrypts an object with the caller's key and keeps
 * only the key's MD5, so the key goes with every request on the object (`customerKey` on uploads,
 * reads, `head`, copies and presigned URLs). A key is 32 bytes (AES-256), kept `Redacted`: s3po
 * never shows it, in an error, a log, a span or a result.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CustomerKeys, S3Po } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const customerKey = yield* CustomerKeys.generate
 *   yield* s3.upload("vault", "secret.txt", "only with the key", { customerKey })
 *   const text = yield* s3.downloadString("vault", "secret.txt", { customerKey })
 *   // Without the key, or with another: CustomerKeyMismatch.
 *   yield* Effect.log(text)
 * })
 * ```
 *
 * @since 0.7.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { randomBytes } from "node:crypto"
import * as internal from "./internal/core/customerKeys.js"
import type { CustomerKey } from "./S3Po.js"

/**
 * A customer key of these bytes (copied: changing them after changes nothing). Its length is
 * checked where it is used: anything but 32 bytes fails the operation with `ValidationError`,
 * before any request.
 *
 * @since 0.7.0
 * @category constructors
 */
export const make = (bytes: Uint8Array): CustomerKey => Redacted.make(new Uint8Array(bytes))

/**
 * A new random key (32 bytes from the system's secure random source). Keep it: S3 keeps only its
 * MD5, and without it the object cannot be read again.
 *
 * @since 0.7.0
 * @category constructors
 */
export const generate: Effect.Effect<CustomerKey> = Effect.sync(() => Redacted.make(new Uint8Array(randomBytes(32))))

/**
 * A key written in base64 (44 characters), as S3's headers and `openssl rand -base64 32` write it.
 *
 * @since 0.7.0
 * @category constructors
 */
export const fromBase64 = (base64: Redacted.Redacted<string>): CustomerKey =>
  Redacted.make(new Uint8Array(Buffer.from(Redacted.value(base64), "base64")))

/**
 * A key read from the configuration (an environment variable, by default) in base64, as a
 * `Config.redacted`: a value that is not 32 bytes of base64 is a configuration error, which names
 * the variable and not its value.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { CustomerKeys, S3Po } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const customerKey = yield* CustomerKeys.config("S3_CUSTOMER_KEY")
 *   return yield* s3.download("vault", "ledger.csv", { customerKey })
 * })
 * ```
 *
 * @since 0.7.0
 * @category constructors
 */
export const config = (name: string): Config.Config<CustomerKey> =>
  Config.mapOrFail(Config.redacted(name), (base64) => {
    const key = fromBase64(base64)
    const problem = internal.problem("config", name, key)
    return problem === undefined ? Either.right(key) : Either.left(ConfigError.InvalidData([name], problem.reason))
  })

/**
 * The headers a request on an object encrypted with `key` carries
 * (`x-amz-server-side-encryption-customer-algorithm`, `-key` and `-key-MD5`): what the user of a
 * URL presigned with `customerKey` sends with it. `Redacted`, as they hold the key.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { CustomerKeys, S3Po } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const customerKey = yield* CustomerKeys.generate
 *   yield* s3.upload("vault", "report.pdf", new Uint8Array([1, 2, 3]), { customerKey })
 *   const url = yield* s3.presign("vault", "report.pdf", { customerKey })
 *   const response = yield* Effect.promise(() => fetch(url, { headers: Redacted.value(CustomerKeys.headers(customerKey)) }))
 *   return response.status
 * })
 * ```
 *
 * @since 0.7.0
 * @category headers
 */
export const headers = (key: CustomerKey): Redacted.Redacted<Readonly<Record<string, string>>> =>
  Redacted.make(internal.headersOf(key))

/**
 * The MD5 (base64) of a key: what S3 answers for an object encrypted with it (`ObjectInfo.customerKeyMd5`),
 * to tell which key an object needs without showing any key.
 *
 * @since 0.7.0
 * @category headers
 */
export const md5 = (key: CustomerKey): string => internal.md5Of(key)
