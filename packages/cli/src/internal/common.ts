import { Options } from "@effect/cli"
import * as CliValidationError from "@effect/cli/ValidationError"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { isS3PoError, LocalFiles, type S3Po, S3PoLive, type ValidationError } from "s3po"
import { type Limits, limitsOf } from "./limits.js"
import * as Output from "./output.js"

/** The options every command takes, besides the environment the library reads (`S3PO_ENDPOINT`, `AWS_*`). */
export const common = {
  endpoint: Options.text("endpoint-url").pipe(
    Options.withAlias("endpoint"),
    Options.withDescription("S3 endpoint URL (default: $S3PO_ENDPOINT, else AWS)"),
    Options.optional
  ),
  profile: Options.text("profile").pipe(
    Options.withDescription("The profile of ~/.aws/config and ~/.aws/credentials to sign with, as $AWS_PROFILE"),
    Options.optional
  ),
  region: Options.text("region").pipe(
    Options.withDescription("Region (default: $AWS_REGION, else us-east-1)"),
    Options.optional
  ),
  concurrency: Options.integer("concurrency").pipe(
    Options.withDescription("Files or objects at once (default 16)"),
    Options.optional
  ),
  json: Options.boolean("json").pipe(Options.withDescription("Print one JSON object per line")),
  bwlimit: Options.text("bwlimit").pipe(
    Options.withDescription(
      "Bytes a second over all transfers, as rclone reads it: 10M is 10 MiB/s (B, K, M, G, T, P; a bare number is KiB/s; off for none)"
    ),
    Options.optional
  ),
  tpslimit: Options.float("tpslimit").pipe(
    Options.withDescription("Requests a second, evenly spaced, as rclone's (0 for none)"),
    Options.optional
  )
}

export interface CommonOptions {
  readonly endpoint: Option.Option<string>
  readonly profile: Option.Option<string>
  readonly region: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly json: boolean
  readonly bwlimit: Option.Option<string>
  readonly tpslimit: Option.Option<number>
}

/** Where the commands' `S3Po` comes from, given the endpoint and region options and the limits. */
export class S3Layer extends Context.Tag("@s3po/cli/S3Layer")<
  S3Layer,
  (
    options: Pick<CommonOptions, "endpoint" | "region" | "profile"> & { readonly limits: Limits }
  ) => Layer.Layer<S3Po, ConfigError.ConfigError | ValidationError>
>() {}

/** `S3PoLive`, configured from the environment as the library reads it, the options over it. */
export const liveS3Layer = Layer.succeed(
  S3Layer,
  (options) => {
    // The SDK's credential chain reads the profile where aws does, and skips $AWS_ACCESS_KEY_ID for it.
    if (Option.isSome(options.profile)) process.env.AWS_PROFILE = options.profile.value
    return S3PoLive.layerConfig(Config.map(S3PoLive.config, (live) => ({
      ...live,
      ...options.limits,
      endpoint: Option.getOrElse(options.endpoint, () => live.endpoint),
      region: Option.getOrElse(options.region, () => live.region)
    }))).pipe(
      // Node's own local files, not those over the platform's `FileSystem` the commands have: a sync's
      // download checks its folder with `realpath`, which Node's callback form does in JavaScript.
      Layer.provide(LocalFiles.layerNode)
    )
  }
)

/**
 * Runs a command's work with its `S3Po` and its output. A failure prints one line on stderr and
 * the process exits with 2 when the command line was wrong (`UsageError`, or the library's
 * `ValidationError`: a bad bucket name, key or option, refused before any request), else 1. A work
 * that fails with `CommandFailed` has printed what it had to say: it exits with that code.
 */
export const withS3 = <A>(
  options: CommonOptions,
  work: (output: Output.Output) => Effect.Effect<A, { readonly message: string } | CommandFailed, S3Po>
): Effect.Effect<void, CommandFailed, S3Layer> => {
  const output = Output.make({ json: options.json })
  const limits = limitsOf(options)
  return Effect.flatMap(S3Layer, (layerOf) => {
    const s3Layer: Layer.Layer<S3Po, ConfigError.ConfigError | ValidationError | UsageError> = "problem" in limits
      ? Layer.fail(new UsageError({ message: limits.problem }))
      : layerOf({ ...options, limits })
    return work(output).pipe(
      Effect.provide(s3Layer),
      Effect.ensuring(output.done),
      Effect.catchAll((error) =>
        error instanceof CommandFailed
          ? Effect.fail(error)
          : Effect.zipRight(
            output.failure(`s3po: ${Output.messageOf(error)}`, error),
            Effect.fail(new CommandFailed(isUsageError(error) ? ExitCode.usage : ExitCode.failure))
          )
      ),
      Effect.asVoid
    )
  })
}

/**
 * What the process exits with, as scripts read it. aws-cli gives 252 to a usage error and 2 to a
 * skipped file; s3po has no skipped files (a file that cannot be read failed) and gives 2 to usage.
 */
export const ExitCode = {
  /** Everything was done (an `ls` of an empty bucket too). */
  success: 0,
  /** S3 or the local file system refused: any file or object of a transfer failed, an `ls` found nothing. */
  failure: 1,
  /** The command line was wrong: an unknown command or flag, a missing or bad argument. Nothing was done. */
  usage: 2,
  /** Interrupted (Ctrl-C, SIGTERM), as a shell reports a process that SIGINT ended. */
  interrupted: 130
} as const

/** A command that has said why it failed: the process exits with `exitCode`, printing nothing more. */
export class CommandFailed {
  readonly _tag = "CommandFailed"
  constructor(readonly exitCode: number = ExitCode.failure) {}
}

/** An argument the command cannot take (a local path where an S3 URL goes, a bad duration): exits 2. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** Fails with a `UsageError` saying what is wrong with the command line. */
export const usageError = (message: string): Effect.Effect<never, UsageError> =>
  Effect.fail(new UsageError({ message }))

const isUsageError = (error: unknown): boolean =>
  error instanceof UsageError || (isS3PoError(error) && error._tag === "ValidationError")

/**
 * The exit code of a run of the command line: 0 when it succeeded, 2 for what `@effect/cli` refused
 * to parse (it has printed why) and for a `UsageError`, a command's own code when it failed, 130
 * when interrupted, and 1 for anything else.
 */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return ExitCode.success
  if (Cause.isInterruptedOnly(exit.cause)) return ExitCode.interrupted
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return ExitCode.failure
  if (failure.value instanceof CommandFailed) return failure.value.exitCode
  return CliValidationError.isValidationError(failure.value) || failure.value instanceof UsageError
    ? ExitCode.usage
    : ExitCode.failure
}
