import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { S3Po } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import { durationProblem, shown } from "./validation.js"

/**
 * The types of public functions' arguments, checked before anything reads them, so that a caller
 * that breaks the declared types (plain JavaScript, `as any`, data parsed at run time) gets a
 * `ValidationError` instead of a throw or a defect. Ranges and formats are `validation.ts`'s.
 */

type Kind =
  | "string"
  | "number"
  | "boolean"
  | "function"
  | "date"
  | "object"
  | "strings"
  | "duration"
  | "concurrency"
  | "body"
  | "iterable"
  | "keys"
  | "location"
  | "prefixLocation"
  | "faults"
  | "retry"
  | "latency"
  | "client"
  | "options"
  | "schema"
  | "any"

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null

/**
 * Where a value made from input its constructor cannot take keeps why, when that constructor cannot
 * fail (`Retry.exponential` returns a `Schedule`, `Fault.errorResponse` a `Fault`): a layer
 * given the value fails with it.
 */
const invalidInput = Symbol.for("s3po/invalidInput")

export const withInvalidInput = <S extends object>(value: S, problem: ValidationError): S =>
  Object.defineProperty(value, invalidInput, { value: problem })

const invalidInputOf = (value: object): ValidationError | undefined => {
  const problem: unknown = Reflect.get(value, invalidInput)
  return problem instanceof ValidationError ? problem : undefined
}

const faultTags = new Set(["ErrorResponse", "ConnectionReset", "Timeout", "TruncatedBody", "CorruptedBody"])

const faultProblem = (fault: unknown): string | undefined => {
  const tag: unknown = isObject(fault) ? Reflect.get(fault, "_tag") : undefined
  if (!isObject(fault) || typeof tag !== "string" || !faultTags.has(tag)) return "must be a Fault"
  const refused = invalidInputOf(fault)
  if (refused !== undefined) return refused.reason
  if (tag === "CorruptedBody") {
    const at: unknown = Reflect.get(fault, "at")
    return at === undefined || (Number.isSafeInteger(at) && (at as number) >= 0)
      ? undefined
      : "must be a Fault (see Fault.corruptedBody)"
  }
  if (tag !== "ErrorResponse") return undefined
  const retryAfter: unknown = Reflect.get(fault, "retryAfter")
  return typeof Reflect.get(fault, "status") === "number" && typeof Reflect.get(fault, "code") === "string" &&
      typeof Reflect.get(fault, "message") === "string" && (retryAfter === undefined || Duration.isDuration(retryAfter))
    ? undefined
    : "must be a Fault (see Fault.errorResponse)"
}

const ruleFields: ReadonlyArray<readonly [string, (value: unknown) => boolean, string]> = [
  [
    "operation",
    (value) => typeof value === "string" || Array.isArray(value),
    "must be an S3 operation or an array of them"
  ],
  ["bucket", (value) => typeof value === "string", "must be a string"],
  ["key", (value) => typeof value === "string" || typeof value === "function", "must be a string or a function"],
  ["match", (value) => typeof value === "function", "must be a function"],
  ["nth", (value) => typeof value === "number" || Array.isArray(value), "must be a number or an array of numbers"],
  ["rate", (value) => typeof value === "number", "must be a number"],
  ["times", (value) => typeof value === "number", "must be a number"],
  ["takesEffect", (value) => typeof value === "boolean", "must be true or false"]
]

/** A fault rule of `S3PoMock.layer`, `S3PoLive.layer` or `addFault`: its fault, and its conditions' types. */
export const faultRule = (operation: string, rule: unknown, field = "rule"): ValidationError | undefined => {
  if (!isObject(rule) || Array.isArray(rule)) return invalid(operation, field, "must be an object", rule)
  const fault: unknown = Reflect.get(rule, "fault")
  const problem = faultProblem(fault)
  if (problem !== undefined) return invalid(operation, `${field}.fault`, problem, fault)
  for (const [name, isValid, reason] of ruleFields) {
    const value: unknown = Reflect.get(rule, name)
    if (value !== undefined && !isValid(value)) return invalid(operation, `${field}.${name}`, reason, value)
  }
  return undefined
}

