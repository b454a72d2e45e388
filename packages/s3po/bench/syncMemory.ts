/**
 * The peak memory of the bundled `s3po sync` at scale: a tree of empty files in folders of 1000 is
 * synced up to an empty bucket, then down into an empty directory, each run as a user runs it (a
 * new process, its output read to the end), against the benchmark fixture in its own process with
 * `--discard` (it keeps keys and sizes, not bytes), so the server's memory is not counted. The peak
 * is the process's own maximum resident set (`getrusage`), written by a preloaded hook as it exits;
 * beside it, the peak of an `ls` of the empty bucket: what the command line takes before a file.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { credentials } from "./clients.js"
import { startFixture } from "./fixtureProcess.js"
import { round } from "./measure.js"
import { buildCli } from "./syncTools.js"

const run = promisify(execFile)
const filesPerFolder = 1000

interface Peak {
  readonly seconds: number
  readonly peakMiB: number
}

/** Adds empty files to `root` until it holds `count`, in folders of 1000 (a smaller tree's files are kept). */
const growTree = async (root: string, count: number) => {
  for (let folder = 0; folder * filesPerFolder < count; folder++) {
    const dir = path.join(root, `d${folder}`)
    await fs.mkdir(dir, { recursive: true })
    const have = new Set(await fs.readdir(dir))
    const names: Array<string> = []
    for (let i = folder * filesPerFolder; i < Math.min(count, (folder + 1) * filesPerFolder); i++) {
      if (!have.has(`f${i}`)) names.push(`f${i}`)
    }
    await Promise.all(names.map((name) => fs.writeFile(path.join(dir, name), "")))
  }
}

/**
 * Peak resident set and seconds of a sync up and down of `counts` empty files each (the largest
 * tree written once), and rows for the table (`[benchmark, s3po, baseline, ratio]`).
 */
export const measureSyncMemory = async (
  repositoryRoot: string,
  counts: ReadonlyArray<number>,
  log: (line: string) => void
) => {
  const cli = await buildCli(repositoryRoot)
  const work = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-bench-syncmem-"))
  const hook = path.join(work, "peak.cjs")
  await fs.writeFile(
    hook,
    "process.on('exit', () => require('node:fs').writeFileSync(process.env.S3PO_BENCH_PEAK_FILE, " +
      "String(process.resourceUsage().maxRSS)))\n"
  )
  const tree = path.join(work, "tree")
  const figures: Record<string, unknown> = {}
  const rows: Array<[string, string, string, string]> = []
  try {
    for (const count of [...counts].sort((a, b) => a - b)) {
      await growTree(tree, count)
      const fixture = await startFixture({ discard: true })
      try {
        const env = {
          ...process.env,
          S3PO_ENDPOINT: fixture.endpoint,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_REGION: "us-east-1",
          S3PO_BENCH_PEAK_FILE: path.join(work, "peak")
        }
        const peakOf = async (args: ReadonlyArray<string>): Promise<Peak> => {
          const started = performance.now()
          // Its lines go to /dev/null, as a user's would to a terminal: not kept by this process.
          await run("sh", ["-c", "\"$@\" > /dev/null", "sh", process.execPath, "--require", hook, cli, ...args], {
            env,
            maxBuffer: 1 << 26
          })
          const seconds = (performance.now() - started) / 1000
          const kib = Number(await fs.readFile(env.S3PO_BENCH_PEAK_FILE, "utf8"))
          return { seconds: round(seconds, 1), peakMiB: Math.round(kib / 1024) }
        }
        await run(process.execPath, [cli, "mb", "s3://syncmem"], { env })
        const idle = await peakOf(["ls", "s3://syncmem/"]).catch(() => undefined)
        const up = await peakOf(["sync", tree, "s3://syncmem/"])
        const down = await peakOf(["sync", "s3://syncmem/", path.join(work, "down")])
        await fs.rm(path.join(work, "down"), { recursive: true, force: true })
        figures[`files${count}`] = { up, down, ...(idle === undefined ? {} : { lsPeakMiB: idle.peakMiB }) }
        log(`syncMemory ${count}: ${JSON.stringify(figures[`files${count}`])}`)
        const baseline = idle === undefined ? "" : `ls of the empty bucket ${idle.peakMiB} MiB`
        for (const [direction, peak] of [["up", up], ["down", down]] as const) {
          rows.push([
            `sync memory: ${direction}, ${count.toLocaleString("en-US")} empty files (CLI, fixture)`,
            `${peak.peakMiB} MiB peak RSS, ${peak.seconds} s`,
            baseline,
            `${round((peak.seconds * 1e6) / count, 0)} µs/file`
          ])
        }
      } finally {
        await fixture.stop()
      }
    }
    return { figures, rows }
  } finally {
    await fs.rm(work, { recursive: true, force: true })
  }
}
