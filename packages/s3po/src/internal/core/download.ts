import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { RetryPolicy } from "../../Retry.js"
import type { DownloadOptions, DownloadResult, ObjectInfo } from "../../S3Po.js"
import { LocalFileError, type S3PoError, TransportError, ValidationError } from "../../S3PoError.js"
import type { Backend, ByteRange, GetObjectResponse } from "./backend.js"
import { firstFailureStream } from "./firstFailure.js"
import { defaultPartSize, maxBytesInMemory } from "./limits.js"
import { currentAttempt, retrying, retryingStream } from "./retry.js"
import * as Validate from "./validation.js"

export interface Download {
  readonly info: ObjectInfo
  /** The body as a stream, to be read once. */
  readonly body: Stream.Stream<Uint8Array, S3PoError>
}

const tooLargeForMemory = (bucket: string, key: string, size: number) =>
  new ValidationError({
    operation: "download",
    field: "key",
    reason: `s3://${bucket}/${key} has ${size} bytes, more than one Uint8Array holds (${maxBytesInMemory}): ` +
      "use downloadStream or downloadFile"
  })

/** Fails, as a retryable transport error, when a body ended before all its bytes arrived. */
const endedShort = (bucket: string, key: string, received: number, length: number): Effect.Effect<void, S3PoError> =>
  received < length
    ? Effect.fail(
      new TransportError({
        operation: "GetObject",
        bucket,
        key,
        reason: `the response body ended after ${received} of ${length} bytes`,
        retryable: true
      })
    )
    : Effect.void

/** Where the bytes of a GET go as they arrive. */
interface Gather<A> {
  /** Makes room for a body of `length` bytes, or says why it cannot be taken. */
  readonly open: (length: number) => S3PoError | undefined
  /** Takes the body's bytes from offset `at`. */
  readonly put: (chunk: Uint8Array, at: number) => void
  /** Whether `put` keeps the chunks it is given: they are then read as the caller's own, not lent. */
  readonly keepsChunks: boolean
  readonly result: () => A
}

/** Into one array allocated for the body. */
const intoNewArray = (bucket: string, key: string): Gather<Uint8Array> => {
  let bytes: Uint8Array | undefined
  return {
    open: (length) => {
      if (length > maxBytesInMemory) return tooLargeForMemory(bucket, key, length)
      // From Node's buffer pool for small bodies: allocating an ArrayBuffer per small object is costly.
      bytes = Buffer.allocUnsafe(length)
    },
    put: (chunk, at) => bytes!.set(chunk, at),
    keepsChunks: false,
    result: () => bytes!
  }
}

/** As the chunks it arrives in. */
const keptChunks = (): Gather<ReadonlyArray<Uint8Array>> => {
  const chunks: Array<Uint8Array> = []
  return { open: () => undefined, put: (chunk) => chunks.push(chunk), keepsChunks: true, result: () => chunks }
}

/** How a ranged download keeps each range: as the chunks it arrived in, or as one array. */
type RangesAs = "chunks" | "whole"

/** The ranges of `partSize` bytes that cover `size` bytes. */
const rangesOf = (size: number, partSize: number) => {
  const ranges: Array<{ readonly start: number; readonly end: number }> = []
  for (let start = 0; start < size; start += partSize) {
    ranges.push({ start, end: Math.min(start + partSize, size) - 1 })
  }
  return ranges
}

