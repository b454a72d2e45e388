import { assert, describe, layer } from "@effect/vitest"
import { Effect, Fiber, Stream, TestClock } from "effect"
import { Fault, S3Po, S3PoMock } from "s3po"

// --- The application under test -------------------------------------------------------------

/** Archives a day of logs as one object, streamed up as a multipart upload; gives up after a minute. */
const archiveLogs = (day: string, lines: Stream.Stream<string>) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const body = lines.pipe(Stream.map((line) => `${line}\n`), Stream.encodeText)
    return yield* s3.upload("archive", `logs/${day}.log`, body, { partSize: 5 * 1024 * 1024 })
  }).pipe(Effect.timeout("1 minute"))

/** About 12 MiB of log lines: three parts of 5 MiB at most. */
const logLines = Stream.range(1, 200_000).pipe(Stream.map((n) => `${n.toString().padStart(8, "0")} ${"x".repeat(55)}`))

// --- Its tests ------------------------------------------------------------------------------

describe("archiveLogs", () => {
  layer(S3PoMock.layer({ seed: { archive: {} } }))((it) => {
    it.effect("a part refused midway fails the archive and leaves no multipart upload behind", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const mock = yield* S3PoMock.Control
        yield* mock.reset // the layer is shared by the suite's tests
        yield* mock.addFault({
          operation: "UploadPart",
          match: (request) => request.partNumber === 2,
          fault: Fault.accessDenied()
        })

        const error = yield* Effect.flip(archiveLogs("2026-11-24", logLines))

        assert.strictEqual(error._tag, "AccessDenied")
        yield* mock.assertNoPendingUploads
        assert.isFalse(yield* s3.exists("archive", "logs/2026-11-24.log"))
      }))

    it.effect("an archive that times out on a slow store is aborted too", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const mock = yield* S3PoMock.Control
        yield* mock.reset
        yield* mock.setLatency((request) => request.operation === "UploadPart" ? "2 minutes" : "0 millis")

        const archiving = yield* Effect.fork(Effect.flip(archiveLogs("2026-11-25", logLines)))
        yield* TestClock.adjust("1 minute")
        const error = yield* Fiber.join(archiving)

        assert.strictEqual(error._tag, "TimeoutException")
        yield* mock.assertNoPendingUploads
        assert.isFalse(yield* s3.exists("archive", "logs/2026-11-25.log"))
        const aborts = (yield* mock.calls).filter((call) => call.operation === "AbortMultipartUpload")
        assert.deepStrictEqual(aborts.map((call) => call.outcome), ["succeeded"])
      }))
  })
})
