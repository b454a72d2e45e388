import * as Effect from "effect/Effect"
import type { Readable } from "node:stream"
import type { S3PoError } from "../../S3PoError.js"
import { fromSdkError, type RequestContext } from "./sdkError.js"

/**
 * What an HTTP request in flight can be stopped by: the abort signal the SDK's Node HTTP handler
 * understands when `addEventListener` is absent (much cheaper than an `AbortController` per
 * request, which costs about as much as the rest of s3po's work on a small request), and the body
 * being read once the response has arrived.
 */
export interface InFlight {
  aborted: boolean
  onabort: (() => void) | null
  body: Readable | undefined
}

const closedEarly = () =>
  Object.assign(new Error("the connection closed before the body ended"), { code: "ECONNRESET" })

/** Follows a response body by its events until it ends (`onEnd`) or breaks (`onError`), whichever comes first. */
const follow = (
  readable: Readable,
  onChunk: (chunk: Uint8Array) => void,
  onEnd: () => void,
  onError: (error: unknown) => void
): () => void => {
  const stop = () => {
    readable.off("data", onChunk)
    readable.off("end", ended)
    readable.off("error", failed)
    readable.off("close", closed)
  }
  const ended = () => {
    stop()
    onEnd()
  }
  const failed = (error: unknown) => {
    stop()
    onError(error)
  }
  const closed = () => failed(closedEarly())
  // Broken or closed before anyone listened: no event will come.
  if (readable.errored !== null || readable.destroyed) {
    const error = readable.errored
    queueMicrotask(() => error !== null ? onError(error) : readable.readableEnded ? onEnd() : onError(closedEarly()))
    return () => {}
  }
  readable.on("data", onChunk)
  readable.once("end", ended)
  readable.once("error", failed)
  readable.once("close", closed)
  return stop
}

/** Reads a response body by its events; interruption destroys it, closing the connection. */
export const forEachChunk = (readable: Readable, context: RequestContext, f: (chunk: Uint8Array) => void) =>
  Effect.async<void, S3PoError>((resume) => {
    const stop = follow(
      readable,
      f,
      () => resume(Effect.void),
      (error) => resume(Effect.fail(fromSdkError(context, error)))
    )
    return Effect.sync(() => {
      stop()
      readable.destroy()
    })
  })

/**
 * A body this small is read whole before the response is handed over: its bytes are already
 * arriving, and one suspension of the fiber instead of two is much of a small GET's cost in s3po.
 */
export const readAheadBytes = 64 * 1024

/** The chunks of a whole body, and the error it broke off with, if it did. */
export interface ReadBody {
  readonly chunks: ReadonlyArray<Uint8Array>
  readonly error?: unknown
}

export const readWhole = (readable: Readable, inFlight: InFlight): Promise<ReadBody> =>
  new Promise((resolve) => {
    const chunks: Array<Uint8Array> = []
    if (inFlight.aborted || readable.destroyed) {
      readable.destroy()
      return resolve({ chunks, error: closedEarly() })
    }
    inFlight.body = readable
    follow(readable, (chunk) => chunks.push(chunk), () => resolve({ chunks }), (error) => resolve({ chunks, error }))
  })

/**
 * Sends one command and turns its output into the result with `respond` (synchronously, or by a
 * promise for what is read after the response arrives). Interrupting the fiber aborts the HTTP
 * request and destroys a body being read.
 */
export const send = <Output, A>(
  context: RequestContext,
  request: (options: { readonly abortSignal: InFlight }) => Promise<Output>,
  respond: (output: Output, inFlight: InFlight) => A | Promise<A>
): Effect.Effect<A, S3PoError> =>
  Effect.async<A, S3PoError>((resume) => {
    const inFlight: InFlight = { aborted: false, onabort: null, body: undefined }
    // Once settled, the links to the request are cut: the canceler may be held on to for a while,
    // and through them it would keep the whole HTTP exchange alive long enough for the collector
    // to promote it to the old generation.
    const settle = (result: Effect.Effect<A, S3PoError>) => {
      inFlight.onabort = null
      inFlight.body = undefined
      resume(result)
    }
    const fail = (error: unknown) => settle(Effect.fail(fromSdkError(context, error)))
    request({ abortSignal: inFlight }).then((output) => {
      let result: A | Promise<A>
      try {
        result = respond(output, inFlight)
      } catch (defect) {
        return settle(Effect.die(defect))
      }
      if (result instanceof Promise) result.then((value) => settle(Effect.succeed(value)), fail)
      else settle(Effect.succeed(result))
    }, fail)
    return Effect.sync(() => {
      inFlight.aborted = true
      inFlight.onabort?.()
      inFlight.body?.destroy()
    })
  })
