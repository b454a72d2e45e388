import type { S3Client } from "@aws-sdk/client-s3"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { IncomingHttpHeaders } from "node:http"
import type { LookupFunction } from "node:net"
import { Readable } from "node:stream"
import type * as Undici from "undici"
import type { buildConnector, Dispatcher, Pool } from "undici"
import { isS3PoError, type S3PoError } from "../../S3PoError.js"
import { fromErrorAnswer, type RequestContext } from "../core/classify.js"
import { encodeQuery } from "../core/presign.js"
import * as ConnectionBudget from "./connectionBudget.js"
import type { Endpoint } from "./endpoints.js"
import { defaultErrorBodyMillis, maxErrorBodyBytes, xmlText } from "./errorBodies.js"
import { fromSdkError, retryAfterFrom } from "./sdkError.js"
import { readAheadBytes, type ReadBody } from "./transport.js"

/**
 * S3's object requests sent by s3po itself, over `undici`'s connection pools: signed by the SDK's
 * own signer for the endpoint its rules give, answered through the one error mapping. The SDK's
 * per-request machinery (its middleware stack, serializers, checksums) costs several times the
 * rest of a small request; what it knows (credentials, endpoints, signing) is used as it is.
 */

export interface HttpOptions {
  /** The most connections open at once, over every origin. */
  readonly connections: number
  /** The budget the connections are opened within, when it is shared (by the SDK's agents); else one of `connections`. */
  readonly budget?: ConnectionBudget.ConnectionBudget | undefined
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Time to the answer's headers. */
  readonly headersTimeout?: Duration.DurationInput | undefined
  /** Time between two chunks of the answer's body, and the most an error answer's body may take. */
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
  /** The query's parameters (a version's `versionId`), signed with the rest. */
  readonly query?: Readonly<Record<string, string>> | undefined
  readonly body?: Uint8Array | undefined
  /** The payload's SHA-256 (hex) or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string
}

/**
 * An answer: its status and headers, and its body, read whole before the answer is handed over
 * (all but a large object's), or a stream to read (a GET's body larger than `readAheadBytes`).
 */
export interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: ReadBody | Readable
}

/** The SHA-256 of an empty payload, as SigV4 signs a request without a body. */
export const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const interrupted = () => new Error("interrupted")

/**
 * One exchange with the server, as `undici`'s dispatcher drives it: a small body is gathered in
 * chunks, a large one handed over as a stream that pauses the connection while it is not read.
 * Neither the stream, the promise nor the abort signal of `undici`'s `request` is made for the
 * small answers that most requests get. An error answer's body is gathered within bounds (see
 * `errorBodies.ts`): what arrived by its `maxErrorBodyBytes` or its time is the answer, and the
 * request is aborted, closing the connection.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private status = 0
  private headers: IncomingHttpHeaders = {}
  private chunks: Array<Uint8Array> = []
  private stream: Readable | undefined
  private settled = false
  private errorBodyBytes = 0
  private errorBodyTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly streamsLargeBodies: boolean,
    private readonly errorBodyMillis: number,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: unknown) => void
  ) {}

  /** Stops the exchange: the request is aborted, the stream being read destroyed. */
  abort() {
    this.settled = true
    clearTimeout(this.errorBodyTimer)
    this.controller?.abort(interrupted())
    this.stream?.destroy()
  }

  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller
    if (this.settled) controller.abort(interrupted())
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders) {
    this.status = status
    this.headers = headers
    if (status >= 300) {
      this.errorBodyTimer = setTimeout(() => this.cutErrorBody(controller), this.errorBodyMillis)
      return
    }
    if (!this.streamsLargeBodies || status < 200) return
    const length = header(headers, "content-length")
    if (length !== undefined && Number(length) <= readAheadBytes) return
    this.stream = new Readable({
      read: () => controller.resume(),
      destroy: (error, callback) => {
        if (!controller.aborted) controller.abort(error ?? interrupted())
        callback(error)
      }
    })
    // A body that breaks before its reader listens must not be an uncaught error: the reader
    // finds it on the stream (`errored`) when it comes.
    this.stream.on("error", () => {})
    this.answer(this.stream)
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
    if (this.stream !== undefined) {
      if (!this.stream.push(chunk)) controller.pause()
      return
    }
    if (this.settled) return
    this.chunks.push(chunk)
    if (this.status >= 300 && (this.errorBodyBytes += chunk.length) > maxErrorBodyBytes) this.cutErrorBody(controller)
  }

  onResponseEnd() {
    clearTimeout(this.errorBodyTimer)
    if (this.stream === undefined) this.answer({ chunks: this.chunks })
    else this.stream.push(null)
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error) {
    clearTimeout(this.errorBodyTimer)
    if (this.stream !== undefined) this.stream.destroy(error)
    else if (this.status === 0) this.fail(error)
    // A body broken off after its headers: what arrived is kept, and how it broke.
    else this.answer({ chunks: this.chunks, error })
  }

  /** The error answer with what arrived of its body; the rest is not waited for. */
  private cutErrorBody(controller: Dispatcher.DispatchController) {
    clearTimeout(this.errorBodyTimer)
    this.answer({ chunks: this.chunks })
    if (!controller.aborted) controller.abort(new Error("an error answer's body past its bounds"))
  }

  private answer(body: ReadBody | Readable) {
    if (this.settled) return
    this.settled = true
    this.resolve({ status: this.status, headers: this.headers, body })
  }

  private fail(error: unknown) {
    if (this.settled) return
    this.settled = true
    this.reject(error)
  }
}

