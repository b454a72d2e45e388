import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import {
  cannedAcls,
  type DownloadRange,
  type ObjectAttributes,
  type ReadConditions,
  type WriteConditions
} from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import { isConditional } from "./conditions.js"
import { isInternalName, reservedPrefix, writeIdBytes } from "./internalMetadata.js"
import {
  maxKeyBytes,
  maxPartBytes,
  maxSinglePutBytes,
  maxTagKeyLength,
  maxTags,
  maxTagValueLength,
  maxUserMetadataBytes,
  minPartBytes
} from "./limits.js"

/**
 * Input checks, run before any request. Each returns the `ValidationError` for bad input or
 * `undefined`: plain functions, so valid input costs no effect machinery.
 */
export type Problem = ValidationError | undefined

const invalid = (operation: string, field: string, reason: string): ValidationError =>
  new ValidationError({ operation, field, reason })

/** A value as an error message quotes it: never throws, whatever the value (a symbol, an object without a prototype). */
export const shown = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
    case "bigint":
    case "boolean":
    case "undefined":
    case "symbol":
      return String(value)
    case "function":
      return "a function"
    default:
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object"
  }
}

/**
 * Why `value` is no duration option (`DurationOption`), or `undefined` when it is one: a
 * `Duration`, or a text `Duration.decode` reads ("90 seconds"). A bare number is refused: S3 and
 * its tools count seconds where Effect counts milliseconds, so `3600` means an hour to one reader
 * and 3.6 seconds to another. So are bigints (nanoseconds) and `[seconds, nanos]` pairs.
 */
export const durationProblem = (value: unknown): string | undefined => {
  if (typeof value === "number" || typeof value === "bigint") {
    const amount = typeof value === "number" && Number.isFinite(value) && value > 0 ? String(value) : "3600"
    return `a bare number is ambiguous: S3 counts seconds, Effect milliseconds; write "${amount} seconds" or ` +
      `"${amount} millis", or a Duration such as Duration.hours(1)`
  }
  if (Duration.isDuration(value)) return undefined
  return typeof value === "string" && Option.isSome(Duration.decodeUnknown(value))
    ? undefined
    : "must be a Duration or a text such as \"30 seconds\" or \"1 hour\""
}

/**
 * A duration option decoded, or the `ValidationError` that says why it is none (see
 * `durationProblem`).
 */
export const durationOf = (operation: string, field: string, value: unknown): Duration.Duration | ValidationError => {
  const problem = durationProblem(value)
  return problem === undefined
    ? Duration.decode(value as Duration.Duration)
    : invalid(operation, field, `${problem}, got ${shown(value)}`)
}

/** An optional duration option that `Duration.decode` can decode. */
export const duration = (operation: string, field: string, value: unknown): Problem => {
  if (value === undefined) return undefined
  const decoded = durationOf(operation, field, value)
  return decoded instanceof ValidationError ? decoded : undefined
}

/** A region is part of a host name (the SDK refuses any other): letters, digits and inner hyphens. */
const regionShape = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

export const region = (operation: string, value: string | undefined): Problem =>
  value === undefined || (typeof value === "string" && regionShape.test(value))
    ? undefined
    : invalid(operation, "region", `must be letters, digits and inner hyphens (e.g. us-east-1), got ${shown(value)}`)

/** Runs `effect` only when there is no problem. */
export const guard = <A, E, R>(
  problem: Problem,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ValidationError, R> => problem === undefined ? effect : Effect.fail(problem)

const reservedBucketPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
const reservedBucketSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]
const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/
const bucketShape = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/

