import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import type { Fault, Request as MockRequest, Rule as FaultRule } from "../../Fault.js"
import { type S3PoError, TransportError, ValidationError } from "../../S3PoError.js"
import {
  type Backend,
  type GetObjectResponse,
  mapBackend,
  type Operation,
  operationNames,
  type Primitive,
  type Requests,
  type Responses
} from "./backend.js"
import { CallLog, type CallRecord, defaultCallLogLimit, type Latency } from "./callLog.js"
import { fromErrorAnswer } from "./classify.js"
import { currentAttempt } from "./retry.js"
import * as Validate from "./validation.js"

export interface FaultInjectionOptions {
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  readonly latency?: Latency | undefined
  /** Seeds the random numbers that `rate` rules draw. Default 0. */
  readonly randomSeed?: number | undefined
  /** The most recent calls the log keeps; older ones are dropped, and only counted. Default 10,000. */
  readonly callLogLimit?: number | undefined
  /** A log of the caller's to record calls in, instead of one of `callLogLimit` calls. */
  readonly callLog?: CallLog<MutableCall> | undefined
  /** What a latency that is no duration names as the failed operation. Default `S3PoMock.layer`. */
  readonly owner?: string | undefined
}

/** A rule with its counts of matched and failed requests. */
interface ActiveRule {
  readonly rule: FaultRule
  matched: number
  fired: number
}

export type MutableCall = { -readonly [K in keyof CallRecord]: CallRecord[K] }

/** The faults that change a GetObject's body rather than fail the request. */
type BodyFault = Extract<Fault, { readonly _tag: "TruncatedBody" | "CorruptedBody" }>

const isBodyFault = (fault: Fault): fault is BodyFault =>
  fault._tag === "TruncatedBody" || fault._tag === "CorruptedBody"

const matches = (rule: FaultRule, request: MockRequest): boolean =>
  (!isBodyFault(rule.fault) || request.operation === "GetObject") &&
  (rule.operation === undefined ||
    (typeof rule.operation === "string"
      ? rule.operation === request.operation
      : rule.operation.includes(request.operation))) &&
  (rule.bucket === undefined || rule.bucket === request.bucket) &&
  (rule.key === undefined ||
    (request.key !== undefined && (typeof rule.key === "string" ? rule.key === request.key : rule.key(request.key)))) &&
  (rule.match === undefined || rule.match(request))

const requestOf = <K extends Operation>(operation: K, request: Requests[K], attempt: number): MockRequest => ({
  operation: operationNames[operation],
  bucket: request.bucket ?? "",
  key: "key" in request ? request.key : undefined,
  partNumber: "partNumber" in request ? request.partNumber : undefined,
  attempt
})

/** The error a real failure of this kind becomes: answers are classified as S3's own are. */
const errorOf = <K extends Operation>(
  fault: Exclude<Fault, BodyFault>,
  described: MockRequest,
  request: Requests[K],
  id: number
) => {
  const where = { operation: described.operation, bucket: described.bucket, key: described.key }
  switch (fault._tag) {
    case "ErrorResponse":
      return fromErrorAnswer({ ...where, ifMatch: "ifMatch" in request ? request.ifMatch : undefined }, {
        status: fault.status,
        code: fault.code === "" ? undefined : fault.code,
        message: fault.message,
        requestId: `s3po-mock-${id}`,
        retryAfter: fault.retryAfter
      })
    case "ConnectionReset":
      return new TransportError({ ...where, reason: "ECONNRESET: socket hang up", retryable: true })
    case "Timeout":
      return new TransportError({ ...where, reason: "TimeoutError: the request timed out", retryable: true })
  }
}

