import * as Effect from "effect/Effect"
import { Worker } from "node:worker_threads"

/**
 * SHA-256 of upload bodies on a worker thread, for requests whose payload is signed: the event
 * loop goes on sending the other parts while a part is hashed (about 5 ms for 8 MiB) instead of
 * blocking. Only bodies in shared memory (multipart parts) go to the worker, which reads them in
 * place; for any other body, or should the worker fail, the SDK hashes as usual.
 */
export interface PayloadHasher {
  /** The hex SHA-256 of `bytes`, or `undefined` when the SDK should hash them itself. */
  readonly sha256: (bytes: Uint8Array) => Effect.Effect<string | undefined>
  readonly close: Effect.Effect<void>
}

/** Below this size the round trip to the worker costs more than the hash saves. */
const minOffThreadBytes = 1024 * 1024

const workerSource = `
const { parentPort } = require("node:worker_threads")
const { createHash } = require("node:crypto")
parentPort.on("message", ({ id, buffer, offset, length }) => {
  const hex = createHash("sha256").update(new Uint8Array(buffer, offset, length)).digest("hex")
  parentPort.postMessage({ id, hex })
})
`

interface Answer {
  readonly id: number
  readonly hex: string
}

export const make = (): PayloadHasher => {
  let worker: Worker | undefined
  let failed = false
  let nextId = 0
  const pending = new Map<number, (hex: string | undefined) => void>()

  const start = (): Worker => {
    const started = new Worker(workerSource, { eval: true })
    // An idle worker must not keep the program alive; one with work in hand must.
    started.unref()
    started.on("message", (answer: Answer) => {
      pending.get(answer.id)?.(answer.hex)
      pending.delete(answer.id)
      if (pending.size === 0) started.unref()
    })
    // Parts waiting when the worker fails or ends are left to the SDK to hash; after a failure, all are.
    const release = () => {
      for (const resolve of pending.values()) resolve(undefined)
      pending.clear()
      if (worker === started) worker = undefined
    }
    started.on("error", () => {
      failed = true
      release()
    })
    started.on("exit", release)
    return started
  }

  const sha256 = (bytes: Uint8Array): Effect.Effect<string | undefined> =>
    failed || bytes.length < minOffThreadBytes || !(bytes.buffer instanceof SharedArrayBuffer)
      ? Effect.succeed(undefined)
      : Effect.async<string | undefined>((resume) => {
        const id = nextId++
        pending.set(id, (hex) => resume(Effect.succeed(hex)))
        worker ??= start()
        worker.ref()
        worker.postMessage({ id, buffer: bytes.buffer, offset: bytes.byteOffset, length: bytes.length })
        return Effect.sync(() => pending.delete(id))
      })

  return {
    sha256,
    close: Effect.suspend(() => {
      const running = worker
      worker = undefined
      return running === undefined ? Effect.void : Effect.promise(() => running.terminate())
    })
  }
}
