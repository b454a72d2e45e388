import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { batch, Fault, Retry, S3Po, S3PoMock } from "s3po"
import { inputRulesSuite } from "s3po/testing"
import { bucketsSuite, pendingUploadsSuite, strandingFaults } from "../contract/buckets.js"
import { contractSuite } from "../contract/contract.js"
import { mockSupport, preciseSuite } from "../contract/precise.js"
import { presignSuite } from "../contract/presign.js"
import { bytesEqual, md5ETag, multipartETag, randomBody } from "../utils/fixtures.js"

const MiB = 1024 * 1024
const quickRetry = Retry.exponential({ base: "1 millis", maxDelay: "5 millis" })

/** Runs `effect` on a mock with a bucket "bkt", under the test clock, advancing it until the effect ends. */
const onMock = <A, E>(effect: Effect.Effect<A, E, S3Po | S3PoMock.Control>, options: S3PoMock.Options = {}) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    // Retries sleep on the clock: at most 20 s a delay, 5 retries.
    yield* TestClock.adjust("10 minutes")
    return yield* Fiber.join(fiber)
  }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: {} }, ...options })))

const callsOf = (operation: S3PoMock.Call["operation"]) =>
  Effect.flatMap(S3PoMock.Control, (control) => control.calls).pipe(
    Effect.map((calls) => calls.filter((call) => call.operation === operation))
  )

const summary = (calls: ReadonlyArray<S3PoMock.Call>) =>
  calls.map((call) => `${call.attempt}:${call.outcome}${call.error === undefined ? "" : `:${call.error._tag}`}`)

describe("S3PoMock.layer presigned URLs", () => {
  it.effect("expire on the layer's Clock: valid until expiresIn has passed, then refused", () =>
    Effect.provide(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        yield* s3.upload("bkt", "k", "for a minute")
        const url = yield* s3.presign("bkt", "k", { expiresIn: "1 minute" })
        yield* TestClock.adjust("59 seconds")
        const valid = yield* control.fetch(url)
        assert.strictEqual(valid.status, 200)
        assert.strictEqual(yield* Effect.promise(() => valid.text()), "for a minute")
        yield* TestClock.adjust("2 seconds")
        const expired = yield* control.fetch(url)
        assert.strictEqual(expired.status, 403)
        assert.include(yield* Effect.promise(() => expired.text()), "Request has expired")
      }),
      S3PoMock.layer({ seed: { bkt: {} } })
    ))
})

