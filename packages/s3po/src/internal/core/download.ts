import { isPlatformError } from "@effect/platform/Error"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { LocalFiles } from "../../LocalFiles.js"
import type { RetryPolicy } from "../../Retry.js"
import type {
  DownloadFileOptions,
  DownloadOptions,
  DownloadRange,
  DownloadResult,
  ObjectInfo,
  ReadConditions
} from "../../S3Po.js"
import {
  type ChecksumMismatch,
  LocalFileError,
  type S3PoError,
  TransportError,
  ValidationError
} from "../../S3PoError.js"
import * as LocalFilesTag from "../localFiles/tag.js"
import type { Backend, ByteRange, GetObjectResponse } from "./backend.js"
import { readConditionsOf, type Span, spanOf } from "./conditions.js"
import * as CustomerKeys from "./customerKeys.js"
import { firstFailureStream } from "./firstFailure.js"
import { defaultPartSize, maxBytesInMemory } from "./limits.js"
import { versionIdProblem } from "./locks.js"
import { type Pin, pinOf, ResumableRead } from "./resumableRead.js"
import { currentAttempt, retrying, retryingStream } from "./retry.js"
import * as Validate from "./validation.js"
import { type Verifier, verifierOf } from "./verification.js"

export interface Download {
  readonly info: ObjectInfo
  /** Bytes in the body: the object's size, or the range's; `undefined` when the answer did not say. */
  readonly length: number | undefined
  /** The body as a stream, to be read once. */
  readonly body: Stream.Stream<Uint8Array, S3PoError>
  /** Frees what a body never read holds: the first answer, and with it a connection. */
  readonly discard: Effect.Effect<void>
}

const tooLargeForMemory = (bucket: string, key: string, size?: number) =>
  new ValidationError({
    operation: "download",
    field: "key",
    reason:
      `s3://${bucket}/${key} has ${size ?? "more"} bytes, more than one Uint8Array holds (${maxBytesInMemory}): ` +
      "use downloadStream or downloadFile"
  })

/**
 * An array of memory its own, for bytes handed to the caller: never a slice of Node's shared pool
 * (`Buffer.allocUnsafe`), whose slab holds other data of the process, signing keys among them. Not
 * zero-filled: every byte is written before the array is handed out.
 */
const ownBytes = (length: number): Uint8Array => Buffer.allocUnsafeSlow(length)

/**
 * The chunk if it owns its memory, else a copy that does: a view hands out the memory around it
 * (the rest of a socket's read buffer, the mock's stored objects) through its `buffer`.
 */
const owned = (chunk: Uint8Array): Uint8Array =>
  chunk.byteOffset === 0 && chunk.buffer.byteLength === chunk.byteLength ? chunk : new Uint8Array(chunk)

/** Where the bytes of a GET go as they arrive. */
interface Gather<A> {
  /** Makes room for a body of `length` bytes (`undefined`: known when it ends), or says why it cannot be taken. */
  readonly open: (length: number | undefined) => S3PoError | undefined
  /** Takes the body's bytes from offset `at`, or says why it cannot take them. */
  readonly put: (chunk: Uint8Array, at: number) => S3PoError | undefined
  /** Whether `put` now keeps the chunks it is given: they are then read as the caller's own, not lent. */
  readonly keepsChunks: () => boolean
  readonly result: () => A
}

/** Chunks as one array of its own. */
const joined = (chunks: ReadonlyArray<Uint8Array>, length: number): Uint8Array => {
  if (chunks.length === 1) return owned(chunks[0]!)
  const bytes = ownBytes(length)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.length
  }
  return bytes
}

/**
 * Into one array allocated for the body; a body of unknown length is kept as it arrives, up to the
 * most one array holds, and joined when it has ended.
 */
const intoNewArray = (bucket: string, key: string): Gather<Uint8Array> => {
  let bytes: Uint8Array | undefined
  const chunks: Array<Uint8Array> = []
  let kept = 0
  return {
    open: (length) => {
      if (length === undefined) return undefined
      if (length > maxBytesInMemory) return tooLargeForMemory(bucket, key, length)
      bytes = ownBytes(length)
    },
    put: (chunk, at) => {
      if (bytes !== undefined) {
        bytes.set(chunk, at)
        return undefined
      }
      kept += chunk.length
      if (kept > maxBytesInMemory) return tooLargeForMemory(bucket, key)
      chunks.push(chunk)
    },
    keepsChunks: () => bytes === undefined,
    result: () => bytes ?? joined(chunks, kept)
  }
}