const kindProblem: { readonly [K in Kind]: (value: unknown) => string | undefined } = {
  string: (value) => typeof value === "string" ? undefined : "must be a string",
  number: (value) => typeof value === "number" ? undefined : "must be a number",
  boolean: (value) => typeof value === "boolean" ? undefined : "must be true or false",
  function: (value) => typeof value === "function" ? undefined : "must be a function",
  date: (value) => value instanceof Date ? undefined : "must be a Date",
  object: (value) => isObject(value) && !Array.isArray(value) ? undefined : "must be an object",
  strings: (value) =>
    Array.isArray(value) && value.every((item) => typeof item === "string") ? undefined : "must be an array of strings",
  faults: (value) =>
    Array.isArray(value)
      ? value.map((rule) => faultRule("", rule)?.reason).find((reason) => reason !== undefined)
      : "must be an array of fault rules",
  retry: (value) =>
    value === "off" ? undefined : Schedule.isSchedule(value)
      ? invalidInputOf(value)?.reason
      : "must be \"off\" or a Schedule",
  latency: (value) => typeof value === "function" ? undefined : durationProblem(value),
  client: (value) =>
    isObject(value) && typeof Reflect.get(value, "send") === "function" && isObject(Reflect.get(value, "config"))
      ? undefined
      : "must be an S3Client",
  // Checked field by field by `options`; this is only its outer shape.
  options: (value) => isObject(value) && !Array.isArray(value) ? undefined : "must be an object",
  duration: durationProblem,
  concurrency: (value) => typeof value === "number" || value === "unbounded" ? undefined : "must be a number",
  body: (value) =>
    typeof value === "string" || value instanceof Uint8Array || Stream.StreamTypeId in Object(value)
      ? undefined
      : "must be a string, a Uint8Array or a Stream of Uint8Array",
  iterable: (value) =>
    isObject(value) && Symbol.iterator in value || typeof value === "string" ? undefined : "must be iterable",
  keys: (value) =>
    isObject(value) && (Symbol.iterator in value || Stream.StreamTypeId in value)
      ? undefined
      : "must be an iterable or a Stream of keys",
  location: (value) =>
    isObject(value) && typeof Reflect.get(value, "bucket") === "string" && typeof Reflect.get(value, "key") === "string"
      ? undefined
      : "must be { bucket, key } with both strings",
  schema: (value) => Schema.isSchema(value) ? undefined : "must be a Schema",
  any: () => undefined,
  prefixLocation: (value) =>
    isObject(value) && typeof Reflect.get(value, "bucket") === "string" &&
      ["string", "undefined"].includes(typeof Reflect.get(value, "prefix"))
      ? undefined
      : "must be { bucket, prefix? } with strings"
}

