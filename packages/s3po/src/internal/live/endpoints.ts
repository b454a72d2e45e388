import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3"
import { getEndpointFromInstructions } from "@smithy/core/endpoints"
import { keepSigningKeys } from "./signingKeys.js"

/** What signs a request: the SDK's own SigV4 signer, as the client's configuration makes it. */
export type RequestSigner = Awaited<ReturnType<S3Client["config"]["signer"]>>

type AuthScheme = NonNullable<Parameters<S3Client["config"]["signer"]>[0]>

/** Where a bucket's requests go, as the SDK's endpoint rules say, and how they are signed. */
export interface Endpoint {
  /** `http://host:port`: the connection pool's key. */
  readonly origin: string
  readonly protocol: string
  readonly hostname: string
  readonly port: number | undefined
  /** The `Host` header. */
  readonly host: string
  /** The path before the key: `/bucket` in path style, empty for a virtual host. */
  readonly basePath: string
  readonly signer: RequestSigner
  readonly signingRegion: string
  readonly signingName: string
}

/** The endpoint's first auth scheme, when it is plain SigV4. */
const sigV4SchemeOf = (schemes: unknown): AuthScheme | undefined => {
  const scheme: unknown = Array.isArray(schemes) ? schemes[0] : undefined
  if (typeof scheme !== "object" || scheme === null || !("name" in scheme) || scheme.name !== "sigv4") return undefined
  const signingName = "signingName" in scheme ? scheme.signingName : undefined
  const signingRegion = "signingRegion" in scheme ? scheme.signingRegion : undefined
  return {
    name: "sigv4",
    signingName: typeof signingName === "string" ? signingName : "s3",
    signingRegion: typeof signingRegion === "string" ? signingRegion : "",
    properties: {}
  }
}

/**
 * The endpoint of each bucket, resolved once by the SDK's own endpoint rules (path or virtual-host
 * style, FIPS, dual-stack, access points) and kept. A bucket whose endpoint needs more than SigV4
 * with the client's credentials (SigV4a for multi-region access points, S3 Express sessions, extra
 * headers) is `undefined`: its requests go through the SDK's commands.
 */
export const make = (client: S3Client) => {
  const resolved = new Map<string, Endpoint | undefined>()
  const pending = new Map<string, Promise<Endpoint | undefined>>()

  const resolve = async (bucket: string): Promise<Endpoint | undefined> => {
    const endpoint = await getEndpointFromInstructions({ Bucket: bucket, Key: "key" }, GetObjectCommand, client.config)
    const scheme = sigV4SchemeOf(endpoint.properties?.authSchemes)
    const url = endpoint.url
    if (
      scheme === undefined || Object.keys(endpoint.headers ?? {}).length > 0 || url.search !== "" ||
      url.username !== ""
    ) {
      return undefined
    }
    return {
      origin: url.origin,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === "" ? undefined : Number(url.port),
      host: url.host,
      basePath: url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname,
      signer: keepSigningKeys(await client.config.signer(scheme)),
      signingRegion: scheme.signingRegion !== "" ? scheme.signingRegion : await client.config.region(),
      signingName: scheme.signingName
    }
  }

  return {
    /** The bucket's endpoint, when it has been resolved. */
    known: (bucket: string): Endpoint | undefined | "unknown" =>
      resolved.has(bucket) ? resolved.get(bucket) : "unknown",
    resolve: (bucket: string): Promise<Endpoint | undefined> => {
      let promise = pending.get(bucket)
      if (promise === undefined) {
        promise = resolve(bucket).then((endpoint) => {
          resolved.set(bucket, endpoint)
          return endpoint
        }, (error: unknown) => {
          pending.delete(bucket)
          throw error
        })
        pending.set(bucket, promise)
      }
      return promise
    }
  }
}

export type Endpoints = ReturnType<typeof make>