/** CreateBucket's naming rules, for the buckets s3po creates. */
const newBucketNameProblem = (name: string): string | undefined => {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long, got ${name.length}`
  if (!/^[a-z0-9.-]+$/.test(name)) return "may contain only lower-case letters, digits, '.' and '-'"
  if (!bucketShape.test(name)) return "must start and end with a letter or digit"
  if (name.includes("..")) return "must not contain '..'"
  if (ipv4.test(name)) return "must not look like an IPv4 address"
  const prefix = reservedBucketPrefixes.find((reserved) => name.startsWith(reserved))
  if (prefix !== undefined) return `must not start with the reserved prefix '${prefix}'`
  const suffix = reservedBucketSuffixes.find((reserved) => name.endsWith(reserved))
  if (suffix !== undefined) return `must not end with the reserved suffix '${suffix}'`
  return undefined
}

/** C0 controls and DEL: never valid in a header, a bucket name or a request line. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const controlCharacter = /[\u0000-\u001f\u007f]/
/** The longest legacy bucket name (us-east-1) and the longest ARN that names an access point. */
const maxBucketNameLength = 255
const maxBucketArnLength = 2048

/**
 * What cannot be sent as the bucket of an object request. Any other name may exist (legacy names,
 * directory buckets, access point aliases and ARNs), so the server answers for it.
 */
const bucketNameProblem = (name: string): string | undefined => {
  if (typeof name !== "string" || name.length === 0) return "must not be empty"
  if (!isWellFormed(name)) return "is not well-formed UTF-16 (it holds a lone surrogate), so it has no UTF-8 form"
  if (controlCharacter.test(name)) return "must not contain control characters"
  const arn = name.startsWith("arn:")
  const max = arn ? maxBucketArnLength : maxBucketNameLength
  if (name.length > max) return `must be at most ${max} characters long, got ${name.length}`
  if (!arn && name.includes("/")) return "must not contain '/' (only an access point ARN does)"
  return undefined
}

/** The bucket of an object or listing request: anything that can be sent. */
export const bucket = (operation: string, name: string): Problem => {
  const problem = bucketNameProblem(name)
  return problem === undefined ? undefined : invalid(operation, "bucket", `${JSON.stringify(name)} ${problem}`)
}

/** The name of a bucket to create: CreateBucket's rules, on top of what any request needs. */
export const newBucket = (operation: string, name: string): Problem => {
  const problem = bucketNameProblem(name) ?? newBucketNameProblem(name)
  return problem === undefined ? undefined : invalid(operation, "bucket", `${JSON.stringify(name)} ${problem}`)
}

const encoder = new TextEncoder()
const surrogate = /[\ud800-\udfff]/

declare global {
  interface String {
    /** ES2024, in Node 20 and later; the ES2022 library this project compiles against lacks it. */
    isWellFormed(): boolean
  }
}

/** Whether every surrogate in `text` is half of a pair, so that it has a UTF-8 form. */
export const isWellFormed = (text: string): boolean => !surrogate.test(text) || text.isWellFormed()

export const key = (operation: string, name: string): Problem => {
  if (typeof name !== "string" || name.length === 0) return invalid(operation, "key", "must not be empty")
  if (!isWellFormed(name)) {
    return invalid(
      operation,
      "key",
      `${JSON.stringify(name)} is not well-formed UTF-16 (it holds a lone surrogate), so it has no UTF-8 form`
    )
  }
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes, so short keys skip the encoding.
  if (name.length * 3 > maxKeyBytes) {
    const bytes = encoder.encode(name).length
    if (bytes > maxKeyBytes) {
      return invalid(operation, "key", `must be at most ${maxKeyBytes} UTF-8 bytes, got ${bytes}`)
    }
  }
  return undefined
}

/** Text sent as a request parameter (a prefix, a delimiter): well-formed, so that it has a UTF-8 form. */
export const text = (operation: string, field: string, value: string | undefined): Problem =>
  value === undefined || (typeof value === "string" && isWellFormed(value))
    ? undefined
    : invalid(operation, field, `${JSON.stringify(value)} is not well-formed UTF-16, so it has no UTF-8 form`)

export const keys = (operation: string, names: Iterable<string>): Problem => {
  for (const name of names) {
    const problem = key(operation, name)
    if (problem !== undefined) return problem
  }
  return undefined
}

export const location = (operation: string, bucketName: string, keyName: string): Problem =>
  bucket(operation, bucketName) ?? key(operation, keyName)

export const concurrency = (operation: string, field: string, value: number | "unbounded" | undefined): Problem =>
  value === undefined || value === "unbounded" || (Number.isInteger(value) && value >= 1)
    ? undefined
    : invalid(operation, field, `must be a whole number of at least 1, got ${shown(value)}`)

export const byteSize = (
  operation: string,
  field: string,
  value: number | undefined,
  min: number,
  max: number
): Problem =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= max)
    ? undefined
    : invalid(operation, field, `must be a whole number of bytes from ${min} to ${max}, got ${shown(value)}`)

export const multipart = (
  operation: string,
  options: { readonly partSize?: number; readonly partConcurrency?: number; readonly multipartThreshold?: number }
): Problem =>
  byteSize(operation, "partSize", options.partSize, minPartBytes, maxPartBytes) ??
    byteSize(operation, "multipartThreshold", options.multipartThreshold, 0, maxSinglePutBytes) ??
    concurrency(operation, "partConcurrency", options.partConcurrency)

/** Space to tilde: what S3 carries unchanged in a header (Node sends other text as Latin-1, unsigned as UTF-8). */
const printableAscii = /^[\u0020-\u007e]*$/
/** An HTTP token (RFC 9110): what a header name, so a metadata name, may be. */
const httpToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const notPrintable = (value: string) =>
  controlCharacter.test(value)
    ? "must not contain control characters (CR, LF, ...): it is sent as an HTTP header"
    : "must be printable US-ASCII: it is sent as an HTTP header"

/** A value s3po sends as a header of its own (`Content-Type`, ...). */
export const headerValue = (operation: string, field: string, value: string | undefined): Problem => {
  if (value === undefined) return undefined
  if (typeof value !== "string") return invalid(operation, field, "must be a string")
  return printableAscii.test(value)
    ? undefined
    : invalid(operation, field, `${JSON.stringify(value)} ${notPrintable(value)}`)
}

/**
 * User metadata, sent as `x-amz-meta-*` headers: names that are HTTP tokens and not s3po's own
 * (`s3po-*`), values in printable US-ASCII, at most 2 KB of names and values (S3's limit, counted
 * in UTF-8 bytes).
 */
export const metadata = (
  operation: string,
  entries: Readonly<Record<string, string>> | undefined,
  reservedBytes = 0
): Problem => {
  if (entries === undefined) return undefined
  let bytes = 0
  for (const [name, value] of Object.entries(entries)) {
    if (!httpToken.test(name)) {
      return invalid(
        operation,
        "metadata",
        `name ${JSON.stringify(name)} must be an HTTP token: letters, digits and !#$%&'*+-.^_\`|~, no spaces or ':'`
      )
    }
    if (isInternalName(name)) {
      return invalid(
        operation,
        "metadata",
        `name ${JSON.stringify(name)} is reserved: names that start with "${reservedPrefix}" are s3po's own ` +
          "(how a conditional write knows its own object, how a download checks a multipart object), " +
          "so another value there would mislead them; choose another name"
      )
    }
    const field = `metadata.${name}`
    if (typeof value !== "string") return invalid(operation, field, "must be a string")
    if (!printableAscii.test(value)) {
      return invalid(
        operation,
        field,
        `${JSON.stringify(value)} ${notPrintable(value)}; S3 keeps user metadata in US-ASCII, ` +
          "so carry other text percent-encoded (encodeURIComponent) or base64-encoded"
      )
    }
    bytes += name.length + value.length
  }
  const limit = maxUserMetadataBytes - reservedBytes
  const reserved = reservedBytes === 0
    ? ""
    : ` (s3po's write id of a conditional upload takes ${reservedBytes} of S3's 2048)`
  return bytes > limit
    ? invalid(operation, "metadata", `must be at most ${limit} bytes of names and values${reserved}, got ${bytes}`)
    : undefined
}

