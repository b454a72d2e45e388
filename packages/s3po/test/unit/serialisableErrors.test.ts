import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Equal from "effect/Equal"
import * as Schema from "effect/Schema"
import {
  AccessDenied,
  BrokenListing,
  BucketNotEmpty,
  ChecksumMismatch,
  CustomerKeyMismatch,
  InvalidDocument,
  isRetryable,
  isS3PoError,
  LocalFileError,
  NoSuchBucket,
  NoSuchKey,
  NotModified,
  ObjectLocked,
  PreconditionFailed,
  S3PoError,
  S3ServiceError,
  Sync,
  Throttled,
  TransportError,
  UnsafeKey,
  UpdateConflict,
  ValidationError
} from "s3po"
import * as Errors from "s3po/S3PoError"

const where = { operation: "download", bucket: "b", key: "a\x1b[2J/k" }

/** One error of every class, with every field given, and one with only those it needs. */
const errors: ReadonlyArray<S3PoError> = [
  new NoSuchKey(where),
  new NoSuchKey({ ...where, requestId: "req-1" }),
  new NoSuchBucket({ operation: "upload", bucket: "b" }),
  new NoSuchBucket({ ...where, requestId: "req-2" }),
  new BucketNotEmpty({ operation: "deleteBucket", bucket: "b", requestId: "req-3" }),
  new AccessDenied({ ...where, code: "SignatureDoesNotMatch", requestId: "req-4" }),
  new ValidationError({ operation: "upload", field: "key", reason: "must not be empty" }),
  new PreconditionFailed({ ...where, expectedETag: "\"e\"", condition: "If-Match: \"e\"", requestId: "req-5" }),
  new NotModified({ ...where, etag: "\"e\"" }),
  new Throttled({ ...where, status: 503, code: "SlowDown", retryAfter: Duration.seconds(2), requestId: "req-6" }),
  new Throttled({ ...where, status: 429, code: "TooManyRequests", retryAfter: Duration.millis(1.5) }),
  new S3ServiceError({ ...where, status: 500, code: "InternalError", detail: "try again", retryable: true }),
  new TransportError({ ...where, reason: "ECONNRESET: socket hang up", retryable: true }),
  new LocalFileError({ operation: "downloadFile", path: "/tmp/x", reason: "cannot write it" }),
  new BrokenListing({ operation: "ListObjectsV2", bucket: "b", reason: "a token given twice" }),
  new ChecksumMismatch({ ...where, algorithm: "CRC32", expected: "AAAAAA==", actual: "BBBBBB==", requestId: "req-7" }),
  new InvalidDocument({ ...where, stage: "decode", reason: "Expected number", etag: "\"e\"" }),
  new UpdateConflict({ ...where, attempts: 10 }),
  new ObjectLocked({
    ...where,
    versionId: "v1",
    reason: "retention COMPLIANCE until 2027-01-01T00:00:00Z",
    requestId: "r"
  }),
  new CustomerKeyMismatch({ ...where, customerKeyGiven: true, status: 403, code: "AccessDenied", requestId: "req-8" })
]

/** Through JSON text, as a worker or an RPC boundary carries it. */
const overTheWire = <A, I>(schema: Schema.Schema<A, I>, value: A): A => {
  const text = JSON.stringify(Schema.encodeSync(schema)(value))
  return Schema.decodeUnknownSync(schema)(JSON.parse(text))
}

