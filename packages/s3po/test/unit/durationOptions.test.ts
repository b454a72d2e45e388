import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { type DurationOption, Fault, Retry, S3Po, S3PoLive, S3PoMock, ValidationError } from "s3po"

/** What plain JavaScript (or `as any`) passes where a duration belongs: a number the types refuse. */
const bare = (value: number) => value as unknown as DurationOption

const ambiguous = "a bare number is ambiguous: S3 counts seconds, Effect milliseconds"

/** The ValidationError an effect fails with, or a description of how it ended otherwise. */
const validationErrorOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    const failure = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    return failure instanceof ValidationError ? failure : String(exit)
  })

const built = <A, E>(layer: Layer.Layer<A, E>) => Effect.scoped(Layer.build(layer))

const assertAmbiguous = (
  error: ValidationError | string,
  expected: { readonly operation: string; readonly field: string; readonly amount?: number }
) => {
  assert.instanceOf(error, ValidationError, String(error))
  if (!(error instanceof ValidationError)) return
  assert.strictEqual(error.operation, expected.operation)
  assert.strictEqual(error.field, expected.field)
  assert.include(error.message, ambiguous)
  const amount = expected.amount ?? 3600
  assert.include(
    error.message,
    `write "${amount} seconds" or "${amount} millis", or a Duration such as Duration.hours(1)`
  )
}

