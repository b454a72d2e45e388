import type { S3Operation } from "../../S3Po.js"
import type { MockCall, MockCallCounts } from "../../S3PoMock.js"

/** Calls a log keeps unless told otherwise: enough for any test, a few MiB in a long-running service. */
export const defaultCallLogLimit = 10_000

/**
 * The most recent `limit` calls, oldest first, in a ring that overwrites the oldest; and counts of
 * every call since the log was cleared, which stay exact when entries are dropped.
 */
export class CallLog<Call extends MockCall> {
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
  entries(): ReadonlyArray<MockCall> {
    const ordered = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)]
    return ordered.map((call) => ({ ...call }))
  }

  counts(): MockCallCounts {
    return { total: this.total, dropped: this.total - this.ring.length, byOperation: { ...this.byOperation } }
  }

  clear(): void {
    this.ring.length = 0
    this.start = 0
    this.total = 0
    this.byOperation = {}
  }
}
