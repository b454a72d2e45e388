/**
 * Vitest global setup: the S3 server the live-layer tests run against. `S3PO_TEST_ENDPOINT` (with
 * `S3PO_TEST_ACCESS_KEY_ID`, `S3PO_TEST_SECRET_ACCESS_KEY`, optional `S3PO_TEST_REGION`) names one;
 * otherwise `scripts/rgw.sh` starts a Ceph RGW on loopback (installing it first when missing) and
 * stops it when the tests end.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"

export interface S3Server {
  readonly endpoint: string
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly kind: "rgw" | "external"
}

declare module "vitest" {
  export interface ProvidedContext {
    readonly s3Server: S3Server
  }
}

const run = promisify(execFile)
const script = path.join(import.meta.dirname, "..", "..", "scripts", "rgw.sh")

export default async function setup(project: TestProject) {
  const external = process.env.S3PO_TEST_ENDPOINT
  if (external !== undefined && external !== "") {
    project.provide("s3Server", {
      endpoint: external,
      region: process.env.S3PO_TEST_REGION ?? "us-east-1",
      accessKeyId: process.env.S3PO_TEST_ACCESS_KEY_ID ?? "",
      secretAccessKey: process.env.S3PO_TEST_SECRET_ACCESS_KEY ?? "",
      kind: process.env.S3PO_TEST_SERVER_KIND === "rgw" ? "rgw" : "external"
    })
    return
  }
  const started = Date.now()
  // A second chance in a fresh directory, should the script's own retries not be enough.
  const start = async (attemptsLeft: number): Promise<{ readonly dir: string; readonly stdout: string }> => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-rgw-"))
    try {
      const { stdout } = await run("bash", [script, "start", dir], { maxBuffer: 16 * 1024 * 1024 })
      return { dir, stdout }
    } catch (error) {
      await run("bash", [script, "stop", dir]).catch(() => undefined)
      const detail = (error as { stderr?: string }).stderr ?? String(error)
      if (attemptsLeft === 0) throw new Error(`could not start Ceph RGW for the live tests:\n${detail}`)
      console.warn(
        `s3po tests: Ceph RGW failed to start, starting it afresh:\n${detail.split("\n").slice(-5).join("\n")}`
      )
      return start(attemptsLeft - 1)
    }
  }
  const { dir, stdout } = await start(1)
  const env = Object.fromEntries(stdout.trim().split("\n").map((line) => line.split("=", 2) as [string, string]))
  console.log(
    `s3po tests: Ceph RGW at ${env.S3PO_ENDPOINT}, started in ${((Date.now() - started) / 1000).toFixed(1)} s`
  )
  project.provide("s3Server", {
    endpoint: env.S3PO_ENDPOINT!,
    region: env.AWS_REGION!,
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    kind: "rgw"
  })
  return async () => {
    await run("bash", [script, "stop", dir])
  }
}
