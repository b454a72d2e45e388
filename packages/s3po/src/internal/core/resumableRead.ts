import * as Effect from "effect/Effect"
import type { DownloadRange, ReadConditions } from "../../S3Po.js"
import { type S3PoError, TransportError } from "../../S3PoError.js"
import type { Backend, GetObjectResponse } from "./backend.js"

/**
 * The GETs of one read of an object, or of a range of it. The first asks for all of it, with the
 * caller's conditions; after a body breaks off, each next one asks only for the bytes not yet
 * received, pinned with If-Match to the ETag of the first response, so that a changed object fails
 * with `PreconditionFailed` instead of mixing two versions. The reader counts what it receives in
 * `received`.
 */
export class ResumableRead {
  received = 0
  private length: number | undefined
  private etag: string | undefined
  /** Where the first response's body starts in the object. */
  private offset = 0

  constructor(
    private readonly backend: Backend,
    readonly bucket: string,
    readonly key: string,
    private readonly range?: DownloadRange,
    private readonly conditions: ReadConditions = {}
  ) {}

  /** Whether every byte has been received. */
  get done(): boolean {
    return this.length !== undefined && this.received >= this.length
  }

  /**
   * The response holding the first byte not yet received. `accept` may refuse the first response
   * (by its length); a later one must hold exactly the bytes missing.
   */
  next(accept?: (response: GetObjectResponse) => S3PoError | undefined): Effect.Effect<GetObjectResponse, S3PoError> {
    const length = this.length
    const where = { bucket: this.bucket, key: this.key }
    const request = length === undefined
      ? { ...where, ...this.conditions, range: this.range }
      : {
        ...where,
        range: { start: this.offset + this.received, end: this.offset + length - 1 },
        ifMatch: this.etag
      }
    return Effect.flatMap(
      this.backend.getObject(request),
      (response) => {
        const refused = length === undefined ? accept?.(response) : this.unexpectedLength(response, length)
        if (refused !== undefined) return Effect.zipRight(response.discard, Effect.fail(refused))
        if (length === undefined) {
          this.length = response.contentLength
          this.etag = response.info.etag
          this.offset = response.offset
        }
        return Effect.succeed(response)
      }
    )
  }

  /** Fails, as a retryable transport error, when a body ended before all its bytes arrived. */
  readonly checkComplete: Effect.Effect<void, S3PoError> = Effect.suspend(() =>
    this.length !== undefined && this.received < this.length
      ? Effect.fail(
        new TransportError({
          operation: "GetObject",
          bucket: this.bucket,
          key: this.key,
          reason: `the response body ended after ${this.received} of ${this.length} bytes`,
          retryable: true
        })
      )
      : Effect.void
  )

  private unexpectedLength(response: GetObjectResponse, length: number): S3PoError | undefined {
    const missing = length - this.received
    return response.contentLength === missing ? undefined : new TransportError({
      operation: "GetObject",
      bucket: this.bucket,
      key: this.key,
      reason: `asked for the last ${missing} bytes, the server sent ${response.contentLength}`,
      retryable: false
    })
  }
}
