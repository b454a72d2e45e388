import * as Effect from "effect/Effect"
import { ValidationError } from "../S3PoError.js"
import { maxKeyBytes, maxPartBytes, maxSinglePutBytes, minPartBytes } from "./limits.js"

const invalid = (operation: string, field: string, reason: string) =>
  Effect.fail(new ValidationError({ operation, field, reason }))

const reservedBucketPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
const reservedBucketSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]
const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/

export const bucketNameProblem = (bucket: string): string | undefined => {
  if (bucket.length < 3 || bucket.length > 63) return `must be 3 to 63 characters long, got ${bucket.length}`
  if (!/^[a-z0-9.-]+$/.test(bucket)) return "may contain only lower-case letters, digits, '.' and '-'"
  if (!/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) return "must start and end with a letter or digit"
  if (bucket.includes("..")) return "must not contain '..'"
  if (ipv4.test(bucket)) return "must not look like an IPv4 address"
  const prefix = reservedBucketPrefixes.find((reserved) => bucket.startsWith(reserved))
  if (prefix !== undefined) return `must not start with the reserved prefix '${prefix}'`
  const suffix = reservedBucketSuffixes.find((reserved) => bucket.endsWith(reserved))
  if (suffix !== undefined) return `must not end with the reserved suffix '${suffix}'`
  return undefined
}

export const bucket = (operation: string, name: string): Effect.Effect<void, ValidationError> => {
  const problem = typeof name === "string" ? bucketNameProblem(name) : "must be a string"
  return problem === undefined ? Effect.void : invalid(operation, "bucket", `${JSON.stringify(name)} ${problem}`)
}

const encoder = new TextEncoder()

export const key = (operation: string, name: string): Effect.Effect<void, ValidationError> => {
  if (typeof name !== "string" || name.length === 0) return invalid(operation, "key", "must not be empty")
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes, so short keys skip the encoding.
  if (name.length * 3 > maxKeyBytes) {
    const bytes = encoder.encode(name).length
    if (bytes > maxKeyBytes) {
      return invalid(operation, "key", `must be at most ${maxKeyBytes} UTF-8 bytes, got ${bytes}`)
    }
  }
  return Effect.void
}

export const location = (operation: string, bucketName: string, keyName: string) =>
  Effect.zipRight(bucket(operation, bucketName), key(operation, keyName))

export const concurrency = (
  operation: string,
  field: string,
  value: number | "unbounded" | undefined
): Effect.Effect<void, ValidationError> =>
  value === undefined || value === "unbounded" || (Number.isInteger(value) && value >= 1)
    ? Effect.void
    : invalid(operation, field, `must be a whole number of at least 1, got ${value}`)

export const byteSize = (
  operation: string,
  field: string,
  value: number | undefined,
  min: number,
  max: number
): Effect.Effect<void, ValidationError> =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= max)
    ? Effect.void
    : invalid(operation, field, `must be a whole number of bytes from ${min} to ${max}, got ${value}`)

export const multipart = (
  operation: string,
  options: { readonly partSize?: number; readonly partConcurrency?: number; readonly multipartThreshold?: number }
) =>
  Effect.all([
    byteSize(operation, "partSize", options.partSize, minPartBytes, maxPartBytes),
    byteSize(operation, "multipartThreshold", options.multipartThreshold, 0, maxSinglePutBytes),
    concurrency(operation, "partConcurrency", options.partConcurrency)
  ], { discard: true })