describe("S3PoMock.layer faults", () => {
  it.effect("throttling is retried by the layer's policy until the request goes through", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const result = yield* s3.upload("bkt", "k", "hello")
        assert.strictEqual(result.etag, md5ETag(new TextEncoder().encode("hello")))
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), [
          "1:failed:Throttled",
          "2:failed:Throttled",
          "3:succeeded"
        ])
        assert.strictEqual(yield* s3.downloadString("bkt", "k"), "hello")
      }),
      { faults: [{ operation: "PutObject", nth: [1, 2], fault: Fault.throttled() }] }
    ))

  it.effect("an answer is classified by its status and code, not its wording: a 4xx saying 'aborted' is sent once", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const noSuchUpload = yield* Effect.flip(s3.upload("bkt", "k", "x"))
        assert.strictEqual(noSuchUpload._tag, "S3ServiceError")
        assert.isFalse(noSuchUpload._tag === "S3ServiceError" && noSuchUpload.retryable)
        const operationAborted = yield* Effect.flip(s3.downloadString("bkt", "k"))
        assert.include(operationAborted.message, "409 OperationAborted")
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), ["1:failed:S3ServiceError"])
        assert.deepStrictEqual(summary(yield* callsOf("GetObject")), ["1:failed:S3ServiceError"])
      }),
      {
        retry: quickRetry,
        faults: [
          {
            operation: "PutObject",
            fault: Fault.errorResponse({
              status: 404,
              code: "NoSuchUpload",
              message: "The specified multipart upload does not exist. The upload ID might be invalid, " +
                "or the multipart upload might have been aborted or completed."
            })
          },
          {
            operation: "GetObject",
            fault: Fault.errorResponse({
              status: 409,
              code: "OperationAborted",
              message: "A conflicting conditional operation is currently in progress against this resource " +
                "(the previous one was aborted). Please try again."
            })
          }
        ]
      }
    ))

  it.effect("an answer without an error code says what its status means and what to check, with the request id", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const denied = yield* Effect.flip(s3.head("bkt", "k"))
        assert.strictEqual(denied._tag, "AccessDenied")
        assert.notInclude(denied.message, "Unknown")
        assert.include(denied.message, "check the access key and secret, the system clock")
        assert.match(denied.message, /\[request s3po-mock-\d+\]/)
      }),
      { faults: [{ operation: "HeadObject", fault: Fault.errorResponse({ status: 403, code: "" }) }] }
    ))

  it.effect("a 500, a reset connection and a timeout are each retried", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.upload("bkt", "k", "x")
        const calls = yield* callsOf("PutObject")
        assert.deepStrictEqual(summary(calls), [
          "1:failed:S3ServiceError",
          "2:failed:TransportError",
          "3:failed:TransportError",
          "4:succeeded"
        ])
        const [internal, reset, timeout] = calls.map((call) => call.error)
        assert.include(internal?.message, "500 InternalError")
        assert.include(reset?.message, "ECONNRESET")
        assert.include(timeout?.message, "TimeoutError")
      }),
      {
        faults: [
          { operation: "PutObject", nth: 1, fault: Fault.internalError() },
          { operation: "PutObject", nth: 2, fault: Fault.connectionReset() },
          { operation: "PutObject", nth: 3, fault: Fault.timeout() }
        ]
      }
    ))

  it.effect("NoSuchKey and AccessDenied are sent once and never retried", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.upload("bkt", "k", "x")
        assert.strictEqual((yield* Effect.flip(s3.download("bkt", "k")))._tag, "NoSuchKey")
        assert.strictEqual((yield* Effect.flip(s3.delete("bkt", "k")))._tag, "AccessDenied")
        assert.deepStrictEqual(summary(yield* callsOf("GetObject")), ["1:failed:NoSuchKey"])
        assert.deepStrictEqual(summary(yield* callsOf("DeleteObject")), ["1:failed:AccessDenied"])
        // The injected faults did not touch the store.
        assert.isTrue(yield* s3.exists("bkt", "k"))
      }),
      {
        faults: [
          { operation: "GetObject", fault: Fault.noSuchKey() },
          { operation: "DeleteObject", fault: Fault.accessDenied() }
        ]
      }
    ))

  it.effect("retries stop at the policy's limit with the last typed error", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const error = yield* Effect.flip(s3.upload("bkt", "k", "x"))
        assert.strictEqual(error._tag, "Throttled")
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), [
          "1:failed:Throttled",
          "2:failed:Throttled",
          "3:failed:Throttled"
        ])
      }),
      {
        faults: [{ operation: "PutObject", fault: Fault.throttled() }],
        retry: Retry.exponential({ maxRetries: 2 })
      }
    ))

  it.effect("retries back off exponentially with jitter on the clock; a seeded Random makes the delays repeatable", () => {
    const retryDelays = (seed: number) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "k", "x")))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        const starts = (yield* callsOf("PutObject")).map((call) => call.startedAt)
        // To the microsecond: each run starts at a later time on the same test clock.
        return starts.slice(1).map((start, i) => Math.round((start - starts[i]!) * 1000) / 1000)
      }).pipe(
        Effect.withRandom(Random.make(seed)),
        Effect.provide(S3PoMock.layer({
          seed: { bkt: {} },
          faults: [{ operation: "PutObject", times: 3, fault: Fault.throttled() }]
        }))
      )
    return Effect.gen(function*() {
      const delays = yield* retryDelays(1)
      // The default policy: 100 ms, 200 ms, 400 ms, each jittered to between 80% and 120%.
      assert.strictEqual(delays.length, 3)
      delays.forEach((delay, i) => {
        assert.isAtLeast(delay, 0.8 * 100 * 2 ** i)
        assert.isAtMost(delay, 1.2 * 100 * 2 ** i)
      })
      assert.deepStrictEqual(yield* retryDelays(1), delays)
      assert.notDeepEqual(yield* retryDelays(2), delays)
    })
  })

  it.effect("a Retry-After is honoured: the retry waits for it on the clock", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "k", "x")))
      yield* TestClock.adjust("29 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(fiber)).size, 1)
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: { bkt: {} },
      faults: [{ operation: "PutObject", times: 1, fault: Fault.throttled({ retryAfter: "30 seconds" }) }],
      retry: Retry.exponential({ maxDelay: "1 minute" })
    }))))

  it.effect("a 500 on one part of a multipart upload retries that part alone", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const body = randomBody(30 * MiB)
        const result = yield* s3.upload("bkt", "big", Stream.make(body), { partSize: 5 * MiB })
        assert.strictEqual(result.parts, 6)
        const parts = yield* callsOf("UploadPart")
        assert.strictEqual(parts.length, 7)
        assert.deepStrictEqual(summary(parts.filter((call) => call.partNumber === 4)), [
          "1:failed:S3ServiceError",
          "2:succeeded"
        ])
        assert.isTrue(parts.filter((call) => call.partNumber !== 4).every((call) => call.attempt === 1))
        assert.strictEqual((yield* callsOf("CompleteMultipartUpload")).length, 1)
        assert.isTrue(bytesEqual(yield* s3.download("bkt", "big"), body))
      }),
      {
        faults: [{
          operation: "UploadPart",
          match: (request) => request.partNumber === 4,
          times: 1,
          fault: Fault.internalError()
        }],
        retry: quickRetry
      }
    ))

  it.effect("a body cut short is resumed from the first missing byte, as a second attempt", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const body = randomBody(100_000)
        yield* s3.upload("bkt", "k", body)
        assert.isTrue(bytesEqual(yield* s3.download("bkt", "k"), body))
        const streamed = yield* Stream.runCollect(s3.downloadStream("bkt", "k"))
        assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(streamed)), body))
        const gets = yield* callsOf("GetObject")
        assert.deepStrictEqual(summary(gets), ["1:succeeded", "2:succeeded", "1:succeeded", "2:succeeded"])
        assert.deepStrictEqual(gets.map((call) => call.fault?._tag), [
          "TruncatedBody",
          undefined,
          "TruncatedBody",
          undefined
        ])
      }),
      {
        faults: [{ operation: "GetObject", match: (request) => request.attempt === 1, fault: Fault.truncatedBody() }]
      }
    ))

  it.effect("a response lost after the request took effect: the retry finds the work done", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        yield* s3.upload("bkt", "small", "x")
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), ["1:failed:TransportError", "2:succeeded"])

        // A lost Complete: the retried Complete finds no such upload, yet the object is there, whole.
        const body = randomBody(12 * MiB)
        const result = yield* s3.upload("bkt", "big", Stream.make(body), { partSize: 5 * MiB })
        assert.strictEqual(
          result.etag,
          multipartETag([body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)])
        )
        const completes = yield* callsOf("CompleteMultipartUpload")
        assert.deepStrictEqual(summary(completes), ["1:failed:TransportError", "2:failed:S3ServiceError"])
        assert.strictEqual(completes[1]?.error?._tag === "S3ServiceError" && completes[1].error.code, "NoSuchUpload")
        assert.isTrue(bytesEqual(yield* s3.download("bkt", "big"), body))
        yield* control.assertNoPendingUploads
      }),
      {
        faults: [
          { operation: "PutObject", nth: 1, takesEffect: true, fault: Fault.connectionReset() },
          { operation: "CompleteMultipartUpload", nth: 1, takesEffect: true, fault: Fault.connectionReset() }
        ]
      }
    ))

  it.effect("a Complete that really failed stays an error, and the upload is aborted", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        // An object with this very content is already there: still, this upload did not complete.
        const body = randomBody(12 * MiB)
        yield* s3.upload("bkt", "big", Stream.make(body), { partSize: 5 * MiB })
        yield* control.addFault({ operation: "CompleteMultipartUpload", fault: Fault.accessDenied() })
        const error = yield* Effect.flip(s3.upload("bkt", "big", Stream.make(body), { partSize: 5 * MiB }))
        assert.strictEqual(error._tag, "AccessDenied")
        yield* control.assertNoPendingUploads
      })
    ))

  it.effect("a 412 on a resumed, pinned GET is PreconditionFailed, and not retried", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.upload("bkt", "k", randomBody(100_000))
        const error = yield* Effect.flip(s3.download("bkt", "k"))
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.deepStrictEqual(summary(yield* callsOf("GetObject")), ["1:succeeded", "2:failed:PreconditionFailed"])
      }),
      {
        faults: [
          { operation: "GetObject", nth: 1, fault: Fault.truncatedBody() },
          {
            operation: "GetObject",
            nth: 2,
            fault: Fault.errorResponse({ status: 412, code: "PreconditionFailed" })
          }
        ]
      }
    ))

  it.effect("faults can pick requests by bucket and key, and stop after `times`", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        yield* control.addFault({
          bucket: "bkt",
          key: (key) => key.startsWith("private/"),
          times: 2,
          fault: Fault.accessDenied()
        })
        const { results } = yield* batch(["private/1", "public/1", "private/2", "private/3"], (key) =>
          s3.upload("bkt", key, key), { concurrency: 1 })
        assert.deepStrictEqual(
          results.map((result) =>
            result._tag
          ),
          ["Left", "Right", "Left", "Right"]
        )
        yield* control.clearFaults
        yield* s3.upload("bkt", "private/1", "again")
      })
    ))

  it.effect("a fraction of requests fails, the same ones for the same random seed", () => {
    const failedUploads = (randomSeed: number) =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* batch(Array.from({ length: 1000 }, (_, i) => i), (i) => s3.upload("bkt", `k${i}`, "x"))
        return (yield* callsOf("PutObject")).flatMap((call) => call.outcome === "failed" ? [call.key] : [])
      }).pipe(
        Effect.provide(S3PoMock.layer({
          seed: { bkt: {} },
          randomSeed,
          retry: "off",
          faults: [{ rate: 0.2, fault: Fault.serviceUnavailable() }]
        }))
      )
    return Effect.gen(function*() {
      const first = yield* failedUploads(7)
      assert.isTrue(first.length > 150 && first.length < 250, `${first.length} of 1000 failed`)
      assert.deepStrictEqual(yield* failedUploads(7), first)
      assert.notDeepEqual(yield* failedUploads(8), first)
    })
  })
})

