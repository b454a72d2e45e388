/**
 * The `s3po` command line: `ls`, `cp`, `mv`, `rm`, `sync`, `presign`, `mb`, `rb`.
 *
 * @since 0.1.0
 */
import { Command } from "@effect/cli"
import packageJson from "../package.json" with { type: "json" }
import { cp, mv } from "./internal/copy.js"
import { ls } from "./internal/ls.js"
import { mb, presign, rb, rm } from "./internal/objects.js"
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

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("s3po").pipe(
  Command.withDescription("S3 from the shell, on s3po: configured by S3PO_ENDPOINT and AWS_* as the library is"),
  Command.withSubcommands([ls, cp, mv, rm, sync, presign, mb, rb])
)

/**
 * Runs the command line on `argv` (as `process.argv`).
 *
 * @since 0.1.0
 * @category running
 */
export const run = Command.run(command, { name: "s3po", version: packageJson.version })
