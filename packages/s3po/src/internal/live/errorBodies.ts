import type { S3Client } from "@aws-sdk/client-s3"
import { Readable } from "node:stream"

/**
 * The bodies of error answers, read within bounds on both request paths. S3's error documents are
 * a few hundred bytes; a body that goes on (a misbehaving proxy, a hostile server) must neither
 * hold the request nor fill memory. What is past the bounds is not read: the body is destroyed,
 * and its connection with it.
 */

/** At most this much of an error answer's body is read. */
export const maxErrorBodyBytes = 64 * 1024

/** How long an error answer's body may take when nothing else says (`undici`'s default body timeout). */
export const defaultErrorBodyMillis = 300_000

/** What was read of an error answer's body, and whether that is all of it. */
export interface ErrorBody {
  readonly bytes: Uint8Array
  readonly whole: boolean
}

/**
 * Reads an error answer's body: at most `maxErrorBodyBytes` of it, for at most `timeoutMillis`
 * after it is asked for (a body that trickles forever is cut, as one that stops is). A body cut
 * short is destroyed.
 */
export const readErrorBody = (body: Readable, timeoutMillis: number): Promise<ErrorBody> =>
  new Promise((resolve) => {
    const chunks: Array<Uint8Array> = []
    let length = 0
    let settled = false
    const settle = (whole: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      body.off("data", onData)
      body.off("end", onEnd)
      body.off("error", onCut)
      body.off("close", onCut)
      if (!whole) body.destroy()
      resolve({ bytes: Buffer.concat(chunks), whole })
    }
    const onData = (chunk: Uint8Array) => {
      const room = maxErrorBodyBytes - length
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk)
      length += chunk.length
      if (length > maxErrorBodyBytes) settle(false)
    }
    const onEnd = () => settle(true)
    const onCut = () => settle(false)
    const timer = setTimeout(onCut, timeoutMillis)
    if (body.readableEnded) return settle(true)
    if (body.destroyed) return settle(false)
    body.on("data", onData)
    body.once("end", onEnd)
    body.once("error", onCut)
    body.once("close", onCut)
  })

const xmlEntities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }

/** The text of an element of an S3 XML document, found in as much of it as arrived. */
export const xmlText = (xml: string, element: string): string | undefined => {
  const found = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1]
  return found?.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => xmlEntities[name]!)
}

interface SdkResponse {
  readonly statusCode?: unknown
  readonly headers?: Record<string, string | undefined>
  body?: unknown
}

/**
 * Adds to a middleware stack the step that reads an error answer's body within bounds, before the
 * SDK's deserializer (which collects a body whole) sees it. A body read whole is handed on as bytes
 * and parsed by the SDK as before; one cut short fails as the SDK's errors do, with the answer's
 * status, and the code and message when they came in the part read.
 */
export const capErrorBodies = (stack: S3Client["middlewareStack"], timeoutMillis: number): void => {
  stack.add((next) => async (args) => {
    const result = await next(args)
    const response = result.response as SdkResponse
    const status = response.statusCode
    if (typeof status !== "number" || status < 300 || !(response.body instanceof Readable)) return result
    const body = await readErrorBody(response.body, timeoutMillis)
    if (body.whole) {
      response.body = body.bytes
      return result
    }
    const xml = Buffer.from(body.bytes).toString("utf8")
    const code = xmlText(xml, "Code")
    throw Object.assign(new Error(xmlText(xml, "Message") ?? `an error answer (HTTP ${status}) cut short`), {
      name: code ?? "UnknownError",
      $metadata: {
        httpStatusCode: status,
        requestId: response.headers?.["x-amz-request-id"] ?? xmlText(xml, "RequestId")
      },
      $response: { headers: response.headers ?? {} }
    })
  }, {
    name: "s3poCapErrorBodies",
    step: "deserialize",
    // Innermost of its step: it sees the answer before the SDK's deserializer reads it.
    priority: "low",
    override: true
  })
}

/**
 * The caller's client as s3po sends with it: its own middleware stack, as it is at each request,
 * with error bodies read within bounds. The client itself is left as it is.
 */
export const withCappedErrorBodies = (client: S3Client, timeoutMillis: number): S3Client =>
  Object.create(client, {
    middlewareStack: {
      get: () => {
        const stack = client.middlewareStack.clone()
        capErrorBodies(stack, timeoutMillis)
        return stack
      }
    }
  }) as S3Client