/** As the chunks it arrives in. */
const keptChunks = (): Gather<ReadonlyArray<Uint8Array>> => {
  const chunks: Array<Uint8Array> = []
  return {
    open: () => undefined,
    put: (chunk) => {
      chunks.push(chunk)
      return undefined
    },
    keepsChunks: () => true,
    result: () => chunks
  }
}

/** How a ranged download keeps each range: as the chunks it arrived in, or as one array. */
type RangesAs = "chunks" | "whole"

/** The ranges of `partSize` bytes that cover a span, made as they are read. */
function* rangesOf(span: Span, partSize: number): Iterable<ByteRange> {
  for (let start = span.start; start <= span.end; start += partSize) {
    yield { start, end: Math.min(start + partSize - 1, span.end) }
  }
}

/** What a download asks of its first GET (or HEAD): a range and the caller's conditions. */
interface Selection {
  readonly range?: DownloadRange | undefined
  readonly conditions?: ReadConditions | undefined
  /** Whether the bytes of the whole object are checked: its first GET (or HEAD) asks for its checksum. */
  readonly verified?: boolean | undefined
  /** The version read (the latest without it). */
  readonly versionId?: string | undefined
}

/** A selection of the version `pin` names, with `range`: what every request after the first reads. */
const pinned = (pin: Pin, range: DownloadRange | undefined, verified?: boolean): Selection => ({
  range,
  conditions: pin.ifMatch === undefined ? undefined : { ifMatch: pin.ifMatch },
  versionId: pin.versionId,
  verified
})

/**
 * What downloads are made with. The backend makes one attempt per call: a download retries its
 * GETs with `policy` itself, resuming a broken body from its first missing byte instead of starting
 * over.
 */
export interface Downloads {
  readonly singleAttempt: Backend
  readonly policy: RetryPolicy
  /** The local files `downloadFile` writes with, if the layer was built with some (else the call's, else Node's). */
  readonly localFiles: LocalFiles | undefined
  /** Whether whole-object reads are checked against the object's checksum, unless a call says otherwise. */
  readonly verify: boolean
}

/**
 * One GET whose body, if the connection breaks or ends short, resumes with a ranged GET from the
 * first missing byte, pinned to the version of the first response.
 */
const openResumable = (
  downloads: Downloads,
  bucket: string,
  key: string,
  selection: Selection
): Effect.Effect<Download, S3PoError> => {
  const read = new ResumableRead(
    downloads.singleAttempt,
    bucket,
    key,
    selection.range,
    selection.conditions,
    selection.verified,
    selection.versionId
  )
  const first = Effect.zip(read.next(), FiberRef.get(currentAttempt))
  return Effect.map(retrying(downloads.policy, "GetObject")(first), ([response, firstAttempt]): Download => {
    let attempt = firstAttempt
    let unread: GetObjectResponse | undefined = response
    /** The first response, then pinned ranged GETs for the rest, each counted as a further attempt. */
    const remaining = (): Effect.Effect<GetObjectResponse, S3PoError> => {
      if (unread === undefined) return Effect.locally(read.next(), currentAttempt, ++attempt)
      const next = unread
      unread = undefined
      return Effect.succeed(next)
    }
    const body = retryingStream(downloads.policy, "GetObject")(
      Stream.suspend(() =>
        read.done ?
          Stream.empty :
          Stream.unwrap(Effect.map(remaining(), (next) => next.body)).pipe(
            Stream.mapChunksEffect((chunk) => {
              for (const bytes of chunk) {
                const refused = read.receive(bytes.length)
                if (refused !== undefined) return Effect.fail(refused)
              }
              return Effect.succeed(chunk)
            }),
            Stream.concat(Stream.fromEffect(read.checkComplete).pipe(Stream.drain))
          )
      )
    )
    const discard = Effect.suspend(() => {
      const held = unread
      unread = undefined
      return held === undefined ? Effect.void : held.discard
    })
    return { info: response.info, length: read.expected, body, discard }
  })
}

