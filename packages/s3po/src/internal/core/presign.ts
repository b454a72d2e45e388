import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { PresignOptions } from "../../S3Po.js"
import { type S3PoError, ValidationError } from "../../S3PoError.js"
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
}

/** Signs a URL for a request: each layer has its own. */
export type Presigner = (request: PresignRequest) => Effect.Effect<string, S3PoError>

const maxExpiry = Duration.days(7)
const defaultExpiry = Duration.minutes(15)

/** RFC 3986 encoding, as SigV4 signs: `encodeURIComponent` leaves `!'()*` as they are. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** A key as a URL path: each segment encoded, the slashes kept. */
export const encodeKey = (key: string) => key.split("/").map(rfc3986).join("/")

export const encodeQuery = (query: Readonly<Record<string, string>>) =>
  Object.entries(query).map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).join("&")

/** The request to sign for `presign(bucket, key, options)`, or why it cannot be signed. */
export const requestOf = (
  bucket: string,
  key: string,
  options: PresignOptions
): PresignRequest | ValidationError => {
  const problem = Validate.location("presign", bucket, key) ??
    Validate.headerValue("presign", "contentType", options.contentType) ??
    Validate.headerValue("presign", "responseContentType", options.responseContentType) ??
    Validate.headerValue("presign", "responseContentDisposition", options.responseContentDisposition)
  if (problem !== undefined) return problem
  const expiresIn = Duration.decode(options.expiresIn ?? defaultExpiry)
  const seconds = Math.floor(Duration.toSeconds(expiresIn))
  if (!(seconds >= 1) || Duration.greaterThan(expiresIn, maxExpiry)) {
    return new ValidationError({
      operation: "presign",
      field: "expiresIn",
      reason: `must be from 1 second to 7 days, got ${Duration.format(expiresIn)}`
    })
  }
  const method = options.method ?? "GET"
  return {
    bucket,
    key,
    method,
    expiresInSeconds: seconds,
    contentType: method === "PUT" ? options.contentType : undefined,
    query: {
      ...(options.responseContentType === undefined ? {} : { "response-content-type": options.responseContentType }),
      ...(options.responseContentDisposition === undefined
        ? {}
        : { "response-content-disposition": options.responseContentDisposition })
    }
  }
}
