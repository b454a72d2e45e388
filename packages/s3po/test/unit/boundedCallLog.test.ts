import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { layerMock, MockFault, type MockOptions, S3Po, S3PoMockControl } from "s3po"

const withMock = <A, E>(options: MockOptions, program: Effect.Effect<A, E, S3Po | S3PoMockControl>) =>
  Effect.provide(program, layerMock({ seed: { bkt: {} }, ...options }))

const putKeys = (count: number) =>
  Effect.flatMap(
    S3Po,
    (s3) =>
      Effect.forEach(Array.from({ length: count }, (_, i) => `k${i}`), (key) => s3.upload("bkt", key, "x"), {
        discard: true
      })
  )

describe("the mock's call log", () => {
  it.effect("keeps only the most recent callLogLimit calls, in order, and counts every call", () =>
    withMock(
      { callLogLimit: 5, faults: [{ operation: "HeadObject", fault: MockFault.accessDenied }] },
      Effect.gen(function*() {
        const control = yield* S3PoMockControl
        yield* putKeys(12)
        yield* Effect.flip(Effect.flatMap(S3Po, (s3) => s3.head("bkt", "k0")))
        const calls = yield* control.calls
        // 12 PUTs and a failed HEAD: the last five kept, errors as any other call.
        assert.deepStrictEqual(
          calls.map((call) => `${call.operation} ${call.key} ${call.outcome}`),
          [
            "PutObject k8 succeeded",
            "PutObject k9 succeeded",
            "PutObject k10 succeeded",
            "PutObject k11 succeeded",
            "HeadObject k0 failed"
          ]
        )
        assert.strictEqual(calls[4]?.error?._tag, "AccessDenied")
        assert.deepStrictEqual(yield* control.callCounts, {
          total: 13,
          dropped: 8,
          byOperation: { PutObject: 12, HeadObject: 1 }
        })

        yield* control.clearCalls
        assert.deepStrictEqual(yield* control.calls, [])
        assert.deepStrictEqual(yield* control.callCounts, { total: 0, dropped: 0, byOperation: {} })
        yield* putKeys(2)
        assert.deepStrictEqual((yield* control.calls).map((call) => call.key), ["k0", "k1"])
        assert.strictEqual((yield* control.callCounts).total, 2)
      })
    ))

  it.effect("keeps 10,000 calls by default", () =>
    withMock(
      {},
      Effect.gen(function*() {
        const control = yield* S3PoMockControl
        yield* putKeys(10_003)
        const calls = yield* control.calls
        assert.strictEqual(calls.length, 10_000)
        assert.strictEqual(calls[0]?.key, "k3")
        assert.strictEqual(calls.at(-1)?.key, "k10002")
        assert.deepStrictEqual(yield* control.callCounts, {
          total: 10_003,
          dropped: 3,
          byOperation: { PutObject: 10_003 }
        })
      })
    ))

  it.effect("a limit of 0 keeps no call and still counts them; reset empties the log", () =>
    withMock(
      { callLogLimit: 0 },
      Effect.gen(function*() {
        const control = yield* S3PoMockControl
        yield* putKeys(3)
        assert.deepStrictEqual(yield* control.calls, [])
        assert.deepStrictEqual(yield* control.callCounts, { total: 3, dropped: 3, byOperation: { PutObject: 3 } })
        yield* control.reset
        assert.strictEqual((yield* control.callCounts).total, 0)
      })
    ))

  it.effect("a limit that is not a whole number of at least 0 is a ValidationError", () =>
    Effect.gen(function*() {
      for (const callLogLimit of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const exit = yield* Effect.exit(withMock({ callLogLimit }, S3PoMockControl))
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) assert.include(String(exit.cause), "callLogLimit")
      }
    }))
})
