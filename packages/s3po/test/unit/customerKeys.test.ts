import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  AccessDenied,
  CustomerKeyMismatch,
  CustomerKeys,
  Fault,
  Retry,
  S3Po,
  S3PoError,
  S3PoMock,
  S3ServiceError
} from "s3po"
import type { Backend } from "../../src/internal/core/backend.js"
import { withMismatches } from "../../src/internal/core/customerKeys.js"
import { recordingTracer } from "../../src/internal/testing/fixtures.js"
import { mockBackend } from "../utils/backends.js"
import { randomBody, uniqueBucket } from "../utils/fixtures.js"

const MiB = 1024 * 1024

/** Every form in which a key's bytes could be shown: base64 (and URL-safe), hex, and the bytes themselves. */
const formsOf = (bytes: Uint8Array) => {
  const buffer = Buffer.from(bytes)
  return {
    texts: [buffer.toString("base64"), buffer.toString("base64url"), buffer.toString("hex"), buffer.toString("latin1")],
    bytes: buffer
  }
}

/** Where in `value` (walked through objects, arrays, maps, errors and their causes) the key shows, if anywhere. */
const leaks = (value: unknown, key: Uint8Array): ReadonlyArray<string> => {
  const { bytes, texts } = formsOf(key)
  const found: Array<string> = []
  const seen = new Set<unknown>()
  const walk = (at: unknown, where: string, depth: number): void => {
    if (depth > 12) return
    if (typeof at === "string") {
      for (const text of texts) if (at.includes(text)) found.push(where)
      return
    }
    if (typeof at !== "object" || at === null || seen.has(at)) return
    seen.add(at)
    if (at instanceof Uint8Array) {
      if (Buffer.from(at.buffer, at.byteOffset, at.byteLength).indexOf(bytes) >= 0) found.push(where)
      return
    }
    if (at instanceof Map) {
      for (const [name, item] of at) walk(item, `${where}.${String(name)}`, depth + 1)
      return
    }
    if (at instanceof Error) {
      walk(at.message, `${where}.message`, depth + 1)
      walk(at.stack, `${where}.stack`, depth + 1)
    }
    for (const name of Object.getOwnPropertyNames(at)) {
      walk((at as Record<string, unknown>)[name], `${where}.${name}`, depth + 1)
    }
  }
  walk(value, "value", 0)
  return found
}

/** What an error shows: its message, its JSON, its encoded form, and how it prints. */
const shownOf = (error: unknown) => ({
  error,
  message: error instanceof Error ? error.message : String(error),
  json: JSON.stringify(error),
  string: String(error),
  encoded: Schema.is(S3PoError)(error) ? Schema.encodeSync(S3PoError)(error) : undefined
})

