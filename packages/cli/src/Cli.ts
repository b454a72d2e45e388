/**
 * The `s3po` command line: `ls`, `cp`, `mv`, `rm`, `sync`, `presign`, `mb`, `rb`.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import packageJson from "../package.json" with { type: "json" }
import { CommandFailed, ExitCode } from "./internal/common.js"
import { cp, mv } from "./internal/copy.js"
import { FilterRules, readFilters } from "./internal/filterOrder.js"
import { ls } from "./internal/ls.js"
import { mb, presign, rb, rm } from "./internal/objects.js"
import { cat } from "./internal/stream.js"
import { sync } from "./internal/sync.js"

export {
  /**
   * `S3PoLive` from the environment (`S3PO_ENDPOINT`, `AWS_*`) and the options: what `s3po` runs on.
   *
   * @since 0.1.0
   * @category layers
   */
  liveS3Layer,
  /**
   * Where the commands' `S3Po` comes from: provide another (`S3PoMock` in tests) to run them on it.
   *
   * @since 0.1.0
   * @category tags
   */
  S3Layer
} from "./internal/common.js"

export {
  /**
   * The exit codes `exitCodeOf` gives, by name.
   *
   * @since 0.6.0
   * @category running
   */
  ExitCode,
  /**
   * The exit code of a run of `run`: 0 success; 1 an S3 or transfer failure (any file failed, an
   * `ls` that found nothing); 2 a usage error (an unknown command or flag, a missing or bad
   * argument); 130 interrupted.
   *
   * @since 0.6.0
   * @category running
   */
  exitCodeOf
} from "./internal/common.js"

/** What every `--help` ends with: how a script reads the outcome, and what lines look like. */
const footer = HelpDoc.blocks([
  HelpDoc.h1("EXIT CODES"),
  HelpDoc.descriptionList([
    [Span.text(String(ExitCode.success)), HelpDoc.p("Success (an ls of an empty bucket too)")],
    [
      Span.text(String(ExitCode.failure)),
      HelpDoc.p("S3 or the local file system failed: any file or object of a transfer failed, or an ls found nothing")
    ],
    [
      Span.text(String(ExitCode.usage)),
      HelpDoc.p("Usage error: an unknown command or flag, a missing or bad argument; nothing was done")
    ],
    [Span.text(String(ExitCode.interrupted)), HelpDoc.p("Interrupted (Ctrl-C)")]
  ]),
  HelpDoc.h1("OUTPUT"),
  HelpDoc.p(
    "As aws s3 prints it: local paths relative to the working directory, a delete: line per deleted object, " +
      "ls with PRE lines first and times in the local time zone. Control characters in keys and paths are " +
      "escaped (\\x1b). --json prints one JSON object per line, keys and paths exact, times in UTC."
  )
])

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "s3po",
  {},
  () =>
    Console.error("s3po: a command is required (ls, cp, mv, rm, sync, ...): s3po --help lists them").pipe(
      Effect.zipRight(Effect.fail(new CommandFailed(ExitCode.usage)))
    )
).pipe(
  Command.withDescription("S3 from the shell, on s3po: configured by S3PO_ENDPOINT and AWS_* as the library is"),
  Command.withSubcommands([ls, cp, mv, rm, sync, cat, presign, mb, rb])
)

/**
 * Runs the command line on `argv` (as `process.argv`). `--include` and `--exclude` are read here,
 * in the order typed, as `--flag GLOB` or `--flag=GLOB` (aws's rule needs their order, which
 * `@effect/cli` does not keep).
 *
 * @since 0.1.0
 * @category running
 */
export const run = (argv: ReadonlyArray<string>) => {
  const read = readFilters(argv)
  return "problem" in read
    ? Console.error(`s3po: ${read.problem}`).pipe(Effect.zipRight(Effect.fail(new CommandFailed(ExitCode.usage))))
    : Effect.provideService(runCommand(read.argv), FilterRules, read.rules)
}

const runCommand = Command.run(command, { name: "s3po", version: packageJson.version, footer })