/**
 * An object, or a range of it, gathered by GETs retried as `policy` allows and resumed where they
 * broke off. With `verifying`, the bytes are checked as they arrive by the verifier it makes of the
 * first answer's info, and the whole read fails with `ChecksumMismatch` when they do not match.
 */
const fetchRange = <A>(
  downloads: Downloads,
  bucket: string,
  key: string,
  gather: Gather<A>,
  selection: Selection,
  verifying?: (info: ObjectInfo) => Verifier | undefined,
  seen?: (info: ObjectInfo) => void
): Effect.Effect<A, S3PoError> =>
  Effect.suspend(() => {
    const read = new ResumableRead(
      downloads.singleAttempt,
      bucket,
      key,
      selection.range,
      selection.conditions,
      verifying !== undefined,
      selection.versionId
    )
    let verifier: Verifier | undefined
    let firstAnswer = true
    const receive = (chunk: Uint8Array): S3PoError | undefined => {
      const at = read.received
      const refused = read.receive(chunk.length) ?? gather.put(chunk, at)
      if (refused === undefined) verifier?.update(chunk)
      return refused
    }
    const readBody = (response: GetObjectResponse): Effect.Effect<void, S3PoError> => {
      // The first answer tells what the object's bytes are; every later one resumes it, pinned to its version.
      if (firstAnswer) {
        firstAnswer = false
        seen?.(response.info)
        verifier = verifying?.(response.info)
      }
      if (gather.keepsChunks()) {
        return Stream.runForEachChunk(response.body, (chunk) => {
          for (const bytes of chunk) {
            const refused = receive(bytes)
            if (refused !== undefined) return Effect.fail(refused)
          }
          return Effect.void
        })
      }
      // Lent chunks, taken without the cost of a stream: what comes after a refusal is let go.
      let refused: S3PoError | undefined
      return Effect.flatMap(
        response.forEachChunk((chunk) => {
          refused ??= receive(chunk)
        }),
        () => refused === undefined ? Effect.void : Effect.fail(refused)
      )
    }
    const attempt = Effect.suspend(() =>
      read.done ? Effect.void : Effect.flatMap(
        read.next(gather.open),
        (response) => Effect.zipRight(readBody(response), read.checkComplete)
      )
    )
    return Effect.flatMap(retrying(downloads.policy, "GetObject")(attempt), () => {
      const mismatch = verifier?.check()
      return mismatch === undefined ? Effect.sync(gather.result) : Effect.fail(mismatch)
    })
  })

/**
 * Fetches `concurrency` ranges of `partSize` bytes at once, all pinned to the version a HEAD (with the
 * caller's conditions) found (`pinOf`: its version id, else its ETag), in order. Each range is kept as the chunks it arrived in (`"chunks"`:
 * gathering them into an array of its own would touch as much fresh memory again as the object's
 * size) or as one array (`"whole"`). A range the caller gave is split the same way.
 */
const openRanged = (
  downloads: Downloads,
  bucket: string,
  key: string,
  options: { readonly partSize: number; readonly concurrency: number; readonly ranges: RangesAs },
  selection: Selection
): Effect.Effect<Download, S3PoError> =>
  Effect.flatMap(
    retrying(downloads.policy, "HeadObject")(
      downloads.singleAttempt.headObject({
        bucket,
        key,
        versionId: selection.versionId,
        ...selection.conditions,
        checksumMode: selection.verified || undefined
      })
    ),
    (info) => {
      const pin = pinOf(info, selection.versionId)
      const span = selection.range === undefined
        ? { start: 0, end: info.size - 1 }
        : spanOf(selection.range, info.size)
      // A span of one part goes as one GET; one S3 would refuse is asked for, so that S3 answers for it.
      if (span === undefined || span.end - span.start < options.partSize) {
        return openResumable(downloads, bucket, key, pinned(pin, selection.range, selection.verified))
      }
      const fetch = (range: ByteRange) =>
        options.ranges === "chunks"
          ? fetchRange(downloads, bucket, key, keptChunks(), pinned(pin, range))
          : Effect.map(
            fetchRange(downloads, bucket, key, intoNewArray(bucket, key), pinned(pin, range)),
            (bytes) => [bytes]
          )
      const body = Stream.fromIterable(rangesOf(span, options.partSize)).pipe(
        Stream.mapEffect(fetch, { concurrency: options.concurrency }),
        Stream.flattenIterables,
        firstFailureStream
      )
      // Ranges are asked for as the body is read: nothing is held before.
      return Effect.succeed({ info, length: span.end - span.start + 1, body, discard: Effect.void })
    }
  )