/** The response with its body ending, cleanly, after half of its bytes. */
const truncated = (response: GetObjectResponse): GetObjectResponse => {
  const keep = Math.floor((response.contentLength ?? 0) / 2)
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

/**
 * The response with one byte of its body inverted, at `at` (default the middle; past the end, the
 * last; for an answer of unknown length, a chunked one, counted from the start), and its length as
 * it was. The chunk holding it is copied first: a chunk may be a view of memory the reader does not
 * own (the mock's store).
 */
const corrupted = (response: GetObjectResponse, at: number | undefined): GetObjectResponse => {
  const length = response.contentLength
  const target = length === undefined ? at ?? 0 : Math.min(at ?? Math.floor(length / 2), length - 1)
  const flipper = () => {
    let offset = 0
    return (chunk: Uint8Array): Uint8Array => {
      const index = target - offset
      offset += chunk.length
      if (index < 0 || index >= chunk.length) return chunk
      const changed = chunk.slice()
      changed[index] = ~changed[index]! & 0xff
      return changed
    }
  }
  return {
    ...response,
    body: Stream.suspend(() => Stream.map(response.body, flipper())),
    forEachChunk: (f) => {
      const flip = flipper()
      return response.forEachChunk((chunk) => f(flip(chunk)))
    }
  }
}

/** The body fault applied, for the one primitive that has a body. */
const alterBody = <K extends Operation>(operation: K, fault: BodyFault, response: Responses[K]): Responses[K] => {
  if (operation !== "getObject") return response
  const answer = response as GetObjectResponse
  return (fault._tag === "TruncatedBody" ? truncated(answer) : corrupted(answer, fault.at)) as Responses[K]
}

/** The rules in force, each with its counts, and the seeded random numbers `rate` rules draw. */
class Rules {
  private active: Array<ActiveRule> = []
  private random: Random.Random

  constructor(private readonly initial: ReadonlyArray<FaultRule>, private readonly randomSeed: number) {
    this.random = Random.make(randomSeed)
    this.reset()
  }

  add(rule: FaultRule): void {
    this.active.push({ rule, matched: 0, fired: 0 })
  }

  clear(): void {
    this.active = []
  }

  /** Back to the initial rules, counted afresh, and the random numbers from their seed. */
  reset(): void {
    this.active = []
    this.initial.forEach((rule) => this.add(rule))
    this.random = Random.make(this.randomSeed)
  }

  /** The first rule that fires for `request`; every matching rule counts it. */
  pick(request: MockRequest): Effect.Effect<FaultRule | undefined> {
    if (this.active.length === 0) return noFault
    const { active, random } = this
    return Effect.gen(function*() {
      let chosen: FaultRule | undefined
      for (const candidate of active) {
        if (!matches(candidate.rule, request)) continue
        candidate.matched++
        if (chosen !== undefined) continue
        const { nth, rate, times } = candidate.rule
        if (times !== undefined && candidate.fired >= times) continue
        if (
          nth !== undefined && !(typeof nth === "number" ? nth === candidate.matched : nth.includes(candidate.matched))
        ) {
          continue
        }
        if (rate !== undefined && (yield* random.next) >= rate) continue
        candidate.fired++
        chosen = candidate.rule
      }
      return chosen
    })
  }
}

const noFault = Effect.succeed(undefined)

/** The primitive's answer, or the rule's fault in its place. */
const respond = <K extends Operation>(
  operation: K,
  primitive: Primitive<K>,
  rule: FaultRule | undefined,
  described: MockRequest,
  request: Requests[K],
  id: number
): Effect.Effect<Responses[K], S3PoError> => {
  if (rule === undefined) return primitive(request)
  const fault = rule.fault
  if (isBodyFault(fault)) return Effect.map(primitive(request), (response) => alterBody(operation, fault, response))
  const failure = Effect.fail(errorOf(fault, described, request, id))
  return rule.takesEffect === true ? Effect.zipRight(primitive(request), failure) : failure
}

const record = (call: MutableCall) => <A>(exit: Exit.Exit<A, S3PoError>) =>
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

/**
 * Any backend with faults, latency and a call log in front of it: each request is logged (the most
 * recent `callLogLimit` kept, every one counted), delayed
 * on Effect's `Clock`, and failed when a rule picks it. What `S3PoMock.layer` puts in front of the
 * in-memory store, and `S3PoLive` in front of a real server when given `faults`.
 */
export const make = (inner: Backend, options: FaultInjectionOptions) => {
  const rules = new Rules(options.faults ?? [], options.randomSeed ?? 0)
  const calls = options.callLog ?? new CallLog<MutableCall>(options.callLogLimit ?? defaultCallLogLimit)
  let latency = options.latency

  /** The request's latency; a latency function's answer that is no duration fails the request. */
  const delayOf = (request: MockRequest): Duration.Duration | ValidationError => {
    if (latency === undefined) return Duration.zero
    return Validate.durationOf(
      options.owner ?? "S3PoMock.layer",
      "latency",
      typeof latency === "function" ? latency(request) : latency
    )
  }

  const serve = <K extends Operation>(operation: K, primitive: Primitive<K>): Primitive<K> => (request) =>
    Effect.flatMap(FiberRef.get(currentAttempt), (attempt) => {
      const described = requestOf(operation, request, attempt)
      return Effect.flatMap(rules.pick(described), (rule) =>
        Effect.clockWith((clock) => {
          const call: MutableCall = {
            ...described,
            startedAt: clock.unsafeCurrentTimeMillis(),
            outcome: "pending",
            fault: rule?.fault
          }
          const id = calls.add(call)
          const delay = delayOf(described)
          const response = respond(operation, primitive, rule, described, request, id)
          return (delay instanceof ValidationError
            ? Effect.fail(delay)
            : Duration.isZero(delay)
            ? response
            : Effect.zipRight(Effect.sleep(delay), response)).pipe(
              Effect.onExit(record(call))
            )
        }))
    })

  return {
    backend: mapBackend(inner, serve),
    calls: Effect.sync(() => calls.entries()),
    callCounts: Effect.sync(() => calls.counts()),
    clearCalls: Effect.sync(() => calls.clear()),
    addFault: (rule: FaultRule) => Effect.sync(() => rules.add(rule)),
    clearFaults: Effect.sync(() => rules.clear()),
    setLatency: (next: Latency | undefined) =>
      Effect.sync(() => {
        latency = next
      }),
    /** Back to the options' faults and latency, with an empty call log and the random numbers from their seed. */
    reset: Effect.sync(() => {
      calls.clear()
      rules.reset()
      latency = options.latency
    })
  }
}

export type FaultInjection = ReturnType<typeof make>
