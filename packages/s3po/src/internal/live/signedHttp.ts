import type { S3Client } from "@aws-sdk/client-s3"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { IncomingHttpHeaders } from "node:http"
import type { LookupFunction } from "node:net"
import { Readable } from "node:stream"
import { Pool } from "undici"
import { isS3PoError, type S3PoError } from "../../S3PoError.js"
import { fromErrorAnswer, type RequestContext } from "../core/classify.js"
import type { Endpoint } from "./endpoints.js"
import { fromSdkError, retryAfterFrom } from "./sdkError.js"
import { type InFlight as RequestInFlight, readWhole } from "./transport.js"

/**
 * S3's object requests sent by s3po itself, over `undici`'s connection pools: signed by the SDK's
 * own signer for the endpoint its rules give, answered through the one error mapping. The SDK's
 * per-request machinery (its middleware stack, serializers, checksums) costs several times the
 * rest of a small request; what it knows (credentials, endpoints, signing) is used as it is.
 */

export interface HttpOptions {
  readonly connections: number
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Time to the answer's headers. */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** Time between two chunks of the answer's body. */
  readonly bodyTimeout?: Duration.DurationInput | undefined
  /** Certificates trusted besides Node's own. */
  readonly ca?: ReadonlyArray<string> | undefined
  /** How host names resolve; Node's `dns.lookup` by default. */
  readonly lookup?: LookupFunction | undefined
}

/**
 * An object request before signing: the key is encoded here, the headers given are signed. The
 * headers are the request's own: `Host` and the payload hash are added to them.
 */
export interface ObjectHttpRequest {
  readonly method: "GET" | "PUT" | "HEAD" | "DELETE"
  readonly key: string
  readonly headers: Record<string, string>
  readonly body?: Uint8Array | undefined
  /** The payload's SHA-256 (hex) or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string
}

/** A 2xx answer: its status, headers, and body to read (or dump). */
export interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Readable
}

/** The SHA-256 of an empty payload, as SigV4 signs a request without a body. */
export const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/**
 * What stops a request in flight: an `EventEmitter` as far as `undici` asks of it (much cheaper
 * than an `AbortController` per request), and the body being read once the answer has arrived.
 */
export class InFlight implements RequestInFlight {
  aborted = false
  onabort: (() => void) | null = null
  body: Readable | undefined = undefined
  private listener: (() => void) | undefined
  on(_event: "abort", listener: () => void) {
    this.listener = listener
    return this
  }
  once(_event: "abort", listener: () => void) {
    this.listener = listener
    return this
  }
  removeListener(_event: "abort", listener: () => void) {
    if (this.listener === listener) this.listener = undefined
    return this
  }
  abort() {
    this.aborted = true
    this.listener?.()
    this.onabort?.()
    this.body?.destroy()
  }
}

const unreserved = /^[A-Za-z0-9\-._~/]*$/