describe("customer keys", () => {
  it.live("the key never shows in a result, an error, a log or a span", () =>
    Effect.gen(function*() {
      const key = randomBody(32)
      const other = randomBody(32)
      const short = randomBody(16)
      const customerKey = CustomerKeys.make(key)
      const logs: Array<unknown> = []
      const logger = Logger.make((entry) => {
        logs.push(entry.message, entry.annotations, entry.spans, Cause.pretty(entry.cause), entry.cause)
      })
      const { spans, tracer } = yield* recordingTracer
      const bucket = uniqueBucket("ssec-redacted")
      const seen: Array<unknown> = []
      yield* Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.createBucket(bucket)
        seen.push(yield* s3.upload(bucket, "small", "secret text", { customerKey }))
        seen.push(
          yield* s3.upload(bucket, "large", randomBody(6 * MiB), {
            customerKey,
            partSize: 5 * MiB,
            multipartThreshold: 5 * MiB
          })
        )
        // A part refused and the abort after it too: the abort's failure is logged.
        const stranded = yield* Effect.exit(
          s3.upload(bucket, "stranded", randomBody(6 * MiB), {
            customerKey,
            partSize: 5 * MiB,
            multipartThreshold: 5 * MiB
          })
        )
        assert.isTrue(Exit.isFailure(stranded))
        seen.push(stranded)
        // A GET answered 503 once: the retry is logged.
        seen.push(yield* s3.get(bucket, "small", { customerKey }))
        seen.push(yield* s3.head(bucket, "large", { customerKey }))
        seen.push(yield* Stream.runCollect(s3.downloadStream(bucket, "large", { customerKey, concurrency: 2 })))
        seen.push(yield* s3.presign(bucket, "small", { customerKey }))
        seen.push(
          yield* s3.copy({ bucket, key: "small" }, { bucket, key: "copy" }, {
            sourceCustomerKey: customerKey,
            customerKey
          })
        )
        const wrong = yield* Effect.flip(s3.download(bucket, "small", { customerKey: CustomerKeys.make(other) }))
        assert.instanceOf(wrong, CustomerKeyMismatch)
        const missing = yield* Effect.flip(s3.head(bucket, "large"))
        assert.instanceOf(missing, CustomerKeyMismatch)
        const invalid = yield* Effect.flip(s3.upload(bucket, "k", "x", { customerKey: CustomerKeys.make(short) }))
        assert.strictEqual(invalid._tag, "ValidationError")
        const unredacted = yield* Effect.flip(s3.download(bucket, "small", { customerKey: key as never }))
        assert.strictEqual(unredacted._tag, "ValidationError")
        seen.push(shownOf(wrong), shownOf(missing), shownOf(invalid), shownOf(unredacted))
        seen.push(yield* Effect.exit(s3.download(bucket, "small", { customerKey: CustomerKeys.make(other) })))
      }).pipe(
        Effect.provide(S3PoMock.layer({
          retry: Retry.exponential({ base: "1 millis", maxRetries: 2 }),
          faults: [
            { operation: "UploadPart", key: "stranded", fault: Fault.accessDenied() },
            { operation: "AbortMultipartUpload", key: "stranded", fault: Fault.accessDenied() },
            { operation: "GetObject", key: "small", times: 1, fault: Fault.serviceUnavailable() }
          ]
        })),
        Effect.withTracer(tracer),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      assert.isAbove(logs.length, 0, "the abort's failure and the retry were logged")
      assert.isAbove(spans.length, 0)
      const printedSpans = spans.map((span) => ({
        name: span.name,
        attributes: Object.fromEntries(span.attributes),
        status: span.status,
        printed: span.status._tag === "Ended" && Exit.isFailure(span.status.exit)
          ? Cause.pretty(span.status.exit.cause)
          : ""
      }))
      for (const bytes of [key, other, short]) {
        assert.deepStrictEqual(leaks(seen, bytes), [], "results and errors")
        assert.deepStrictEqual(leaks(logs, bytes), [], "logs")
        assert.deepStrictEqual(leaks(printedSpans, bytes), [], "spans")
      }
      // The walk finds a key where one is.
      assert.isNotEmpty(leaks({ headers: Redacted.value(CustomerKeys.headers(customerKey)) }, key))
      assert.isNotEmpty(leaks([key.slice()], key))
    }))

  it.live("a read broken off resumes with the key: the ranged GETs after it carry it too", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const customerKey = yield* CustomerKeys.generate
      const bucket = uniqueBucket("ssec-resumed")
      yield* s3.createBucket(bucket)
      const body = randomBody(3 * MiB)
      yield* s3.upload(bucket, "resumed", body, { customerKey })
      const control = yield* S3PoMock.Control
      for (const options of [{}, { concurrency: 3, partSize: MiB }]) {
        yield* control.addFault({ operation: "GetObject", key: "resumed", times: 1, fault: Fault.truncatedBody() })
        const read = yield* s3.download(bucket, "resumed", { customerKey, ...options })
        assert.isTrue(Buffer.from(read).equals(Buffer.from(body)), JSON.stringify(options))
      }
      const gets = (yield* control.calls).filter((call) => call.operation === "GetObject")
      assert.isAbove(gets.length, 2, "resumed with further GETs")
    }).pipe(
      Effect.provide(S3PoMock.layer({ retry: Retry.exponential({ base: "1 millis", maxRetries: 3 }) })),
      Logger.withMinimumLogLevel(LogLevel.Error)
    ))

  describe("answers read as CustomerKeyMismatch", () => {
    const given = CustomerKeys.make(new Uint8Array(32))
    const location = { bucket: "b", key: "k" }
    /** A backend whose reads and copies all fail with `error`, read through `withMismatches`. */
    const failingWith = (error: S3PoError): Backend => {
      const backend = mockBackend()
      return withMismatches({
        ...backend,
        getObject: () => Effect.fail(error),
        headObject: () => Effect.fail(error),
        copyObject: () => Effect.fail(error)
      })
    }
    const service = (status: number, code: string, operation = "GetObject") =>
      new S3ServiceError({ operation, ...location, status, code, detail: code, retryable: false })
    const denied = (code: string, operation = "GetObject") => new AccessDenied({ operation, ...location, code })

    const cases: ReadonlyArray<readonly [string, S3PoError, "get" | "head", boolean, boolean | undefined]> = [
      ["AWS, no key: 400 InvalidRequest", service(400, "InvalidRequest"), "get", false, false],
      ["AWS, another key: 403 AccessDenied", denied("AccessDenied"), "get", true, true],
      ["AWS HEAD, another key: a bare 403", denied("Forbidden", "HeadObject"), "head", true, true],
      ["a HEAD without the key: a bare 400", service(400, "BadRequest", "HeadObject"), "head", false, false],
      ["Ceph RGW, another key: 400 InvalidArgument", service(400, "InvalidArgument"), "get", true, true],
      ["Ceph RGW, no key: 400 InvalidArgument", service(400, "InvalidArgument"), "get", false, false],
      [
        "a key for an object stored without one (AWS), or a server taking none (RGW over HTTP): 400 InvalidRequest",
        service(400, "InvalidRequest"),
        "get",
        true,
        true
      ],
      ["no key, a real 403", denied("AccessDenied"), "get", false, undefined],
      ["a 404", service(404, "NoSuchKey"), "get", true, undefined]
    ]
    for (const [what, error, read, keyGiven, expected] of cases) {
      it.effect(what, () =>
        Effect.gen(function*() {
          const backend = failingWith(error)
          const request = { ...location, customerKey: keyGiven ? given : undefined }
          const attempt: Effect.Effect<unknown, S3PoError> = read === "get"
            ? backend.getObject(request)
            : backend.headObject(request)
          const failure = yield* Effect.flip(attempt)
          if (expected === undefined) {
            assert.strictEqual(failure, error)
          } else {
            assert.instanceOf(failure, CustomerKeyMismatch)
            if (!(failure instanceof CustomerKeyMismatch)) return
            assert.deepStrictEqual(
              [failure.bucket, failure.key, failure.customerKeyGiven, failure.operation],
              ["b", "k", expected, error.operation]
            )
          }
        }))
    }

    it.effect("a copy's answer names its source; a 400 InvalidRequest to a copy that sent a key is left as it is", () =>
      Effect.gen(function*() {
        const backend = failingWith(service(400, "InvalidRequest", "CopyObject"))
        const source = { bucket: "src", key: "from", ifMatch: "\"e\"" }
        const failure = yield* Effect.flip(backend.copyObject({ ...location, source }))
        assert.instanceOf(failure, CustomerKeyMismatch)
        if (failure instanceof CustomerKeyMismatch) {
          assert.deepStrictEqual([failure.bucket, failure.key, failure.customerKeyGiven], ["src", "from", false])
        }
        const keyedDestination = yield* Effect.flip(backend.copyObject({ ...location, source, customerKey: given }))
        assert.instanceOf(keyedDestination, S3ServiceError)
      }))
  })

  it.effect("CustomerKeys.config reads a key in base64; a value of another length is a configuration error without it", () =>
    Effect.gen(function*() {
      const { ConfigProvider } = yield* Effect.promise(() => import("effect"))
      const key = randomBody(32)
      const read = (value: string) =>
        Effect.withConfigProvider(
          Effect.flatMap(CustomerKeys.config("KEY"), (customerKey) => Effect.succeed(customerKey)),
          ConfigProvider.fromMap(new Map([["KEY", value]]))
        )
      const customerKey = yield* read(Buffer.from(key).toString("base64"))
      assert.deepStrictEqual(Buffer.from(Redacted.value(customerKey)), Buffer.from(key))
      assert.strictEqual(CustomerKeys.md5(customerKey), CustomerKeys.md5(CustomerKeys.make(key)))
      const short = Buffer.from(key.subarray(0, 16)).toString("base64")
      const error = yield* Effect.flip(read(short))
      assert.include(String(error), "KEY")
      assert.include(String(error), "32 bytes")
      assert.notInclude(String(error), short)
    }))
})
