import { assert, describe, layer } from "@effect/vitest"
import { Data, Effect, Fiber, Option, TestClock } from "effect"
import { Fault, Retry, S3Po, S3PoMock } from "s3po"

// --- The application under test -------------------------------------------------------------

/** The app's retry policy: production provides `S3PoLive.layer({ retry: reportRetry })`, tests the same. */
const reportRetry = Retry.exponential({ base: "200 millis", maxRetries: 3 })

class ReportNotSaved extends Data.TaggedError("ReportNotSaved")<{ readonly id: string; readonly reason: string }> {
  override get message() {
    return `report ${this.id} not saved: ${this.reason}`
  }
}

/** Saves a daily report; S3 throttling is retried by s3po, and reported as the app's own error when it persists. */
const saveReport = (id: string, report: unknown) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const key = `daily/${id}.json`
    yield* s3.upload("reports", key, JSON.stringify(report), { contentType: "application/json" })
    return key
  }).pipe(
    Effect.catchTag("Throttled", (error) => new ReportNotSaved({ id, reason: error.message }))
  )

// --- Its tests ------------------------------------------------------------------------------

describe("saveReport", () => {
  layer(S3PoMock.layer({ seed: { reports: {} }, retry: reportRetry }))((it) => {
    it.effect("retries a throttled upload and saves the report", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const mock = yield* S3PoMock.Control
        yield* mock.reset // the layer is shared by the suite's tests
        yield* mock.addFault({ operation: "PutObject", times: 2, fault: Fault.throttled() })

        const saving = yield* Effect.fork(saveReport("2026-11-25", { sales: 42 }))
        // Backoff waits run on the test clock: advance it instead of sleeping.
        yield* TestClock.adjust("10 seconds")
        const key = yield* Fiber.join(saving)

        assert.deepStrictEqual(JSON.parse(yield* s3.downloadString("reports", key)), { sales: 42 })
        const puts = (yield* mock.calls).filter((call) => call.operation === "PutObject")
        assert.deepStrictEqual(puts.map((call) => [call.attempt, call.outcome]), [
          [1, "failed"],
          [2, "failed"],
          [3, "succeeded"]
        ])
      }))

    it.effect("gives up after the policy's retries with the app's own error", () =>
      Effect.gen(function*() {
        const mock = yield* S3PoMock.Control
        yield* mock.reset
        yield* mock.addFault({ operation: "PutObject", fault: Fault.throttled() })

        const saving = yield* Effect.fork(Effect.flip(saveReport("2026-11-26", { sales: 0 })))
        // Three backoffs of about 200, 400 and 800 ms (each jittered to 80%-120%): at least 1.12 s.
        yield* TestClock.adjust("1100 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(saving)))
        yield* TestClock.adjust("1 second")
        const error = yield* Fiber.join(saving)

        assert.strictEqual(error._tag, "ReportNotSaved")
        assert.include(error.message, "503 SlowDown")
        const puts = (yield* mock.calls).filter((call) => call.operation === "PutObject")
        assert.strictEqual(puts.length, 4)
      }))
  })
})
