import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { binary, environment, packageDir } from "./binary.js"

const MiB = 1024 * 1024
const bucket = `s3po-cli-stream-${process.pid}-${Date.now().toString(36)}`

/** Runs a shell pipeline with `$S3PO` standing for the binary: its exit code (pipefail), stdout bytes and stderr. */
const pipeline = (script: string, stdin?: Uint8Array) =>
  new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve, reject) => {
    const child = spawn("bash", ["-c", `set -o pipefail; ${script}`], {
      env: { ...environment(), S3PO: `${process.execPath} ${binary}` },
      cwd: packageDir
    })
    const out: Array<Buffer> = []
    let err = ""
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }))
    if (stdin === undefined) child.stdin.end()
    else child.stdin.end(stdin)
  })

const body = randomBytes(20 * MiB + 17)

beforeAll(async () => {
  assert.strictEqual((await pipeline(`$S3PO mb s3://${bucket}`)).code, 0)
})

afterAll(async () => {
  await pipeline(`$S3PO rb --force s3://${bucket}`)
})

describe("streaming with the s3po binary on a real S3 server", () => {
  it("cp - uploads stdin as multipart; cat and cp ... - give the bytes back on stdout, and nothing else", async () => {
    const up = await pipeline(`$S3PO cp - s3://${bucket}/big.bin`, body)
    assert.strictEqual(up.code, 0, up.stderr)
    assert.strictEqual(up.stdout.length, 0)
    for (const command of [`$S3PO cat s3://${bucket}/big.bin`, `$S3PO cp s3://${bucket}/big.bin -`]) {
      const down = await pipeline(command)
      assert.strictEqual(down.code, 0, down.stderr)
      assert.isTrue(down.stdout.equals(body), command)
    }
  })

  it("a reader that goes away (| head -c 10) ends the command quietly with 0, under pipefail", async () => {
    const head = await pipeline(`$S3PO cat s3://${bucket}/big.bin | head -c 10`)
    assert.strictEqual(head.code, 0, head.stderr)
    assert.isTrue(head.stdout.equals(body.subarray(0, 10)))
    assert.strictEqual(head.stderr, "")
  })
})
