import { Args, Command, Options } from "@effect/cli"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { printable, S3Po, Sync } from "s3po"
import { common, usageError, withS3 } from "./common.js"
import { type FilterFlags, filterOptions, orderedFilters } from "./filterOrder.js"
import { folder, formatS3, parseLocation } from "./location.js"
import { type Output } from "./output.js"
import * as UploadFlags from "./uploadFlags.js"
import { formatVersion, versionIdFlag, versionIdOf, versionIdWithRecursive } from "./versionFlag.js"

const s3Location = (text: string) => {
  const location = parseLocation(text)
  return location._tag === "S3" && location.bucket !== ""
    ? Effect.succeed(location)
    : usageError(`${text}: expected s3://bucket/key`)
}

/**
 * Deletes every object below a prefix, as the listing streams in (1000 keys to a request), with a
 * `delete: s3://bucket/key` line for each as aws prints them, and a `delete failed:` line on stderr
 * for each S3 refused; the others go on. `--json` gives, as before, one record of the count.
 */
const deleteBelow = (output: Output, bucket: string, prefix: string, typed: FilterFlags, dryRun = false) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const taken = yield* Sync.pathFilter({ filters: yield* orderedFilters(typed) })
    const keys = Stream.filter(s3.list(bucket, { prefix }), (key) => taken(key.slice(prefix.length)))
    if (dryRun) {
      let listed = 0
      yield* Stream.runForEach(keys, (key) => {
        listed++
        return output.line(`delete: ${formatS3(bucket, key)}`)
      })
      return listed
    }
    let deleted = 0
    let failed = 0
    yield* Stream.runForEach(s3.deleteManyStream(bucket, keys), (result) => {
      if (result.deleted) {
        deleted++
        return output.line(`delete: ${formatS3(bucket, result.key)}`)
      }
      failed++
      const error = { message: `${result.message} (${result.code})`, bucket, key: result.key, code: result.code }
      return output.failure(`delete failed: ${formatS3(bucket, result.key)}: ${printable(error.message)}`, error, {
        action: "DeleteObject"
      })
    })
    if (failed > 0) return yield* Effect.fail({ message: `${failed} of ${deleted + failed} failed` })
    return deleted
  })

/**
 * `s3po rm s3://bucket/key [--recursive] [--version-id ID]`. Without a version id, a versioned
 * bucket keeps the object's versions under a delete marker; with one, that version is gone for good.
 */
export const rm = Command.make("rm", {
  ...common,
  target: Args.text({ name: "s3://bucket/key" }),
  recursive: Options.boolean("recursive").pipe(
    Options.withAlias("r"),
    Options.withDescription("Every key below the prefix")
  ),
  ...versionIdFlag,
  ...filterOptions,
  ...UploadFlags.dryrunFlag,
  ...UploadFlags.outputFlags
}, (options) =>
  withS3(options, (shown) =>
    Effect.gen(function*() {
      const quiet = UploadFlags.quieted(shown, options)
      const output = options.dryrun ? UploadFlags.dryRunLines(quiet) : quiet
      const s3 = yield* S3Po
      const { bucket, key } = yield* s3Location(options.target)
      const versionId = versionIdOf(options)
      if (!options.recursive) {
        const result = options.dryrun ? undefined : yield* s3.delete(bucket, key, { versionId })
        return yield* output.report(`delete: ${formatVersion(bucket, key, versionId)}`, {
          action: "DeleteObject",
          bucket,
          key,
          // In a versioned bucket: the version deleted, or the delete marker laid.
          ...(result?.versionId === undefined ? {} : { deleteMarker: result.deleteMarker, versionId: result.versionId })
        })
      }
      if (versionId !== undefined) {
        return yield* versionIdWithRecursive()
      }
      const prefix = folder(key)
      const deleted = yield* deleteBelow(output, bucket, prefix, options, options.dryrun)
      yield* output.record({ deleted, bucket, prefix })
    }))).pipe(Command.withDescription("Delete an object, or every object below a prefix"))

/**
 * Durations as people write them: `90s`, `15m`, `1h`, `7d`; a bare number counts seconds, as
 * `aws s3 presign --expires-in` does (not milliseconds, as an Effect `Duration` would).
 */
const parseExpiry = (text: string) => {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim())
  if (match === null) {
    return usageError(`--expires ${text}: expected seconds (3600) or a number with s, m, h or d (90s, 15m, 1h, 7d)`)
  }
  const unit = { "": "seconds", s: "seconds", m: "minutes", h: "hours", d: "days" }[match[2]!] as
    | "seconds"
    | "minutes"
    | "hours"
    | "days"
  return Effect.succeed(Duration.decode(`${Number(match[1])} ${unit}`))
}

/** `s3po presign s3://bucket/key [--expires 1h]`. */
export const presign = Command.make("presign", {
  ...common,
  target: Args.text({ name: "s3://bucket/key" }),
  expires: Options.text("expires").pipe(
    Options.withDefault("1h"),
    Options.withDescription(
      "How long the URL works: a number of seconds (3600, as in aws s3 presign --expires-in), or with a unit: " +
        "90s, 15m, 1h, 7d (at most 7d)"
    )
  ),
  expiresIn: Options.integer("expires-in").pipe(
    Options.withDescription("How long the URL works, in seconds, as aws reads it (default 3600; over --expires)"),
    Options.optional
  )
}, (options) =>
  withS3(options, (output) =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const { bucket, key } = yield* s3Location(options.target)
      const expiresIn = yield* parseExpiry(Option.match(options.expiresIn, {
        onNone: () => options.expires,
        onSome: (seconds) => String(seconds)
      }))
      const url = yield* s3.presign(bucket, key, { expiresIn })
      yield* output.report(url, { url, expiresInSeconds: Duration.toSeconds(expiresIn) })
    }))).pipe(Command.withDescription("Print a URL that downloads an object without credentials"))

/** `s3po mb s3://bucket`. */
export const mb = Command.make(
  "mb",
  { ...common, target: Args.text({ name: "s3://bucket" }) },
  (options) =>
    withS3(options, (output) =>
      Effect.gen(function*() {
        const { bucket } = yield* s3Location(options.target)
        yield* Effect.flatMap(S3Po, (s3) => s3.createBucket(bucket))
        yield* output.report(`make_bucket: ${printable(bucket)}`, { action: "CreateBucket", bucket })
      }))
).pipe(Command.withDescription("Create a bucket"))

/** `s3po rb s3://bucket [--force]`. */
export const rb = Command.make("rb", {
  ...common,
  target: Args.text({ name: "s3://bucket" }),
  force: Options.boolean("force").pipe(Options.withDescription("Delete its objects and pending uploads first"))
}, (options) =>
  withS3(options, (output) =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const { bucket } = yield* s3Location(options.target)
      if (options.force) {
        yield* deleteBelow(output, bucket, "", { include: [], exclude: [] })
        const aborted = yield* s3.abortPendingUploads(bucket)
        if (aborted > 0) yield* output.line(`aborted ${aborted} pending uploads`)
      }
      yield* s3.deleteBucket(bucket)
      yield* output.report(`remove_bucket: ${printable(bucket)}`, { action: "DeleteBucket", bucket })
    }))).pipe(Command.withDescription("Delete a bucket (with --force, its objects first)"))