export const make = (backend: Backend, policy: RetryPolicy, fs: FileSystem.FileSystem, path: Path.Path) => {
  const retryGet = retrying(policy, "GetObject")
  const retryBody = retryingStream(policy, "GetObject")
  const head = (bucket: string, key: string) => retrying(policy, "HeadObject")(backend.headObject({ bucket, key }))

  /**
   * One GET whose body, if the connection breaks or ends short, resumes with a ranged GET from the
   * first missing byte, pinned with If-Match to the ETag of the first response: a changed object
   * fails with `PreconditionFailed` instead of mixing two versions.
   */
  const openResumable = (bucket: string, key: string, range?: ByteRange, ifMatch?: string) =>
    Effect.map(
      retryGet(Effect.flatMap(backend.getObject({ bucket, key, range, ifMatch }), (response) =>
        Effect.map(FiberRef.get(currentAttempt), (attempt) =>
          [response, attempt] as const))),
      ([first, firstAttempt]): Download => {
        let attempt = firstAttempt
        const start = range?.start ?? 0
        const length = first.contentLength
        let received = 0
        let unread: GetObjectResponse | undefined = first

        /** The response holding the first byte not yet received: the first one, then pinned ranged GETs. */
        const remaining = (): Effect.Effect<GetObjectResponse, S3PoError> => {
          if (unread !== undefined) {
            const response = unread
            unread = undefined
            return Effect.succeed(response)
          }
          return Effect.locally(
            backend.getObject({
              bucket,
              key,
              range: { start: start + received, end: start + length - 1 },
              ifMatch: first.info.etag
            }),
            currentAttempt,
            ++attempt
          )
        }
        const checkComplete = Effect.suspend(() =>
          endedShort(bucket, key, received, length)
        )

        const body = retryBody(
          Stream.suspend(() =>
            received >= length ?
              Stream.empty :
              Stream.unwrap(Effect.map(remaining(), (response) => response.body)).pipe(
                Stream.mapChunks((chunk) => {
                  for (const bytes of chunk) received += bytes.length
                  return chunk
                }),
                Stream.concat(Stream.fromEffect(checkComplete).pipe(Stream.drain))
              )
          )
        )

        return { info: first.info, body }
      }
    )

  /**
   * An object, or a range of it, gathered by GETs retried as `policy` allows. A body that breaks off
   * is resumed, not restarted: the next attempt asks for the rest with a ranged GET pinned with
   * If-Match to the ETag of the first response (or `ifMatch`), so a changed object fails with
   * `PreconditionFailed` instead of mixing two versions.
   */
  const fetchRange = <A>(bucket: string, key: string, gather: Gather<A>, range?: ByteRange, ifMatch?: string) =>
    Effect.suspend(() => {
      let etag = ifMatch
      let length: number | undefined
      let received = 0
      const start = range?.start ?? 0
      const receive = (chunk: Uint8Array) => {
        gather.put(chunk, received)
        received += chunk.length
      }
      const read = (response: GetObjectResponse) =>
        gather.keepsChunks
          ? Stream.runForEachChunk(response.body, (chunk) => Effect.sync(() => Chunk.forEach(chunk, receive)))
          : response.forEachChunk(receive)
      const attempt = Effect.suspend(() => {
        if (length !== undefined && received >= length) return Effect.void
        const rest = length === undefined ? range : { start: start + received, end: start + length - 1 }
        return Effect.flatMap(backend.getObject({ bucket, key, range: rest, ifMatch: etag }), (response) => {
          const refused = length === undefined
            ? gather.open(response.contentLength)
            : response.contentLength === length - received
            ? undefined
            : new TransportError({
              operation: "GetObject",
              bucket,
              key,
              reason: `asked for the last ${length - received} bytes, the server sent ${response.contentLength}`,
              retryable: false
            })
          if (refused !== undefined) return Effect.zipRight(response.discard, Effect.fail(refused))
          if (length === undefined) {
            length = response.contentLength
            etag = response.info.etag
          }
          return Effect.zipRight(read(response), checkComplete)
        })
      })
      const checkComplete = Effect.suspend(() => endedShort(bucket, key, received, length!))
      return Effect.map(retryGet(attempt), gather.result)
    })

  /**
   * Fetches `concurrency` ranges of `partSize` bytes at once, all pinned to one ETag, in order. Each
   * range is kept as the chunks it arrived in (`"chunks"`: gathering them into an array of its own
   * would touch as much fresh memory again as the object's size) or as one array (`"whole"`).
   */
  const openRanged = (bucket: string, key: string, partSize: number, concurrency: number, ranges: RangesAs) =>
    Effect.flatMap(
      head(bucket, key),
      (info): Effect.Effect<Download, S3PoError> => {
        if (info.size <= partSize) return openResumable(bucket, key, undefined, info.etag)
        const fetch = (range: ByteRange) =>
          ranges === "chunks"
            ? fetchRange(bucket, key, keptChunks(), range, info.etag)
            : Effect.map(fetchRange(bucket, key, intoNewArray(bucket, key), range, info.etag), (bytes) => [bytes])
        const body = Stream.fromIterable(rangesOf(info.size, partSize)).pipe(
          Stream.mapEffect(fetch, { concurrency }),
          Stream.flattenIterables,
          firstFailureStream
        )
        return Effect.succeed({ info, body })
      }
    )

  const problemOf = (operation: string, bucket: string, key: string, options: DownloadOptions) =>
    Validate.location(operation, bucket, key) ??
      Validate.concurrency(operation, "concurrency", options.concurrency) ??
      Validate.byteSize(operation, "partSize", options.partSize, 1, Number.MAX_SAFE_INTEGER)

  const open = (
    operation: string,
    bucket: string,
    key: string,
    options: DownloadOptions = {},
    ranges: RangesAs = "chunks"
  ): Effect.Effect<Download, S3PoError> => {
    const problem = problemOf(operation, bucket, key, options)
    if (problem !== undefined) return Effect.fail(problem)
    const concurrency = options.concurrency ?? 1
    return concurrency > 1
      ? openRanged(bucket, key, options.partSize ?? defaultPartSize, concurrency, ranges)
      : openResumable(bucket, key)
  }

  /** The body of a ranged download gathered into one array, allocated only once its size is known. */
  const collect = (bucket: string, key: string, download: Download) =>
    Effect.suspend(() =>
      download.info.size > maxBytesInMemory ?
        Effect.fail(tooLargeForMemory(bucket, key, download.info.size)) :
        Stream.runFold(download.body, { bytes: Buffer.allocUnsafe(download.info.size), at: 0 }, (state, chunk) => {
          state.bytes.set(chunk, state.at)
          state.at += chunk.length
          return state
        })
    ).pipe(Effect.map((state) => state.bytes))

  /** Gathered into memory: by ranges when `concurrency` > 1 (checked by `open`), else by one resumable GET. */
  const toBytes = (
    operation: string,
    bucket: string,
    key: string,
    options: DownloadOptions = {}
  ): Effect.Effect<Uint8Array, S3PoError> =>
    (options.concurrency ?? 1) > 1
      ? Effect.flatMap(open(operation, bucket, key, options), (download) => collect(bucket, key, download))
      : Validate.guard(problemOf(operation, bucket, key, options), fetchRange(bucket, key, intoNewArray(bucket, key)))

  const toFile = (
    operation: string,
    bucket: string,
    key: string,
    destination: string,
    options?: DownloadOptions
  ): Effect.Effect<DownloadResult, S3PoError> => {
    const fileError = (reason: string) => (cause: unknown) =>
      new LocalFileError({ operation, path: destination, reason, cause })
    const temporary = path.join(
      path.dirname(destination),
      `.${path.basename(destination)}.${Math.random().toString(36).slice(2, 10)}.s3po-partial`
    )
    // Each range as one array: one write per range instead of one per chunk received.
    return Effect.flatMap(open(operation, bucket, key, options, "whole"), (download) =>
      Effect.acquireUseRelease(
        Effect.succeed(temporary),
        (file) =>
          download.body.pipe(
            Stream.run(Sink.mapError(fs.sink(file), fileError("cannot write the temporary file"))),
            Effect.zipRight(
              fs.rename(file, destination).pipe(Effect.mapError(fileError("cannot move the file into place")))
            ),
            Effect.as({ size: download.info.size, etag: download.info.etag })
          ),
        (file, exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(fs.remove(file))
      ))
  }

  return { open, toBytes, toFile }
}
