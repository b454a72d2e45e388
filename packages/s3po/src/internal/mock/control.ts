import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { Fault, FaultRule, MockRequest } from "../../MockFault.js"
import { PendingUploadsLeft, type S3PoError, type ValidationError } from "../../S3PoError.js"
import type { MockCall, MockLatency, MockOptions, MockSeed, S3PoMockControl } from "../../S3PoMock.js"
import { type Backend, type GetObjectResponse, mapPrimitives, type Primitive } from "../core/backend.js"
import { currentAttempt } from "../core/retry.js"
import * as Validate from "../core/validation.js"
import { fromSdkError } from "../live/sdkError.js"
import * as MockBackend from "./backend.js"

/** A rule with its counts of matched and failed requests. */
interface ActiveRule {
  readonly rule: FaultRule
  matched: number
  fired: number
}

type MutableCall = { -readonly [K in keyof MockCall]: MockCall[K] }

const seedProblem = (seed: MockSeed): ValidationError | undefined => {
  for (const [bucket, objects] of Object.entries(seed)) {
    const problem = Validate.newBucket("layerMock", bucket) ?? Validate.keys("layerMock", Object.keys(objects))
    if (problem !== undefined) return problem
    for (const content of Object.values(objects)) {
      if (typeof content === "string" || content instanceof Uint8Array) continue
      const headers = Validate.objectHeaders("layerMock", content)
      if (headers !== undefined) return headers
    }
  }
  return undefined
}

const requestOf = (operation: MockRequest["operation"], args: ReadonlyArray<unknown>, attempt: number): MockRequest => {
  if (typeof args[0] === "string") {
    return { operation, bucket: args[0], key: typeof args[1] === "string" ? args[1] : undefined, attempt }
  }
  const request = args[0] as { readonly bucket: string; readonly key?: string; readonly partNumber?: number }
  return { operation, bucket: request.bucket, key: request.key, partNumber: request.partNumber, attempt }
}

const matches = (rule: FaultRule, request: MockRequest): boolean =>
  (rule.fault._tag !== "TruncatedBody" || request.operation === "GetObject") &&
  (rule.operation === undefined ||
    (typeof rule.operation === "string"
      ? rule.operation === request.operation
      : rule.operation.includes(request.operation))) &&
  (rule.bucket === undefined || rule.bucket === request.bucket) &&
  (rule.key === undefined ||
    (request.key !== undefined && (typeof rule.key === "string" ? rule.key === request.key : rule.key(request.key)))) &&
  (rule.match === undefined || rule.match(request))

/** The error `S3PoLive` maps the same failure to: the injected fault goes through the one SDK error mapping. */
const errorOf = (
  fault: Exclude<Fault, { readonly _tag: "TruncatedBody" }>,
  request: MockRequest,
  args: ReadonlyArray<unknown>,
  id: number
) => {
  const ifMatch = typeof args[0] === "object" ? (args[0] as { readonly ifMatch?: string }).ifMatch : undefined
  const context = { operation: request.operation, bucket: request.bucket, key: request.key, ifMatch }
  switch (fault._tag) {
    case "ErrorResponse":
      return fromSdkError(context, {
        name: fault.code,
        message: fault.message,
        $metadata: { httpStatusCode: fault.status, requestId: `s3po-mock-${id}` },
        $response: {
          headers: fault.retryAfter === undefined ? {} : { "retry-after": String(Duration.toSeconds(fault.retryAfter)) }
        }
      })
    case "ConnectionReset":
      return fromSdkError(context, { name: "Error", message: "socket hang up", code: "ECONNRESET" })
    case "Timeout":
      return fromSdkError(context, { name: "TimeoutError", message: "the request timed out" })
  }
}

/** The response with its body ending, cleanly, after half of its bytes. */
const truncated = (response: GetObjectResponse): GetObjectResponse => {
  const keep = Math.floor(response.contentLength / 2)
  const cutter = () => {
    let left = keep
    return (chunk: Uint8Array): Uint8Array => {
      const part = chunk.subarray(0, left)
      left -= part.length
      return part
    }
  }
  return {
    ...response,
    body: Stream.suspend(() => {
      const cut = cutter()
      return Stream.map(response.body, cut).pipe(Stream.takeWhile((part) => part.length > 0))
    }),
    forEachChunk: (f) => {
      const cut = cutter()
      return response.forEachChunk((chunk) => {
        const part = cut(chunk)
        if (part.length > 0) f(part)
      })
    }
  }
}

