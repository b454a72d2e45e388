import { Args, Command } from "@effect/cli"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Readable, Writable } from "node:stream"
import { S3Po } from "s3po"
import { common, usageError, withS3 } from "./common.js"
import { parseLocation } from "./location.js"
import type { Output } from "./output.js"
import { versionIdFlag, versionIdOf } from "./versionFlag.js"

/**
 * Where `-` reads and writes: the process's stdin and stdout, or (in tests) any Node streams.
 */
export class StandardStreams extends Context.Reference<StandardStreams>()("@s3po/cli/StandardStreams", {
  defaultValue: (): { readonly stdin: Readable; readonly stdout: Writable } => ({
    stdin: process.stdin,
    stdout: process.stdout
  })
}) {}

const MiB = 1024 * 1024
const defaultPartSize = 8 * MiB
const maxParts = 10_000
const maxObjectBytes = 5 * 1024 * 1024 * MiB

/** The reader went away (`| head`): what is left of the object is not wanted. */
class ReaderGone {
  readonly _tag = "ReaderGone"
}

const ignore = () => {}

const isBrokenPipe = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "EPIPE"

/**
 * Writes each chunk as it comes, waiting for `drain` when the reader is slower than S3. A broken
 * pipe ends the stream (and its GET) quietly: the reader has all it asked for.
 */
const writeTo = <E, R>(
  stdout: Writable,
  chunks: Stream.Stream<Uint8Array, E, R>
): Effect.Effect<void, E | { readonly message: string }, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const state: { error: unknown; wake: (() => void) | undefined } = { error: undefined, wake: undefined }
      // Kept for the whole download: an EPIPE may come after the write that caused it returned.
      const onError = (error: unknown) => {
        state.error ??= error
        state.wake?.()
      }
      stdout.on("error", onError)
      return { state, onError }
    }),
    ({ state }) => {
      const failure = () =>
        isBrokenPipe(state.error)
          ? new ReaderGone()
          : { message: `stdout: ${state.error instanceof Error ? state.error.message : String(state.error)}` }
      const write = (chunk: Uint8Array) =>
        Effect.async<void, ReaderGone | { readonly message: string }>((resume) => {
          if (state.error !== undefined) return resume(Effect.fail(failure()))
          if (stdout.write(chunk)) return resume(Effect.void)
          const wake = () => {
            stdout.off("drain", wake)
            state.wake = undefined
            resume(state.error === undefined ? Effect.void : Effect.fail(failure()))
          }
          state.wake = wake
          stdout.once("drain", wake)
          return Effect.sync(() => {
            stdout.off("drain", wake)
            state.wake = undefined
          })
        })
      const flushed = Effect.async<void, ReaderGone | { readonly message: string }>((resume) => {
        if (state.error !== undefined) return resume(Effect.fail(failure()))
        // Its callback runs once the writes before it are done, with the error of one that failed.
        stdout.write(new Uint8Array(0), (error) => {
          if (error !== undefined && error !== null) state.error ??= error
          resume(state.error === undefined ? Effect.void : Effect.fail(failure()))
        })
      })
      return Stream.runForEach(chunks, write).pipe(
        Effect.zipRight(flushed),
        Effect.catchIf((error): error is ReaderGone => error instanceof ReaderGone, () => Effect.void)
      )
    },
    ({ onError, state }) =>
      Effect.sync(() => {
        stdout.off("error", onError)
        // Writes still queued on a broken pipe fail later: their errors are that same pipe's, not news.
        if (state.error !== undefined) stdout.on("error", ignore)
      })
  )

/**
 * An object to stdout as its bytes arrive: the library's `downloadStream`, which checks the whole
 * object as it is read and holds its last chunk back until the check passes. Nothing else is
 * printed on stdout.
 */
export const downloadToStdout = (bucket: string, key: string, versionId: string | undefined) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const { stdout } = yield* StandardStreams
    yield* writeTo(stdout, s3.downloadStream(bucket, key, { versionId }))
  })

/**
 * The part size of an upload from stdin: the library's 8 MiB, or, given the size to expect (aws's
 * `--expected-size`), parts large enough (in whole MiB) for it to fit in S3's 10,000.
 */
export const partSizeFor = (expectedSize: number | undefined): number | { readonly message: string } => {
  if (expectedSize === undefined) return defaultPartSize
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
    return { message: `--expected-size ${expectedSize}: expected a number of bytes` }
  }
  if (expectedSize > maxObjectBytes) {
    return { message: `--expected-size ${expectedSize}: an S3 object holds at most 5 TiB (${maxObjectBytes} bytes)` }
  }
  return Math.max(defaultPartSize, Math.ceil(expectedSize / maxParts / MiB) * MiB)
}

/**
 * Stdin, of any length, to an object: the library's `upload` of a stream, one PUT when it ends
 * under the multipart threshold, else a multipart upload whose parts go up as they fill. A failure
 * (stdin's or S3's) aborts the multipart upload: nothing is left pending.
 */
export const uploadFromStdin = (output: Output, bucket: string, key: string, expectedSize: number | undefined) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const { stdin } = yield* StandardStreams
    const partSize = partSizeFor(expectedSize)
    if (typeof partSize !== "number") return yield* usageError(partSize.message)
    const body = Stream.fromAsyncIterable(
      stdin as AsyncIterable<Uint8Array>,
      (cause) => ({ message: `stdin: ${cause instanceof Error ? cause.message : String(cause)}` })
    )
    const result = yield* s3.upload(bucket, key, body, { partSize })
    // As aws prints nothing for `cp - s3://...`; a record with --json.
    yield* output.record({ action: "Upload", path: "-", bucket, key, size: result.size, etag: result.etag })
  })

/** `s3po cat s3://bucket/key [--version-id ID]`: the object's bytes on stdout. */
export const cat = Command.make(
  "cat",
  { ...common, target: Args.text({ name: "s3://bucket/key" }), ...versionIdFlag },
  (options) =>
    withS3(options, () => {
      const location = parseLocation(options.target)
      return location._tag === "S3" && location.bucket !== "" && location.key !== ""
        ? downloadToStdout(location.bucket, location.key, versionIdOf(options))
        : usageError(`${options.target}: expected s3://bucket/key`)
    })
).pipe(
  Command.withDescription(
    "Write an object to stdout as it arrives, checked as downloads are (as cp s3://bucket/key - does)"
  )
)

/** What a `cp` with `-` on one side does, or a failure saying why it cannot. */
export const copyStreaming = (
  output: Output,
  source: string,
  destination: string,
  expectedSize: number | undefined,
  versionId: string | undefined
) => {
  const from = parseLocation(source)
  const to = parseLocation(destination)
  if (source === "-" && versionId !== undefined) return usageError("--version-id names a version to read: not of stdin")
  if (source === "-" && to._tag === "S3" && to.bucket !== "" && to.key !== "" && !to.key.endsWith("/")) {
    return uploadFromStdin(output, to.bucket, to.key, expectedSize)
  }
  if (destination === "-" && from._tag === "S3" && from.bucket !== "" && from.key !== "") {
    return downloadToStdout(from.bucket, from.key, versionId)
  }
  return usageError(
    source === "-"
      ? `${destination}: stdin is copied to one object, s3://bucket/key`
      : `${source}: stdout is written from one object, s3://bucket/key`
  )
}
