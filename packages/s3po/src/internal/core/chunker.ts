import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * Part buffers to reuse once S3 has acknowledged a part: a long upload then allocates a handful of
 * buffers instead of one per part, and its memory stays flat instead of waiting on the collector.
 * They are shared memory, so that a worker thread can hash a part where it lies.
 */
export class PartBuffers {
  private readonly free: Array<SharedArrayBuffer> = []
  private readonly owned = new WeakSet<SharedArrayBuffer>()

  constructor(private readonly keep: number) {}

  take(size: number): Uint8Array {
    const reused = this.free.pop()
    if (reused !== undefined && reused.byteLength === size) return new Uint8Array(reused)
    const buffer = new SharedArrayBuffer(size)
    this.owned.add(buffer)
    return new Uint8Array(buffer)
  }

  /** Returns a part's buffer for reuse; parts that are views of the caller's own chunks are left alone. */
  give(part: Uint8Array): void {
    const buffer = part.buffer
    if (buffer instanceof SharedArrayBuffer && this.owned.has(buffer) && this.free.length < this.keep) {
      this.free.push(buffer)
    }
  }
}

/** Reads the next part of a body, of exactly `size` bytes but for the last; `Option.none()` once the body has ended. */
export type PartReader<E, R> = (size: number) => Effect.Effect<Option.Option<Uint8Array>, E, R>

/**
 * Reads a pull of byte chunks as parts of exactly `size` bytes (the last may be shorter). A part
 * that lies within one chunk is a view of it, with no copy; a part spanning chunks is copied once
 * into its own buffer. `Option.none()` marks the end.
 */
export const partReader = <E, R>(
  pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>, R>,
  buffers: PartBuffers = new PartBuffers(0)
): PartReader<E, R> => {
  const queue: Array<Uint8Array> = []
  let offset = 0
  let ended = false

  const fill = Effect.flatMap(pull, (chunk) => {
    for (const bytes of chunk) if (bytes.length > 0) queue.push(bytes)
    return Effect.void
  }).pipe(
    Effect.catchAll(Option.match({
      onNone: () => Effect.sync(() => void (ended = true)),
      onSome: (error: E) => Effect.fail(error)
    }))
  )

  return (size: number): Effect.Effect<Option.Option<Uint8Array>, E, R> =>
    Effect.gen(function*() {
      let part: Uint8Array | undefined
      let filled = 0
      while (filled < size) {
        if (queue.length === 0) {
          if (ended) break
          yield* fill
          continue
        }
        const head = queue[0]!
        if (filled === 0 && head.length - offset >= size) {
          const whole = head.subarray(offset, offset + size)
          offset += size
          if (offset === head.length) {
            queue.shift()
            offset = 0
          }
          return Option.some(whole)
        }
        part ??= buffers.take(size)
        const take = Math.min(head.length - offset, size - filled)
        part.set(head.subarray(offset, offset + take), filled)
        filled += take
        offset += take
        if (offset === head.length) {
          queue.shift()
          offset = 0
        }
      }
      return filled === 0 || part === undefined ? Option.none() : Option.some(part.subarray(0, filled))
    })
}

/**
 * Reads parts with `read`, which fills the start of the array it is given and answers how many
 * bytes it put there (0 at the end), as reading a file does. Each part is read straight into a part
 * buffer: no chunk is allocated, and no byte copied, on the way.
 */
export const readerInto = <E, R>(
  read: (into: Uint8Array) => Effect.Effect<number, E, R>,
  buffers: PartBuffers
): PartReader<E, R> =>
(size) =>
  Effect.suspend(() => {
    const part = buffers.take(size)
    let filled = 0
    const fill: Effect.Effect<Option.Option<Uint8Array>, E, R> = Effect.flatMap(
      Effect.suspend(() => read(part.subarray(filled))),
      (bytesRead) => {
        filled += bytesRead
        if (bytesRead > 0 && filled < size) return fill
        if (filled > 0) return Effect.succeed(Option.some(part.subarray(0, filled)))
        buffers.give(part)
        return Effect.succeed(Option.none())
      }
    )
    return fill
  })

export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
