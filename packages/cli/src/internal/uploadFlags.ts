import { Options } from "@effect/cli"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type CannedAcl, cannedAcls, type ObjectAttributes, type Sync, type UploadFileOptions } from "s3po"
import { formatBytes, type Output } from "./output.js"

// The flags `aws s3` users type on cp, mv, rm and sync, with aws's names and meanings, read into
// the library's options: what an upload stores, dry runs, how a sync compares, what is printed.

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const invalid = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

/**
 * `--metadata` as aws reads it: `key=value[,key2=value2]`, or a JSON object of strings
 * (`{"key":"value"}`). A value holding `,` or `=` is written in JSON.
 */
export const parseMetadata = (
  value: string
): Effect.Effect<Readonly<Record<string, string>>, ValidationError.ValidationError> => {
  const trimmed = value.trim()
  if (trimmed.startsWith("{")) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      return invalid(`--metadata ${value}: not JSON; expected key=value[,key2=value2] or {"key":"value"}`)
    }
    if (
      typeof parsed !== "object" || parsed === null || Array.isArray(parsed) ||
      Object.values(parsed).some((entry) => typeof entry !== "string")
    ) {
      return invalid(`--metadata ${value}: the JSON must be an object of strings, {"key":"value"}`)
    }
    return Effect.succeed(parsed as Record<string, string>)
  }
  const entries: Array<[string, string]> = []
  for (const pair of trimmed.split(",")) {
    const equals = pair.indexOf("=")
    if (equals <= 0) return invalid(`--metadata ${value}: expected key=value[,key2=value2] or {"key":"value"}`)
    entries.push([pair.slice(0, equals).trim(), pair.slice(equals + 1)])
  }
  return Effect.succeed(Object.fromEntries(entries))
}

/** What an upload or a copy stores (`cp`, `mv`, `sync`): the object's attributes. */
export const uploadFlags = {
  contentType: text(
    "content-type",
    "The Content-Type of every uploaded object (default: guessed from each file's extension)"
  ),
  noGuessMimeType: Options.boolean("no-guess-mime-type").pipe(
    Options.withDescription("Do not guess content types from extensions: application/octet-stream")
  ),
  cacheControl: text("cache-control", "Cache-Control to store, e.g. \"max-age=3600\""),
  contentDisposition: text("content-disposition", "Content-Disposition to store, e.g. \"attachment\""),
  contentEncoding: text("content-encoding", "Content-Encoding to store, e.g. gzip (the bytes are sent as they are)"),
  metadata: Options.text("metadata").pipe(
    Options.mapEffect(parseMetadata),
    Options.withDescription("User metadata to store: key=value[,key2=value2] or {\"key\":\"value\"}"),
    Options.optional
  ),
  storageClass: text(
    "storage-class",
    "STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR"
  ),
  acl: Options.choice("acl", cannedAcls).pipe(
    Options.withDescription(
      "The canned ACL of every object written (public-read: anyone may GET it unsigned); aws's log-delivery-write is a bucket's"
    ),
    Options.optional
  )
}

export interface UploadFlags {
  readonly contentType: Option.Option<string>
  readonly noGuessMimeType: boolean
  readonly cacheControl: Option.Option<string>
  readonly contentDisposition: Option.Option<string>
  readonly contentEncoding: Option.Option<string>
  readonly metadata: Option.Option<Readonly<Record<string, string>>>
  readonly storageClass: Option.Option<string>
  readonly acl: Option.Option<CannedAcl>
}

/** The attributes the flags give, and none of those not given (a copy keeps its source's). */
export const attributesOf = (flags: UploadFlags): ObjectAttributes => {
  const given = {
    contentType: Option.getOrUndefined(flags.contentType),
    cacheControl: Option.getOrUndefined(flags.cacheControl),
    contentDisposition: Option.getOrUndefined(flags.contentDisposition),
    contentEncoding: Option.getOrUndefined(flags.contentEncoding),
    metadata: Option.getOrUndefined(flags.metadata),
    storageClass: Option.getOrUndefined(flags.storageClass),
    acl: Option.getOrUndefined(flags.acl)
  }
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined))
}

/** An upload's options: the attributes, and the content type guessed unless given or turned off. */
export const uploadOptionsOf = (flags: UploadFlags): UploadFileOptions & Sync.SyncOptions => ({
  ...attributesOf(flags),
  guessContentType: !flags.noGuessMimeType
})

/** `--dryrun` on cp, mv and rm (sync has its own). */
export const dryrunFlag = {
  dryrun: Options.boolean("dryrun").pipe(Options.withDescription("Print what would be done, do nothing"))
}

