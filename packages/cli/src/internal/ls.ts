import { Args, Command, Options } from "@effect/cli"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type ListEntry, printable, S3Po, type VersionEntry } from "s3po"
import { CommandFailed, common, usageError, withS3 } from "./common.js"
import { humanSize, localTime, type Output } from "./output.js"

/**
 * What `ls` lists, read as aws reads it: `s3://bucket/prefix` or `bucket/prefix`; nothing, or
 * `s3://`, for the buckets.
 */
const targetOf = (text: Option.Option<string>) => {
  // @effect/cli passes an unknown flag on as the argument; no bucket name starts with "-".
  if (Option.isSome(text) && text.value.startsWith("-")) return usageError(`${text.value}: no such option of ls`)
  const path = Option.getOrElse(Option.map(text, (given) => given.replace(/^s3:\/\//, "")), () => "")
  const slash = path.indexOf("/")
  const bucket = slash === -1 ? path : path.slice(0, slash)
  const prefix = slash === -1 ? "" : path.slice(slash + 1)
  if (bucket === "" && prefix !== "") {
    return usageError(`${Option.getOrElse(text, () => "")}: expected s3://bucket/prefix`)
  }
  return Effect.succeed({ bucket, prefix })
}

const listBuckets = (output: Output) =>
  Effect.flatMap(S3Po, (s3) => s3.listBuckets()).pipe(
    Effect.flatMap((buckets) =>
      Effect.forEach(buckets, (bucket) =>
        output.report(`${localTime(bucket.creationDate)} ${printable(bucket.name)}`, {
          bucket: bucket.name,
          created: bucket.creationDate.toISOString()
        }), { discard: true })
    )
  )

/**
 * Each entry of a listing: a folder as `PRE name/`, an object with its time, size (in bytes, or as
 * aws's `--human-readable` shows it) and name (below the prefix's last `/`, or its whole key when
 * recursive). `--json` gives it exact, times in UTC.
 */
const reportEntry = (output: Output, prefix: string, flags: ListFlags) => {
  const { nameOf, sizeOf } = columns(prefix, flags)
  return (entry: ListEntry) =>
    entry._tag === "CommonPrefix"
      ? reportFolder(output, nameOf, entry.prefix)
      : output.report(`${localTime(entry.lastModified)} ${sizeOf(entry.size).padStart(10)} ${nameOf(entry.key)}`, {
        key: entry.key,
        size: entry.size,
        lastModified: entry.lastModified.toISOString(),
        etag: entry.etag
      })
}

/**
 * Each entry of `--versions`: a folder as `PRE name/`; a version with its time, size, version id,
 * whether it is the one a read gets (`latest`, else `noncurrent`), and name; a delete marker the
 * same, `(deleted)` in place of its size. `--json` adds `deleteMarker` and, for a version, its ETag.
 */
const reportVersion = (output: Output, prefix: string, flags: ListFlags) => {
  const { nameOf, sizeOf } = columns(prefix, flags)
  return (entry: VersionEntry) => {
    if (entry._tag === "CommonPrefix") return reportFolder(output, nameOf, entry.prefix)
    const size = entry._tag === "Version" ? sizeOf(entry.size) : "(deleted)"
    const state = entry.isLatest ? "latest" : "noncurrent"
    return output.report(
      `${localTime(entry.lastModified)} ${size.padStart(10)} ${printable(entry.versionId)} ${state.padEnd(10)} ${
        nameOf(entry.key)
      }`,
      {
        key: entry.key,
        versionId: entry.versionId,
        isLatest: entry.isLatest,
        deleteMarker: entry._tag === "DeleteMarker",
        lastModified: entry.lastModified.toISOString(),
        ...(entry._tag === "Version" ? { size: entry.size, etag: entry.etag } : {})
      }
    )
  }
}

const columns = (prefix: string, flags: ListFlags) => ({
  nameOf: (key: string) => printable(flags.recursive ? key : key.slice(prefix.lastIndexOf("/") + 1)),
  sizeOf: (size: number) => flags.humanReadable ? humanSize(size) : String(size)
})

const reportFolder = (output: Output, nameOf: (key: string) => string, prefix: string) =>
  output.report(`${"PRE".padStart(30)} ${nameOf(prefix)}`, { prefix })

interface ListFlags {
  readonly recursive: boolean
  readonly humanReadable: boolean
}

/**
 * `--summarize` as aws prints it after the listing: a blank line, the objects counted (not the
 * folders) and their bytes, in bytes or as `--human-readable` shows sizes. `--json`: one record.
 */
const reportTotals = (output: Output, humanReadable: boolean, totals: { objects: number; bytes: number }) =>
  output.json
    ? output.record({ totalObjects: totals.objects, totalSize: totals.bytes })
    : Effect.forEach(
      [
        "",
        `Total Objects: ${totals.objects}`,
        `   Total Size: ${humanReadable ? humanSize(totals.bytes) : totals.bytes}`
      ],
      output.line,
      { discard: true }
    )

/**
 * Prints a listing a page at a time (a chunk of it), its folders first, as aws prints them (`--json`
 * in S3's order), counting what it found and the objects' bytes.
 */
const printPages = <A extends ListEntry | VersionEntry>(
  output: Output,
  pages: Stream.Stream<A, S3Po.ListError>,
  report: (entry: A) => Effect.Effect<void>,
  totals: { objects: number; bytes: number }
) => {
  let found = 0
  return Stream.runForEachChunk(pages, (chunk) => {
    found += chunk.length
    for (const entry of chunk) {
      if (entry._tag === "Object" || entry._tag === "Version") {
        totals.objects++
        totals.bytes += entry.size
      }
    }
    const [objects, folders] = output.json
      ? [chunk, Chunk.empty<A>()]
      : Chunk.partition(chunk, (entry) => entry._tag === "CommonPrefix")
    return Effect.forEach(Chunk.appendAll(folders, objects), report, { discard: true })
  }).pipe(Effect.map(() => found))
}

/**
 * `s3po ls [s3://bucket/prefix] [--recursive] [--versions] [--human-readable] [--summarize]`:
 * buckets, or what a prefix holds (with `--versions`, every version and delete marker, newest first
 * for each key). A page at a time, its folders first, as aws prints them; `--json` in S3's order.
 * A prefix that holds nothing exits with 1, as aws's does (after its totals, with `--summarize`);
 * an empty bucket lists nothing and succeeds. The totals of a list of buckets are 0 objects of 0
 * bytes, as aws prints them; of versions, the versions (not the delete markers) and their bytes.
 */
export const ls = Command.make("ls", {
  ...common,
  target: Args.text({ name: "s3://bucket/prefix" }).pipe(Args.optional),
  recursive: Options.boolean("recursive").pipe(
    Options.withAlias("r"),
    Options.withDescription("Every key below, not one level")
  ),
  versions: Options.boolean("versions").pipe(
    Options.withDescription(
      "Every version and delete marker, newest first for each key: time, size, version id, latest or noncurrent, name"
    )
  ),
  humanReadable: Options.boolean("human-readable").pipe(
    Options.withDescription("Sizes as aws shows them: 3 Bytes, 1.5 KiB, 2.0 MiB (base 1024)")
  ),
  summarize: Options.boolean("summarize").pipe(
    Options.withDescription("End with the number of objects listed and their total size")
  )
}, (options) =>
  withS3(options, (output) =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const { bucket, prefix } = yield* targetOf(options.target)
      const totals = { objects: 0, bytes: 0 }
      const summarize = options.summarize
        ? Effect.suspend(() => reportTotals(output, options.humanReadable, totals))
        : Effect.void
      if (bucket === "") {
        if (options.versions) {
          return yield* usageError("ls --versions lists the versions in a bucket: s3://bucket/prefix")
        }
        return yield* Effect.zipRight(listBuckets(output), summarize)
      }
      const listing = { prefix, ...(options.recursive ? {} : { delimiter: "/" }) }
      const found = options.versions
        ? yield* printPages(
          output,
          s3.listObjectVersions(bucket, listing),
          reportVersion(output, prefix, options),
          totals
        )
        : yield* printPages(output, s3.listObjects(bucket, listing), reportEntry(output, prefix, options), totals)
      yield* summarize
      if (found === 0 && prefix !== "") return yield* Effect.fail(new CommandFailed())
    }))).pipe(Command.withDescription("List buckets (ls, or ls s3://), or the objects and folders below a prefix"))