describe("S3PoMock.layer conditional writes whose answer was lost", () => {
  it.effect("a create-only PUT stored before its answer was lost: the retry's 412 is its own success", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const result = yield* s3.upload("bkt", "lock", "owner: me", { ifNoneMatch: "*" })
        assert.strictEqual(result.etag, md5ETag(new TextEncoder().encode("owner: me")))
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), [
          "1:failed:TransportError",
          "2:failed:PreconditionFailed"
        ])
        // A 412 on a first attempt is a conflict, even over the very same bytes.
        const again = yield* Effect.flip(s3.upload("bkt", "lock", "owner: me", { ifNoneMatch: "*" }))
        assert.strictEqual(again._tag, "PreconditionFailed")
      }),
      { faults: [{ operation: "PutObject", nth: 1, takesEffect: true, fault: Fault.connectionReset() }] }
    ))

  it.effect("a conditional Complete stored before its answer was lost: the retry's 412 is the upload's success", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        const body = randomBody(6 * MiB)
        const result = yield* s3.upload("bkt", "manifest", Stream.make(body), {
          ifNoneMatch: "*",
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB
        })
        assert.strictEqual(result.etag, multipartETag([body.subarray(0, 5 * MiB), body.subarray(5 * MiB)]))
        assert.deepStrictEqual(summary(yield* callsOf("CompleteMultipartUpload")), [
          "1:failed:TransportError",
          "2:failed:PreconditionFailed"
        ])
        yield* control.assertNoPendingUploads
      }),
      {
        faults: [{ operation: "CompleteMultipartUpload", nth: 1, takesEffect: true, fault: Fault.connectionReset() }]
      }
    ))

  it.effect("a conditional copy stored before its answer was lost: the retry's 412 is the copy's own success", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.upload("bkt", "source", "source")
        const copied = yield* s3.copy({ bucket: "bkt", key: "source" }, { bucket: "bkt", key: "copy" }, {
          ifNoneMatch: "*"
        })
        assert.strictEqual(copied.etag, md5ETag(new TextEncoder().encode("source")))
        assert.deepStrictEqual(summary(yield* callsOf("CopyObject")), [
          "1:failed:TransportError",
          "2:failed:PreconditionFailed"
        ])
      }),
      { faults: [{ operation: "CopyObject", nth: 1, takesEffect: true, fault: Fault.connectionReset() }] }
    ))

  it.effect("a 409 on a conditional Complete is not sent again (S3 asks for a new upload): it fails, aborted", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        const error = yield* Effect.flip(s3.upload("bkt", "manifest", Stream.make(randomBody(6 * MiB)), {
          ifNoneMatch: "*",
          multipartThreshold: 5 * MiB,
          partSize: 5 * MiB
        }))
        assert.strictEqual(error._tag === "S3ServiceError" && error.code, "ConditionalRequestConflict")
        assert.deepStrictEqual(summary(yield* callsOf("CompleteMultipartUpload")), ["1:failed:S3ServiceError"])
        yield* control.assertNoPendingUploads
      }),
      {
        faults: [{
          operation: "CompleteMultipartUpload",
          fault: Fault.errorResponse({ status: 409, code: "ConditionalRequestConflict", message: "conflict" })
        }]
      }
    ))

  it.effect("a writer that takes the key while a create-only multipart upload runs wins; the upload is aborted", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        // The intruder writes the very bytes of the upload, in the same parts, so the object even
        // has this upload's ETag: the key still is not this upload's, which is still pending.
        const body = randomBody(6 * MiB)
        const parts = { multipartThreshold: 5 * MiB, partSize: 5 * MiB }
        const error = yield* Effect.flip(s3.upload("bkt", "manifest", Stream.make(body), {
          ifNoneMatch: "*",
          ...parts,
          onProgress: (progress) =>
            progress.parts === 1 ? Effect.orDie(s3.upload("bkt", "manifest", Stream.make(body), parts)) : Effect.void
        }))
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.deepStrictEqual(summary(yield* callsOf("CompleteMultipartUpload")), [
          "1:succeeded",
          "1:failed:PreconditionFailed"
        ])
        assert.deepStrictEqual(summary(yield* callsOf("AbortMultipartUpload")), ["1:succeeded"])
        yield* control.assertNoPendingUploads
      })
    ))
})

