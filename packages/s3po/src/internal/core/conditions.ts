import type { DownloadRange, ReadConditions, WriteConditions } from "../../S3Po.js"

/** An ETag without its double quotes: how servers compare them, and how Ceph RGW wants one on a PUT. */
export const unquoted = (etag: string): string =>
  etag.length >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.slice(1, -1) : etag

export const sameETag = (left: string, right: string): boolean => unquoted(left) === unquoted(right)

/** The write conditions among an upload's or a copy's options. */
export const conditionsOf = (options: WriteConditions): WriteConditions => ({
  ifNoneMatch: options.ifNoneMatch,
  ifMatch: options.ifMatch
})

/** The read conditions among a download's or a HEAD's options. */
export const readConditionsOf = (options: ReadConditions): ReadConditions => ({
  ifMatch: options.ifMatch,
  ifNoneMatch: options.ifNoneMatch,
  ifModifiedSince: options.ifModifiedSince,
  ifUnmodifiedSince: options.ifUnmodifiedSince
})

export const isConditional = (conditions: WriteConditions): boolean =>
  conditions.ifNoneMatch !== undefined || conditions.ifMatch !== undefined

/** A write's condition as its header, for a `PreconditionFailed` to name. */
export const describeWrite = (conditions: WriteConditions): string | undefined =>
  conditions.ifNoneMatch !== undefined
    ? `If-None-Match: ${conditions.ifNoneMatch}`
    : conditions.ifMatch !== undefined
    ? `If-Match: ${conditions.ifMatch}`
    : undefined

/** A read's conditions as their headers, for a `PreconditionFailed` to name. */
export const describeRead = (conditions: ReadConditions): string | undefined => {
  if (
    conditions.ifMatch === undefined && conditions.ifNoneMatch === undefined &&
    conditions.ifModifiedSince === undefined && conditions.ifUnmodifiedSince === undefined
  ) {
    return undefined
  }
  const headers = [
    conditions.ifMatch === undefined ? undefined : `If-Match: ${conditions.ifMatch}`,
    conditions.ifUnmodifiedSince === undefined
      ? undefined
      : `If-Unmodified-Since: ${conditions.ifUnmodifiedSince.toUTCString()}`,
    conditions.ifNoneMatch === undefined ? undefined : `If-None-Match: ${conditions.ifNoneMatch}`,
    conditions.ifModifiedSince === undefined
      ? undefined
      : `If-Modified-Since: ${conditions.ifModifiedSince.toUTCString()}`
  ].filter((header) => header !== undefined)
  return headers.length === 0 ? undefined : headers.join(", ")
}

/** Times as HTTP dates carry them: in whole seconds. */
const seconds = (time: number) => Math.floor(time / 1000)

/**
 * How a read's conditions judge an object, in RFC 9110's order (as S3 does): `If-Match`, else
 * `If-Unmodified-Since`, fail it as "precondition"; then `If-None-Match`, else `If-Modified-Since`,
 * answer it as "not modified".
 */
export const judgeRead = (
  conditions: ReadConditions,
  etag: string,
  lastModified: number
): "precondition" | "not modified" | "ok" => {
  if (conditions.ifMatch !== undefined) {
    if (!sameETag(conditions.ifMatch, etag)) return "precondition"
  } else if (
    conditions.ifUnmodifiedSince !== undefined &&
    seconds(lastModified) > seconds(conditions.ifUnmodifiedSince.getTime())
  ) {
    return "precondition"
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (sameETag(conditions.ifNoneMatch, etag)) return "not modified"
  } else if (
    conditions.ifModifiedSince !== undefined &&
    seconds(lastModified) <= seconds(conditions.ifModifiedSince.getTime())
  ) {
    return "not modified"
  }
  return "ok"
}

/** Whether a write's conditions hold over the ETag the key holds now (`undefined`: no object). */
export const writeHolds = (conditions: WriteConditions, current: string | undefined): boolean => {
  if (conditions.ifNoneMatch !== undefined && current !== undefined) return false
  if (conditions.ifMatch !== undefined) {
    return current !== undefined && (conditions.ifMatch === "*" || sameETag(conditions.ifMatch, current))
  }
  return true
}

/** First and last byte, inclusive. */
export interface Span {
  readonly start: number
  readonly end: number
}

/**
 * The bytes a range names in an object of `size` bytes, as S3 counts them (`end` past the object
 * clamped, a suffix longer than it the whole object); `undefined` when S3 answers 416, as for any
 * range of an empty object.
 */
export const spanOf = (range: DownloadRange, size: number): Span | undefined => {
  const start = "suffix" in range ? Math.max(0, size - range.suffix) : range.start
  if (start >= size) return undefined
  return { start, end: "suffix" in range ? size - 1 : Math.min(range.end ?? size - 1, size - 1) }
}
