/**
 * A small HTTP proxy between `S3PoLive` and the test server that injects real faults on a
 * deterministic plan: S3 error answers, connections reset mid-request, bodies cut short, delays,
 * and stalls. It records every request it sees, and when each client connection closed.
 */
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import type { AddressInfo } from "node:net"
import type { Certificate } from "./tls.js"

export type Fault =
  | "pass"
  | "slowDown503"
  | "internalError500"
  | "tooManyRequests429"
  | "reset"
  | "truncate"
  | "delay"
  /** Forward the request, then drip the response body slowly (downloads stay in flight). */
  | "stallResponse"
  /** Take the request body and never answer (uploads stay in flight). */
  | "stallRequest"
  /** Forward the request, then send the whole response body at about 20 KiB/s, 1 KiB every 50 ms. */
  | "dripResponse"
  /** Forward the request, send the answer's headers and half its body, then send nothing more. */
  | "holdResponse"
  /** 404 NoSuchUpload with AWS's wording, which says "aborted". */
  | "noSuchUpload404"
  /** 409 OperationAborted. */
  | "operationAborted409"
  /** 200 whose body is an InternalError: how S3 answers a CopyObject or Complete that failed after it began. */
  | "internalErrorIn200"
  /** 412 PreconditionFailed, as S3 answers a conditional write whose condition does not hold. */
  | "preconditionFailed412"
  /** Forward the request and let the server act on it, then drop the connection before any answer. */
  | "dropAnswer"
  /** Forward the request with one byte of its body flipped, its length and headers kept: an upload altered on the wire. */
  | "flipRequestByte"
  /**
   * Forward the request, then send the answer with one byte of its body flipped (the middle one),
   * its status, headers and length kept: a download altered on the wire.
   */
  | "flipResponseByte"

export interface ProxiedRequest {
  readonly index: number
  readonly method: string
  readonly path: string
  readonly query: string
  readonly fault: Fault
  readonly connection: number
  readonly range?: string | undefined
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: string | undefined
  /** The `x-amz-content-sha256` header: the payload's hash, or how it is left unsigned. */
  readonly contentSha256?: string | undefined
  /** The `x-amz-checksum-crc32` header, when the request carries one. */
  readonly checksumCrc32?: string | undefined
  /** The `amz-sdk-request` header (`attempt=1; max=3`), which only the AWS SDK's own retry step sets. */
  readonly sdkAttempt?: string | undefined
}

export type FaultPlan = (
  request: { readonly index: number; readonly method: string; readonly path: string; readonly query: string }
) => Fault

export interface FaultProxy {
  readonly url: string
  readonly requests: ReadonlyArray<ProxiedRequest>
  /** When each client connection closed (`performance.now()`), by connection number. */
  readonly closedAt: ReadonlyMap<number, number>
  setPlan(plan: FaultPlan): void
  reset(): void
  close(): Promise<void>
}

/**
 * A seeded pseudo-random plan: each request is faulted with probability `rate`, taking the faults
 * in turn so that every kind is injected.
 */
export const seededPlan = (seed: number, rate: number, faults: ReadonlyArray<Fault>): FaultPlan => {
  let state = seed >>> 0
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  let next = 0
  return () => random() < rate ? faults[next++ % faults.length]! : "pass"
}

const s3Error = (status: number, code: string, message: string) => ({
  status,
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
})

const errorAnswers: Partial<Record<Fault, { status: number; body: string }>> = {
  slowDown503: s3Error(503, "SlowDown", "Please reduce your request rate."),
  internalError500: s3Error(500, "InternalError", "We encountered an internal error. Please try again."),
  tooManyRequests429: s3Error(429, "TooManyRequestsException", "Too many requests."),
  noSuchUpload404: s3Error(
    404,
    "NoSuchUpload",
    "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload " +
      "might have been aborted or completed."
  ),
  internalErrorIn200: s3Error(200, "InternalError", "We encountered an internal error. Please try again."),
  preconditionFailed412: s3Error(
    412,
    "PreconditionFailed",
    "At least one of the pre-conditions you specified did not hold"
  ),
  operationAborted409: s3Error(
    409,
    "OperationAborted",
    "A conflicting conditional operation is currently in progress against this resource. Please try again."
  )
}

/**
 * Starts the proxy in front of `target`. With `tls`, it answers HTTPS with that certificate and
 * forwards plain HTTP, as a TLS-terminating load balancer in front of a server does.
 */
