import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  type LifecycleRule as SdkLifecycleRule,
  type LifecycleRuleFilter as SdkLifecycleFilter,
  PutBucketLifecycleConfigurationCommand
} from "@aws-sdk/client-s3"
import type { LifecycleFilter, LifecycleRule } from "../../S3Po.js"
import type { BucketRequest, PutLifecycleRequest } from "../core/backend.js"
import { type LiveClient, noneAs, nothing, present } from "./requests.js"
import { send } from "./transport.js"

/**
 * A bucket's lifecycle rules, put, read and deleted whole through the SDK, and the rules in the
 * SDK's form: a filter of one condition is that condition, of several their `And`.
 */

/** A filter as the SDK's: the empty prefix for every object. */
export const filterInput = (filter: LifecycleFilter | undefined): SdkLifecycleFilter => {
  const prefix = filter?.prefix === "" ? undefined : filter?.prefix
  const tags = Object.entries(filter?.tags ?? {}).map(([Key, Value]) => ({ Key, Value }))
  const sizes = {
    ...(filter?.objectSizeGreaterThan === undefined ? {} : { ObjectSizeGreaterThan: filter.objectSizeGreaterThan }),
    ...(filter?.objectSizeLessThan === undefined ? {} : { ObjectSizeLessThan: filter.objectSizeLessThan })
  }
  const conditions = (prefix === undefined ? 0 : 1) + tags.length + Object.keys(sizes).length
  if (conditions === 0) return { Prefix: "" }
  if (conditions > 1) {
    return {
      And: {
        ...(prefix === undefined ? {} : { Prefix: prefix }),
        ...(tags.length === 0 ? {} : { Tags: tags }),
        ...sizes
      }
    }
  }
  return prefix !== undefined ? { Prefix: prefix } : tags.length === 1 ? { Tag: tags[0]! } : sizes
}

export const ruleInput = (rule: LifecycleRule): SdkLifecycleRule => {
  const expiration = rule.expiration
  return {
    ID: rule.id,
    Status: rule.enabled === false ? "Disabled" : "Enabled",
    Filter: filterInput(rule.filter),
    ...(expiration === undefined ? {} : {
      Expiration: "days" in expiration
        ? { Days: expiration.days }
        : "date" in expiration
        ? { Date: expiration.date }
        : { ExpiredObjectDeleteMarker: true }
    }),
    ...(rule.noncurrentVersionExpiration === undefined ? {} : {
      NoncurrentVersionExpiration: {
        NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays,
        ...(rule.noncurrentVersionExpiration.newerNoncurrentVersions === undefined
          ? {}
          : { NewerNoncurrentVersions: rule.noncurrentVersionExpiration.newerNoncurrentVersions })
      }
    }),
    ...(rule.abortIncompleteMultipartUpload === undefined ? {} : {
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation }
    })
  }
}

/** A filter as the SDK reads it: its one condition, or its `And`, or a rule's old top-level prefix. */
export const filterOf = (filter: SdkLifecycleFilter | undefined, legacyPrefix: string | undefined): LifecycleFilter => {
  const and = filter?.And
  const tags = and?.Tags ?? (filter?.Tag === undefined ? [] : [filter.Tag])
  const prefix = and?.Prefix ?? filter?.Prefix ?? legacyPrefix
  return present({
    prefix: prefix === "" ? undefined : prefix,
    tags: tags.length === 0 ? undefined : Object.fromEntries(tags.map((tag) => [tag.Key ?? "", tag.Value ?? ""])),
    objectSizeGreaterThan: and?.ObjectSizeGreaterThan ?? filter?.ObjectSizeGreaterThan,
    objectSizeLessThan: and?.ObjectSizeLessThan ?? filter?.ObjectSizeLessThan
  })
}

const expirationOf = (expiration: SdkLifecycleRule["Expiration"]): LifecycleRule["expiration"] =>
  expiration?.Days !== undefined
    ? { days: expiration.Days }
    : expiration?.Date !== undefined
    ? { date: expiration.Date }
    : expiration?.ExpiredObjectDeleteMarker === true
    ? { expiredObjectDeleteMarker: true }
    : undefined

export const ruleOf = (rule: SdkLifecycleRule): LifecycleRule => {
  const filter = filterOf(rule.Filter, rule.Prefix)
  const noncurrent = rule.NoncurrentVersionExpiration
  return {
    id: rule.ID ?? "",
    enabled: rule.Status === "Enabled",
    ...(Object.keys(filter).length === 0 ? {} : { filter }),
    ...present({
      expiration: expirationOf(rule.Expiration),
      noncurrentVersionExpiration: noncurrent?.NoncurrentDays === undefined ? undefined : {
        noncurrentDays: noncurrent.NoncurrentDays,
        ...(noncurrent.NewerNoncurrentVersions === undefined
          ? {}
          : { newerNoncurrentVersions: noncurrent.NewerNoncurrentVersions })
      },
      abortIncompleteMultipartUpload: rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation === undefined
        ? undefined
        : { daysAfterInitiation: rule.AbortIncompleteMultipartUpload.DaysAfterInitiation }
    })
  }
}

export const getBucketLifecycle = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "GetBucketLifecycleConfiguration", bucket: request.bucket },
    (options) => client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: request.bucket }), options),
    (output): ReadonlyArray<LifecycleRule> => (output.Rules ?? []).map(ruleOf)
  ).pipe(noneAs(["NoSuchLifecycleConfiguration"], []))

export const putBucketLifecycle = ({ client }: LiveClient) => (request: PutLifecycleRequest) =>
  send(
    { operation: "PutBucketLifecycleConfiguration", bucket: request.bucket },
    (options) =>
      client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: request.bucket,
          LifecycleConfiguration: { Rules: request.rules.map(ruleInput) }
        }),
        options
      ),
    nothing
  )

export const deleteBucketLifecycle = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "DeleteBucketLifecycle", bucket: request.bucket },
    (options) => client.send(new DeleteBucketLifecycleCommand({ Bucket: request.bucket }), options),
    nothing
  )