describe("S3PoMock.layer ranges and conflicts under faults", () => {
  it.effect("a ranged download cut short resumes from its first missing byte, a suffix range too", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        const body = randomBody(MiB)
        yield* s3.upload("bkt", "k", body)
        const cases = [
          [{ start: 1000, end: 600_000 }, body.subarray(1000, 600_001)],
          [{ suffix: 300_000 }, body.subarray(MiB - 300_000)]
        ] as const
        for (const [range, expected] of cases) {
          yield* control.clearCalls
          yield* control.addFault({ operation: "GetObject", times: 1, fault: Fault.truncatedBody() })
          assert.isTrue(bytesEqual(yield* s3.download("bkt", "k", { range }), expected))
          yield* control.addFault({ operation: "GetObject", times: 1, fault: Fault.truncatedBody() })
          const streamed = yield* Stream.runCollect(s3.downloadStream("bkt", "k", { range }))
          assert.isTrue(bytesEqual(Buffer.concat(Chunk.toArray(streamed)), expected))
          assert.deepStrictEqual(summary(yield* callsOf("GetObject")), [
            "1:succeeded",
            "2:succeeded",
            "1:succeeded",
            "2:succeeded"
          ])
        }
      })
    ))

  it.effect("S3's 409 ConditionalRequestConflict is retried", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        yield* s3.upload("bkt", "lock", "me", { ifNoneMatch: "*" })
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), ["1:failed:S3ServiceError", "2:succeeded"])
        assert.strictEqual(yield* s3.downloadString("bkt", "lock"), "me")
      }),
      {
        faults: [{
          operation: "PutObject",
          times: 1,
          fault: Fault.errorResponse({
            status: 409,
            code: "ConditionalRequestConflict",
            message: "A conflicting operation occurred."
          })
        }]
      }
    ))
})