describe("errors survive a worker or RPC boundary", () => {
  it("S3PoError is the schema of every error class of the union", () => {
    const tags = new Set(errors.map((error) => error._tag))
    const union = S3PoError.members.map((member) => member.identifier)
    assert.deepStrictEqual([...tags].sort(), [...union].sort())
  })

  it("every error class the module exports is a Schema class in the union (UnsafeKey, Sync's, aside)", () => {
    const classes = Object.entries(Errors).filter(([name, value]) =>
      typeof value === "function" && name !== "UnsafeKey" && (value.prototype as unknown) instanceof Error
    )
    assert.isAbove(classes.length, 14)
    const members = new Set<unknown>(S3PoError.members)
    for (const [name, value] of classes) {
      assert.isTrue(members.has(value), `${name} is in S3PoError`)
      assert.isTrue(Schema.isSchema(value), `${name} is a Schema class`)
    }
  })

  it("every error encodes to plain JSON and decodes to an equal error of its class", () => {
    for (const error of errors) {
      const encoded = Schema.encodeSync(S3PoError)(error)
      // Plain data: what JSON keeps is all there is.
      assert.deepStrictEqual(JSON.parse(JSON.stringify(encoded)), encoded, error._tag)
      assert.strictEqual(Object.getPrototypeOf(encoded), Object.prototype, error._tag)
      const decoded = overTheWire(S3PoError, error)
      assert.strictEqual(decoded.constructor, error.constructor, error._tag)
      assert.isTrue(decoded instanceof (error.constructor as new() => unknown), error._tag)
      assert.instanceOf(decoded, Error)
      assert.isTrue(Equal.equals(decoded, error), error._tag)
      assert.strictEqual(decoded._tag, error._tag)
      assert.strictEqual(decoded.message, error.message)
      assert.strictEqual(isRetryable(decoded), isRetryable(error))
      assert.isTrue(isS3PoError(decoded))
    }
  })

  it("the decoded error is a failure Effect can catch by its tag", () => {
    const decoded = overTheWire(S3PoError, new NoSuchKey(where))
    assert.strictEqual(decoded._tag, "NoSuchKey")
    if (decoded._tag !== "NoSuchKey") return
    assert.strictEqual(decoded.key, where.key)
    assert.strictEqual(decoded.message, "download: no such key s3://b/a\\x1b[2J/k")
  })

  it("a retryAfter says its unit in JSON, and comes back the same Duration", () => {
    const error = new Throttled({ ...where, status: 503, code: "SlowDown", retryAfter: Duration.seconds(2) })
    const encoded = Schema.encodeSync(S3PoError)(error)
    assert.deepStrictEqual((encoded as { readonly retryAfter?: unknown }).retryAfter, { _tag: "Millis", millis: 2000 })
    const decoded = overTheWire(Throttled, error)
    assert.isTrue(Duration.equals(decoded.retryAfter!, Duration.seconds(2)))
  })

  it("a cause survives as an Error with its name and message, and no stack", () => {
    const cause = Object.assign(new Error("ENOSPC: no space left on device"), { name: "SystemError" })
    const error = new LocalFileError({ operation: "downloadFile", path: "/tmp/x", reason: "cannot write it", cause })
    const encoded = Schema.encodeSync(S3PoError)(error)
    assert.deepStrictEqual((encoded as { readonly cause?: unknown }).cause, {
      name: "SystemError",
      message: "ENOSPC: no space left on device"
    })
    const decoded = overTheWire(LocalFileError, error)
    assert.instanceOf(decoded.cause, Error)
    assert.strictEqual((decoded.cause as Error).message, "ENOSPC: no space left on device")
    assert.strictEqual((decoded.cause as Error).name, "SystemError")
    assert.strictEqual(decoded.message, error.message)
  })

  it("an error given fields of the wrong type is refused when decoded", () => {
    assert.throws(() => Schema.decodeUnknownSync(S3PoError)({ _tag: "NoSuchKey", operation: "x", bucket: "b" }))
    assert.throws(() => Schema.decodeUnknownSync(S3PoError)({ _tag: "UnsafeKey", ...where, reason: "r" }))
    assert.throws(() => Schema.decodeUnknownSync(S3PoError)({ _tag: "Throttled", ...where, status: "503", code: "c" }))
  })

  it("a sync's failures, UnsafeKey among them, survive through Sync.SyncError", () => {
    const unsafe = new Sync.UnsafeKey({ operation: "syncDown", bucket: "b", key: "../x", reason: "climbs out" })
    const decoded = overTheWire(Sync.SyncError, unsafe)
    assert.instanceOf(decoded, Sync.UnsafeKey)
    assert.isTrue(Equal.equals(decoded, unsafe))
    assert.strictEqual(decoded.message, "syncDown: s3://b/../x: climbs out")
    const missing = overTheWire(Sync.SyncError, new NoSuchKey(where))
    assert.instanceOf(missing, NoSuchKey)
  })

  it("UnsafeKey is Sync's; the top-level name is the same class, kept for code that uses it", () => {
    assert.strictEqual(UnsafeKey, Sync.UnsafeKey)
    const error = new UnsafeKey({ operation: "syncDown", bucket: "b", key: "/abs", reason: "absolute" })
    assert.isTrue(isS3PoError(error))
    assert.isFalse(Schema.is(S3PoError)(error))
    assert.isTrue(Schema.is(Sync.SyncError)(error))
  })
})