/** Every option s3po takes, by name, with its type: options of one name have one type everywhere. */
const optionKinds: Readonly<Record<string, Kind>> = {
  // Object attributes and conditions (upload, copy, head, download).
  contentType: "string",
  metadata: "object",
  tags: "object",
  cacheControl: "string",
  contentDisposition: "string",
  contentEncoding: "string",
  contentLanguage: "string",
  expires: "date",
  storageClass: "string",
  acl: "string",
  serverSideEncryption: "object",
  ifNoneMatch: "string",
  ifMatch: "string",
  ifModifiedSince: "date",
  ifUnmodifiedSince: "date",
  // Versions and object lock.
  versionId: "string",
  sourceVersionId: "string",
  bypassGovernanceRetention: "boolean",
  retention: "object",
  legalHold: "boolean",
  objectLock: "boolean",
  defaultRetention: "object",
  // Transfers.
  partSize: "number",
  partConcurrency: "number",
  multipartThreshold: "number",
  onProgress: "function",
  concurrency: "concurrency",
  range: "object",
  checksumAlgorithm: "string",
  verify: "boolean",
  // Documents.
  maxAttempts: "number",
  ordered: "boolean",
  // Listings.
  prefix: "string",
  delimiter: "string",
  startAfter: "string",
  olderThan: "duration",
  // Presigning.
  method: "string",
  expiresIn: "duration",
  responseContentType: "string",
  responseContentDisposition: "string",
  key: "string",
  keyPrefix: "string",
  anyKey: "boolean",
  maxBytes: "number",
  minBytes: "number",
  // Sync.
  compare: "string",
  delete: "boolean",
  include: "strings",
  exclude: "strings",
  dryRun: "boolean",
  followSymlinks: "boolean",
  onAction: "function",
  onObject: "function",
  // Retry policies.
  base: "duration",
  factor: "number",
  maxDelay: "duration",
  maxRetries: "number",
  // Layers.
  seed: "object",
  faults: "faults",
  latency: "latency",
  randomSeed: "number",
  retry: "retry",
  multipart: "options",
  callLogLimit: "number",
  endpoint: "string",
  region: "string",
  credentials: "object",
  forcePathStyle: "boolean",
  requestChecksumCalculation: "string",
  maxSockets: "number",
  requestTimeout: "duration",
  connectionTimeout: "duration",
  idleTimeout: "duration",
  signPayloadOverHttps: "boolean",
  extraCaCertificates: "strings",
  transport: "string",
  verifyDownloads: "boolean",
  recordPartSize: "boolean"
}

const invalid = (operation: string, field: string, reason: string, value: unknown) =>
  new ValidationError({ operation, field, reason: `${reason}, got ${shown(value)}` })

/** An options argument: absent, or an object whose known options, when given, have their types. */
export const options = (
  operation: string,
  value: unknown,
  field = "options",
  required = false
): ValidationError | undefined => {
  if (value === undefined && !required) return undefined
  if (!isObject(value) || Array.isArray(value)) return invalid(operation, field, "must be an object", value)
  // The options given, not every option known: a call checks what it was given.
  for (const name in value) {
    const kind = Object.hasOwn(optionKinds, name) ? optionKinds[name] : undefined
    const option: unknown = Reflect.get(value, name)
    if (kind === undefined || option === undefined) continue
    const problem = kindProblem[kind](option)
    if (problem !== undefined) return invalid(operation, name, problem, option)
    if (kind === "options") {
      const inner = options(operation, option, name)
      if (inner !== undefined) return inner
    }
  }
  return undefined
}

/** An argument of a public function, by its name and type; `options` as above. */
export type Argument = readonly [name: string, kind: Kind | "requiredOptions"]

/** The first argument of `values` that does not have its type. */
export const argumentsProblem = (
  operation: string,
  shapes: ReadonlyArray<Argument>,
  values: ReadonlyArray<unknown>
): ValidationError | undefined => {
  for (const [index, [name, kind]] of shapes.entries()) {
    const value = values[index]
    if (kind === "options" || kind === "requiredOptions") {
      const problem = options(operation, value, name, kind === "requiredOptions")
      if (problem !== undefined) return problem
      continue
    }
    const reason = kindProblem[kind](value)
    if (reason !== undefined) return invalid(operation, name, reason, value)
  }
  return undefined
}

const objectKey: Argument = ["key", "string"]
const bucketName: Argument = ["bucket", "string"]