/** How `sync` tells a file from its object, besides `--checksum`: aws's two flags. */
export const compareFlags = {
  sizeOnly: Options.boolean("size-only").pipe(
    Options.withDescription("Same size, same file: times are not compared")
  ),
  exactTimestamps: Options.boolean("exact-timestamps").pipe(
    Options.withDescription(
      "Downloads: a file of the same size is kept only when its time is the object's, to the second"
    )
  )
}

export interface CompareFlags {
  readonly sizeOnly: boolean
  readonly exactTimestamps: boolean
}

type FilesCompare = "size-and-time" | "size-only" | "size-and-exact-time" | "checksum"
type PrefixesCompare = "size-and-time" | "size-only" | "etag"

/**
 * The library's compare mode for a sync between files and objects, or for one between two prefixes
 * (where aws ignores `--exact-timestamps`, both sides' times being those of their uploads), or
 * what is wrong with the flags.
 */
export function compareOf(flags: CompareFlags & { readonly checksum: boolean }, between: "files"): Either<FilesCompare>
export function compareOf(
  flags: CompareFlags & { readonly checksum: boolean },
  between: "prefixes"
): Either<PrefixesCompare>
export function compareOf(
  flags: CompareFlags & { readonly checksum: boolean },
  between: "files" | "prefixes"
): Either<FilesCompare | PrefixesCompare> {
  const chosen = [
    flags.checksum && "--checksum",
    flags.sizeOnly && "--size-only",
    flags.exactTimestamps && "--exact-timestamps"
  ].filter((flag) => flag !== false)
  if (chosen.length > 1) return { problem: `${chosen.join(" and ")} do not go together: give one` }
  if (flags.checksum) return { value: between === "files" ? "checksum" : "etag" }
  if (flags.sizeOnly) return { value: "size-only" }
  if (flags.exactTimestamps && between === "files") return { value: "size-and-exact-time" }
  return { value: "size-and-time" }
}

type Either<A> = { readonly value: A } | { readonly problem: string }

/** What a transfer prints, as aws's flags say. */
export const outputFlags = {
  quiet: Options.boolean("quiet").pipe(
    Options.withDescription("Print nothing but the command's last error line, if it fails")
  ),
  onlyShowErrors: Options.boolean("only-show-errors").pipe(
    Options.withDescription("Print only errors: no transfer lines, no progress")
  ),
  noProgress: Options.boolean("no-progress").pipe(Options.withDescription("No progress bar")),
  summarize: Options.boolean("summarize").pipe(
    Options.withDescription(
      "End with a line of counts (copied, bytes, deleted, unchanged, failed), which aws does not print; --json always ends with them"
    )
  )
}

export interface OutputFlags {
  readonly quiet: boolean
  readonly onlyShowErrors: boolean
  readonly noProgress: boolean
  readonly summarize: boolean
}

/**
 * A transfer's last line: its counts, printed with `--summarize` (aws prints none), and always as
 * the last record of `--json`.
 */
export const reportSummary = (
  output: Output,
  flags: { readonly summarize: boolean; readonly dryRun: boolean },
  summary: {
    readonly copied: number
    readonly copiedBytes: number
    readonly deleted: number
    readonly skipped?: number
    readonly failed: ReadonlyArray<unknown>
  }
): Effect.Effect<void> =>
  flags.summarize || output.json
    ? output.report(
      `${flags.dryRun ? "(dryrun) " : ""}${summary.copied} copied (${
        formatBytes(summary.copiedBytes)
      }), ${summary.deleted} deleted, ${
        summary.skipped === undefined ? "" : `${summary.skipped} unchanged, `
      }${summary.failed.length} failed`,
      { summary: { ...summary, failed: summary.failed.length } }
    )
    : Effect.void

/**
 * The output with what the flags leave out: `--no-progress` the bar, `--only-show-errors` the bar
 * and every line but errors, `--quiet` errors of single files too. The line the command fails with
 * is printed all the same (aws prints nothing with `--quiet`: a script then cannot tell why).
 */
export const quieted = (output: Output, flags: OutputFlags): Output => {
  const silent = flags.quiet || flags.onlyShowErrors
  if (!silent && !flags.noProgress) return output
  const nothing = () => Effect.void
  return {
    ...output,
    progress: nothing,
    ...(silent ? { line: nothing, record: nothing, report: nothing } : {}),
    ...(flags.quiet ? { error: nothing, failure: nothing } : {})
  }
}

/** The output of a dry run: each line as aws prints it, `(dryrun) upload: ...`; each record with `dryRun`. */
export const dryRunLines = (output: Output): Output => ({
  ...output,
  line: (text) => output.line(`(dryrun) ${text}`),
  report: (text, value) => output.report(`(dryrun) ${text}`, { ...value, dryRun: true })
})