/** A header value that must say something: an ETag, a storage class. */
const nonEmptyHeaderValue = (operation: string, field: string, value: string | undefined): Problem =>
  value === "" ? invalid(operation, field, "must not be empty") : headerValue(operation, field, value)

const date = (operation: string, field: string, value: Date | undefined): Problem =>
  value === undefined || (value instanceof Date && !Number.isNaN(value.getTime()))
    ? undefined
    : invalid(operation, field, "must be a valid Date")

/** What S3 allows in a tag (letters, digits, spaces and `_ . : / = + - @`), in any language. */
const tagText = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

/** Characters as S3 counts them in tags: code points. */
const characters = (text: string) => Array.from(text).length

/** Object tags: at most 10, keys of 1 to 128 characters, values of at most 256, in S3's character set. */
export const tags = (operation: string, given: Readonly<Record<string, string>> | undefined): Problem => {
  if (given === undefined) return undefined
  const entries = Object.entries(given)
  if (entries.length > maxTags) return invalid(operation, "tags", `at most ${maxTags} tags, got ${entries.length}`)
  for (const [name, value] of entries) {
    const field = `tags.${name}`
    if (name.length === 0) return invalid(operation, "tags", "a tag key must not be empty")
    if (typeof value !== "string") return invalid(operation, field, "must be a string")
    for (const [what, text, max] of [["key", name, maxTagKeyLength], ["value", value, maxTagValueLength]] as const) {
      if (!isWellFormed(text) || !tagText.test(text)) {
        return invalid(
          operation,
          field,
          `the ${what} ${JSON.stringify(text)} may hold only letters, digits, spaces and _ . : / = + - @`
        )
      }
      const length = characters(text)
      if (length > max) return invalid(operation, field, `the ${what} must be at most ${max} characters, got ${length}`)
    }
  }
  return undefined
}

