import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { type LifecycleRule, S3Po, ValidationError } from "s3po"
import type { Capabilities } from "s3po/testing"
import { withDefaults } from "../../src/internal/testing/capabilities.js"
import { freshBucket, tagOf, uniqueBucket } from "../utils/fixtures.js"

export interface LifecycleSuiteOptions<R> {
  readonly capabilities?: Partial<Capabilities> | undefined
  /** How many requests the layer has sent so far (the mock's call log), to see that bad rules send none. */
  readonly requestsSent?: Effect.Effect<number, never, R> | undefined
}

/**
 * A rule as a store answers it, whatever form it gives what it left out: `enabled` `true` unless it
 * is `false`, an empty filter or prefix none, fields without a value absent.
 */
const normalized = (rule: LifecycleRule): unknown => {
  const filter = rule.filter === undefined ? undefined : Object.fromEntries(
    Object.entries(rule.filter).filter(([name, value]) =>
      value !== undefined && !(name === "prefix" && value === "") &&
      !(name === "tags" && Object.keys(value as object).length === 0)
    )
  )
  return JSON.parse(JSON.stringify({
    ...rule,
    enabled: rule.enabled !== false,
    filter: filter === undefined || Object.keys(filter).length === 0 ? undefined : filter
  }))
}

const sameRules = (actual: ReadonlyArray<LifecycleRule>, expected: ReadonlyArray<LifecycleRule>) =>
  assert.deepStrictEqual(actual.map(normalized), expected.map(normalized))

const byId = (rules: ReadonlyArray<LifecycleRule>) => [...rules].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Every action and filter RGW 16 keeps, in the order given (not by id). */
const rules: ReadonlyArray<LifecycleRule> = [
  { id: "logs-expire", filter: { prefix: "logs/" }, expiration: { days: 30 } },
  { id: "archive-at-date", filter: { prefix: "archive/" }, expiration: { date: new Date("2031-01-01T00:00:00Z") } },
  {
    id: "tagged-old-versions",
    enabled: false,
    filter: { prefix: "data/", tags: { tier: "cold", team: "ops" } },
    noncurrentVersionExpiration: { noncurrentDays: 7 }
  },
  { id: "abort-stale-uploads", abortIncompleteMultipartUpload: { daysAfterInitiation: 3 } },
  {
    id: "markers",
    filter: { prefix: "tmp/" },
    expiration: { expiredObjectDeleteMarker: true },
    noncurrentVersionExpiration: { noncurrentDays: 1 }
  }
]

const newerFields: LifecycleRule = {
  id: "sized",
  filter: { prefix: "media/", objectSizeGreaterThan: 1024, objectSizeLessThan: 1024 * 1024 },
  noncurrentVersionExpiration: { noncurrentDays: 30, newerNoncurrentVersions: 3 }
}

/** Rule sets S3 would refuse, the field the error names, and a part of its reason. */
const refused: ReadonlyArray<readonly [string, unknown, string, string]> = [
  ["no rules", [], "rules", "at least one rule"],
  ["no action", [{ id: "idle", filter: { prefix: "a/" } }], "rules[0].expiration", "at least one action"],
  ["an empty id", [{ id: "", expiration: { days: 1 } }], "rules[0].id", "empty"],
  ["an id of 256 characters", [{ id: "x".repeat(256), expiration: { days: 1 } }], "rules[0].id", "255"],
  [
    "an id given twice",
    [{ id: "same", expiration: { days: 1 } }, { id: "same", expiration: { days: 2 } }],
    "rules[1].id",
    "\"same\" is given twice"
  ],
  ["0 days", [{ id: "zero", expiration: { days: 0 } }], "rules[0].expiration.days", "rule \"zero\": must be"],
  ["a fraction of a day", [{ id: "half", expiration: { days: 1.5 } }], "rules[0].expiration.days", "whole number"],
  [
    "a date that is not midnight UTC",
    [{ id: "noon", expiration: { date: new Date("2031-01-01T12:00:00Z") } }],
    "rules[0].expiration.date",
    "midnight UTC"
  ],
  [
    "a delete-marker expiry filtered by tags",
    [{ id: "marked", filter: { tags: { a: "b" } }, expiration: { expiredObjectDeleteMarker: true } }],
    "rules[0].filter.tags",
    "expiredObjectDeleteMarker"
  ],
  [
    "a negative size",
    [{ id: "neg", filter: { objectSizeGreaterThan: -1 }, expiration: { days: 1 } }],
    "rules[0].filter.objectSizeGreaterThan",
    "at least 0"
  ],
  [
    "sizes that select nothing",
    [{ id: "empty-range", filter: { objectSizeGreaterThan: 10, objectSizeLessThan: 10 }, expiration: { days: 1 } }],
    "rules[0].filter.objectSizeLessThan",
    "more than objectSizeGreaterThan"
  ],
  [
    "noncurrent days of 0",
    [{ id: "nc", noncurrentVersionExpiration: { noncurrentDays: 0 } }],
    "rules[0].noncurrentVersionExpiration.noncurrentDays",
    "at least 1"
  ],
  [
    "more than 100 newer versions kept",
    [{ id: "many", noncurrentVersionExpiration: { noncurrentDays: 1, newerNoncurrentVersions: 101 } }],
    "rules[0].noncurrentVersionExpiration.newerNoncurrentVersions",
    "1 to 100"
  ],
  [
    "an unknown field (a typo)",
    [{ id: "typo", expiration: { days: 1 }, expirations: { days: 2 } }],
    "rules[0].expirations",
    "rule \"typo\""
  ],
  [
    "1001 rules",
    Array.from({ length: 1001 }, (_, index) => ({ id: `r${index}`, expiration: { days: 1 } })),
    "rules",
    "at most 1000"
  ],
  [
    "days and a date",
    [{ id: "both", expiration: { days: 1, date: new Date("2031-01-01T00:00:00Z") } }],
    "rules[0].expiration",
    "one of days, date"
  ],
  ["not an array", { id: "a", expiration: { days: 1 } }, "rules", "an array of lifecycle rules"]
]