export const startFaultProxy = async (
  target: string,
  initialPlan: FaultPlan = () => "pass",
  options: { readonly tls?: Certificate } = {}
): Promise<FaultProxy> => {
  const upstream = new URL(target)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  const requests: Array<ProxiedRequest> = []
  const closedAt = new Map<number, number>()
  let plan = initialPlan
  let connections = 0
  const connectionIds = new WeakMap<object, number>()

  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const connection = connectionIds.get(request.socket) ?? -1
    const [path = "/", query = ""] = (request.url ?? "/").split("?", 2)
    const index = requests.length
    const fault = plan({ index, method: request.method ?? "GET", path, query })
    requests.push({
      index,
      method: request.method ?? "GET",
      path,
      query,
      fault,
      connection,
      range: request.headers.range,
      ifMatch: request.headers["if-match"],
      ifNoneMatch: request.headers["if-none-match"],
      contentSha256: request.headers["x-amz-content-sha256"] as string | undefined,
      checksumCrc32: request.headers["x-amz-checksum-crc32"] as string | undefined,
      sdkAttempt: request.headers["amz-sdk-request"] as string | undefined
    })

    if (fault === "reset") {
      request.socket.destroy()
      return
    }
    if (fault === "stallRequest") {
      // Take the body and never answer. The body is read at full speed: a slow reader would see the
      // client's close only after draining what the kernel buffered, hiding how fast the client closed.
      request.resume()
      return
    }
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const answer = errorAnswers[fault]
      if (answer !== undefined) {
        const body = request.method === "HEAD" ? "" : answer.body
        response.writeHead(answer.status, {
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(body),
          ...(fault === "slowDown503" ? { "retry-after": "0" } : {})
        })
        response.end(body)
        return
      }
      const forward = () => {
        const headers = { ...request.headers }
        delete headers.expect
        const outgoing = http.request({
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers,
          agent
        }, (incoming) => {
          if (fault === "dropAnswer") {
            incoming.resume()
            incoming.on("end", () => request.socket.destroy())
            return
          }
          if (fault === "truncate") {
            const length = Number(incoming.headers["content-length"] ?? 0)
            // Without a body to cut (HEAD, empty or chunked answers) the connection drops before the answer.
            if (length < 2 || request.method === "HEAD") {
              request.socket.destroy()
              incoming.resume()
              return
            }
            response.writeHead(incoming.statusCode ?? 502, incoming.headers)
            let sent = 0
            incoming.on("data", (chunk: Buffer) => {
              if (sent >= length / 2) return
              const slice = chunk.subarray(0, Math.max(0, Math.floor(length / 2) - sent))
              sent += slice.length
              response.write(slice)
              if (sent >= length / 2) setTimeout(() => request.socket.destroy(), 5)
            })
            incoming.on("end", () => request.socket.destroy())
            return
          }
          response.writeHead(incoming.statusCode ?? 502, incoming.headers)
          if (fault === "dripResponse") {
            const pending: Array<Buffer> = []
            let ended = false
            const drip = setInterval(() => {
              const next = pending[0]
              if (next === undefined) {
                if (ended) {
                  clearInterval(drip)
                  response.end()
                }
                return
              }
              response.write(next.subarray(0, 1024))
              if (next.length > 1024) pending[0] = next.subarray(1024)
              else pending.shift()
            }, 50)
            response.on("close", () => clearInterval(drip))
            incoming.on("data", (chunk: Buffer) => pending.push(chunk))
            incoming.on("end", () => {
              ended = true
            })
            return
          }
          if (fault === "holdResponse") {
            const length = Number(incoming.headers["content-length"] ?? 0)
            let sent = 0
            incoming.on("data", (chunk: Buffer) => {
              const slice = chunk.subarray(0, Math.max(0, Math.floor(length / 2) - sent))
              sent += slice.length
              if (slice.length > 0) response.write(slice)
            })
            return
          }
          if (fault === "stallResponse") {
            incoming.on("data", (chunk: Buffer) => {
              incoming.pause()
              response.write(chunk.subarray(0, 1024))
              setTimeout(() => incoming.resume(), 50)
            })
            incoming.on("end", () => response.end())
            return
          }
          if (fault === "flipResponseByte") {
            const at = Math.floor(Number(incoming.headers["content-length"] ?? 0) / 2)
            let passed = 0
            incoming.on("data", (chunk: Buffer) => {
              if (at >= passed && at < passed + chunk.length) chunk[at - passed] ^= 0x01
              passed += chunk.length
              response.write(chunk)
            })
            incoming.on("end", () => response.end())
            return
          }
          incoming.pipe(response)
        })
        outgoing.on("error", () => request.socket.destroy())
        const body = Buffer.concat(chunks)
        if (fault === "flipRequestByte" && body.length > 0) body[body.length >> 1] ^= 0x01
        outgoing.end(body)
      }
      if (fault === "delay") setTimeout(forward, 150)
      else forward()
    })
  }
  const server = options.tls === undefined ? http.createServer(handle) : https.createServer(options.tls, handle)
  server.on(options.tls === undefined ? "connection" : "secureConnection", (socket: net.Socket) => {
    const id = connections++
    connectionIds.set(socket, id)
    socket.on("close", () => closedAt.set(id, performance.now()))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    requests,
    closedAt,
    setPlan: (next) => {
      plan = next
    },
    reset: () => {
      requests.length = 0
      plan = () => "pass"
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
