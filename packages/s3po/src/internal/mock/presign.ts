import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { CustomerKey, PresignedPost } from "../../S3Po.js"
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
import * as CustomerKeys from "./customerKeys.js"

/** Where the mock's URLs point: a name that resolves nowhere, for `S3PoMockControl.fetch` to answer. */
const origin = "http://s3po-mock.invalid"
const signatureParameter = "X-S3po-Signature"
const expiresParameter = "X-S3po-Expires"
const contentTypeParameter = "X-S3po-Content-Type"
/** The MD5 of the customer key (SSE-C) whose headers the URL's user must send: signed as S3 signs the headers. */
const customerKeyParameter = "X-S3po-Customer-Key-MD5"
const customerKeyHeader = "x-amz-server-side-encryption-customer-key"

const canonical = (method: string, path: string, query: ReadonlyMap<string, string>) =>
  `${method}\n${path}\n${
    encodeQuery(Object.fromEntries(Array.from(query).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)))
  }`

/** Whether a signature is the expected one, in time that does not depend on where they differ. */
const sameSignature = (given: string, expected: string) => {
  const givenBytes = Buffer.from(given)
  const expectedBytes = Buffer.from(expected)
  return givenBytes.length === expectedBytes.length && timingSafeEqual(givenBytes, expectedBytes)
}

/** A URL's path as S3 reads it: bucket, then key; `undefined` when a segment is not valid percent-encoding. */
const locationOf = (url: URL) => {
  try {
    const [bucket = "", ...keyParts] = url.pathname.slice(1).split("/").map(decodeURIComponent)
    return { bucket, key: keyParts.join("/") }
  } catch {
    return undefined
  }
}

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
    case "AccessDenied":
      return xmlError(403, error.code, "Access Denied")
    case "ValidationError":
      return xmlError(400, "InvalidArgument", error.message)
    default:
      return xmlError(500, "InternalError", error.message)
  }
}

type Condition = Readonly<Record<string, string>> | readonly [string, string | number, string | number]

interface Policy {
  readonly expiration: string
  readonly conditions: ReadonlyArray<Condition>
}

/** The fields a form may carry without a condition of the policy, as S3 has them (its `x-amz-signature` is ours). */
const needsNoCondition = (name: string) =>
  name === signatureParameter.toLowerCase() || name === "file" || name === "policy" || name.startsWith("x-ignore-")

/** The form fields a policy's conditions name, in lower case as S3 matches them. */
const coveredBy = (conditions: ReadonlyArray<Condition>): ReadonlySet<string> =>
  new Set(conditions.flatMap((condition) =>
    Array.isArray(condition)
      ? typeof condition[1] === "string" && condition[1].startsWith("$") ? [condition[1].slice(1).toLowerCase()] : []
      : Object.keys(condition).map((name) => name.toLowerCase())
  ))

const policyOf = (encoded: string): Policy | undefined => {
  try {
    const policy = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Policy
    return typeof policy.expiration === "string" && Array.isArray(policy.conditions) ? policy : undefined
  } catch {
    return undefined
  }
}

/** What `fetch` is given as a `Request`; `undefined` for a URL or options that cannot make one. */
const requestOf = (input: Request | string, init: RequestInit | undefined) => {
  try {
    return input instanceof Request ? input : new Request(input, init)
  } catch {
    return undefined
  }
}