describe("S3PoMock.layer conditional writes raced between attempts", () => {
  const conflict409 = Fault.errorResponse({
    status: 409,
    code: "ConditionalRequestConflict",
    message: "A conflicting operation occurred."
  })
  for (
    const [label, fault, failure] of [
      ["a dropped connection", Fault.connectionReset(), "TransportError"],
      ["409 ConditionalRequestConflict", conflict409, "S3ServiceError"]
    ] as const
  ) {
    it.effect(`a create-only PUT retried after ${label}, when another writer took the key meanwhile with the same bytes, fails`, () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const mine = yield* Effect.fork(s3.upload("bkt", "lock", "same", { ifNoneMatch: "*" }))
        // The first attempt failed without effect; the retry waits on the clock.
        yield* Effect.repeat(Effect.zipLeft(callsOf("PutObject"), Effect.yieldNow()), {
          until: (calls) => calls.some((call) => call.outcome === "failed")
        })
        // Another writer stores the very same bytes: the object even has the ETag this PUT would give.
        yield* s3.upload("bkt", "lock", "same")
        yield* TestClock.adjust("1 minute")
        const error = yield* Effect.flip(Fiber.join(mine))
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.deepStrictEqual(summary(yield* callsOf("PutObject")), [
          `1:failed:${failure}`,
          "1:succeeded",
          "2:failed:PreconditionFailed"
        ])
      }).pipe(Effect.provide(S3PoMock.layer({
        seed: { bkt: {} },
        faults: [{ operation: "PutObject", nth: 1, fault }]
      }))))
  }
})