/** An in-memory backend with faults, latency and a call log, and the control service over them. */
export const make = (options: MockOptions) =>
  Effect.gen(function*() {
    const seed = options.seed ?? {}
    const problem = seedProblem(seed)
    if (problem !== undefined) return yield* problem
    const state = yield* Ref.make(MockBackend.seededState(seed, yield* Clock.currentTimeMillis))
    const store = MockBackend.make(state)
    let random = Random.make(options.randomSeed ?? 0)
    const calls: Array<MutableCall> = []
    let rules: Array<ActiveRule> = []
    let latency: MockLatency | undefined
    const addFault = (rule: FaultRule) => rules.push({ rule, matched: 0, fired: 0 })
    const reset = () => {
      calls.length = 0
      rules = []
      options.faults?.forEach(addFault)
      latency = options.latency
      random = Random.make(options.randomSeed ?? 0)
    }
    reset()

    const noFault = Effect.succeed(undefined)

    const pickFault = (request: MockRequest): Effect.Effect<FaultRule | undefined> =>
      rules.length === 0 ? noFault : Effect.gen(function*() {
        let chosen: FaultRule | undefined
        for (const active of rules) {
          if (!matches(active.rule, request)) continue
          active.matched++
          if (chosen !== undefined) continue
          const { nth, rate, times } = active.rule
          if (times !== undefined && active.fired >= times) continue
          if (nth !== undefined && !(typeof nth === "number" ? nth === active.matched : nth.includes(active.matched))) {
            continue
          }
          if (rate !== undefined && (yield* random.next) >= rate) continue
          active.fired++
          chosen = active.rule
        }
        return chosen
      })

    const delayOf = (request: MockRequest): Duration.Duration => {
      if (latency === undefined) return Duration.zero
      return Duration.decode(typeof latency === "function" ? latency(request) : latency)
    }

    const respond = (
      primitive: Primitive,
      rule: FaultRule | undefined,
      request: MockRequest,
      args: ReadonlyArray<unknown>,
      id: number
    ): Effect.Effect<unknown, S3PoError> => {
      if (rule === undefined) return primitive(...args)
      const fault = rule.fault
      if (fault._tag === "TruncatedBody") {
        return Effect.map(primitive(...args), (response) => truncated(response as GetObjectResponse))
      }
      const failure = Effect.fail(errorOf(fault, request, args, id))
      return rule.takesEffect === true ? Effect.zipRight(primitive(...args), failure) : failure
    }

    const serve = (primitive: Primitive, request: MockRequest, args: ReadonlyArray<unknown>) =>
      Effect.flatMap(pickFault(request), (rule) =>
        Effect.clockWith((clock) => {
          const startedAt = clock.unsafeCurrentTimeMillis()
          const call: MutableCall = { ...request, startedAt, outcome: "pending", fault: rule?.fault }
          calls.push(call)
          const delay = delayOf(request)
          const response = respond(primitive, rule, request, args, calls.length)
          return (Duration.isZero(delay) ? response : Effect.zipRight(Effect.sleep(delay), response)).pipe(
            Effect.onExit((exit) =>
              Effect.sync(() => {
                if (Exit.isSuccess(exit)) {
                  call.outcome = "succeeded"
                } else if (Exit.isInterrupted(exit)) {
                  call.outcome = "interrupted"
                } else {
                  call.outcome = "failed"
                  call.error = Option.getOrUndefined(Cause.failureOption(exit.cause))
                }
              })
            )
          )
        }))

    const backend: Backend = mapPrimitives(store, (operation, primitive) => (...args) =>
      Effect.flatMap(FiberRef.get(currentAttempt), (attempt) =>
        serve(primitive, requestOf(operation, args, attempt), args)))

    const control: S3PoMockControl.Service = {
      calls: Effect.sync(() =>
        calls.map((call) => ({ ...call }))
      ),
      clearCalls: Effect.sync(() => {
        calls.length = 0
      }),
      addFault: (rule) => Effect.sync(() => addFault(rule)),
      clearFaults: Effect.sync(() => {
        rules = []
      }),
      setLatency: (next) =>
        Effect.sync(() => {
          latency = next
        }),
      snapshot: Effect.map(Ref.get(state), MockBackend.snapshotOf),
      restore: (next) =>
        Effect.gen(function*() {
          const problem = seedProblem(next)
          if (problem !== undefined) return yield* problem
          const now = yield* Clock.currentTimeMillis
          yield* Ref.update(state, (current) => MockBackend.seededState(next, now, current.uploadsStarted))
        }),
      pendingUploads: Effect.map(Ref.get(state), MockBackend.pendingUploadsOf),
      reset: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.update(state, (current) => {
          reset()
          return MockBackend.seededState(seed, now, current.uploadsStarted)
        })),
      assertNoPendingUploads: Effect.flatMap(Ref.get(state), (current) => {
        const pending = MockBackend.pendingUploadsOf(current)
        return pending.length === 0 ? Effect.void : Effect.fail(new PendingUploadsLeft({ uploads: pending }))
      })
    }
    return { backend, control }
  })