describe("a bare number where a duration belongs", () => {
  it("is a type error for every duration option", () => {
    // Each line below must not compile; `pnpm check` fails on an unused @ts-expect-error.
    const never = (_: unknown) => undefined
    never(() =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        // @ts-expect-error: seconds or milliseconds?
        yield* s3.presign("b", "k", { expiresIn: 3600 })
        // @ts-expect-error: seconds or milliseconds?
        yield* s3.presignPost("b", { key: "k", maxBytes: 1, expiresIn: 3600 })
        // @ts-expect-error: seconds or milliseconds?
        yield* s3.abortPendingUploads("b", { olderThan: 86400 })
        const control = yield* S3PoMock.Control
        // @ts-expect-error: seconds or milliseconds?
        yield* control.setLatency(50)
      })
    )
    // @ts-expect-error: seconds or milliseconds?
    never(S3PoLive.layer({ requestTimeout: 30 }))
    // @ts-expect-error: seconds or milliseconds?
    never(S3PoLive.layer({ connectionTimeout: 10 }))
    // @ts-expect-error: seconds or milliseconds?
    never(S3PoLive.layer({ idleTimeout: 60 }))
    // @ts-expect-error: seconds or milliseconds?
    never(Retry.exponential({ base: 100 }))
    // @ts-expect-error: seconds or milliseconds?
    never(Retry.exponential({ maxDelay: 20 }))
    // @ts-expect-error: seconds or milliseconds?
    never(Fault.throttled({ retryAfter: 2 }))
    // @ts-expect-error: seconds or milliseconds?
    never(Fault.errorResponse({ status: 503, code: "SlowDown", retryAfter: 2 }))
    // @ts-expect-error: seconds or milliseconds?
    never(S3PoMock.layer({ latency: 50 }))
    // @ts-expect-error: seconds or milliseconds?
    never(S3PoMock.layer({ latency: () => 50 }))
    // @ts-expect-error: nanoseconds, as Duration.decode would read a bigint
    never(S3PoMock.layer({ latency: 50n }))
    // @ts-expect-error: [seconds, nanos], which reads like anything
    never(S3PoMock.layer({ latency: [1, 0] }))
    // Durations and texts with a unit compile.
    const fine: ReadonlyArray<DurationOption> = ["1 hour", "90 seconds", "1.5 minutes", Duration.hours(1)]
    assert.strictEqual(fine.length, 4)
  })

  it.effect("presign, presignPost and abortPendingUploads fail with a ValidationError that says why", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      assertAmbiguous(yield* validationErrorOf(s3.presign("bkt", "k", { expiresIn: bare(3600) })), {
        operation: "presign",
        field: "expiresIn"
      })
      assertAmbiguous(
        yield* validationErrorOf(s3.presignPost("bkt", { key: "k", maxBytes: 1, expiresIn: bare(900) })),
        { operation: "presignPost", field: "expiresIn", amount: 900 }
      )
      assertAmbiguous(yield* validationErrorOf(s3.abortPendingUploads("bkt", { olderThan: bare(86400) })), {
        operation: "abortPendingUploads",
        field: "olderThan",
        amount: 86400
      })
      // Nor are the other numeric forms Duration.decode reads taken.
      for (const other of [3600n, [3600, 0]] as const) {
        const error = yield* validationErrorOf(
          s3.presign("bkt", "k", { expiresIn: other as unknown as DurationOption })
        )
        assert.instanceOf(error, ValidationError, String(error))
      }
      // No request was sent for any of them.
      const control = yield* S3PoMock.Control
      assert.strictEqual((yield* control.callCounts).total, 0)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: {} } }))))

  it.effect("a text with its unit and a Duration are taken, and mean what they say", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      for (const expiresIn of ["1 hour", "3600 seconds", Duration.hours(1)] as const) {
        const url = yield* s3.presign("bkt", "k", { expiresIn })
        const expires = Number(new URL(url).searchParams.get("X-S3po-Expires"))
        assert.strictEqual(expires, 3600, String(expiresIn))
        assert.strictEqual((yield* control.fetch(url)).status, 200)
        yield* TestClock.adjust("3601 seconds")
        assert.strictEqual((yield* control.fetch(url)).status, 403)
        yield* TestClock.setTime(0)
      }
      assert.strictEqual(yield* s3.abortPendingUploads("bkt", { olderThan: "1 day" }), 0)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: { k: "v" } } }))))

  it.effect("the mock's layer refuses a numeric latency, retry delay or Retry-After", () =>
    Effect.gen(function*() {
      assertAmbiguous(yield* validationErrorOf(built(S3PoMock.layer({ latency: bare(50) }))), {
        operation: "S3PoMock.layer",
        field: "latency",
        amount: 50
      })
      for (const retry of [Retry.exponential({ base: bare(100) }), Retry.exponential({ maxDelay: bare(20) })]) {
        const error = yield* validationErrorOf(built(S3PoMock.layer({ retry })))
        assert.instanceOf(error, ValidationError, String(error))
        if (error instanceof ValidationError) {
          assert.strictEqual(error.field, "retry")
          assert.include(error.message, ambiguous)
        }
      }
      for (
        const fault of [
          Fault.throttled({ retryAfter: bare(2) }),
          Fault.errorResponse({ status: 503, code: "SlowDown", retryAfter: bare(2) })
        ]
      ) {
        const error = yield* validationErrorOf(built(S3PoMock.layer({ faults: [{ fault }] })))
        assert.instanceOf(error, ValidationError, String(error))
        if (error instanceof ValidationError) {
          assert.strictEqual(error.field, "faults")
          assert.include(error.message, ambiguous)
        }
      }
    }))

  it.effect("a latency set later, or answered by a function, is refused as a number too", () =>
    Effect.gen(function*() {
      const control = yield* S3PoMock.Control
      assertAmbiguous(yield* validationErrorOf(control.setLatency(bare(50))), {
        operation: "S3PoMock.Control.setLatency",
        field: "latency",
        amount: 50
      })
      yield* control.setLatency(() => bare(50))
      const s3 = yield* S3Po
      assertAmbiguous(yield* validationErrorOf(s3.exists("bkt", "k")), {
        operation: "S3PoMock.layer",
        field: "latency",
        amount: 50
      })
      yield* control.setLatency(() => "50 millis")
      const fiber = yield* Effect.fork(s3.exists("bkt", "k"))
      yield* TestClock.adjust("49 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.isTrue(yield* Fiber.join(fiber))
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: { k: "v" } } }))))

  it.effect("the live layer refuses a numeric timeout before it makes a client", () =>
    Effect.gen(function*() {
      for (const field of ["requestTimeout", "connectionTimeout", "idleTimeout"] as const) {
        const layer = S3PoLive.layer({ endpoint: "http://127.0.0.1:9", [field]: bare(5000) })
        assertAmbiguous(yield* validationErrorOf(built(layer)), { operation: "S3PoLive.layer", field, amount: 5000 })
      }
      const layer = S3PoLive.layer({
        endpoint: "http://127.0.0.1:9",
        faults: [{ fault: Fault.throttled({ retryAfter: bare(1) }) }]
      })
      const error = yield* validationErrorOf(built(layer))
      assert.instanceOf(error, ValidationError, String(error))
    }))

  it.effect("the environment names the live layer's timeouts with their unit; a bare number there is a config error", () =>
    Effect.gen(function*() {
      const read = (env: Record<string, string>) =>
        Effect.withConfigProvider(S3PoLive.config, ConfigProvider.fromMap(new Map(Object.entries(env))))
      const options = yield* read({
        S3PO_REQUEST_TIMEOUT: "30 seconds",
        S3PO_CONNECTION_TIMEOUT: "5 seconds",
        S3PO_IDLE_TIMEOUT: "2 minutes"
      })
      assert.deepStrictEqual(
        [options.requestTimeout, options.connectionTimeout, options.idleTimeout].map((timeout) =>
          timeout === undefined ? undefined : Duration.toMillis(Duration.decode(timeout))
        ),
        [30_000, 5_000, 120_000]
      )
      const none = yield* read({})
      assert.isUndefined(none.idleTimeout)
      const numeric = yield* Effect.exit(read({ S3PO_IDLE_TIMEOUT: "60" }))
      assert.isTrue(Exit.isFailure(numeric), String(numeric))
    }))
})