const serverSideEncryption = (operation: string, sse: ObjectAttributes["serverSideEncryption"]): Problem => {
  if (sse === undefined) return undefined
  if (sse.type === "AES256") return undefined
  if (sse.type === "aws:kms") return nonEmptyHeaderValue(operation, "serverSideEncryption.keyId", sse.keyId)
  return invalid(operation, "serverSideEncryption", `type must be "AES256" or "aws:kms"`)
}

const knownAcls: ReadonlySet<string> = new Set(cannedAcls)

/** One of S3's canned ACLs for an object (`log-delivery-write` is a bucket's alone). */
const cannedAcl = (operation: string, acl: string | undefined): Problem =>
  acl === undefined || knownAcls.has(acl)
    ? undefined
    : invalid(
      operation,
      "acl",
      `${JSON.stringify(acl)} is not an object's canned ACL: one of ${cannedAcls.join(", ")}`
    )

/** What an upload or a copy sets on its object: every header value sendable, tags within S3's limits. */
export const objectAttributes = (operation: string, options: ObjectAttributes): Problem =>
  headerValue(operation, "contentType", options.contentType) ??
    headerValue(operation, "cacheControl", options.cacheControl) ??
    headerValue(operation, "contentDisposition", options.contentDisposition) ??
    headerValue(operation, "contentEncoding", options.contentEncoding) ??
    headerValue(operation, "contentLanguage", options.contentLanguage) ??
    date(operation, "expires", options.expires) ??
    nonEmptyHeaderValue(operation, "storageClass", options.storageClass) ??
    cannedAcl(operation, options.acl) ??
    serverSideEncryption(operation, options.serverSideEncryption) ??
    metadata(operation, options.metadata) ??
    tags(operation, options.tags)

/**
 * A write's conditions, and room for s3po's write id in the metadata of a conditional one (the id
 * by which it knows its own write after a lost answer).
 */
export const conditionalWrite = (
  operation: string,
  options: WriteConditions & { readonly metadata?: Readonly<Record<string, string>> | undefined }
): Problem =>
  writeConditions(operation, options) ??
    (isConditional(options) ? metadata(operation, options.metadata, writeIdBytes) : undefined)

/** A conditional write: create only (`ifNoneMatch: "*"`) or replace only one version (`ifMatch`). */
const writeConditions = (operation: string, conditions: WriteConditions): Problem => {
  if (conditions.ifNoneMatch !== undefined && conditions.ifNoneMatch !== "*") {
    return invalid(operation, "ifNoneMatch", `must be "*" (create only); to replace one version, give ifMatch`)
  }
  if (conditions.ifNoneMatch !== undefined && conditions.ifMatch !== undefined) {
    return invalid(operation, "ifMatch", `give ifMatch or ifNoneMatch: "*", not both`)
  }
  return nonEmptyHeaderValue(operation, "ifMatch", conditions.ifMatch)
}

export const readConditions = (operation: string, conditions: ReadConditions): Problem =>
  nonEmptyHeaderValue(operation, "ifMatch", conditions.ifMatch) ??
    nonEmptyHeaderValue(operation, "ifNoneMatch", conditions.ifNoneMatch) ??
    date(operation, "ifModifiedSince", conditions.ifModifiedSince) ??
    date(operation, "ifUnmodifiedSince", conditions.ifUnmodifiedSince)

const isOffset = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

export const range = (operation: string, given: DownloadRange | undefined): Problem => {
  if (given === undefined) return undefined
  if ("suffix" in given) {
    return isOffset(given.suffix) && given.suffix > 0
      ? undefined
      : invalid(operation, "range.suffix", `must be a whole number of bytes of at least 1, got ${shown(given.suffix)}`)
  }
  if (!isOffset(given.start)) {
    return invalid(operation, "range.start", `must be a whole number of bytes from 0, got ${shown(given.start)}`)
  }
  return given.end === undefined || (isOffset(given.end) && given.end >= given.start)
    ? undefined
    : invalid(
      operation,
      "range.end",
      `must be a whole number of bytes from start (${given.start}), got ${shown(given.end)}`
    )
}

/** Everything an upload is given, checked before its first request. */
export const upload = (
  operation: string,
  bucketName: string,
  keyName: string,
  options: Parameters<typeof multipart>[1] & ObjectAttributes & WriteConditions
): Problem =>
  location(operation, bucketName, keyName) ?? multipart(operation, options) ??
    objectAttributes(operation, options) ?? conditionalWrite(operation, options)
