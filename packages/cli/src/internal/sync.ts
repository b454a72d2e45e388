import { Args, Command, Options } from "@effect/cli"
import * as Option from "effect/Option"
import { common, usageError, withS3 } from "./common.js"
import { filterOptions } from "./filterOrder.js"
import { parseLocation } from "./location.js"
import { syncBetweenPrefixes } from "./prefixSync.js"
import { runTransfer, transferBetween } from "./transfer.js"
import * as UploadFlags from "./uploadFlags.js"

/** `s3po sync SRC DST`: a directory to a prefix or a prefix to a directory, as `aws s3 sync`. */
export const sync = Command.make("sync", {
  ...common,
  source: Args.text({ name: "source" }),
  destination: Args.text({ name: "destination" }),
  delete: Options.boolean("delete").pipe(Options.withDescription("Remove what the source lacks")),
  dryrun: Options.boolean("dryrun").pipe(Options.withDescription("Say what would be done, do nothing")),
  ...filterOptions,
  checksum: Options.boolean("checksum").pipe(
    Options.withDescription("Compare contents (MD5 / ETag), not sizes and times")
  ),
  ...UploadFlags.compareFlags,
  ...UploadFlags.uploadFlags,
  ...UploadFlags.outputFlags,
  followSymlinks: Options.boolean("follow-symlinks").pipe(Options.withDescription("Follow links out of the directory"))
}, (options) =>
  withS3(options, (shown) => {
    const output = UploadFlags.quieted(shown, options)
    const source = parseLocation(options.source)
    const destination = parseLocation(options.destination)
    if (source._tag === "S3" && destination._tag === "S3") {
      const compare = UploadFlags.compareOf(options, "prefixes")
      if ("problem" in compare) return usageError(compare.problem)
      return syncBetweenPrefixes(output, source, destination, {
        delete: options.delete,
        dryRun: options.dryrun,
        include: options.include,
        exclude: options.exclude,
        compare: compare.value,
        concurrency: Option.getOrUndefined(options.concurrency),
        attributes: UploadFlags.attributesOf(options),
        summarize: options.summarize
      })
    }
    const compare = UploadFlags.compareOf(options, "files")
    if ("problem" in compare) return usageError(compare.problem)
    const syncOptions = {
      ...UploadFlags.uploadOptionsOf(options),
      delete: options.delete,
      dryRun: options.dryrun,
      exclude: options.exclude,
      include: options.include,
      compare: compare.value,
      followSymlinks: options.followSymlinks,
      ...Option.match(options.concurrency, { onNone: () => ({}), onSome: (concurrency) => ({ concurrency }) })
    }
    const transfer = transferBetween(source, destination, syncOptions)
    return transfer === undefined
      ? usageError("sync goes between a local directory and s3://bucket/prefix, or between two prefixes")
      : runTransfer(output, transfer, options.summarize)
  })).pipe(Command.withDescription(
    "Make a prefix match a directory, a directory match a prefix, or a prefix match another (server-side copies)"
  ))
