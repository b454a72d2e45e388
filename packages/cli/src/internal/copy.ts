import { Args, Command, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as path from "node:path"
import { LocalFiles, type PrefixCopyFailure, type PrefixCopyObject, printable, S3Po, Sync } from "s3po"
import { common, type CommonOptions, usageError, withS3 } from "./common.js"
import { oneFileProgress } from "./fileProgress.js"
import { type FilterFlags, filterOptions, orderedFilters } from "./filterOrder.js"
import { baseName, folder, formatS3, localFailure, type Location, parseLocation } from "./location.js"
import { messageOf, type Output, shownPath } from "./output.js"
import { entryAt, removeSource } from "./removeSource.js"
import { copyStreaming } from "./stream.js"
import { runTransfer, transferBetween } from "./transfer.js"
import * as UploadFlags from "./uploadFlags.js"
import { formatVersion, type VersionIdFlag, versionIdFlag, versionIdOf, versionIdWithRecursive } from "./versionFlag.js"

type Mode = "copy" | "move"

/** A key to copy into: the prefix's own name for the source's when it names a folder. */
const keyInto = (key: string, source: string) => key === "" || key.endsWith("/") ? key + baseName(source) : key

const pathInto = (target: string, key: string) =>
  Effect.map(
    Effect.flatMap(LocalFiles.LocalFiles, (files) => Effect.orElseSucceed(files.stat(target), () => Option.none())),
    (info) =>
      Option.exists(info, (found) => found.type === "Directory") || target.endsWith("/")
        ? path.join(target, baseName(key))
        : target
  )

/**
 * Whether the filters take the one file or object of a copy without `--recursive`, as aws applies
 * them: to its name, its folder being the root (`cp f.txt s3://b/ --exclude "*"` copies nothing,
 * and says nothing).
 */
const takenAlone = (source: Location, typed: FilterFlags) =>
  typed.include.length === 0 && typed.exclude.length === 0
    ? Effect.succeed(true)
    : Effect.flatMap(orderedFilters(typed), (filters) =>
      Effect.map(
        Sync.pathFilter({ filters }),
        (taken) => taken(source._tag === "Local" ? path.basename(source.path) : baseName(source.key))
      ))

/** One file or object (`versionId`: one version of it); with `--dryrun`, only its line. */
const copyOne = (
  output: Output,
  mode: Mode,
  source: Location,
  destination: Location,
  flags: TransferFlags,
  versionId: string | undefined
) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const files = yield* LocalFiles.LocalFiles
    if (flags.dryrun) output = UploadFlags.dryRunLines(output)
    if (versionId !== undefined && source._tag !== "S3") {
      return yield* usageError("--version-id names a version to read: the source must be s3://bucket/key")
    }
    if (source._tag === "Local" && destination._tag === "S3") {
      const key = keyInto(destination.key, source.path)
      const moved = mode === "move" && !flags.dryrun ? yield* entryAt(source.path) : Option.none()
      const result = flags.dryrun
        ? { size: undefined }
        : yield* s3.uploadFile(destination.bucket, key, source.path, {
          ...UploadFlags.uploadOptionsOf(flags),
          onProgress: oneFileProgress(output)
        })
      if (mode === "move" && !flags.dryrun) yield* removeSource(source.path, moved)
      return yield* output.report(
        `${mode === "copy" ? "upload" : "move"}: ${printable(shownPath(source.path))} to ${
          formatS3(destination.bucket, key)
        }`,
        {
          action: "Upload",
          path: source.path,
          key,
          size: result.size
        }
      )
    }
    if (source._tag === "S3" && destination._tag === "Local") {
      const target = yield* pathInto(destination.path, source.key)
      const line = `${mode === "copy" ? "download" : "move"}: ${
        formatVersion(source.bucket, source.key, versionId)
      } to ${printable(shownPath(target))}`
      const fields = {
        action: "Download",
        key: source.key,
        ...(versionId === undefined ? {} : { versionId }),
        path: target
      }
      if (flags.dryrun) return yield* output.report(line, fields)
      yield* Effect.mapError(files.makeDirectory(path.dirname(target)), localFailure(path.dirname(target)))
      const result = yield* s3.downloadFile(source.bucket, source.key, target, {
        versionId,
        onProgress: oneFileProgress(output)
      })
      if (mode === "move") yield* s3.delete(source.bucket, source.key)
      return yield* output.report(line, { ...fields, size: result.size })
    }
    if (source._tag === "S3" && destination._tag === "S3") {
      const to = { bucket: destination.bucket, key: keyInto(destination.key, source.key) }
      const from = { bucket: source.bucket, key: source.key }
      const attributes = UploadFlags.attributesOf(flags)
      if (!flags.dryrun) {
        yield* mode === "copy"
          ? s3.copy(from, to, { ...attributes, sourceVersionId: versionId })
          : s3.move(from, to, attributes)
      }
      return yield* output.report(
        `${mode}: ${formatVersion(from.bucket, from.key, versionId)} to ${formatS3(to.bucket, to.key)}`,
        { action: "Copy", from: versionId === undefined ? from : { ...from, versionId }, to }
      )
    }
    return yield* usageError("one side must be s3://bucket/key")
  })

