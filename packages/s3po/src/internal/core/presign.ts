import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { CustomerKey, PresignedPost, PresignOptions, PresignPostOptions } from "../../S3Po.js"
import { type S3PoError, ValidationError } from "../../S3PoError.js"
import * as CustomerKeys from "./customerKeys.js"
import { maxSinglePutBytes } from "./limits.js"
import * as Validate from "./validation.js"

/** What a layer signs: the request a URL stands for, valid for `expiresInSeconds`. */
export interface PresignRequest {
  readonly bucket: string
  readonly key: string
  readonly method: "GET" | "PUT" | "HEAD" | "DELETE"
  readonly expiresInSeconds: number
  /** The Content-Type a presigned PUT must be sent with (a signed header). */
  readonly contentType?: string | undefined
  /** The `response-*` overrides of a presigned GET. */
  readonly query: Readonly<Record<string, string>>
  /** The object's customer key (SSE-C): its three headers are signed, and the URL's user sends them. */
  readonly customerKey?: CustomerKey | undefined
}

/** What a layer signs for a browser's form upload (POST Object). */
export interface PresignPostRequest {
  readonly bucket: string
  /** The key the form uploads to; or, with `keyPrefix`, the prefix every key must start with. */
  readonly key?: string | undefined
  readonly keyPrefix?: string | undefined
  readonly expiresInSeconds: number
  readonly minBytes: number
  readonly maxBytes: number
  readonly contentType?: string | undefined
  readonly metadata?: Readonly<Record<string, string>> | undefined
}

/** Signs URLs and forms: each layer has its own. */
export interface Presigner {
  readonly url: (request: PresignRequest) => Effect.Effect<string, S3PoError>
  readonly post: (request: PresignPostRequest) => Effect.Effect<PresignedPost, S3PoError>
}

/** The fields every form carries besides the signature: the key, content type and metadata. */
export const formFieldsOf = (request: PresignPostRequest): Record<string, string> => ({
  key: request.key ?? `${request.keyPrefix ?? ""}\${filename}`,
  ...(request.contentType === undefined ? {} : { "Content-Type": request.contentType }),
  ...Object.fromEntries(Object.entries(request.metadata ?? {}).map(([name, value]) => [`x-amz-meta-${name}`, value]))
})

/** The policy conditions of a form, besides the fields the signing adds. */
export const conditionsOf = (request: PresignPostRequest, fields: Readonly<Record<string, string>>) => [
  { bucket: request.bucket },
  request.key === undefined ? ["starts-with", "$key", request.keyPrefix ?? ""] : { key: request.key },
  ["content-length-range", request.minBytes, request.maxBytes],
  ...Object.entries(fields).filter(([name]) => name !== "key").map(([name, value]) => ({ [name]: value }))
]

/** RFC 3986 encoding, as SigV4 signs: `encodeURIComponent` leaves `!'()*` as they are. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** A key as a URL path: each segment encoded, the slashes kept. */
export const encodeKey = (key: string) => key.split("/").map(rfc3986).join("/")

export const encodeQuery = (query: Readonly<Record<string, string>>) =>
  Object.entries(query).map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).join("&")

const maxExpiry = Duration.days(7)
const defaultExpiry = Duration.minutes(15)

/** The request to sign for `presign(bucket, key, options)`, or why it cannot be signed. */
export const requestOf = (
  bucket: string,
  key: string,
  options: PresignOptions
): PresignRequest | ValidationError => {
  const problem = Validate.location("presign", bucket, key) ??
    Validate.headerValue("presign", "contentType", options.contentType) ??
    Validate.headerValue("presign", "responseContentType", options.responseContentType) ??
    Validate.headerValue("presign", "responseContentDisposition", options.responseContentDisposition) ??
    CustomerKeys.problem("presign", "customerKey", options.customerKey)
  if (problem !== undefined) return problem
  const seconds = expirySeconds("presign", options.expiresIn)
  if (typeof seconds !== "number") return seconds
  const method = options.method ?? "GET"
  return {
    bucket,
    key,
    method,
    expiresInSeconds: seconds,
    contentType: method === "PUT" ? options.contentType : undefined,
    customerKey: options.customerKey,
    query: {
      ...(options.responseContentType === undefined ? {} : { "response-content-type": options.responseContentType }),
      ...(options.responseContentDisposition === undefined
        ? {}
        : { "response-content-disposition": options.responseContentDisposition })
    }
  }
}

