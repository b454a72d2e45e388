import { assert, describe, it } from "@effect/vitest"
import { Data, Effect } from "effect"
import { layerMock, MockFault, Retry, S3Po, S3PoMockControl } from "s3po"

// --- The application: a lock and a counter kept in S3 ---------------------------------------

class LockHeld extends Data.TaggedError("LockHeld")<{ readonly name: string }> {}

/** Takes the lock `name` if nobody holds it: S3 stores the object only if the key is free. */
const acquire = (name: string, owner: string) =>
  Effect.flatMap(S3Po, (s3) => s3.upload("app", `locks/${name}`, owner, { ifNoneMatch: "*" })).pipe(
    Effect.catchTag("PreconditionFailed", () => new LockHeld({ name }))
  )

/** The counter's value and the version it was read from. */
const read = (key: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const { etag } = yield* s3.head("app", key)
    // Pinned to the version just seen: if it changed in between, this fails and the caller reads again.
    const text = yield* s3.downloadString("app", key, { ifMatch: etag })
    return { value: Number(text), etag }
  }).pipe(Effect.catchTag("NoSuchKey", () => Effect.succeed(undefined)))

/**
 * Adds one, however many writers do at once: the write replaces only the version read (or creates
 * the counter only if it is absent); when another writer got there first, read again and retry.
 */
const increment = (key: string) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const current = yield* read(key)
    const next = (current?.value ?? 0) + 1
    yield* s3.upload("app", key, String(next), current === undefined ? { ifNoneMatch: "*" } : { ifMatch: current.etag })
    return next
  }).pipe(Effect.retry({ while: (error) => error._tag === "PreconditionFailed" }))

// --- Its tests ------------------------------------------------------------------------------

describe("S3 as a database", () => {
  it.effect("one owner holds a lock at a time", () =>
    Effect.gen(function*() {
      yield* acquire("nightly-job", "worker-1")
      const second = yield* Effect.flip(acquire("nightly-job", "worker-2"))
      assert.strictEqual(second._tag, "LockHeld")
      assert.strictEqual(yield* (yield* S3Po).downloadString("app", "locks/nightly-job"), "worker-1")
    }).pipe(Effect.provide(layerMock({ seed: { app: {} } }))))

  // With a millisecond of latency per request (on the real clock: `it.live`), the writers overlap as over a network.
  it.live("50 concurrent increments lose no update", () =>
    Effect.gen(function*() {
      const values = yield* Effect.forEach(Array.from({ length: 50 }), () => increment("counters/visits"), {
        concurrency: "unbounded"
      })
      // Each increment saw a value no other did, and the last one stands.
      assert.deepStrictEqual([...values].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1))
      assert.strictEqual(yield* (yield* S3Po).downloadString("app", "counters/visits"), "50")
      // The writers did collide: the conditions, not luck, kept every update.
      const calls = yield* (yield* S3PoMockControl).calls
      assert.isAbove(calls.filter((call) => call.error?._tag === "PreconditionFailed").length, 0)
    }).pipe(Effect.provide(layerMock({ seed: { app: {} }, latency: "1 millis" }))))

  it.live("no update is lost or counted twice when connections drop or S3 reports a conflict", () =>
    Effect.gen(function*() {
      const values = yield* Effect.forEach(Array.from({ length: 30 }), () => increment("counters/visits"), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual([...values].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1))
      assert.strictEqual(yield* (yield* S3Po).downloadString("app", "counters/visits"), "30")
    }).pipe(Effect.provide(layerMock({
      seed: { app: {} },
      latency: "1 millis",
      retry: Retry.exponential({ base: "2 millis", maxRetries: 10 }),
      randomSeed: 7,
      faults: [
        { operation: "PutObject", rate: 0.1, fault: MockFault.connectionReset },
        {
          operation: "PutObject",
          rate: 0.1,
          fault: MockFault.errorResponse({ status: 409, code: "ConditionalRequestConflict", message: "conflict" })
        }
      ]
    }))))
})