const problemOf = (operation: string, bucket: string, key: string, options: DownloadOptions) =>
  Validate.location(operation, bucket, key) ??
    Validate.concurrency(operation, "concurrency", options.concurrency) ??
    Validate.byteSize(operation, "partSize", options.partSize, 1, Number.MAX_SAFE_INTEGER) ??
    Validate.range(operation, options.range) ??
    Validate.readConditions(operation, options) ??
    CustomerKeys.problem(operation, "customerKey", options.customerKey) ??
    versionIdProblem(operation, options.versionId)

/** Downloads whose every GET and HEAD carries the caller's customer key (SSE-C), when there is one. */
const withCustomerKey = (downloads: Downloads, options: DownloadOptions): Downloads =>
  options.customerKey === undefined
    ? downloads
    : { ...downloads, singleAttempt: CustomerKeys.keyedReads(downloads.singleAttempt, options.customerKey) }

const wholeObject: Selection = {}
const wholeObjectVerified: Selection = { verified: true }

/** What the options ask of the first GET; a whole object is verified unless the call or the layer says not to. */
const selectionOf = (downloads: Downloads, options: DownloadOptions): Selection => {
  const verified = options.range === undefined && (options.verify ?? downloads.verify)
  return options.range === undefined && options.ifMatch === undefined && options.ifNoneMatch === undefined &&
      options.ifModifiedSince === undefined && options.ifUnmodifiedSince === undefined &&
      options.versionId === undefined
    ? verified ? wholeObjectVerified : wholeObject
    : { range: options.range, conditions: readConditionsOf(options), verified, versionId: options.versionId }
}

/**
 * The body checked as it passes, when the object's info says what its bytes are: its last chunk (the
 * one that completes its length; each chunk until the next arrives, when the length is unknown) is
 * held back until every byte has matched, else the body fails with `ChecksumMismatch`.
 */
const checked = (operation: string, bucket: string, key: string, download: Download): Download => {
  const body = Stream.suspend(() => {
    const verifier = verifierOf(operation, bucket, key, download.info)
    if (verifier === undefined) return download.body
    const length = download.length
    let received = 0
    let held: Uint8Array | undefined
    return download.body.pipe(
      Stream.mapChunks((chunk) => {
        const passed: Array<Uint8Array> = []
        for (const bytes of chunk) {
          verifier.update(bytes)
          received += bytes.length
          if (held !== undefined) passed.push(held)
          held = undefined
          if (length === undefined || received >= length) held = bytes
          else passed.push(bytes)
        }
        return Chunk.unsafeFromArray(passed)
      }),
      Stream.concat(Stream.suspend(() => {
        const mismatch = verifier.check()
        if (mismatch !== undefined) return Stream.fail(mismatch)
        return held === undefined ? Stream.empty : Stream.succeed(held)
      }))
    )
  })
  return { ...download, body }
}

const isMismatch = (error: S3PoError): error is ChecksumMismatch => error._tag === "ChecksumMismatch"

/**
 * A verified read of a whole object, read again from its first byte while its bytes do not match,
 * as the retry policy allows: each time pinned to the version the first attempt read (`pinOf`), so
 * that a replaced object fails with `PreconditionFailed` instead of being read in its place. `read` tells `seen` the object's info as soon
 * as it has it. Without verification, one attempt.
 */
const rereadOnMismatch = <A>(
  downloads: Downloads,
  selection: Selection,
  read: (selection: Selection, seen: (info: ObjectInfo) => void) => Effect.Effect<A, S3PoError>
): Effect.Effect<A, S3PoError> => {
  if (selection.verified !== true) return Effect.suspend(() => read(selection, () => undefined))
  return Effect.suspend(() => {
    let pin: Pin | undefined
    const seen = (info: ObjectInfo) => {
      pin ??= pinOf(info, selection.versionId)
    }
    const attempt = Effect.suspend(() => read(pin === undefined ? selection : pinned(pin, selection.range, true), seen))
    return retrying(downloads.policy, "GetObject", isMismatch)(attempt)
  })
}

