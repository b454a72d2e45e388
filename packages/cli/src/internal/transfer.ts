import * as Effect from "effect/Effect"
import { LocalFiles, printable, S3Po, Sync } from "s3po"
import { inTypedOrder } from "./filterOrder.js"
import { formatS3, localFailure, type Location } from "./location.js"
import { messageOf, type Output, shownFile } from "./output.js"
import { reportSummary } from "./uploadFlags.js"

/** A directory-to-prefix transfer: a sync, or a recursive copy or move made of one. */
export interface Transfer {
  readonly direction: "up" | "down"
  readonly localDir: string
  readonly location: Sync.SyncLocation
  readonly options: Sync.SyncOptions
  /** Done after each file copied: a move removes its source here. */
  readonly afterCopy?:
    | ((action: Sync.SyncAction) => Effect.Effect<void, { readonly message: string }, S3Po>)
    | undefined
}

/**
 * The transfer between a local directory and a prefix, whichever way round they are given; none
 * between two of a kind. A move removes each source once copied: the file after an upload, the
 * object after a download.
 */
export const transferBetween = (
  source: Location,
  destination: Location,
  options: Sync.SyncOptions,
  moving = false
): Transfer | undefined => {
  if (source._tag === "Local" && destination._tag === "S3") {
    return {
      direction: "up",
      localDir: source.path,
      location: { bucket: destination.bucket, prefix: destination.key },
      options,
      afterCopy: moving ? (action) => action._tag === "Upload" ? removeFile(action.path) : Effect.void : undefined
    }
  }
  if (source._tag === "S3" && destination._tag === "Local") {
    return {
      direction: "down",
      localDir: destination.path,
      location: { bucket: source.bucket, prefix: source.key },
      options,
      afterCopy: moving
        ? (action) =>
          action._tag === "Download" ? Effect.flatMap(S3Po, (s3) => s3.delete(source.bucket, action.key)) : Effect.void
        : undefined
    }
  }
  return undefined
}

const removeFile = (file: string) =>
  Effect.flatMap(LocalFiles.LocalFiles, (files) => Effect.mapError(files.remove(file), localFailure(file)))

const describe = (bucket: string, localDir: string, action: Sync.SyncAction): string | undefined => {
  switch (action._tag) {
    case "Upload":
      return `upload: ${printable(shownFile(localDir, action.relative))} to ${formatS3(bucket, action.key)}`
    case "Download":
      return `download: ${formatS3(bucket, action.key)} to ${printable(shownFile(localDir, action.relative))}`
    case "DeleteObject":
      return `delete: ${formatS3(bucket, action.key)}`
    case "DeleteFile":
      return `delete: ${printable(shownFile(localDir, action.relative))}`
    default:
      return undefined
  }
}

/**
 * Runs a transfer with its lines and progress printed, and its summary with `--summarize` or
 * `--json`; fails when any file failed.
 */
export const runTransfer = (output: Output, transfer: Transfer, summarize: boolean) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const bucket = transfer.location.bucket
    let sourcesKept = 0
    const dryRun = transfer.options.dryRun === true
    const onAction = (action: Sync.SyncAction, error: Sync.SyncError | undefined) => {
      if (error !== undefined) {
        return output.failure(`failed: ${printable(action.relative)}: ${messageOf(error)}`, error, {
          action: action._tag,
          relative: action.relative
        })
      }
      const text = describe(bucket, transfer.localDir, action)
      const reported = text === undefined
        ? Effect.void
        : output.report(dryRun ? `(dryrun) ${text}` : text, { ...action, dryRun })
      const after =
        transfer.afterCopy === undefined || dryRun || (action._tag !== "Upload" && action._tag !== "Download")
          ? Effect.void
          : transfer.afterCopy(action).pipe(
            Effect.provideService(S3Po, s3),
            Effect.catchAll((failure) =>
              Effect.zipRight(
                Effect.sync(() => sourcesKept++),
                output.failure(
                  `failed to remove the source of ${printable(action.relative)}: ${messageOf(failure)}`,
                  failure,
                  { action: "RemoveSource", relative: action.relative }
                )
              )
            )
          )
      return Effect.zipRight(reported, after)
    }
    const options: Sync.SyncOptions = {
      ...(yield* inTypedOrder(transfer.options)),
      onAction,
      onProgress: output.progress
    }
    const summary = transfer.direction === "up"
      ? yield* Sync.syncUp(transfer.localDir, transfer.location, options)
      : yield* Sync.syncDown(transfer.location, transfer.localDir, options)
    yield* output.done
    yield* reportSummary(output, { summarize, dryRun }, summary)
    if (summary.failed.length > 0) {
      return yield* Effect.fail({
        message: `${summary.failed.length} of ${summary.copied + summary.failed.length} failed`
      })
    }
    if (sourcesKept > 0) {
      return yield* Effect.fail({ message: `${sourcesKept} sources could not be removed after copying` })
    }
  })
