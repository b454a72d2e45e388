import type { S3Client } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import { createHmac } from "node:crypto"
import type { PresignedPost } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import {
  conditionsOf,
  encodeKey,
  encodeQuery,
  formFieldsOf,
  type Presigner,
  type PresignPostRequest,
  type PresignRequest
} from "../core/presign.js"
import { customerKeyHeaderNames, customerKeyHeaders } from "./customerKeyHeaders.js"
import { fromSdkError } from "./sdkError.js"

interface EndpointV1 {
  readonly protocol: string
  readonly hostname: string
  readonly port?: number | undefined
  readonly path?: string | undefined
}

/** What the SDK's SigV4 signer does besides signing requests, which its `RequestSigner` type leaves out. */
interface Presigning {
  presign(
    request: {
      readonly method: string
      readonly protocol: string
      readonly hostname: string
      readonly port?: number | undefined
      readonly path: string
      readonly query: Readonly<Record<string, string>>
      readonly headers: Readonly<Record<string, string>>
    },
    options: {
      readonly expiresIn: number
      readonly signingRegion: string
      readonly signingService: string
      /** `x-amz-*` headers signed as headers rather than moved into the query. */
      readonly unhoistableHeaders?: ReadonlySet<string> | undefined
    }
  ): Promise<{ readonly path: string; readonly query?: Record<string, string> | undefined }>
}

const canPresign = <A extends object>(signer: A): signer is A & Presigning =>
  "presign" in signer && typeof signer.presign === "function"

/** The endpoint the SDK's rules give a bucket (virtual-host or path style, FIPS, dual-stack, custom). */
const endpointOf = async (client: S3Client, bucket: string) => {
  const config = client.config
  const region = await config.region()
  const custom = (await config.endpoint?.()) as EndpointV1 | undefined
  const resolved = config.endpointProvider({
    Bucket: bucket,
    Region: region,
    UseFIPS: await config.useFipsEndpoint(),
    UseDualStack: await config.useDualstackEndpoint(),
    ForcePathStyle: config.forcePathStyle,
    ...(custom === undefined ? {} : {
      Endpoint: `${custom.protocol}//${custom.hostname}${custom.port === undefined ? "" : `:${custom.port}`}${
        custom.path ?? ""
      }`
    })
  })
  return { region, resolved }
}

const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest()

/**
 * A form signed as POST Object wants: a policy (its conditions and expiry) in base64, signed with
 * the SigV4 key of the day, region and service, from the SDK's credentials.
 */
const postOf = (client: S3Client) => (request: PresignPostRequest): Effect.Effect<PresignedPost, S3PoError> =>
  Effect.tryPromise({
    try: async () => {
      const { region, resolved } = await endpointOf(client, request.bucket)
      const credentials = await client.config.credentials()
      const now = new Date()
      const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, "")
      const day = amzDate.slice(0, 8)
      const fields: Record<string, string> = {
        ...formFieldsOf(request),
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": `${credentials.accessKeyId}/${day}/${region}/s3/aws4_request`,
        "X-Amz-Date": amzDate,
        ...(credentials.sessionToken === undefined ? {} : { "X-Amz-Security-Token": credentials.sessionToken })
      }
      const policy = Buffer.from(JSON.stringify({
        expiration: new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString(),
        conditions: conditionsOf(request, fields)
      })).toString("base64")
      const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), "s3"), "aws4_request")
      return {
        url: resolved.url.href.replace(/\/$/, ""),
        fields: { ...fields, Policy: policy, "X-Amz-Signature": hmac(key, policy).toString("hex") }
      }
    },
    catch: (error) => fromSdkError({ operation: "presignPost", bucket: request.bucket }, error)
  })

/** What the live layer signs, with the client's credentials, region and endpoint rules. */
export const presigner = (client: S3Client): Presigner => ({ url: urlOf(client), post: postOf(client) })

/**
 * URLs signed with SigV4 query parameters by the SDK's own signer, for the endpoint its rules give
 * the bucket (virtual-host or path style, FIPS, dual-stack, a custom endpoint). Nothing is sent.
 */
const urlOf = (client: S3Client) => (request: PresignRequest): Effect.Effect<string, S3PoError> =>
  Effect.tryPromise({
    try: async () => {
      const config = client.config
      const { region, resolved } = await endpointOf(client, request.bucket)
      const url = new URL(resolved.url)
      const scheme =
        (resolved.properties?.authSchemes as ReadonlyArray<{ readonly signingRegion?: string }> | undefined)
          ?.[0]
      const signingRegion = scheme?.signingRegion ?? region
      const signer = await config.signer({ name: "sigv4", signingName: "s3", signingRegion, properties: {} })
      if (!canPresign(signer)) throw new Error("the client's signer cannot presign")
      const signed = await signer.presign({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port === "" ? undefined : Number(url.port),
        path: `${url.pathname.replace(/\/$/, "")}/${encodeKey(request.key)}`,
        query: request.query,
        headers: {
          host: url.host,
          // The body of a presigned request is not signed (and no checksum of an empty one is baked in).
          "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
          ...(request.contentType === undefined ? {} : { "content-type": request.contentType }),
          ...customerKeyHeaders(request.customerKey)
        }
      }, {
        expiresIn: request.expiresInSeconds,
        signingRegion,
        signingService: "s3",
        unhoistableHeaders: customerKeyHeaderNames
      })
      return `${url.protocol}//${url.host}${signed.path}?${encodeQuery(signed.query ?? {})}`
    },
    catch: (error) => fromSdkError({ operation: "presign", bucket: request.bucket, key: request.key }, error)
  })
