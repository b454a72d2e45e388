// The least a one-object `ls` can cost on the stack s3po's command line stands on: one `@effect/cli`
// command that lists a bucket with the AWS SDK's `S3Client` and prints a line per object, and nothing
// else (no other command, no retries, no checks, no s3po). `pnpm bench startup` runs it beside
// `s3po ls`, bundled and run with the code cache as the command line is (scripts/buildBareLs.mjs).
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"
import { Args, Command } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const ls = Command.make("ls", { location: Args.text({ name: "s3://bucket/prefix" }) }, ({ location }) => {
  const [bucket = "", ...prefix] = location.replace(/^s3:\/\//, "").split("/")
  const endpoint = process.env.S3PO_ENDPOINT
  return Effect.acquireUseRelease(
    Effect.sync(() =>
      new S3Client({
        region: process.env.AWS_REGION ?? "us-east-1",
        ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true })
      })
    ),
    (client) =>
      Effect.tryPromise(() =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix.join("/"), Delimiter: "/" }))
      ).pipe(
        Effect.flatMap((page) =>
          Console.log(
            (page.Contents ?? []).map((object) =>
              `${object.LastModified?.toISOString()} ${String(object.Size).padStart(10)} ${object.Key}`
            ).join("\n")
          )
        )
      ),
    (client) => Effect.sync(() => client.destroy())
  )
})

const run = Command.run(Command.make("bare").pipe(Command.withSubcommands([ls])), { name: "bare", version: "0" })

Effect.suspend(() => run(process.argv)).pipe(
  Effect.provide([NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer]),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
