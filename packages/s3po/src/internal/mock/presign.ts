import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { PresignedPost } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend } from "../core/backend.js"
import {
  conditionsOf,
  encodeKey,
  encodeQuery,
  formFieldsOf,
  type Presigner,
  type PresignPostRequest,
  type PresignRequest
} from "../core/presign.js"

/** Where the mock's URLs point: a name that resolves nowhere, for `S3PoMockControl.fetch` to answer. */
const origin = "http://s3po-mock.invalid"
const signatureParameter = "X-S3po-Signature"
const expiresParameter = "X-S3po-Expires"
const contentTypeParameter = "X-S3po-Content-Type"

const canonical = (method: string, path: string, query: Readonly<Record<string, string>>) =>
  `${method}\n${path}\n${encodeQuery(Object.fromEntries(Object.entries(query).sort(([a], [b]) => a < b ? -1 : 1)))}`

const xmlError = (status: number, code: string, message: string) =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    {
      status,
      headers: { "content-type": "application/xml" }
    }
  )

const answerOf = (error: S3PoError): Response => {
  switch (error._tag) {
    case "NoSuchKey":
      return xmlError(404, "NoSuchKey", "The specified key does not exist.")
    case "NoSuchBucket":
      return xmlError(404, "NoSuchBucket", "The specified bucket does not exist.")
    case "S3ServiceError":
      return xmlError(error.status, error.code, error.detail)
    default:
      return xmlError(500, "InternalError", error.message)
  }
}

type Condition = Readonly<Record<string, string>> | readonly [string, string | number, string | number]