/** A key as S3 takes it in a path: every byte but `A-Z a-z 0-9 - . _ ~` and `/` percent-encoded. */
export const encodeKey = (key: string): string =>
  unreserved.test(key) ? key : encodeURIComponent(key).replace(/%2F/g, "/").replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`
  )

const xmlEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }

const xmlText = (xml: string, element: string): string | undefined => {
  const found = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1]
  return found?.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => xmlEntities[name]!)
}

/** A header of an answer, the first if it came more than once. */
export const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The codes of an answer to a request signed with a clock too far off: the SDK corrects its clock on them. */
const clockSkewCodes = new Set([
  "RequestTimeTooSkewed",
  "RequestExpired",
  "RequestInTheFuture",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "AuthFailure"
])
/** How far off the clock may be before it is corrected, as the SDK judges it. */
const maxSkewMillis = 5 * 60_000

const millisOf = (duration: Duration.DurationInput) => Math.round(Duration.toMillis(Duration.decode(duration)))

/** The connection pool of each origin, made on first use. */
const makePools = (options: HttpOptions) => {
  const pools = new Map<string, Pool>()
  return {
    of: (endpoint: Endpoint): Pool => {
      let pool = pools.get(endpoint.origin)
      if (pool === undefined) {
        pool = new Pool(endpoint.origin, {
          connections: options.connections,
          pipelining: 1,
          ...(options.connectTimeout === undefined ? {} : { connectTimeout: millisOf(options.connectTimeout) }),
          ...(options.headersTimeout === undefined ? {} : { headersTimeout: millisOf(options.headersTimeout) }),
          ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: millisOf(options.bodyTimeout) }),
          connect: {
            ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
            ...(options.lookup === undefined ? {} : { lookup: options.lookup })
          }
        })
        pools.set(endpoint.origin, pool)
      }
      return pool
    },
    close: () => Promise.all(Array.from(pools.values(), (pool) => pool.destroy())).then(() => pools.clear())
  }
}

/** Bodies larger than this go in slices, each write refreshing the idle timer (see `bodyOf`). */
const sliceBytes = 64 * 1024

function* slices(body: Uint8Array): Iterable<Uint8Array> {
  for (let at = 0; at < body.length; at += sliceBytes) yield body.subarray(at, at + sliceBytes)
}

/**
 * A body as `undici` sends it. Given whole, it is handed to the socket at once and the wait for
 * the answer's headers starts then: a large body still draining on a slow link would be cut by
 * the idle timeout. In slices, each write the socket takes restarts that wait.
 */
const bodyOf = (body: Uint8Array | undefined): Uint8Array | Readable | null =>
  body === undefined ? null : body.length <= sliceBytes ? body : Readable.from(slices(body), { objectMode: false })

const sign = (endpoint: Endpoint, request: ObjectHttpRequest, clockOffset: number) => {
  const headers = request.headers
  headers.host = endpoint.host
  headers["x-amz-content-sha256"] = request.payloadHash
  if (request.body !== undefined) headers["content-length"] = String(request.body.length)
  return endpoint.signer.sign({
    method: request.method,
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ?? (endpoint.protocol === "https:" ? 443 : 80),
    path: `${endpoint.basePath}/${encodeKey(request.key)}`,
    query: {},
    headers
  }, {
    signingDate: new Date(Date.now() + clockOffset),
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName
  })
}

/**
 * Sends the request: a 2xx answer is returned to be read, an error answer read and mapped, once
 * after correcting the clock when the server says it is off (as the SDK does).
 */
const send = async (
  client: S3Client,
  pool: Pool,
  context: RequestContext,
  endpoint: Endpoint,
  request: ObjectHttpRequest,
  inFlight: InFlight,
  clockCorrected = false
): Promise<Answer | S3PoError> => {
  const clockOffset = client.config.systemClockOffset
  const signed = await sign(endpoint, request, clockOffset)
  if (inFlight.aborted) throw new Error("interrupted")
  const response = await pool.request({
    method: request.method,
    path: signed.path,
    headers: signed.headers,
    body: bodyOf(request.body),
    signal: inFlight
  })
  const body: Readable = response.body
  if (response.statusCode >= 200 && response.statusCode < 300) {
    return { status: response.statusCode, headers: response.headers, body }
  }
  const read = await readWhole(body, inFlight)
  const xml = Buffer.concat(read.chunks).toString("utf8")
  const code = xmlText(xml, "Code")
  const date = Date.parse(header(response.headers, "date") ?? "")
  // Judged against the clock this request was signed with (another request may have corrected it
  // since); a 403 without a code (a HEAD's) may be a skewed clock too.
  if (
    !clockCorrected && (code === undefined ? response.statusCode === 403 : clockSkewCodes.has(code)) &&
    !Number.isNaN(date) && Math.abs(date - (Date.now() + clockOffset)) >= maxSkewMillis
  ) {
    client.config.systemClockOffset = date - Date.now()
    return send(client, pool, context, endpoint, request, inFlight, true)
  }
  return fromErrorAnswer(context, {
    status: response.statusCode,
    code,
    message: xmlText(xml, "Message"),
    requestId: header(response.headers, "x-amz-request-id") ?? xmlText(xml, "RequestId"),
    retryAfter: retryAfterFrom(header(response.headers, "retry-after")),
    etag: header(response.headers, "etag")
  })
}

export const make = (client: S3Client, options: HttpOptions) => {
  const pools = makePools(options)

  /**
   * One request as an effect: interrupting it aborts the request and destroys a body being read.
   * `respond` turns a 2xx answer into the result (synchronously, or by a promise for what is read
   * after the answer arrived).
   */
  const exchange = <A>(
    context: RequestContext,
    endpoint: Endpoint,
    request: ObjectHttpRequest,
    respond: (answer: Answer, inFlight: InFlight) => A | Promise<A>
  ): Effect.Effect<A, S3PoError> =>
    Effect.async<A, S3PoError>((resume) => {
      const inFlight = new InFlight()
      const settle = (result: Effect.Effect<A, S3PoError>) => {
        inFlight.onabort = null
        inFlight.body = undefined
        resume(result)
      }
      const fail = (error: unknown) => settle(Effect.fail(fromSdkError(context, error)))
      send(client, pools.of(endpoint), context, endpoint, request, inFlight).then((answer) => {
        if (isS3PoError(answer)) return settle(Effect.fail(answer))
        let result: A | Promise<A>
        try {
          result = respond(answer, inFlight)
        } catch (defect) {
          answer.body.destroy()
          return settle(Effect.die(defect))
        }
        if (result instanceof Promise) result.then((value) => settle(Effect.succeed(value)), fail)
        else settle(Effect.succeed(result))
      }, fail)
      return Effect.sync(() => inFlight.abort())
    })

  return { exchange, close: pools.close }
}

export type SignedHttp = ReturnType<typeof make>
