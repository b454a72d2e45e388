import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { ChecksumAlgorithm } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import { PendingUploadsLeft } from "../../S3PoMock.js"
import type { Control, Options, Seed } from "../../S3PoMock.js"
import * as ArgumentShapes from "../core/argumentShapes.js"
import { algorithms } from "../core/checksums.js"
import * as FaultInjection from "../core/faultInjection.js"
import * as Validate from "../core/validation.js"
import * as MockBackend from "./backend.js"
import * as MockPresign from "./presign.js"
import * as State from "./state.js"
import { Slabs } from "./storedObject.js"

/** A seeded object's checksum: absent, or one of S3's algorithms, a value and a type. */
const checksumProblem = (field: string, checksum: unknown): ValidationError | undefined => {
  if (checksum === undefined) return undefined
  const isChecksum = typeof checksum === "object" && checksum !== null &&
    algorithms.includes(Reflect.get(checksum, "algorithm") as ChecksumAlgorithm) &&
    typeof Reflect.get(checksum, "value") === "string" &&
    ["FULL_OBJECT", "COMPOSITE"].includes(Reflect.get(checksum, "type") as string)
  return isChecksum ? undefined : new ValidationError({
    operation: "S3PoMock.layer",
    field: `${field}.checksum`,
    reason: `must be a checksum ({ algorithm: ${algorithms.join(" | ")}, value, type: FULL_OBJECT | COMPOSITE })`
  })
}

/** A seed's bucket names, keys and headers, checked as `createBucket` and `upload` check theirs. */
const seedProblem = (seed: Seed): ValidationError | undefined => {
  const notObject = (field: string) =>
    new ValidationError({ operation: "S3PoMock.layer", field, reason: "must be an object" })
  if (typeof seed !== "object" || seed === null) return notObject("seed")
  for (const [bucket, objects] of Object.entries(seed)) {
    if (typeof objects !== "object" || objects === null) return notObject(`seed.${bucket}`)
    const problem = Validate.newBucket("S3PoMock.layer", bucket) ??
      Validate.keys("S3PoMock.layer", Object.keys(objects))
    if (problem !== undefined) return problem
    for (const [key, content] of Object.entries(objects)) {
      if (typeof content === "string" || content instanceof Uint8Array) continue
      const field = `seed.${bucket}.${key}`
      const body: unknown = typeof content === "object" && content !== null ? content.body : undefined
      const headers = ArgumentShapes.options("S3PoMock.layer", content, field, true) ??
        (typeof body === "string" || body instanceof Uint8Array
          ? undefined
          : new ValidationError({
            operation: "S3PoMock.layer",
            field: `${field}.body`,
            reason: "must be a string or bytes"
          })) ??
        Validate.objectAttributes("S3PoMock.layer", content) ??
        checksumProblem(field, Reflect.get(content, "checksum"))
      if (headers !== undefined) return headers
    }
  }
  return undefined
}

const callLogLimitProblem = (limit: number | undefined): ValidationError | undefined =>
  limit === undefined || (Number.isSafeInteger(limit) && limit >= 0)
    ? undefined
    : new ValidationError({
      operation: "S3PoMock.layer",
      field: "callLogLimit",
      reason: `must be a whole number of at least 0, got ${Validate.shown(limit)}`
    })

/** An in-memory store with fault injection in front, and the control service over both. */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const shapeProblem = ArgumentShapes.options("S3PoMock.layer", options)
    if (shapeProblem !== undefined) return yield* shapeProblem
    const seed = options.seed ?? {}
    const problem = callLogLimitProblem(options.callLogLimit) ?? seedProblem(seed) ??
      Validate.multipart("S3PoMock.layer", options.multipart ?? {})
    if (problem !== undefined) return yield* problem
    const slabs = new Slabs()
    const state = yield* Ref.make(State.seededState(slabs, seed, yield* Clock.currentTimeMillis))
    const presigned = MockPresign.make()
    const injection = FaultInjection.make(
      { ...MockBackend.make(state, slabs), presigner: presigned.presigner },
      options
    )

    const control: Control.Service = {
      calls: injection.calls,
      callCounts: injection.callCounts,
      clearCalls: injection.clearCalls,
      addFault: (rule) =>
        Validate.guard(ArgumentShapes.faultRule("S3PoMock.Control.addFault", rule), injection.addFault(rule)),
      clearFaults: injection.clearFaults,
      setLatency: (latency) =>
        Validate.guard(
          ArgumentShapes.options("S3PoMock.Control.setLatency", { latency }),
          injection.setLatency(latency)
        ),
      snapshot: Effect.map(Ref.get(state), State.snapshotOf),
      versions: (bucket) => Effect.map(Ref.get(state), (current) => State.versionsOf(current, bucket)),
      restore: (next) =>
        Effect.gen(function*() {
          const problem = seedProblem(next)
          if (problem !== undefined) return yield* problem
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(state, (current) => State.seededState(slabs, next, now, current.uploadsStarted))
        }),
      pendingUploads: Effect.map(Ref.get(state), State.pendingUploadsOf),
      fetch: presigned.fetch(injection.backend),
      reset: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.zipRight(
          injection.reset,
          Ref.update(state, (current) => State.seededState(slabs, seed, now, current.uploadsStarted))
        )),
      assertNoPendingUploads: Effect.flatMap(Ref.get(state), (current) => {
        const pending = State.pendingUploadsOf(current)
        return pending.length === 0 ? Effect.void : Effect.fail(new PendingUploadsLeft({ uploads: pending }))
      })
    }
    return { backend: injection.backend, control }
  })