/**
 * The object's info and its body as a stream: by ranges when `concurrency` > 1, else one resumable
 * GET; checked as it passes when the selection is verified. Options checked before.
 */
const opened = (
  downloads: Downloads,
  operation: string,
  bucket: string,
  key: string,
  options: DownloadOptions,
  selection: Selection,
  ranges: RangesAs = "chunks"
): Effect.Effect<Download, S3PoError> => {
  const concurrency = options.concurrency ?? 1
  const download = concurrency > 1
    ? openRanged(
      downloads,
      bucket,
      key,
      { partSize: options.partSize ?? defaultPartSize, concurrency, ranges },
      selection
    )
    : openResumable(downloads, bucket, key, selection)
  return selection.verified === true
    ? Effect.map(download, (opened) => checked(operation, bucket, key, opened))
    : download
}

/**
 * As `opened`, for the caller: each chunk of the body owns its memory. A stream cannot take back
 * what it has handed out: a mismatch fails it, with its last chunk held back, and is not retried.
 */
export const open = (
  downloads: Downloads,
  operation: string,
  bucket: string,
  key: string,
  options: DownloadOptions = {}
): Effect.Effect<Download, S3PoError> =>
  Validate.guard(
    problemOf(operation, bucket, key, options),
    Effect.map(
      opened(withCustomerKey(downloads, options), operation, bucket, key, options, selectionOf(downloads, options)),
      (download) => ({ ...download, body: Stream.map(download.body, owned) })
    )
  )

/** The body of a ranged download gathered into one array, allocated only once its size is known. */
const collect = (bucket: string, key: string, download: Download): Effect.Effect<Uint8Array, S3PoError> =>
  Effect.suspend(() => {
    const gather = intoNewArray(bucket, key)
    const refused = gather.open(download.length)
    if (refused !== undefined) return Effect.zipRight(download.discard, Effect.fail(refused))
    let at = 0
    const wrongLength = () =>
      new TransportError({
        operation: "GetObject",
        bucket,
        key,
        reason: `the object's size was ${download.length} bytes, its ranges held ${at}`,
        retryable: false
      })
    return Stream.runForEachChunk(download.body, (chunk) => {
      for (const bytes of chunk) {
        if (download.length !== undefined && at + bytes.length > download.length) return Effect.fail(wrongLength())
        const problem = gather.put(bytes, at)
        if (problem !== undefined) return Effect.fail(problem)
        at += bytes.length
      }
      return Effect.void
    }).pipe(
      Effect.zipRight(Effect.suspend(() =>
        download.length !== undefined && at !== download.length
          ? Effect.fail(wrongLength())
          : Effect.sync(gather.result)
      ))
    )
  })

/** An object, or a range of it, in memory, with the info of the answer its bytes came from. */
export interface Gathered {
  readonly body: Uint8Array
  readonly info: ObjectInfo
}

/**
 * Gathered into memory with the object's info, as its first answer gave it (a GET's own headers,
 * or with `concurrency` > 1 the HEAD the ranges are pinned by): by ranges when `concurrency` > 1
 * (checked by `open`), else by one resumable GET. A whole object is verified before its bytes are
 * handed out, and read again on a mismatch.
 */
export const toBytesWithInfo = (
  given: Downloads,
  operation: string,
  bucket: string,
  key: string,
  options: DownloadOptions = {}
): Effect.Effect<Gathered, S3PoError> =>
  Validate.guard(
    problemOf(operation, bucket, key, options),
    Effect.suspend(() => {
      const downloads = withCustomerKey(given, options)
      let info: ObjectInfo | undefined
      const read = rereadOnMismatch(downloads, selectionOf(downloads, options), (selection, seen) => {
        const answered = (first: ObjectInfo) => {
          info = first
          seen(first)
        }
        return (options.concurrency ?? 1) > 1
          ? Effect.flatMap(
            opened(downloads, operation, bucket, key, options, selection),
            (download) => {
              answered(download.info)
              return collect(bucket, key, download)
            }
          )
          : fetchRange(
            downloads,
            bucket,
            key,
            intoNewArray(bucket, key),
            selection,
            selection.verified === true ? (first) => verifierOf(operation, bucket, key, first) : undefined,
            answered
          )
      })
      // Bytes come only after a first answer: its info is known by then.
      return Effect.map(read, (body): Gathered => ({ body, info: info! }))
    })
  )