describe("S3PoMock.layer latency", () => {
  it.effect("requests take the latency on the test clock, in no real time", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const s3 = yield* S3Po
      yield* s3.upload("bkt", "k", "x")
      // An hour of simulated GETs, one after another.
      const fiber = yield* Effect.fork(Effect.forEach(Array.from({ length: 360 }), () => s3.download("bkt", "k")))
      yield* TestClock.adjust(Duration.sum("10 seconds", Duration.times("10 seconds", 358)))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual((yield* Fiber.join(fiber)).length, 360)
      assert.isBelow(Date.now() - started, 5_000)
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: { bkt: {} },
      latency: (request) => request.operation === "GetObject" ? "10 seconds" : Duration.zero
    }))))

  it.effect("latency can change while a test runs; parallel requests wait together", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      yield* control.setLatency("1 second")
      const fiber = yield* Effect.fork(
        batch(Array.from({ length: 50 }, (_, i) => `k${i}`), (key) => s3.upload("bkt", key, key), { concurrency: 50 })
      )
      yield* TestClock.adjust("999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.isTrue((yield* Fiber.join(fiber)).success)
      yield* control.setLatency(undefined)
      assert.strictEqual(yield* s3.downloadString("bkt", "k7"), "k7")
    }).pipe(Effect.provide(S3PoMock.layer({ seed: { bkt: {} } }))))
})

