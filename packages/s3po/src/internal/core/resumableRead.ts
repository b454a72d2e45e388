import * as Effect from "effect/Effect"
import type { DownloadRange, ObjectInfo, ReadConditions } from "../../S3Po.js"
import { type S3PoError, TransportError } from "../../S3PoError.js"
import type { Backend, GetObjectRequest, GetObjectResponse } from "./backend.js"

/**
 * The GETs of one read of an object, or of a range of it. The first asks for all it is to read, with
 * the caller's conditions; after a body breaks off, each next one asks only for the bytes not yet
 * received, pinned to the version of the first response (`pinOf`), so that a retry never mixes two
 * versions: a changed object fails with `PreconditionFailed`, or is not read at all. The reader counts what it receives in
 * `received`. A first answer that does not say its length (a chunked one) is complete when its body
 * ends cleanly; a later answer to a ranged GET says it in its `Content-Range`.
 */
export class ResumableRead {
  received = 0
  private started = false
  /** Bytes the read is to receive, once an answer has said so (or a body of unknown length has ended). */
  private length: number | undefined
  /** Where, in bytes received, the body being read is to end, if its answer said. */
  private bodyEnd: number | undefined
  private pin: Pin | undefined
  /** Where the first response's body starts in the object. */
  private offset = 0

  constructor(
    private readonly backend: Backend,
    readonly bucket: string,
    readonly key: string,
    private readonly range?: DownloadRange,
    private readonly conditions: ReadConditions = {},
    /** Whether the first GET asks for the object's checksum, to check a whole object's bytes against. */
    private readonly checksumMode = false,
    /** The version to read (the latest without it). */
    private readonly versionId?: string | undefined
  ) {}

  /** Whether every byte has been received. */
  get done(): boolean {
    return this.length !== undefined && this.received >= this.length
  }

  /** Bytes the read is to receive, once an answer has said. */
  get expected(): number | undefined {
    return this.length
  }

  /**
   * The response holding the first byte not yet received. `accept` may refuse the first response
   * (by the bytes the read is to receive); a later one must hold exactly the bytes missing.
   */
  next(accept?: (expected: number | undefined) => S3PoError | undefined): Effect.Effect<GetObjectResponse, S3PoError> {
    const started = this.started
    const length = this.length
    const conditions = this.conditions
    // Written out: spreading objects costs a small GET from the mock a fifth of its time.
    const request: GetObjectRequest = !started
      ? {
        bucket: this.bucket,
        key: this.key,
        versionId: this.versionId,
        range: this.range,
        ifMatch: conditions.ifMatch,
        ifNoneMatch: conditions.ifNoneMatch,
        ifModifiedSince: conditions.ifModifiedSince,
        ifUnmodifiedSince: conditions.ifUnmodifiedSince,
        checksumMode: this.checksumMode || undefined
      }
      : {
        bucket: this.bucket,
        key: this.key,
        range: {
          start: this.offset + this.received,
          end: length === undefined ? undefined : this.offset + length - 1
        },
        versionId: this.pin?.versionId,
        ifMatch: this.pin?.ifMatch
      }
    return Effect.flatMap(
      this.backend.getObject(request),
      (response) => {
        // A whole object answered with a part of it (by a proxy: S3 does not) promises the rest.
        const expected = this.range === undefined && response.partial ? response.info.size : response.contentLength
        const refused = !started
          ? this.notTheRangeAsked(response) ?? accept?.(expected)
          : this.notTheBytesMissing(response, length)
        if (refused !== undefined) return Effect.zipRight(response.discard, Effect.fail(refused))
        this.bodyEnd = response.contentLength === undefined ? undefined : this.received + response.contentLength
        if (!started) {
          this.started = true
          this.length = expected
          this.pin = pinOf(response.info, this.versionId)
          this.offset = response.offset
        } else if (length === undefined) {
          // A resumed read of a body of unknown length: the ranged answer says how much is left.
          this.length = this.received + (response.contentLength ?? 0)
        }
        return Effect.succeed(response)
      }
    )
  }

  /**
   * Counts `bytes` more received, or refuses them when they go past the bytes the answer announced:
   * they cannot be the object's.
   */
  receive(bytes: number): S3PoError | undefined {
    const end = Math.min(this.bodyEnd ?? Infinity, this.length ?? Infinity)
    if (this.received + bytes > end) {
      return this.refusal("the response body has more bytes than its answer announced")
    }
    this.received += bytes
    return undefined
  }

  /**
   * After a body ended cleanly: fails, as a retryable transport error, when it ended before all its
   * bytes arrived. A body of unknown length that ended is all there is.
   */
  readonly checkComplete: Effect.Effect<void, S3PoError> = Effect.suspend(() => {
    if (this.length === undefined) this.length = this.received
    return this.received >= this.length
      ? Effect.void
      : Effect.fail(
        new TransportError({
          operation: "GetObject",
          bucket: this.bucket,
          key: this.key,
          reason: `the response body ended after ${this.received} of ${this.length} bytes`,
          retryable: true
        })
      )
  })

  private refusal(reason: string): S3PoError {
    return new TransportError({ operation: "GetObject", bucket: this.bucket, key: this.key, reason, retryable: false })
  }

  /** A range answered with the whole object, or with other bytes than asked for. */
  private notTheRangeAsked(response: GetObjectResponse): S3PoError | undefined {
    const range = this.range
    if (range === undefined) {
      return response.partial && response.offset !== 0
        ? this.refusal(`asked for the whole object, the server sent ${sentOf(response)}`)
        : undefined
    }
    if (!response.partial) return this.refusal("asked for a range, the server sent the whole object (no Content-Range)")
    if (!("start" in range)) return undefined
    const most = range.end === undefined ? undefined : range.end - range.start + 1
    return response.offset !== range.start ||
        (most !== undefined && (response.contentLength === undefined || response.contentLength > most))
      ? this.refusal(`asked for bytes ${range.start} to ${range.end ?? "the end"}, the server sent ${sentOf(response)}`)
      : undefined
  }

  private notTheBytesMissing(response: GetObjectResponse, length: number | undefined): S3PoError | undefined {
    const from = this.offset + this.received
    if (response.offset !== from || (length === undefined && !response.partial)) {
      return this.refusal(`asked for the bytes from ${from}, the server sent ${sentOf(response)}`)
    }
    const missing = length === undefined ? response.contentLength : length - this.received
    return response.contentLength !== undefined && response.contentLength === missing
      ? undefined
      : this.refusal(`asked for the last ${missing ?? "unknown"} bytes, the server sent ${sentOf(response)}`)
  }
}

const sentOf = (response: GetObjectResponse): string =>
  `${response.contentLength ?? "an unknown number of"} bytes from ${response.offset}`

/** What later requests of a read send so that they read the version the first one did. */
export interface Pin {
  readonly versionId?: string | undefined
  readonly ifMatch?: string | undefined
}

/**
 * The version of `info`, as later requests pin it: by its version id where it has one of its own (a
 * version never changes: a newer write leaves the read going), else by its ETag (the latest, or the
 * `null` version, which a write can replace), with the version asked for if any.
 */
export const pinOf = (info: ObjectInfo, asked: string | undefined): Pin =>
  info.versionId !== undefined && info.versionId !== "null"
    ? { versionId: info.versionId }
    : { versionId: asked, ifMatch: info.etag }
