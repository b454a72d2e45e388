import { Args, Command, Options } from "@effect/cli"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { printable, S3Po } from "s3po"
import { common, withS3 } from "./common.js"
import { parseLocation } from "./location.js"

const date = (when: Date) => when.toISOString().slice(0, 19).replace("T", " ")

const listBuckets = Effect.flatMap(S3Po, (s3) => s3.listBuckets())

/** `s3po ls [s3://bucket/prefix] [--recursive]`: buckets, or what a prefix holds. */
export const ls = Command.make("ls", {
  ...common,
  target: Args.text({ name: "s3://bucket/prefix" }).pipe(Args.optional),
  recursive: Options.boolean("recursive").pipe(
    Options.withAlias("r"),
    Options.withDescription("Every key below, not one level")
  )
}, (options) =>
  withS3(options, (output) =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const target = Option.map(options.target, parseLocation)
      if (Option.isNone(target)) {
        for (const bucket of yield* listBuckets) {
          yield* output.report(`${date(bucket.creationDate)} ${printable(bucket.name)}`, {
            bucket: bucket.name,
            created: bucket.creationDate.toISOString()
          })
        }
        return
      }
      if (target.value._tag === "Local") return yield* Effect.fail({ message: "ls takes s3://bucket/prefix" })
      const { bucket, key: prefix } = target.value
      yield* Stream.runForEach(
        s3.listObjects(bucket, { prefix, ...(options.recursive ? {} : { delimiter: "/" }) }),
        (entry) =>
          entry._tag === "CommonPrefix"
            ? output.report(`${"PRE".padStart(30)} ${printable(entry.prefix.slice(prefix.lastIndexOf("/") + 1))}`, {
              prefix: entry.prefix
            })
            : output.report(
              `${date(entry.lastModified)} ${String(entry.size).padStart(10)} ${
                printable(options.recursive ? entry.key : entry.key.slice(prefix.lastIndexOf("/") + 1))
              }`,
              { key: entry.key, size: entry.size, lastModified: entry.lastModified.toISOString(), etag: entry.etag }
            )
      )
    }))).pipe(Command.withDescription("List buckets, or the objects and folders below a prefix"))