describe("S3PoMock.layer inspection and seeding", () => {
  it.effect("records every call with its operation, bucket, key, attempt and outcome", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        yield* s3.upload("bkt", "a.txt", "A")
        yield* Effect.flip(s3.head("bkt", "missing"))
        yield* Effect.flip(s3.upload("nope", "k", "x"))
        const calls = yield* control.calls
        assert.deepStrictEqual(
          calls.map(({ attempt, bucket, key, operation, outcome }) => ({ operation, bucket, key, attempt, outcome })),
          [
            { operation: "PutObject", bucket: "bkt", key: "a.txt", attempt: 1, outcome: "succeeded" },
            { operation: "HeadObject", bucket: "bkt", key: "missing", attempt: 1, outcome: "failed" },
            // A HEAD's bare 404 is a missing key or a missing bucket: the bucket is asked for.
            { operation: "HeadBucket", bucket: "bkt", key: undefined, attempt: 1, outcome: "succeeded" },
            { operation: "PutObject", bucket: "nope", key: "k", attempt: 1, outcome: "failed" }
          ]
        )
        assert.strictEqual(calls[3]?.error?._tag, "NoSuchBucket")
        yield* control.clearCalls
        assert.deepStrictEqual(yield* control.calls, [])
      })
    ))

  it.effect("assertNoPendingUploads catches an upload left pending, naming it", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        yield* control.assertNoPendingUploads
        // Part 2 is refused, and so is the abort that would clean up: the upload stays pending.
        const failed = yield* Effect.flip(
          s3.upload("bkt", "big", Stream.make(randomBody(12 * MiB)), { partSize: 5 * MiB })
        )
        assert.strictEqual(failed._tag, "AccessDenied")
        const pending = yield* control.pendingUploads
        assert.deepStrictEqual(pending.map(({ bucket, key }) => `${bucket}/${key}`), ["bkt/big"])
        const left = yield* Effect.flip(control.assertNoPendingUploads)
        assert.strictEqual(left._tag, "PendingUploadsLeft")
        assert.deepStrictEqual(left.uploads, pending)
        assert.include(left.message, "s3://bkt/big")
        // What the control returns is the caller's: changing it changes nothing the mock keeps.
        const initiated = pending[0]!.initiated.getTime()
        pending[0]!.initiated.setTime(initiated + 86_400_000)
        assert.strictEqual((yield* control.pendingUploads)[0]!.initiated.getTime(), initiated)
        assert.isFalse(yield* s3.exists("bkt", "big"))
      }),
      {
        faults: [
          { operation: "UploadPart", match: (request) => request.partNumber === 2, fault: Fault.accessDenied() },
          { operation: "AbortMultipartUpload", fault: Fault.accessDenied() }
        ]
      }
    ))

  it.effect("starts from a seed, snapshots, and restores", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const control = yield* S3PoMock.Control
      assert.strictEqual(yield* s3.downloadString("photos", "cats/tom.txt"), "meow")
      const info = yield* s3.head("photos", "cats/tom.json")
      assert.strictEqual(info.contentType, "application/json")
      assert.deepStrictEqual(info.metadata, { owner: "jerry" })
      assert.strictEqual(info.cacheControl, "no-cache")
      assert.deepStrictEqual(yield* s3.getTags("photos", "cats/tom.json"), { species: "cat" })
      assert.strictEqual(info.etag, md5ETag(new TextEncoder().encode("{}")))
      const keys = yield* Stream.runCollect(s3.list("photos", { delimiter: "/" }))
      assert.deepStrictEqual(Chunk.toArray(keys), ["cats/", "dog.bin"])
      assert.deepStrictEqual(Chunk.toArray(yield* Stream.runCollect(s3.list("empty"))), [])

      const before = yield* control.snapshot
      yield* s3.delete("photos", "dog.bin")
      yield* s3.upload("empty", "new.txt", "new")
      const after = yield* control.snapshot
      assert.deepStrictEqual(Object.keys(after.photos ?? {}), ["cats/tom.json", "cats/tom.txt"])
      assert.deepStrictEqual(Object.keys(after.empty ?? {}), ["new.txt"])
      assert.isTrue(bytesEqual(after.empty?.["new.txt"]?.body ?? new Uint8Array(), new TextEncoder().encode("new")))

      assert.deepStrictEqual(before.photos?.["cats/tom.json"]?.tags, { species: "cat" })
      yield* s3.setTags("photos", "cats/tom.json", {})
      yield* control.restore(before)
      // Attributes and tags travel with a snapshot.
      assert.deepStrictEqual(yield* s3.getTags("photos", "cats/tom.json"), { species: "cat" })
      assert.isTrue(bytesEqual(yield* s3.download("photos", "dog.bin"), new Uint8Array([1, 2, 3])))
      assert.isFalse(yield* s3.exists("empty", "new.txt"))
      assert.deepStrictEqual(yield* control.snapshot, before)
    }).pipe(Effect.provide(S3PoMock.layer({
      seed: {
        photos: {
          "cats/tom.txt": "meow",
          "cats/tom.json": {
            body: "{}",
            contentType: "application/json",
            metadata: { Owner: "jerry" },
            cacheControl: "no-cache",
            tags: { species: "cat" }
          },
          "dog.bin": new Uint8Array([1, 2, 3])
        },
        empty: {}
      }
    }))))

  it.effect("reset goes back to the layer as built: seed, option faults counted afresh, no calls", () =>
    onMock(
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const control = yield* S3PoMock.Control
        const firstPutFails = Effect.map(Effect.either(s3.upload("bkt", "k", "x")), (result) => result._tag)
        assert.strictEqual(yield* firstPutFails, "Left")
        assert.strictEqual(yield* firstPutFails, "Right")
        yield* control.addFault({ operation: "GetObject", fault: Fault.accessDenied() })
        yield* control.setLatency("1 hour")
        yield* control.reset
        assert.deepStrictEqual(yield* control.calls, [])
        assert.deepStrictEqual(Object.keys((yield* control.snapshot).bkt ?? {}), ["seeded"])
        assert.strictEqual(yield* firstPutFails, "Left")
        assert.strictEqual(yield* s3.downloadString("bkt", "seeded"), "yes")
      }),
      {
        seed: { bkt: { seeded: "yes" } },
        retry: "off",
        faults: [{ operation: "PutObject", nth: 1, fault: Fault.internalError() }]
      }
    ))

  it.effect("a seed with an invalid bucket name or key fails the layer with a ValidationError", () =>
    Effect.gen(function*() {
      const badBucket = yield* Effect.flip(Effect.provide(S3Po, S3PoMock.layer({ seed: { Bad_Bucket: {} } })))
      assert.strictEqual(badBucket._tag, "ValidationError")
      assert.include(badBucket.message, "Bad_Bucket")
      const badKey = yield* Effect.flip(Effect.provide(S3Po, S3PoMock.layer({ seed: { good: { "": "x" } } })))
      assert.strictEqual(badKey._tag, "ValidationError")
    }))
})