/** As `toBytesWithInfo`, the bytes alone. */
export const toBytes = (
  downloads: Downloads,
  operation: string,
  bucket: string,
  key: string,
  options: DownloadOptions = {}
): Effect.Effect<Uint8Array, S3PoError> =>
  Effect.map(toBytesWithInfo(downloads, operation, bucket, key, options), (gathered) => gathered.body)

/** An object's info and its body, opened for the caller; what the body holds is freed when the scope closes. */
export interface Opened {
  readonly info: ObjectInfo
  readonly stream: Stream.Stream<Uint8Array, S3PoError>
}

/**
 * `open`, its held answer freed when the scope closes (or when the stream ends, whichever comes
 * first). The stream is run once: a second run fails with `ValidationError` instead of answering
 * nothing. A stream run after its scope closed reads with a new GET pinned to the ETag of the first.
 */
export const openScoped = (
  downloads: Downloads,
  operation: string,
  bucket: string,
  key: string,
  options: DownloadOptions = {}
): Effect.Effect<Opened, S3PoError, Scope.Scope> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      restore(open(downloads, operation, bucket, key, options)),
      (download) =>
        Effect.as(Effect.addFinalizer(() => download.discard), {
          info: download.info,
          stream: runOnce(operation, Stream.ensuring(download.body, download.discard))
        })
    )
  )

/** The stream, failing on a second run instead of starting over from where the first one left. */
const runOnce = <A>(operation: string, stream: Stream.Stream<A, S3PoError>): Stream.Stream<A, S3PoError> => {
  let ran = false
  return Stream.suspend(() => {
    if (ran) {
      return Stream.fail(
        new ValidationError({
          operation,
          field: "stream",
          reason: "is read once: call it again to read the object again"
        })
      )
    }
    ran = true
    return stream
  })
}

/**
 * Written beside `destination` and renamed into place when complete and verified: a failed
 * download leaves no partial file, a mismatch is read again into a new one.
 */
export const toFile = (
  given: Downloads,
  operation: string,
  bucket: string,
  key: string,
  destination: string,
  options: DownloadFileOptions = {}
): Effect.Effect<DownloadResult, S3PoError> => {
  const downloads = withCustomerKey(given, options)
  const report = options.onProgress
  const once = (selection: Selection, seen: (info: ObjectInfo) => void) =>
    Effect.flatMap(LocalFilesTag.current(downloads.localFiles), (files) =>
      Effect.flatMap(
        opened(downloads, operation, bucket, key, options, selection, "whole"),
        (download) => {
          seen(download.info)
          // What the answer said may be nothing: the file holds what the body held.
          let written = 0
          const progress = () => ({ bytes: written, totalBytes: download.length })
          const counted = report === undefined
            ? Stream.mapChunks(download.body, (chunk) => {
              for (const bytes of chunk) written += bytes.length
              return chunk
            })
            : Stream.mapChunksEffect(download.body, (chunk) => {
              for (const bytes of chunk) written += bytes.length
              return Effect.as(report(progress()), chunk)
            }).pipe(
              // An empty body has no chunk to report: its one report says 0.
              Stream.concat(Stream.drain(Stream.fromEffect(
                Effect.suspend(() => written === 0 ? report(progress()) : Effect.void)
              )))
            )
          return files.writeAtomically(destination, counted).pipe(
            Effect.mapError((error) =>
              isPlatformError(error)
                ? new LocalFileError({ operation, path: destination, reason: "cannot write the file", cause: error })
                : error
            ),
            // A body the file could not take (it could not be opened) would hold its connection.
            Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : download.discard),
            Effect.map((): DownloadResult => ({ size: written, etag: download.info.etag }))
          )
        }
      ))
  return Validate.guard(
    problemOf(operation, bucket, key, options),
    rereadOnMismatch(downloads, selectionOf(downloads, options), once)
  )
}