/** The arguments of every method of the service. */
const serviceArguments: { readonly [Method in keyof S3Po.Service]: ReadonlyArray<Argument> } = {
  createBucket: [bucketName, ["options", "options"]],
  upload: [bucketName, objectKey, ["body", "body"], ["options", "options"]],
  uploadFile: [bucketName, objectKey, ["path", "string"], ["options", "options"]],
  download: [bucketName, objectKey, ["options", "options"]],
  downloadString: [bucketName, objectKey, ["options", "options"]],
  downloadStream: [bucketName, objectKey, ["options", "options"]],
  downloadFile: [bucketName, objectKey, ["path", "string"], ["options", "options"]],
  get: [bucketName, objectKey, ["options", "options"]],
  getStream: [bucketName, objectKey, ["options", "options"]],
  getJson: [bucketName, objectKey, ["schema", "schema"], ["options", "options"]],
  putJson: [bucketName, objectKey, ["schema", "schema"], ["value", "any"], ["options", "options"]],
  updateJson: [bucketName, objectKey, ["schema", "schema"], ["f", "function"], ["options", "options"]],
  head: [bucketName, objectKey, ["conditions", "options"]],
  getTags: [bucketName, objectKey],
  setTags: [bucketName, objectKey, ["tags", "object"]],
  exists: [bucketName, objectKey],
  list: [bucketName, ["options", "options"]],
  listObjects: [bucketName, ["options", "options"]],
  delete: [bucketName, objectKey, ["options", "options"]],
  deleteMany: [bucketName, ["keys", "keys"]],
  deleteManyStream: [bucketName, ["keys", "keys"]],
  copy: [["from", "location"], ["to", "location"], ["options", "options"]],
  move: [["from", "location"], ["to", "location"], ["options", "options"]],
  copyPrefix: [["from", "prefixLocation"], ["to", "prefixLocation"], ["options", "options"]],
  movePrefix: [["from", "prefixLocation"], ["to", "prefixLocation"], ["options", "options"]],
  presign: [bucketName, objectKey, ["options", "options"]],
  presignPost: [bucketName, ["options", "requiredOptions"]],
  listBuckets: [],
  bucketExists: [bucketName],
  deleteBucket: [bucketName],
  deletePrefix: [bucketName, ["prefix", "string"]],
  emptyBucket: [bucketName],
  listPendingUploads: [bucketName, ["options", "options"]],
  abortPendingUploads: [bucketName, ["options", "options"]],
  setBucketVersioning: [bucketName, ["status", "string"]],
  getBucketVersioning: [bucketName],
  listObjectVersions: [bucketName, ["options", "options"]],
  getObjectLockConfiguration: [bucketName],
  setObjectLockConfiguration: [bucketName, ["settings", "requiredOptions"]],
  getRetention: [bucketName, objectKey, ["options", "options"]],
  setRetention: [bucketName, objectKey, ["retention", "object"], ["options", "options"]],
  getLegalHold: [bucketName, objectKey, ["options", "options"]],
  setLegalHold: [bucketName, objectKey, ["on", "boolean"], ["options", "options"]],
  putLifecycle: [bucketName, ["rules", "any"]],
  getLifecycle: [bucketName],
  deleteLifecycle: [bucketName],
  // Returns a handle, not an effect: the handle's operations check the name (and their arguments).
  bucket: []
}

const streamMethods: ReadonlySet<keyof S3Po.Service> = new Set([
  "downloadStream",
  "deleteManyStream",
  "list",
  "listObjects",
  "listObjectVersions",
  "listPendingUploads"
])

/** The service, each method checking its arguments' types first: a wrong one fails (or a stream fails) typed. */
export const checkedService = (service: S3Po.Service): S3Po.Service => {
  const checked = { ...service }
  for (const method of Object.keys(serviceArguments) as ReadonlyArray<keyof S3Po.Service>) {
    const call = service[method] as (...args: ReadonlyArray<unknown>) => unknown
    Object.assign(checked, {
      [method]: (...args: ReadonlyArray<unknown>) => {
        const problem = argumentsProblem(method, serviceArguments[method], args)
        if (problem === undefined) return call(...args)
        return streamMethods.has(method) ? Stream.fail(problem) : Effect.fail(problem)
      }
    })
  }
  return checked
}
