import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, Option, Schema } from "effect"
import { Fault, Retry, S3Po, S3PoMock } from "s3po"

// --- The application: a lock and a counter kept in S3 ---------------------------------------

class LockHeld extends Data.TaggedError("LockHeld")<{ readonly name: string }> {}

/** Takes the lock `name` if nobody holds it: S3 stores the object only if the key is free. */
const acquire = (name: string, owner: string) =>
  Effect.flatMap(S3Po, (s3) => s3.upload("app", `locks/${name}`, owner, { ifNoneMatch: "*" })).pipe(
    Effect.catchTag("PreconditionFailed", () => new LockHeld({ name }))
  )

/** The counter, a JSON document its schema checks on every read and every write. */
const Counter = Schema.Struct({ value: Schema.Int.pipe(Schema.nonNegative()) })

/**
 * Adds one, however many writers do at once: `updateJson` replaces only the version it read (or
 * creates the counter only if it is absent); when another writer got there first, it reads again.
 */
const increment = (key: string) =>
  Effect.flatMap(S3Po, (s3) =>
    s3.updateJson("app", key, Counter, (current) => ({
      value: Option.match(current, { onNone: () => 1, onSome: ({ value }) => value + 1 })
    }))).pipe(Effect.map((update) => update.value.value))

// --- Its tests ------------------------------------------------------------------------------

describe("S3 as a database", () => {
  it.effect("one owner holds a lock at a time", () =>
    Effect.gen(function*() {
      yield* acquire("nightly-job", "worker-1")
      const second = yield* Effect.flip(acquire("nightly-job", "worker-2"))
      assert.strictEqual(second._tag, "LockHeld")
      assert.strictEqual(yield* (yield* S3Po).downloadString("app", "locks/nightly-job"), "worker-1")
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} } }))))

  // With a millisecond of latency per request (on the real clock: `it.live`), the writers overlap as over a network.
  it.live("50 concurrent increments lose no update", () =>
    Effect.gen(function*() {
      const values = yield* Effect.forEach(Array.from({ length: 50 }), () => increment("counters/visits"), {
        concurrency: "unbounded"
      })
      // Each increment saw a value no other did, and the last one stands.
      assert.deepStrictEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1))
      const { value } = yield* (yield* S3Po).getJson("app", "counters/visits", Counter)
      assert.deepStrictEqual(value, { value: 50 })
      // The writers did collide: the conditions, not luck, kept every update.
      const calls = yield* (yield* S3PoMock.Control).calls
      assert.isAbove(calls.filter((call) => call.error?._tag === "PreconditionFailed").length, 0)
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} }, latency: "1 millis" }))))

  it.live("no update is lost or counted twice when connections drop or S3 reports a conflict", () =>
    Effect.gen(function*() {
      const values = yield* Effect.forEach(Array.from({ length: 30 }), () => increment("counters/visits"), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual([...values].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1))
      assert.strictEqual(yield* (yield* S3Po).downloadString("app", "counters/visits"), "{\"value\":30}")
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: { app: {} },
      latency: "1 millis",
      retry: Retry.exponential({ base: "2 millis", maxRetries: 10 }),
      randomSeed: 7,
      faults: [
        { operation: "PutObject", rate: 0.1, fault: Fault.connectionReset() },
        {
          operation: "PutObject",
          rate: 0.1,
          fault: Fault.errorResponse({ status: 409, code: "ConditionalRequestConflict", message: "conflict" })
        }
      ]
    }))))

  it.effect("a stored counter its schema refuses is reported, never overwritten", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.upload("app", "counters/broken", "{\"value\":-3}")
      const error = yield* Effect.flip(increment("counters/broken"))
      assert.strictEqual(error._tag, "InvalidDocument")
      assert.strictEqual(yield* s3.downloadString("app", "counters/broken"), "{\"value\":-3}")
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { app: {} } }))))
})