// The contract suite on the test kit: once plain, once with about one request in seven failing
// transiently (one GET in five); the layer's retries must hide every fault. The suite sends a few
// thousand requests, in an order that concurrency varies: with 5 retries a request fails for good
// about once in 10^5 (0.143^6), a few percent of runs; with 10, about once in 10^9.
contractSuite("S3PoMock.layer", S3PoMock.layer())
bucketsSuite("S3PoMock.layer buckets", S3PoMock.layer())
presignSuite(
  "S3PoMock.layer presigned URLs",
  S3PoMock.layer(),
  (url, init) => Effect.flatMap(S3PoMock.Control, (control) => control.fetch(url, init))
)
pendingUploadsSuite("S3PoMock.layer pending uploads", S3PoMock.layer({ faults: strandingFaults }))
inputRulesSuite("S3PoMock.layer input rules", S3PoMock.layer(), {
  requestsSent: Effect.flatMap(S3PoMock.Control, (control) => Effect.map(control.calls, (calls) => calls.length))
})
const underTransientFaults = () =>
  S3PoMock.layer({
    retry: Retry.exponential({ base: "1 millis", maxDelay: "5 millis", maxRetries: 10 }),
    randomSeed: 3,
    faults: [
      { rate: 0.05, fault: Fault.throttled() },
      { rate: 0.05, fault: Fault.internalError() },
      { rate: 0.05, fault: Fault.connectionReset() },
      { rate: 0.05, fault: Fault.truncatedBody() }
    ]
  })
contractSuite("S3PoMock.layer under transient faults", underTransientFaults())
preciseSuite("S3PoMock.layer precise writes and reads under transient faults", underTransientFaults(), mockSupport)
bucketsSuite("S3PoMock.layer buckets under transient faults", underTransientFaults())