/** A form's upload, checked as S3 checks POST Object: signature, expiry, then each condition. */
const formUpload = (backend: Backend, request: Request, sign: (text: string) => string) =>
  Effect.gen(function*() {
    const form = yield* Effect.promise(() => request.formData())
    const field = (name: string) => {
      const value = form.get(name)
      return typeof value === "string" ? value : undefined
    }
    const policy = field("Policy") ?? ""
    if (field(signatureParameter) !== sign(policy)) {
      return xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    }
    const { conditions, expiration } = JSON.parse(Buffer.from(policy, "base64").toString("utf8")) as {
      readonly expiration: string
      readonly conditions: ReadonlyArray<Condition>
    }
    if ((yield* Clock.currentTimeMillis) > Date.parse(expiration)) {
      return xmlError(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    }
    const file = form.get("file")
    if (file === null || typeof file === "string") return xmlError(400, "InvalidArgument", "no file field")
    const body = new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))
    const bucket = decodeURIComponent(new URL(request.url).pathname.slice(1))
    const key = (field("key") ?? "").replace("${filename}", file instanceof File ? file.name : "")
    const values: Record<string, string> = { bucket, key }
    for (const condition of conditions) {
      if (!Array.isArray(condition)) {
        const [name, expected] = Object.entries(condition)[0]!
        if ((values[name] ?? field(name)) !== expected) {
          return xmlError(403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ${name}`)
        }
      } else if (condition[0] === "starts-with" && !key.startsWith(String(condition[2]))) {
        return xmlError(403, "AccessDenied", "Invalid according to Policy: Policy Condition failed: key")
      } else if (condition[0] === "content-length-range") {
        if (body.length > Number(condition[2])) {
          return xmlError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        }
        if (body.length < Number(condition[1])) {
          return xmlError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
        }
      }
    }
    const metadata = Object.fromEntries(
      Array.from(form.keys()).filter((name) => name.toLowerCase().startsWith("x-amz-meta-")).map((name) => [
        name.slice("x-amz-meta-".length),
        field(name) ?? ""
      ])
    )
    return yield* backend.putObject({ bucket, key, body, contentType: field("Content-Type"), metadata }).pipe(
      Effect.as(new Response(null, { status: 204 })),
      Effect.catchAll((error) => Effect.succeed(answerOf(error)))
    )
  })

/** The request made against the store, and S3's answer to it over HTTP. */
const answer = (backend: Backend, request: Request): Effect.Effect<Response> => {
  const url = new URL(request.url)
  const [bucket = "", ...keyParts] = url.pathname.slice(1).split("/").map(decodeURIComponent)
  const location = { bucket, key: keyParts.join("/") }
  const headersOf = (info: { readonly contentType: string; readonly etag: string; readonly size: number }) => ({
    "content-type": url.searchParams.get("response-content-type") ?? info.contentType,
    ...(url.searchParams.has("response-content-disposition")
      ? { "content-disposition": url.searchParams.get("response-content-disposition")! }
      : {}),
    "content-length": String(info.size),
    etag: info.etag
  })
  const result: Effect.Effect<Response, S3PoError> = request.method === "GET"
    ? Effect.flatMap(backend.getObject(location), (response) => {
      const chunks: Array<Uint8Array> = []
      return Effect.map(
        response.forEachChunk((chunk) => chunks.push(chunk.slice())),
        () => new Response(Buffer.concat(chunks), { status: 200, headers: headersOf(response.info) })
      )
    })
    : request.method === "HEAD"
    ? Effect.map(
      backend.headObject(location),
      (info) => new Response(null, { status: 200, headers: headersOf(info) })
    )
    : request.method === "PUT"
    ? Effect.flatMap(
      Effect.promise(() => request.arrayBuffer()),
      (body) =>
        Effect.map(
          backend.putObject({
            ...location,
            body: new Uint8Array(body),
            contentType: request.headers.get("content-type") ?? undefined
          }),
          ({ etag }) => new Response(null, { status: 200, headers: { etag } })
        )
    )
    : request.method === "DELETE"
    ? Effect.as(backend.deleteObject(location), new Response(null, { status: 204 }))
    : Effect.succeed(xmlError(405, "MethodNotAllowed", `${request.method} is not signed here`))
  return Effect.catchAll(result, (error) => Effect.succeed(answerOf(error)))
}

/**
 * The mock's presigned URLs: signed with a secret of the store's own (HMAC-SHA256 over the method,
 * path and parameters), so that a changed URL is refused, and valid until a time read from Effect's
 * `Clock`, so that expiry can be tested under `TestClock`.
 */
export const make = () => {
  const secret = randomBytes(32)
  const sign = (text: string) => createHmac("sha256", secret).update(text).digest("hex")

  const url = (request: PresignRequest) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const path = `/${encodeKey(request.bucket)}/${encodeKey(request.key)}`
      const query = {
        ...request.query,
        [expiresParameter]: String(Math.floor(now / 1000) + request.expiresInSeconds),
        ...(request.contentType === undefined ? {} : { [contentTypeParameter]: request.contentType })
      }
      const signature = sign(canonical(request.method, path, query))
      return `${origin}${path}?${encodeQuery({ ...query, [signatureParameter]: signature })}`
    })

  const post = (request: PresignPostRequest) =>
    Effect.map(Clock.currentTimeMillis, (now): PresignedPost => {
      const fields = formFieldsOf(request)
      const policy = Buffer.from(JSON.stringify({
        expiration: new Date(now + request.expiresInSeconds * 1000).toISOString(),
        conditions: conditionsOf(request, fields)
      })).toString("base64")
      return {
        url: `${origin}/${encodeKey(request.bucket)}`,
        fields: { ...fields, Policy: policy, [signatureParameter]: sign(policy) }
      }
    })

  const presigner: Presigner = { url, post }

  const checked = (request: Request, now: number): Response | undefined => {
    const url = new URL(request.url)
    const query = Object.fromEntries(url.searchParams)
    const { [signatureParameter]: signature = "", ...signed } = query
    const expected = Buffer.from(sign(canonical(request.method, url.pathname, signed)))
    const given = Buffer.from(signature)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    }
    if (Math.floor(now / 1000) > Number(signed[expiresParameter])) {
      return xmlError(403, "AccessDenied", "Request has expired")
    }
    const contentType = signed[contentTypeParameter]
    if (contentType !== undefined && request.headers.get("content-type") !== contentType) {
      return xmlError(403, "SignatureDoesNotMatch", "The request's Content-Type is not the one signed.")
    }
    return undefined
  }

  /** Answers a request to a presigned URL as S3 would over HTTP. */
  const fetch = (backend: Backend) => (input: Request | string, init?: RequestInit): Effect.Effect<Response> =>
    Effect.gen(function*() {
      const request = typeof input === "string" ? new Request(input, init) : input
      if (request.method === "POST") return yield* formUpload(backend, request, sign)
      const refused = checked(request, yield* Clock.currentTimeMillis)
      if (refused !== undefined) return refused
      return yield* answer(backend, request)
    })

  return { presigner, fetch }
}
