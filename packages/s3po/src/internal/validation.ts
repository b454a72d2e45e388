import * as Effect from "effect/Effect"
import { ValidationError } from "../S3PoError.js"
import { maxKeyBytes, maxPartBytes, maxSinglePutBytes, minPartBytes } from "./limits.js"

/**
 * Input checks, run before any request. Each returns the `ValidationError` for bad input or
 * `undefined`: plain functions, so valid input costs no effect machinery.
 */
export type Problem = ValidationError | undefined

const invalid = (operation: string, field: string, reason: string): ValidationError =>
  new ValidationError({ operation, field, reason })

/** Runs `effect` only when there is no problem. */
export const guard = <A, E, R>(
  problem: Problem,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | ValidationError, R> => problem === undefined ? effect : Effect.fail(problem)

const reservedBucketPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"]
const reservedBucketSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3"]
const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/
const bucketShape = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/
const checkedBuckets = new Set<string>()

const bucketNameProblem = (name: string): string | undefined => {
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

export const bucket = (operation: string, name: string): Problem => {
  if (checkedBuckets.has(name)) return undefined
  const problem = typeof name === "string" ? bucketNameProblem(name) : "must be a string"
  if (problem !== undefined) return invalid(operation, "bucket", `${JSON.stringify(name)} ${problem}`)
  // A program uses few buckets: remember the valid ones, within reason.
  if (checkedBuckets.size < 1024) checkedBuckets.add(name)
  return undefined
}

const encoder = new TextEncoder()

export const key = (operation: string, name: string): Problem => {
  if (typeof name !== "string" || name.length === 0) return invalid(operation, "key", "must not be empty")
  // A UTF-16 unit encodes to at most 3 UTF-8 bytes, so short keys skip the encoding.
  if (name.length * 3 > maxKeyBytes) {
    const bytes = encoder.encode(name).length
    if (bytes > maxKeyBytes) {
      return invalid(operation, "key", `must be at most ${maxKeyBytes} UTF-8 bytes, got ${bytes}`)
    }
  }
  return undefined
}

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
    : invalid(operation, field, `must be a whole number of at least 1, got ${value}`)

export const byteSize = (
  operation: string,
  field: string,
  value: number | undefined,
  min: number,
  max: number
): Problem =>
  value === undefined || (Number.isInteger(value) && value >= min && value <= max)
    ? undefined
    : invalid(operation, field, `must be a whole number of bytes from ${min} to ${max}, got ${value}`)

export const multipart = (
  operation: string,
  options: { readonly partSize?: number; readonly partConcurrency?: number; readonly multipartThreshold?: number }
): Problem =>
  byteSize(operation, "partSize", options.partSize, minPartBytes, maxPartBytes) ??
    byteSize(operation, "multipartThreshold", options.multipartThreshold, 0, maxSinglePutBytes) ??
    concurrency(operation, "partConcurrency", options.partConcurrency)
