/**
 * How long the bundled `s3po` command line takes to start and finish: `--version`, `--help`, and an
 * `ls` of a bucket holding one object on the benchmark fixture, each run as a user runs it (a new
 * process, its output read to the end). Beside them, what no command line can beat, `node -e 0`;
 * what no `ls` on the command line's stack can beat, the bare listing of the CLI's
 * `bench/bareLs.ts` (one `@effect/cli` command around the SDK's `ListObjectsV2`, bundled and cached
 * as s3po is); and `aws --version` and `aws s3 ls` where aws is installed. The commands take turns,
 * in rotating order, so that a neighbour's load spreads over all of them; each figure is a median.
 *
 * `S3PO_BENCH_NODE=<node binary>` runs s3po and the floor on another Node (22.1 and later have the
 * compile cache the command line turns on; the first, warm-up, run fills it).
 */
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { credentials, rawClient } from "./clients.js"
import { startFixture } from "./fixtureProcess.js"
import { median, round } from "./measure.js"
import { buildCli } from "./syncTools.js"

const run = promisify(execFile)

/** Builds the CLI's bare listing (`packages/cli/bench/bareLs.ts`); the path of its entry. */
const buildBareLs = async (repositoryRoot: string) => {
  const { stdout } = await run(process.execPath, [
    path.join(repositoryRoot, "packages", "cli", "scripts", "buildBareLs.mjs")
  ])
  return stdout.trim()
}

const bucket = "startup"

interface Command {
  readonly label: string
  readonly argv: ReadonlyArray<string>
}

/** Where aws is installed: Debian's, else the first on PATH (a pyenv shim adds its own start-up), else none. */
const awsCommand = async (): Promise<string | undefined> => {
  if (fs.existsSync("/usr/bin/aws")) return "/usr/bin/aws"
  return run("sh", ["-c", "command -v aws"]).then(({ stdout }) => stdout.trim() || undefined, () => undefined)
}

/** The wall time of one run of `argv`, in seconds; a run that fails fails the benchmark. */
const timeOf = async (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const started = performance.now()
  await run(argv[0]!, argv.slice(1), { env, maxBuffer: 1 << 20 })
  return (performance.now() - started) / 1000
}

/**
 * Start-up figures: each command's median seconds over `runs` runs after a warm-up, and rows for
 * the table (`[benchmark, s3po, baseline, ratio]`).
 */
export const measureStartup = async (repositoryRoot: string, runs: number, log: (line: string) => void) => {
  const node = process.env.S3PO_BENCH_NODE ?? process.execPath
  const { stdout: nodeVersion } = await run(node, ["--version"])
  const cli = await buildCli(repositoryRoot)
  const bareLs = await buildBareLs(repositoryRoot)
  const aws = await awsCommand()
  const fixture = await startFixture()
  try {
    const client = rawClient(fixture.endpoint)
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "one.txt", Body: "one object\n" }))
    client.destroy()

    const env = {
      ...process.env,
      S3PO_ENDPOINT: fixture.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1"
    }
    const commands: Record<string, Command> = {
      node: { label: "node -e 0", argv: [node, "-e", "0"] },
      version: { label: "s3po --version", argv: [node, cli, "--version"] },
      help: { label: "s3po --help", argv: [node, cli, "--help"] },
      ls: { label: "s3po ls (one object)", argv: [node, cli, "ls", `s3://${bucket}/`] },
      bareLs: { label: "bare ls (@effect/cli + SDK)", argv: [node, bareLs, "ls", `s3://${bucket}/`] },
      ...(aws === undefined ? {} : {
        awsVersion: { label: "aws --version", argv: [aws, "--version"] },
        awsLs: {
          label: "aws s3 ls (one object)",
          argv: [aws, "s3", "ls", `s3://${bucket}/`, "--endpoint-url", fixture.endpoint]
        }
      })
    }
    const names = Object.keys(commands)
    const seconds: Record<string, Array<number>> = Object.fromEntries(names.map((name) => [name, []]))
    for (const name of names) await timeOf(commands[name]!.argv, env)
    for (let turn = 0; turn < runs; turn++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(turn + i) % names.length]!
        seconds[name]!.push(await timeOf(commands[name]!.argv, env))
      }
    }

    const medianOf = (name: string) => round(median(seconds[name]!), 3)
    const figures: Record<string, unknown> = {
      node: nodeVersion.trim(),
      runs,
      ...(aws === undefined ? {} : { aws }),
      ...Object.fromEntries(names.map((name) => [`${name}Seconds`, medianOf(name)]))
    }
    log(`startup: ${JSON.stringify(figures)}`)
    const floor = medianOf("node")
    const besideAws = (name: string) => aws === undefined ? "" : `; ${commands[name]!.label} ${medianOf(name)} s`
    /** A row of the table: `name`'s median beside `node -e 0`, the commands `besides` and aws's `awsName`. */
    const row = (
      name: string,
      awsName: string,
      besides: ReadonlyArray<string> = []
    ): [string, string, string, string] => {
      const baselines: Array<[string, number]> = [
        ["node -e 0", floor],
        ...besides.map((other): [string, number] => [commands[other]!.label, medianOf(other)])
      ]
      return [
        `start-up: ${commands[name]!.label}, ${nodeVersion.trim()}`,
        `${medianOf(name)} s`,
        baselines.map(([label, seconds]) => `${label} ${seconds} s`).join("; ") + besideAws(awsName),
        baselines.map(([label, seconds]) => `${round(medianOf(name) / seconds, 2)}× ${label}`).join(", ")
      ]
    }
    const rows = [row("version", "awsVersion"), row("help", "awsVersion"), row("ls", "awsLs", ["bareLs"])]
    return { figures, rows }
  } finally {
    await fixture.stop()
  }
}
