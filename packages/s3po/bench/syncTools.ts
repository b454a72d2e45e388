/**
 * `s3po sync` beside `aws s3 sync` (Debian's awscli) and `rclone sync` (Debian's rclone), each run
 * as a user would run it, with its defaults, against the same fixture: wall time and CPU of the
 * whole process (GNU `time`). The tools are installed when missing (as root, from Debian).
 */
import { execFile } from "node:child_process"
import { randomFillSync } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { credentials } from "./clients.js"

const run = promisify(execFile)

export type Tool = "s3po" | "aws" | "rclone"
export const tools: ReadonlyArray<Tool> = ["s3po", "aws", "rclone"]

export interface ToolRun {
  readonly seconds: number
  readonly cpuSeconds: number
}

const has = (command: string) => run("sh", ["-c", `command -v ${command}`]).then(() => true, () => false)

/** Installs Debian's awscli and rclone when they are missing. */
export const ensureTools = async () => {
  const missing = []
  if (!(await has("/usr/bin/aws"))) missing.push("awscli")
  if (!(await has("rclone"))) missing.push("rclone")
  if (!(await has("/usr/bin/time"))) missing.push("time")
  if (missing.length === 0) return
  await run("apt-get", ["install", "-y", "-q", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    maxBuffer: 64 * 1024 * 1024
  })
}

/** The bundled `s3po` command line, built afresh. */
export const buildCli = async (repositoryRoot: string) => {
  const cli = path.join(repositoryRoot, "packages", "cli")
  await run(process.execPath, [path.join(cli, "scripts", "build.mjs")])
  return path.join(cli, "dist", "s3po.js")
}

const commandOf = (tool: Tool, cli: string, endpoint: string, source: string, bucket: string, prefix: string) => {
  switch (tool) {
    case "s3po":
      return [process.execPath, cli, "sync", source, `s3://${bucket}/${prefix}`, "--endpoint", endpoint]
    case "aws":
      return ["/usr/bin/aws", "s3", "sync", source, `s3://${bucket}/${prefix}`, "--endpoint-url", endpoint]
    case "rclone":
      return ["rclone", "sync", source, `bench:${bucket}/${prefix}`]
  }
}

/** The tools' settings for the fixture. A custom CA bundle (`AWS_CA_BUNDLE`) is left out: rclone refuses one over HTTP. */
const environment = (endpoint: string) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "AWS_CA_BUNDLE")),
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  RCLONE_CONFIG_BENCH_TYPE: "s3",
  RCLONE_CONFIG_BENCH_PROVIDER: "Other",
  RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: credentials.accessKeyId,
  RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  RCLONE_CONFIG_BENCH_REGION: "us-east-1",
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: "true"
})

/** One sync by one tool: its wall time and the CPU time of its process. */
export const syncWith = async (
  tool: Tool,
  cli: string,
  endpoint: string,
  source: string,
  bucket: string,
  prefix: string
): Promise<ToolRun> => {
  const command = commandOf(tool, cli, endpoint, source, bucket, prefix)
  const { stderr } = await run("/usr/bin/time", [
    "-f",
    "TIME %e %U %S",
    "sh",
    "-c",
    `"$@" > /dev/null`,
    "sh",
    ...command
  ], {
    env: environment(endpoint),
    maxBuffer: 64 * 1024 * 1024
  })
  const figures = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(stderr)
  if (figures === null) throw new Error(`${tool}: no timing in ${stderr.slice(-500)}`)
  return { seconds: Number(figures[1]), cpuSeconds: Number(figures[2]) + Number(figures[3]) }
}

/** Writes the page cache out, so that the first tool measured does not share the disk with it. */
export const flushToDisk = () => run("sync")

/** A directory of `count` files of `size` random bytes, in folders of 100. */
export const makeTree = async (count: number, size: number) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-bench-tree-"))
  const body = Buffer.alloc(size)
  for (let index = 0; index < count; index++) {
    const folder = path.join(root, `d${Math.floor(index / 100)}`)
    if (index % 100 === 0) await fs.mkdir(folder)
    randomFillSync(body)
    await fs.writeFile(path.join(folder, `f${index}.bin`), body)
  }
  return root
}

/** A directory holding one file of `size` random bytes. */
export const makeLargeFile = async (size: number) => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-bench-large-"))
  const handle = await fs.open(path.join(root, "large.bin"), "w")
  const chunk = Buffer.alloc(16 * 1024 * 1024)
  for (let written = 0; written < size; written += chunk.length) {
    randomFillSync(chunk)
    await handle.write(chunk, 0, Math.min(chunk.length, size - written))
  }
  await handle.close()
  return root
}
