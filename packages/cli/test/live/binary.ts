import { inject } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { promisify } from "node:util"
import type { S3Server } from "../../../s3po/test/setup/s3Server.js"

const run = promisify(execFile)

export const packageDir = path.join(import.meta.dirname, "..", "..")

/** The bundle `pnpm test` builds first: what users run. */
export const binary = path.join(packageDir, "dist", "s3po.js")

/**
 * The test server. The library's setup declares `s3Server` to its own copy of vitest; pnpm gives
 * this package another (its peers differ), which does not see the declaration.
 */
export const server = () => inject("s3Server" as never) as S3Server

/** The environment the binary reads its server and credentials from. */
export const environment = () => {
  const s3 = server()
  return {
    ...process.env,
    S3PO_ENDPOINT: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true"
  }
}

/** Runs the `s3po` binary against the test server: its output and exit code. */
export const s3po = async (...args: ReadonlyArray<string>) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [binary, ...args], {
      env: environment(),
      cwd: packageDir,
      maxBuffer: 64 * 1024 * 1024
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