/**
 * Every object below a prefix into another, by the library's `copyPrefix` or `movePrefix`:
 * server-side copies made as the listing streams in, so that memory does not grow with the number
 * of keys, a move deleting each source once its copy succeeded (1000 to a request). Each object is
 * reported once done (a move's once its source is deleted); a failed one is reported and counted,
 * and the others go on. Prefixes of one bucket that hold each other's keys are refused.
 */
const copyBetweenPrefixes = (
  output: Output,
  mode: Mode,
  source: Extract<Location, { _tag: "S3" }>,
  destination: Extract<Location, { _tag: "S3" }>,
  concurrency: number,
  typed: FilterFlags & UploadFlags.UploadFlags & Pick<UploadFlags.OutputFlags, "summarize">
) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const filters = yield* orderedFilters(typed)
    const onObject = ({ from, to }: PrefixCopyObject, failure: PrefixCopyFailure | undefined) =>
      failure === undefined
        ? output.report(`${mode}: ${formatS3(from.bucket, from.key)} to ${formatS3(to.bucket, to.key)}`, {
          action: "Copy",
          from,
          to
        })
        : output.failure(`failed: ${printable(from.key)}: ${messageOf(failure.error)}`, failure.error, {
          action: "Copy",
          from,
          to
        })
    const prefixes = [
      { bucket: source.bucket, prefix: folder(source.key) },
      { bucket: destination.bucket, prefix: folder(destination.key) },
      { ...UploadFlags.attributesOf(typed), concurrency, filters, onObject }
    ] as const
    const summary = yield* mode === "copy" ? s3.copyPrefix(...prefixes) : s3.movePrefix(...prefixes)
    yield* UploadFlags.reportSummary(output, { summarize: typed.summarize, dryRun: false }, summary)
    const failed = summary.failed.length
    if (failed > 0) {
      const total = summary.copied + summary.failed.filter((failure) => failure.step === "copy").length
      return yield* Effect.fail({ message: `${failed} of ${total} failed` })
    }
  })

const copyCommand = (mode: Mode) =>
(
  options: CommonOptions & TransferFlags & UploadFlags.OutputFlags & {
    readonly source: string
    readonly destination: string
    readonly recursive: boolean
    readonly include: ReadonlyArray<string>
    readonly exclude: ReadonlyArray<string>
    readonly expectedSize?: Option.Option<number>
  } & Partial<VersionIdFlag>
) =>
  withS3(options, (shown) => {
    const output = UploadFlags.quieted(shown, options)
    const versionId = versionIdOf(options)
    if (options.source === "-" || options.destination === "-") {
      const expectedSize = options.expectedSize === undefined ? undefined : Option.getOrUndefined(options.expectedSize)
      return mode === "copy" && !options.recursive
        ? copyStreaming(output, options.source, options.destination, expectedSize, versionId)
        : usageError("- (stdin or stdout) is copied by cp alone, without --recursive")
    }
    const source = parseLocation(options.source)
    const destination = parseLocation(options.destination)
    if (!options.recursive) {
      return Effect.flatMap(
        takenAlone(source, options),
        (taken) => taken ? copyOne(output, mode, source, destination, options, versionId) : Effect.void
      )
    }
    if (versionId !== undefined) return versionIdWithRecursive()
    const concurrency = Option.getOrElse(options.concurrency, () => 16)
    const syncOptions: Sync.SyncOptions = {
      ...UploadFlags.uploadOptionsOf(options),
      dryRun: options.dryrun,
      compare: "none",
      concurrency,
      include: options.include,
      exclude: options.exclude
    }
    if (source._tag === "S3" && destination._tag === "S3") {
      if (options.dryrun) return usageError("--dryrun of a --recursive copy between two prefixes is not supported yet")
      return copyBetweenPrefixes(output, mode, source, destination, concurrency, options)
    }
    const transfer = transferBetween(source, destination, syncOptions, mode === "move")
    return transfer === undefined
      ? usageError("one side must be s3://bucket/prefix")
      : runTransfer(output, transfer, options.summarize)
  })

const copyConfig = {
  ...common,
  source: Args.text({ name: "source" }),
  destination: Args.text({ name: "destination" }),
  recursive: Options.boolean("recursive").pipe(Options.withAlias("r"), Options.withDescription("Everything below")),
  ...filterOptions,
  ...UploadFlags.uploadFlags,
  ...UploadFlags.dryrunFlag,
  ...UploadFlags.outputFlags
}

type TransferFlags = UploadFlags.UploadFlags & { readonly dryrun: boolean }

/**
 * `s3po cp SRC DST [--recursive] [--version-id ID]`: local to S3, S3 to local, S3 to S3
 * (server-side); `--version-id` copies one version of an object (to a file, stdout or a key).
 */
export const cp = Command.make("cp", {
  ...copyConfig,
  ...versionIdFlag,
  expectedSize: Options.integer("expected-size").pipe(
    Options.withDescription("Bytes to expect on stdin (cp - s3://...): parts grow so that up to 5 TiB fit"),
    Options.optional
  )
}, copyCommand("copy")).pipe(
  Command.withDescription("Copy files and objects: local to S3, S3 to local, S3 to S3 (server-side)")
)

/** `s3po mv SRC DST [--recursive]`: a copy, then its source removed. */
export const mv = Command.make("mv", copyConfig, copyCommand("move")).pipe(
  Command.withDescription("Move files and objects: a copy, then the source removed")
)
