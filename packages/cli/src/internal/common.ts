import { Options } from "@effect/cli"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type S3Po, S3PoLive, type ValidationError } from "s3po"
import * as Output from "./output.js"

/** The options every command takes, besides the environment the library reads (`S3PO_ENDPOINT`, `AWS_*`). */
export const common = {
  endpoint: Options.text("endpoint").pipe(
    Options.withDescription("S3 endpoint URL (default: $S3PO_ENDPOINT, else AWS)"),
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
  json: Options.boolean("json").pipe(Options.withDescription("Print one JSON object per line"))
}

export interface CommonOptions {
  readonly endpoint: Option.Option<string>
  readonly region: Option.Option<string>
  readonly concurrency: Option.Option<number>
  readonly json: boolean
}

/** Where the commands' `S3Po` comes from, given the endpoint and region options. */
export class S3Layer extends Context.Tag("@s3po/cli/S3Layer")<
  S3Layer,
  (
    options: Pick<CommonOptions, "endpoint" | "region">
  ) => Layer.Layer<S3Po, ConfigError.ConfigError | ValidationError>
>() {}

/** `S3PoLive`, configured from the environment as the library reads it, the options over it. */
export const liveS3Layer = Layer.succeed(
  S3Layer,
  (options) =>
    S3PoLive.layerConfig(Config.map(S3PoLive.config, (live) => ({
      ...live,
      endpoint: Option.getOrElse(options.endpoint, () => live.endpoint),
      region: Option.getOrElse(options.region, () => live.region)
    })))
)

/**
 * Runs a command's work with its `S3Po` and its output. A failure prints one line on stderr; the
 * process then exits with 1.
 */
export const withS3 = <A>(
  options: CommonOptions,
  work: (output: Output.Output) => Effect.Effect<A, { readonly message: string }, S3Po>
): Effect.Effect<void, CommandFailed, S3Layer> => {
  const output = Output.make({ json: options.json })
  return Effect.flatMap(S3Layer, (layerOf) =>
    work(output).pipe(
      Effect.provide(layerOf(options)),
      Effect.ensuring(output.done),
      Effect.catchAll((error) =>
        Effect.zipRight(output.failure(`s3po: ${Output.messageOf(error)}`, error), Effect.fail(new CommandFailed()))
      ),
      Effect.asVoid
    ))
}

/** A command that has said why it failed: the process exits with 1, printing nothing more. */
export class CommandFailed {
  readonly _tag = "CommandFailed"
}