const unreserved = /^[A-Za-z0-9\-._~/]*$/

/** A key as S3 takes it in a path: every byte but `A-Z a-z 0-9 - . _ ~` and `/` percent-encoded. */
export const encodeKey = (key: string): string =>
  unreserved.test(key) ? key : encodeURIComponent(key).replace(/%2F/g, "/").replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`
  )

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

/** undici, loaded for the first request: a program that sends none (an `ls`) loads none of it. */
let loadingUndici: Promise<typeof Undici> | undefined
const loadUndici = () => loadingUndici ??= import("undici")

/** Connects within the budget, which is given back when the connection closes. */
const budgetedConnect = (
  connector: buildConnector.connector,
  budget: ConnectionBudget.ConnectionBudget
): buildConnector.connector =>
(connectOptions, callback) =>
  budget.take((allowed) => {
    if (!allowed) return callback(new Error("the layer is closed"), null)
    connector(connectOptions, (error, socket) => {
      if (error !== null) {
        budget.close()
        return callback(error, null)
      }
      socket.once("close", budget.close)
      callback(null, socket)
    })
  })

/**
 * The connection pool of each origin, made on first use. Their connections are opened within the
 * budget, and a pool left idle is closed when a connection waits for room.
 */
const makePools = (options: HttpOptions, budget: ConnectionBudget.ConnectionBudget) => {
  const pools = new Map<string, Pool>()
  let connect: buildConnector.connector | undefined
  let closed = false
  budget.closesIdle(() => {
    for (const [origin, pool] of pools) {
      const stats = pool.stats
      if (stats.size === 0 && stats.connected > 0) {
        pools.delete(origin)
        pool.close().catch(() => {})
        return true
      }
    }
    return false
  })
  const open = async (endpoint: Endpoint): Promise<Pool> => {
    const undici = await loadUndici()
    if (closed) throw new Error("the layer is closed")
    const opened = pools.get(endpoint.origin)
    if (opened !== undefined) return opened
    connect ??= budgetedConnect(
      undici.buildConnector({
        ...(options.connectTimeout === undefined ? {} : { timeout: millisOf(options.connectTimeout) }),
        ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
        ...(options.lookup === undefined ? {} : { lookup: options.lookup })
      }),
      budget
    )
    const pool = new undici.Pool(endpoint.origin, {
      connections: options.connections,
      pipelining: 1,
      ...(options.headersTimeout === undefined ? {} : { headersTimeout: millisOf(options.headersTimeout) }),
      ...(options.bodyTimeout === undefined ? {} : { bodyTimeout: millisOf(options.bodyTimeout) }),
      connect
    })
    pools.set(endpoint.origin, pool)
    return pool
  }
  return {
    /** The origin's pool, at once when it is open. */
    of: (endpoint: Endpoint): Pool | Promise<Pool> => pools.get(endpoint.origin) ?? open(endpoint),
    close: () => {
      closed = true
      return Promise.all(Array.from(pools.values(), (pool) => pool.destroy())).then(() => pools.clear())
    }
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
    query: request.query ?? {},
    headers
  }, {
    signingDate: new Date(Date.now() + clockOffset),
    signingRegion: endpoint.signingRegion,
    signingService: endpoint.signingName
  })
}

const bodyText = (body: ReadBody | Readable): string =>
  "chunks" in body ? Buffer.concat(body.chunks).subarray(0, maxErrorBodyBytes).toString("utf8") : ""

/**
 * Sends the request: a 2xx answer is returned, an error answer mapped, once after correcting the
 * clock when the server says it is off (as the SDK does).
 */
const send = async (
  client: S3Client,
  pool: Pool | Promise<Pool>,
  context: RequestContext,
  endpoint: Endpoint,
  request: ObjectHttpRequest,
  errorBodyMillis: number,
  onExchange: (exchange: Exchange) => void,
  clockCorrected = false
): Promise<Answer | S3PoError> => {
  const clockOffset = client.config.systemClockOffset
  const signed = await sign(endpoint, request, clockOffset)
  const dispatcher = pool instanceof Promise ? await pool : pool
  const answer = await new Promise<Answer>((resolve, reject) => {
    const exchange = new Exchange(request.method === "GET", errorBodyMillis, resolve, reject)
    onExchange(exchange)
    dispatcher.dispatch({
      method: request.method,
      path: request.query === undefined ? signed.path : `${signed.path}?${encodeQuery(request.query)}`,
      headers: signed.headers,
      body: bodyOf(request.body)
    }, exchange)
  })
  if (answer.status >= 200 && answer.status < 300) return answer
  const xml = bodyText(answer.body)
  const code = xmlText(xml, "Code")
  const date = Date.parse(header(answer.headers, "date") ?? "")
  // Judged against the clock this request was signed with (another request may have corrected it
  // since); a 403 without a code (a HEAD's) may be a skewed clock too.
  if (
    !clockCorrected && (code === undefined ? answer.status === 403 : clockSkewCodes.has(code)) &&
    !Number.isNaN(date) && Math.abs(date - (Date.now() + clockOffset)) >= maxSkewMillis
  ) {
    client.config.systemClockOffset = date - Date.now()
    return send(client, dispatcher, context, endpoint, request, errorBodyMillis, onExchange, true)
  }
  return fromErrorAnswer(context, {
    status: answer.status,
    code,
    message: xmlText(xml, "Message"),
    requestId: header(answer.headers, "x-amz-request-id") ?? xmlText(xml, "RequestId"),
    retryAfter: retryAfterFrom(header(answer.headers, "retry-after")),
    etag: header(answer.headers, "etag")
  })
}

export const make = (client: S3Client, options: HttpOptions) => {
  const budget = options.budget ?? ConnectionBudget.make(options.connections)
  const pools = makePools(options, budget)
  const errorBodyMillis = options.bodyTimeout === undefined ? defaultErrorBodyMillis : millisOf(options.bodyTimeout)

  /**
   * One request as an effect: interrupting it aborts the request. `respond` turns a 2xx answer into
   * the result; a stream it is given is its own to read or destroy.
   */
  const exchange = <A>(
    context: RequestContext,
    endpoint: Endpoint,
    request: ObjectHttpRequest,
    respond: (answer: Answer) => A
  ): Effect.Effect<A, S3PoError> =>
    Effect.async<A, S3PoError>((resume) => {
      let current: Exchange | undefined
      let interrupted = false
      // Once settled, the link to the exchange is cut: the canceler may be held on to for a while,
      // and through it the exchange would live long enough to be promoted to the old generation.
      const settle = (result: Effect.Effect<A, S3PoError>) => {
        current = undefined
        resume(result)
      }
      send(client, pools.of(endpoint), context, endpoint, request, errorBodyMillis, (exchange) => {
        current = exchange
        if (interrupted) exchange.abort()
      }).then((answer) => {
        if (isS3PoError(answer)) return settle(Effect.fail(answer))
        let result: A
        try {
          result = respond(answer)
        } catch (defect) {
          if (answer.body instanceof Readable) answer.body.destroy()
          return settle(Effect.die(defect))
        }
        settle(Effect.succeed(result))
      }, (error: unknown) => settle(Effect.fail(fromSdkError(context, error))))
      return Effect.sync(() => {
        interrupted = true
        current?.abort()
      })
    })

  /** Closes the pools, and ends the budget when it is the transport's own. */
  const close = () => {
    if (options.budget === undefined) budget.end()
    return pools.close()
  }

  return { exchange, close }
}

export type SignedHttp = ReturnType<typeof make>
