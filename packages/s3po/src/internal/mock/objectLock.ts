import type { DefaultRetention, Retention } from "../../S3Po.js"
import type { VersionDetails } from "./storedObject.js"

/**
 * Object lock's rules over one version: what a delete of it and a change of its retention may do,
 * and the retention a new version gets from its bucket's default.
 */

/** A bucket's object lock: created with the bucket, never removed. */
export interface BucketLock {
  readonly defaultRetention?: DefaultRetention | undefined
}

export type StoredRetention = NonNullable<VersionDetails["retention"]>

const dayMillis = 24 * 60 * 60 * 1000

/** The retention a version written at `now` gets from the bucket's default (years as calendar years, UTC). */
export const defaultRetentionAt = (lock: BucketLock, now: number): StoredRetention | undefined => {
  const retention = lock.defaultRetention
  if (retention === undefined) return undefined
  if ("days" in retention) return { mode: retention.mode, retainUntil: now + retention.days * dayMillis }
  const until = new Date(now)
  until.setUTCFullYear(until.getUTCFullYear() + retention.years)
  return { mode: retention.mode, retainUntil: until.getTime() }
}

export const stored = (retention: Retention): StoredRetention => ({
  mode: retention.mode,
  retainUntil: retention.retainUntil.getTime()
})

export const shown = (retention: StoredRetention): Retention => ({
  mode: retention.mode,
  retainUntil: new Date(retention.retainUntil)
})

const inForce = (details: VersionDetails | undefined, now: number): StoredRetention | undefined =>
  details?.retention !== undefined && details.retention.retainUntil > now ? details.retention : undefined

/**
 * Why a version may not be deleted now, or `undefined` when it may: a legal hold, a `COMPLIANCE`
 * retention in force, or a `GOVERNANCE` one that the request does not bypass.
 */
export const deleteRefusal = (
  details: VersionDetails | undefined,
  now: number,
  bypassGovernance: boolean
): string | undefined => {
  if (details?.legalHold === true) return "the version is under a legal hold"
  const retention = inForce(details, now)
  if (retention === undefined || (retention.mode === "GOVERNANCE" && bypassGovernance)) return undefined
  const until = new Date(retention.retainUntil).toISOString()
  return retention.mode === "COMPLIANCE"
    ? `the version is under COMPLIANCE retention until ${until}`
    : `the version is under GOVERNANCE retention until ${until} (bypassGovernanceRetention lifts it)`
}

/**
 * Why a version's retention in force may not become `next`, or `undefined` when it may: no one
 * shortens a `COMPLIANCE` retention or turns it into `GOVERNANCE`; shortening or changing a
 * `GOVERNANCE` retention needs `bypassGovernanceRetention`. Lengthening is always allowed.
 */
export const retentionChangeRefusal = (
  details: VersionDetails | undefined,
  next: StoredRetention,
  now: number,
  bypassGovernance: boolean
): string | undefined => {
  const current = inForce(details, now)
  if (current === undefined) return undefined
  const weaker = next.retainUntil < current.retainUntil || (current.mode === "COMPLIANCE" && next.mode !== "COMPLIANCE")
  if (!weaker) return undefined
  const until = new Date(current.retainUntil).toISOString()
  if (current.mode === "COMPLIANCE") return `a COMPLIANCE retention until ${until} cannot be shortened or lifted`
  return bypassGovernance
    ? undefined
    : `a GOVERNANCE retention until ${until} is shortened only with bypassGovernanceRetention`
}
