import type * as Fault from "../../Fault.js"
import type { DurationOption, S3Operation } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"

/** One request a backend received, with how it ended. Every attempt is a call of its own. */
export interface CallRecord extends Fault.Request {
  /** When the request arrived, in milliseconds on Effect's `Clock` (the `TestClock` in tests). */
  readonly startedAt: number
  readonly outcome: "pending" | "succeeded" | "failed" | "interrupted"
  /** The typed error the call failed with. */
  readonly error?: S3PoError | undefined
  /** The fault injected into this call, if one was. */
  readonly fault?: Fault.Fault | undefined
}

/** How many requests a log saw since it was last cleared, all of them counted, those it dropped included. */
export interface CallCounts {
  /** Every request, each retry its own. */
  readonly total: number
  /** The oldest requests, no longer in the log's calls (past its limit). */
  readonly dropped: number
  readonly byOperation: Readonly<Partial<Record<S3Operation, number>>>
}

/**
 * How long each request takes, on Effect's `Clock`: a `Duration` or a text such as `"50 millis"`,
 * or a function of the request giving one; never a bare number (see `DurationOption`).
 */
export type Latency = DurationOption | ((request: Fault.Request) => DurationOption)

/** Calls a log keeps unless told otherwise: enough for any test, a few MiB in a long-running service. */
export const defaultCallLogLimit = 10_000

/**
 * The most recent `limit` calls, oldest first, in a ring that overwrites the oldest; and counts of
 * every call since the log was cleared, which stay exact when entries are dropped.
 */
export class CallLog<Call extends CallRecord> {
  private readonly ring: Array<Call> = []
  /** Where the oldest entry is once the ring is full. */
  private start = 0
  private total = 0
  private byOperation: Partial<Record<S3Operation, number>> = {}

  constructor(private readonly limit: number) {}

  /** Records a call; returns its number, counting from 1 since the log was cleared. */
  add(call: Call): number {
    this.total++
    this.byOperation[call.operation] = (this.byOperation[call.operation] ?? 0) + 1
    if (this.limit === 0) return this.total
    if (this.ring.length < this.limit) {
      this.ring.push(call)
    } else {
      this.ring[this.start] = call
      this.start = (this.start + 1) % this.limit
    }
    return this.total
  }

  /** Copies of the calls kept, in the order they arrived. */
  entries(): ReadonlyArray<CallRecord> {
    const ordered = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)]
    return ordered.map((call) => ({ ...call }))
  }

  counts(): CallCounts {
    return { total: this.total, dropped: this.total - this.ring.length, byOperation: { ...this.byOperation } }
  }

  clear(): void {
    this.ring.length = 0
    this.start = 0
    this.total = 0
    this.byOperation = {}
  }
}