const notWellFormed = () =>
  xmlError(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.")

/**
 * A form's fields by name in lower case (S3 matches names in any case), and its file; each given
 * once, so that the value a condition checks is the value stored.
 */
const fieldsOf = (form: FormData) => {
  const fields = new Map<string, string>()
  let file: File | undefined
  for (const [name, value] of form) {
    const lowerName = name.toLowerCase()
    if (fields.has(lowerName) || (lowerName === "file" && file !== undefined)) {
      return xmlError(400, "InvalidArgument", `The form field ${name} is given more than once.`)
    }
    if (lowerName === "file") {
      if (typeof value === "string") return xmlError(400, "InvalidArgument", "POST requires a file field.")
      file = value
    } else if (typeof value === "string") {
      fields.set(lowerName, value)
    } else {
      return notWellFormed()
    }
  }
  return { fields, file }
}

/** S3's answer to the first condition of a policy that the form does not meet, if any. */
const failedCondition = (
  conditions: ReadonlyArray<Condition>,
  valueOf: (name: string) => string | undefined,
  bodyLength: number
): Response | undefined => {
  const failed = (name: string) =>
    xmlError(403, "AccessDenied", `Invalid according to Policy: Policy Condition failed: ${name}`)
  for (const condition of conditions) {
    if (!Array.isArray(condition)) {
      for (const [name, expected] of Object.entries(condition)) {
        if (valueOf(name) !== expected) return failed(name)
      }
    } else if (condition[0] === "starts-with" || condition[0] === "eq") {
      const name = String(condition[1]).slice(1)
      const value = valueOf(name) ?? ""
      if (condition[0] === "eq" ? value !== String(condition[2]) : !value.startsWith(String(condition[2]))) {
        return failed(name)
      }
    } else if (condition[0] === "content-length-range") {
      if (bodyLength > Number(condition[2])) {
        return xmlError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
      }
      if (bodyLength < Number(condition[1])) {
        return xmlError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
      }
    }
  }
  return undefined
}

/**
 * A form's upload, checked as S3 checks POST Object: signature, expiry, that every field is named by
 * a condition, then each condition.
 */
const formUpload = (backend: Backend, request: Request, signatureOf: (text: string) => string) =>
  Effect.gen(function*() {
    const location = locationOf(new URL(request.url))
    if (location === undefined || location.key !== "") {
      return xmlError(400, "InvalidURI", "Couldn't parse the specified URI.")
    }
    const form = yield* Effect.option(Effect.tryPromise(() => request.formData()))
    if (form._tag === "None") return notWellFormed()
    const parsed = fieldsOf(form.value)
    if (parsed instanceof Response) return parsed
    const { fields, file } = parsed
    const encodedPolicy = fields.get("policy") ?? ""
    if (!sameSignature(fields.get(signatureParameter.toLowerCase()) ?? "", signatureOf(encodedPolicy))) {
      return xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    }
    const policy = policyOf(encodedPolicy)
    if (policy === undefined) return xmlError(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
    if ((yield* Clock.currentTimeMillis) > Date.parse(policy.expiration)) {
      return xmlError(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    }
    const covered = coveredBy(policy.conditions)
    const extra = Array.from(fields.keys()).filter((name) => !needsNoCondition(name) && !covered.has(name))
    if (extra.length > 0) {
      return xmlError(403, "AccessDenied", `Invalid according to Policy: Extra input fields: ${extra.join(", ")}`)
    }
    if (file === undefined) return xmlError(400, "InvalidArgument", "POST requires a file field.")
    const body = new Uint8Array(yield* Effect.promise(() => file.arrayBuffer()))
    const key = (fields.get("key") ?? "").replace("${filename}", file.name)
    const values = new Map([["bucket", location.bucket], ["key", key]])
    const valueOf = (name: string) => values.get(name.toLowerCase()) ?? fields.get(name.toLowerCase())
    const failed = failedCondition(policy.conditions, valueOf, body.length)
    if (failed !== undefined) return failed
    const metadata = Object.fromEntries(
      Array.from(fields).filter(([name]) => name.startsWith("x-amz-meta-")).map(([name, value]) => [
        name.slice("x-amz-meta-".length),
        value
      ])
    )
    return yield* backend.putObject({
      bucket: location.bucket,
      key,
      body,
      contentType: fields.get("content-type"),
      metadata
    }).pipe(
      Effect.as(new Response(null, { status: 204 })),
      Effect.catchAll((error) => Effect.succeed(answerOf(error)))
    )
  })

/** The customer key a request's headers carry (SSE-C), as the store takes it. */
const customerKeyOf = (request: Request): CustomerKey | undefined => {
  const base64 = request.headers.get(customerKeyHeader)
  return base64 === null ? undefined : Redacted.make(new Uint8Array(Buffer.from(base64, "base64")))
}

/** Whether the request sends the customer key the URL was signed with, if any. */
const customerKeySigned = (query: ReadonlyMap<string, string>, customerKey: CustomerKey | undefined): boolean => {
  const signed = query.get(customerKeyParameter)
  return signed === undefined || (customerKey !== undefined && CustomerKeys.md5Of(customerKey) === signed)
}

const customerKeyNotSigned = () =>
  xmlError(403, "SignatureDoesNotMatch", "The request's customer key headers are not the ones signed.")

/** The request made against the store, and S3's answer to it over HTTP. */
const answer = (
  backend: Backend,
  request: Request,
  target: { readonly bucket: string; readonly key: string },
  query: ReadonlyMap<string, string>,
  customerKey: CustomerKey | undefined
): Effect.Effect<Response> => {
  const location = customerKey === undefined ? target : { ...target, customerKey }
  const headersOf = (info: { readonly contentType: string; readonly etag: string; readonly size: number }) => {
    const contentDisposition = query.get("response-content-disposition")
    return {
      "content-type": query.get("response-content-type") ?? info.contentType,
      ...(contentDisposition === undefined ? {} : { "content-disposition": contentDisposition }),
      "content-length": String(info.size),
      etag: info.etag
    }
  }
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
    ? Effect.as(backend.deleteObject(target), new Response(null, { status: 204 }))
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
        ...(request.contentType === undefined ? {} : { [contentTypeParameter]: request.contentType }),
        ...(request.customerKey === undefined
          ? {}
          : { [customerKeyParameter]: CustomerKeys.md5Of(request.customerKey) })
      }
      const signature = sign(canonical(request.method, path, new Map(Object.entries(query))))
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

  /** The request's location and parameters when its signature, expiry and Content-Type hold; else S3's refusal. */
  const checked = (request: Request, now: number) => {
    const url = new URL(request.url)
    const query = new Map<string, string>()
    for (const [name, value] of url.searchParams) {
      // One value is signed and another read: S3 refuses the request instead.
      if (query.has(name)) {
        return xmlError(400, "InvalidArgument", `The query parameter ${name} is given more than once.`)
      }
      query.set(name, value)
    }
    const signed = new Map(query)
    signed.delete(signatureParameter)
    if (!sameSignature(query.get(signatureParameter) ?? "", sign(canonical(request.method, url.pathname, signed)))) {
      return xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
    }
    const expires = Number(query.get(expiresParameter))
    if (!Number.isSafeInteger(expires)) {
      return xmlError(400, "AuthorizationQueryParametersError", `${expiresParameter} should be a number`)
    }
    if (Math.floor(now / 1000) > expires) return xmlError(403, "AccessDenied", "Request has expired")
    const contentType = query.get(contentTypeParameter)
    if (contentType !== undefined && request.headers.get("content-type") !== contentType) {
      return xmlError(403, "SignatureDoesNotMatch", "The request's Content-Type is not the one signed.")
    }
    const customerKey = customerKeyOf(request)
    if (!customerKeySigned(query, customerKey)) return customerKeyNotSigned()
    const location = locationOf(url)
    return location === undefined
      ? xmlError(400, "InvalidURI", "Couldn't parse the specified URI.")
      : { location, query, customerKey }
  }

  /** Answers a request to a presigned URL as S3 would over HTTP. */
  const fetch = (backend: Backend) => (input: Request | string, init?: RequestInit): Effect.Effect<Response> =>
    Effect.gen(function*() {
      const request = requestOf(input, init)
      if (request === undefined) return xmlError(400, "InvalidURI", "Couldn't parse the specified URI.")
      if (request.method === "POST") return yield* formUpload(backend, request, sign)
      const checks = checked(request, yield* Clock.currentTimeMillis)
      if (checks instanceof Response) return checks
      return yield* answer(backend, request, checks.location, checks.query, checks.customerKey)
    })

  return { presigner, fetch }
}
