import * as Effect from "effect/Effect"
import { type ObjectAttributes, printable, Sync } from "s3po"
import { orderedFilters } from "./filterOrder.js"
import { folder, formatS3, type Location } from "./location.js"
import { messageOf, type Output } from "./output.js"
import { reportSummary } from "./uploadFlags.js"

type S3Location = Extract<Location, { _tag: "S3" }>

/** What a sync between prefixes is told by the command line, besides its two locations. */
export interface PrefixSyncFlags {
  readonly delete: boolean
  readonly dryRun: boolean
  readonly include: ReadonlyArray<string>
  readonly exclude: ReadonlyArray<string>
  readonly compare: NonNullable<Sync.SyncCopyOptions["compare"]>
  readonly concurrency: number | undefined
  /** What every copy stores instead of its source's attributes (`--cache-control`, `--metadata`, ...). */
  readonly attributes: ObjectAttributes
  /** The counts as a last line (`--summarize`); `--json` ends with them all the same. */
  readonly summarize: boolean
}

const describe = (action: Sync.SyncCopyAction): string | undefined => {
  switch (action._tag) {
    case "Copy":
      return `copy: ${formatS3(action.from.bucket, action.from.key)} to ${formatS3(action.to.bucket, action.to.key)}`
    case "DeleteObject":
      return `delete: ${formatS3(action.to.bucket, action.to.key)}`
    case "Skip":
      return undefined
  }
}

/**
 * `sync s3://a/p s3://b/q`: the library's `Sync.syncCopy`, server-side copies of what differs
 * (aws's size-and-time rule, or another `compare`), a line per copy and deletion as aws prints
 * them, then the summary if asked. Fails when any object failed.
 */
export const syncBetweenPrefixes = (
  output: Output,
  source: S3Location,
  destination: S3Location,
  flags: PrefixSyncFlags
) =>
  Effect.gen(function*() {
    const filters = yield* orderedFilters({ include: flags.include, exclude: flags.exclude })
    const onAction = (action: Sync.SyncCopyAction, error: { readonly message: string } | undefined) => {
      if (error !== undefined) {
        return output.failure(`failed: ${printable(action.relative)}: ${messageOf(error)}`, error, {
          action: action._tag,
          relative: action.relative
        })
      }
      const text = describe(action)
      return text === undefined
        ? Effect.void
        : output.report(flags.dryRun ? `(dryrun) ${text}` : text, { ...action, dryRun: flags.dryRun })
    }
    const summary = yield* Sync.syncCopy(
      { bucket: source.bucket, prefix: folder(source.key) },
      { bucket: destination.bucket, prefix: folder(destination.key) },
      {
        ...flags.attributes,
        delete: flags.delete,
        dryRun: flags.dryRun,
        filters,
        compare: flags.compare,
        ...(flags.concurrency === undefined ? {} : { concurrency: flags.concurrency }),
        onAction,
        onProgress: output.progress
      }
    )
    yield* output.done
    yield* reportSummary(output, flags, summary)
    if (summary.failed.length > 0) {
      const attempted = summary.copied + summary.deleted + summary.failed.length
      return yield* Effect.fail({ message: `${summary.failed.length} of ${attempted} failed` })
    }
  })
