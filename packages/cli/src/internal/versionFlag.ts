import { Options } from "@effect/cli"
import * as Option from "effect/Option"
import { printable } from "s3po"
import { usageError } from "./common.js"
import { formatS3 } from "./location.js"

/**
 * `--version-id ID`: one version of one object, as `ls --versions` lists it and s3api names it;
 * without it, the latest.
 */
export const versionIdFlag = {
  versionId: Options.text("version-id").pipe(
    Options.withDescription("One version of the object, as ls --versions lists it (default: the latest)"),
    Options.optional
  )
}

export interface VersionIdFlag {
  readonly versionId: Option.Option<string>
}

/** The version a command was given, if any. */
export const versionIdOf = (flags: Partial<VersionIdFlag>): string | undefined =>
  flags.versionId === undefined ? undefined : Option.getOrUndefined(flags.versionId)

/** An object, or one version of it, as a line shows it: `s3://bucket/key (version ID)`. */
export const formatVersion = (bucket: string, key: string, versionId: string | undefined) =>
  versionId === undefined ? formatS3(bucket, key) : `${formatS3(bucket, key)} (version ${printable(versionId)})`

/** `--version-id` given with `--recursive`, which it cannot go with: a usage error. */
export const versionIdWithRecursive = () =>
  usageError("--version-id names a version of one object: not with --recursive")