/**
 * A bucket's lifecycle rules over any layer: put, get and delete them, every action and filter S3
 * takes, and rules S3 would refuse refused before any request.
 */
export const lifecycleSuite = <R = never>(
  name: string,
  s3Layer: Layer.Layer<S3Po | R, unknown>,
  options: LifecycleSuiteOptions<R> = {}
) => {
  const support = withDefaults(options.capabilities)
  return layer(s3Layer, { timeout: "60 seconds", excludeTestServices: true })(name, (it) => {
    it.effect("put, get and delete: every action and filter round-trips; none is []", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("lifecycle")
        assert.deepStrictEqual(yield* s3.getLifecycle(bucket), [])
        yield* s3.putLifecycle(bucket, rules)
        const stored = yield* s3.getLifecycle(bucket)
        // Ceph RGW 16 answers them sorted by id.
        sameRules(stored, support.keepsLifecycleRuleOrder ? rules : byId(rules))
        yield* s3.deleteLifecycle(bucket)
        assert.deepStrictEqual(yield* s3.getLifecycle(bucket), [])
        // Deleting what is not there is no error.
        yield* s3.deleteLifecycle(bucket)
      }))

    it.effect("a put replaces every rule of the bucket", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("lifecycle-replace")
        yield* s3.putLifecycle(bucket, rules)
        const only: LifecycleRule = { id: "only", expiration: { days: 365 } }
        yield* s3.putLifecycle(bucket, [only])
        sameRules(yield* s3.getLifecycle(bucket), [only])
      }))

    it.effect("size filters and newerNoncurrentVersions (Ceph RGW 16 takes them and drops them)", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("lifecycle-newer")
        yield* s3.putLifecycle(bucket, [newerFields])
        const [stored] = yield* s3.getLifecycle(bucket)
        if (support.keepsNewerLifecycleFields) {
          sameRules([stored!], [newerFields])
        } else {
          sameRules([stored!], [{
            id: "sized",
            filter: { prefix: "media/" },
            noncurrentVersionExpiration: { noncurrentDays: 30 }
          }])
        }
      }))

    it.effect("a missing bucket is NoSuchBucket", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = uniqueBucket("lifecycle-missing")
        assert.strictEqual(yield* tagOf(s3.getLifecycle(bucket)), "NoSuchBucket")
        assert.strictEqual(yield* tagOf(s3.putLifecycle(bucket, rules)), "NoSuchBucket")
      }))

    it.effect("rules S3 would refuse fail with ValidationError naming the rule and field, before any request", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("lifecycle-refused")
        const before = options.requestsSent === undefined ? 0 : yield* options.requestsSent
        for (const [what, given, field, reason] of refused) {
          const error = yield* Effect.flip(s3.putLifecycle(bucket, given as ReadonlyArray<LifecycleRule>))
          assert.instanceOf(error, ValidationError, what)
          if (!(error instanceof ValidationError)) continue
          assert.strictEqual(error.field, field, what)
          assert.include(error.reason, reason, what)
          assert.include(error.message, "putLifecycle: invalid", what)
        }
        assert.strictEqual(yield* tagOf(s3.putLifecycle("no/slash", rules)), "ValidationError")
        assert.strictEqual(yield* tagOf(s3.getLifecycle("no/slash")), "ValidationError")
        if (options.requestsSent !== undefined) {
          assert.strictEqual((yield* options.requestsSent) - before, 0, "requests sent")
        }
        // Nothing was stored.
        assert.deepStrictEqual(yield* s3.getLifecycle(bucket), [])
      }))
  })
}
