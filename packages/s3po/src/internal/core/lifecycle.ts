import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { LifecycleRule } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"
import type { Unnarrowed } from "./operationErrors.js"
import { traced } from "./tracing.js"
import * as Validate from "./validation.js"

/**
 * A bucket's lifecycle rules: their schema, as S3 takes them (`LifecycleRule`), checked before any
 * request, and the service's operations on them.
 */

const maxRules = 1000
const maxIdLength = 255

const wholeNumber = (at: number, of: string) => {
  const message = () => `must be a whole number of ${of}, at least ${at}`
  return Schema.Number.pipe(Schema.int({ message }), Schema.greaterThanOrEqualTo(at, { message }))
}

const Days = wholeNumber(1, "days")
const Bytes = wholeNumber(0, "bytes")

const MidnightUtc = Schema.DateFromSelf.pipe(
  Schema.filter(
    (date) =>
      !Number.isNaN(date.getTime()) &&
      date.getUTCHours() + date.getUTCMinutes() + date.getUTCSeconds() + date.getUTCMilliseconds() === 0,
    { message: () => "must be a valid date at midnight UTC (S3 expires objects at the start of a day)" }
  )
)

const LifecycleFilter = Schema.Struct({
  prefix: Schema.optional(Schema.String),
  tags: Schema.optional(Schema.Record({
    key: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)),
    value: Schema.String.pipe(Schema.maxLength(256))
  })),
  objectSizeGreaterThan: Schema.optional(Bytes),
  objectSizeLessThan: Schema.optional(Bytes)
}).pipe(
  Schema.filter((filter) =>
    filter.objectSizeGreaterThan === undefined || filter.objectSizeLessThan === undefined ||
      filter.objectSizeGreaterThan < filter.objectSizeLessThan
      ? undefined
      : {
        path: ["objectSizeLessThan"],
        message: `must be more than objectSizeGreaterThan (${filter.objectSizeGreaterThan}): no object is between`
      }
  )
)

type Expiration = NonNullable<LifecycleRule["expiration"]>

/** One of `days`, `date` or `expiredObjectDeleteMarker`, each checked as itself (a union would name the last only). */
const Expiration = Schema.Struct({
  days: Schema.optional(Days),
  date: Schema.optional(MidnightUtc),
  expiredObjectDeleteMarker: Schema.optional(Schema.Literal(true))
}).pipe(
  Schema.filter(
    (expiration): expiration is Expiration =>
      [expiration.days, expiration.date, expiration.expiredObjectDeleteMarker].filter((given) => given !== undefined)
        .length === 1,
    { message: () => "give one of days, date or expiredObjectDeleteMarker: true" }
  )
)

const actions = ["expiration", "noncurrentVersionExpiration", "abortIncompleteMultipartUpload"] as const

/** One rule, as S3 takes it: at least one action, and no `expiredObjectDeleteMarker` with tags in the filter. */
export const LifecycleRuleSchema = Schema.Struct({
  id: Schema.String.pipe(
    Schema.minLength(1, { message: () => "must not be empty" }),
    Schema.maxLength(maxIdLength, { message: () => `must be at most ${maxIdLength} characters` })
  ),
  enabled: Schema.optional(Schema.Boolean),
  filter: Schema.optional(LifecycleFilter),
  expiration: Schema.optional(Expiration),
  noncurrentVersionExpiration: Schema.optional(Schema.Struct({
    noncurrentDays: Days,
    newerNoncurrentVersions: Schema.optional(Schema.Int.pipe(
      Schema.between(1, 100, { message: () => "must be a whole number from 1 to 100" })
    ))
  })),
  abortIncompleteMultipartUpload: Schema.optional(Schema.Struct({ daysAfterInitiation: Days }))
}).annotations({ message: () => "must be a lifecycle rule: an object with an id and at least one action" }).pipe(
  Schema.filter((rule) => {
    if (actions.every((action) => rule[action] === undefined)) {
      return { path: ["expiration"], message: `give at least one action: ${actions.join(", ")}` }
    }
    const tags = rule.filter?.tags
    return rule.expiration !== undefined && "expiredObjectDeleteMarker" in rule.expiration && tags !== undefined &&
        Object.keys(tags).length > 0
      ? { path: ["filter", "tags"], message: "S3 does not take expiredObjectDeleteMarker in a rule filtered by tags" }
      : undefined
  })
)

// The schema decodes to the public model and takes it as it is.
const _decodesToRule: Schema.Schema.Type<typeof LifecycleRuleSchema> extends LifecycleRule ? true : never = true
const _takesRule: LifecycleRule extends Schema.Schema.Encoded<typeof LifecycleRuleSchema> ? true : never = true
void _decodesToRule
void _takesRule

/** A bucket's rules: 1 to 1000, their ids unique. */
export const LifecycleRulesSchema = Schema.Array(LifecycleRuleSchema).annotations({
  message: () => "must be an array of lifecycle rules"
}).pipe(
  Schema.minItems(1, { message: () => "must hold at least one rule (deleteLifecycle removes them all)" }),
  Schema.maxItems(maxRules, { message: () => `must hold at most ${maxRules} rules` }),
  Schema.filter((rules) => {
    const seen = new Set<string>()
    for (const [index, rule] of rules.entries()) {
      if (seen.has(rule.id)) return { path: [index, "id"], message: `${JSON.stringify(rule.id)} is given twice` }
      seen.add(rule.id)
    }
    return undefined
  })
)

const decodeRules = Schema.decodeUnknownEither(LifecycleRulesSchema, { errors: "first", onExcessProperty: "error" })

/**
 * The rules as S3 is to take them, or a `ValidationError` naming the first bad one (by its place and
 * id) and its field, with the schema's message.
 */
export const rulesOf = (operation: string, rules: unknown): ReadonlyArray<LifecycleRule> | ValidationError =>
  Either.match(decodeRules(rules), {
    onRight: (decoded) => decoded,
    onLeft: (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const path = issue?.path ?? []
      const [index, ...field] = path
      const rule: unknown = typeof index === "number" && Array.isArray(rules) ? rules[index] : undefined
      const id: unknown = typeof rule === "object" && rule !== null ? Reflect.get(rule, "id") : undefined
      const where = typeof index === "number" ? `rules[${index}]` : "rules"
      return new ValidationError({
        operation,
        field: [where, ...field.map(String)].join("."),
        reason: `${typeof id === "string" ? `rule ${JSON.stringify(id)}: ` : ""}${issue?.message ?? "invalid"}`
      })
    }
  })

/** The service's operations on a bucket's lifecycle rules, over the retried backend. */
export const make = (retried: Backend): Pick<Unnarrowed, "putLifecycle" | "getLifecycle" | "deleteLifecycle"> => ({
  putLifecycle: (bucket, rules) => {
    const checked = rulesOf("putLifecycle", rules)
    return Validate.guard(
      Validate.bucket("putLifecycle", bucket) ?? (checked instanceof ValidationError ? checked : undefined),
      Effect.suspend(() => retried.putBucketLifecycle({ bucket, rules: checked as ReadonlyArray<LifecycleRule> }))
    ).pipe(traced("putLifecycle", bucket))
  },
  getLifecycle: (bucket) =>
    Validate.guard(Validate.bucket("getLifecycle", bucket), retried.getBucketLifecycle({ bucket })).pipe(
      traced("getLifecycle", bucket)
    ),
  deleteLifecycle: (bucket) =>
    Validate.guard(Validate.bucket("deleteLifecycle", bucket), retried.deleteBucketLifecycle({ bucket })).pipe(
      traced("deleteLifecycle", bucket)
    )
})