/** How long a signature lasts, in whole seconds from 1 second to 7 days, or why it cannot. */
const expirySeconds = (operation: string, input: unknown): number | ValidationError => {
  const expiresIn = Validate.durationOf(operation, "expiresIn", input ?? defaultExpiry)
  if (expiresIn instanceof ValidationError) return expiresIn
  const seconds = Math.floor(Duration.toSeconds(expiresIn))
  return !(seconds >= 1) || Duration.greaterThan(expiresIn, maxExpiry)
    ? new ValidationError({
      operation,
      field: "expiresIn",
      reason: `must be from 1 second to 7 days, got ${Duration.format(expiresIn)}`
    })
    : seconds
}

/**
 * The key of a form: exactly one of `key`, a `keyPrefix` or `anyKey: true`. An empty prefix would
 * let the uploader write any key of the bucket, so that takes `anyKey` to say it is meant.
 */
const formKeyProblem = (operation: string, options: PresignPostOptions): Validate.Problem => {
  const invalid = (field: string, reason: string) => new ValidationError({ operation, field, reason })
  if (options.anyKey !== undefined && typeof options.anyKey !== "boolean") {
    return invalid("anyKey", `must be true or false, got ${Validate.shown(options.anyKey)}`)
  }
  if (options.anyKey === true) {
    return options.key === undefined && (options.keyPrefix === undefined || options.keyPrefix === "")
      ? undefined
      : invalid("anyKey", "lets the uploader choose any key of the bucket: give it without key or keyPrefix")
  }
  if ((options.key === undefined) === (options.keyPrefix === undefined)) {
    return invalid("key", "give either key or keyPrefix (or anyKey: true)")
  }
  if (options.key !== undefined) return Validate.key(operation, options.key)
  return options.keyPrefix === ""
    ? invalid(
      "keyPrefix",
      "must not be empty: the uploader could write any key of the bucket; give anyKey: true if that is meant"
    )
    : Validate.text(operation, "keyPrefix", options.keyPrefix)
}

/** The form to sign for `presignPost(bucket, options)`, or why it cannot be signed. */
export const postRequestOf = (bucket: string, options: PresignPostOptions): PresignPostRequest | ValidationError => {
  const operation = "presignPost"
  const invalid = (field: string, reason: string) => new ValidationError({ operation, field, reason })
  const problem = Validate.bucket(operation, bucket) ?? formKeyProblem(operation, options) ??
    Validate.headerValue(operation, "contentType", options.contentType) ??
    Validate.metadata(operation, options.metadata)
  if (problem !== undefined) return problem
  const minBytes = options.minBytes ?? 0
  if (!Number.isInteger(minBytes) || minBytes < 0) {
    return invalid("minBytes", `must be a whole number >= 0, got ${Validate.shown(minBytes)}`)
  }
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < minBytes || options.maxBytes > maxSinglePutBytes) {
    return invalid(
      "maxBytes",
      `must be a whole number from minBytes (${minBytes}) to 5 GiB, got ${Validate.shown(options.maxBytes)}`
    )
  }
  const seconds = expirySeconds(operation, options.expiresIn)
  if (typeof seconds !== "number") return seconds
  return {
    bucket,
    key: options.key,
    keyPrefix: options.anyKey === true ? "" : options.keyPrefix,
    expiresInSeconds: seconds,
    minBytes,
    maxBytes: options.maxBytes,
    contentType: options.contentType,
    metadata: options.metadata
  }
}
