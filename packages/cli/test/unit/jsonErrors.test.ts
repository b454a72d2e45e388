import { assert, describe, it } from "@effect/vitest"
import * as path from "node:path"
import * as Fault from "s3po/Fault"
import * as S3PoMock from "s3po/S3PoMock"
import { makeCli, tempDir } from "./harness.js"

/** Each line of `--json` output: ASCII only, and parsed. */
const records = (lines: ReadonlyArray<string>): Array<Record<string, unknown>> =>
  lines.map((line) => {
    assert.match(line, /^[\x20-\x7e]*$/, JSON.stringify(line))
    return JSON.parse(line) as Record<string, unknown>
  })

const hostile = "in/a\x1b]52;c;aGk=\x07.txt"

describe("--json failures carry the error's tag, bucket, key, S3 code and request id", () => {
  it("a command's failure: one record on stdout, its line on stderr", async () => {
    const cli = await makeCli(S3PoMock.layer({
      seed: { bkt: { [hostile]: "x" } },
      retry: "off",
      faults: [{ operation: "CopyObject", fault: Fault.accessDenied() }]
    }))
    const refused = await cli.s3po("cp", `s3://bkt/${hostile}`, "s3://bkt/copy.txt", "--json")
    assert.isFalse(refused.ok)
    assert.strictEqual(refused.stderr.length, 1)
    const [failure] = records(refused.stdout)
    assert.strictEqual(failure?.error, "AccessDenied")
    assert.strictEqual(failure?.bucket, "bkt")
    assert.strictEqual(failure?.code, "AccessDenied")
    assert.match(String(failure?.requestId), /^s3po-mock-\d+$/)
    assert.strictEqual(failure?.operation, "CopyObject")
    assert.include(String(failure?.message), "access denied")
    const missing = await cli.s3po("cp", `s3://bkt/none${hostile}`, path.join(await tempDir(), "f"), "--json")
    assert.isFalse(missing.ok)
    const [noSuchKey] = records(missing.stdout)
    assert.deepInclude(noSuchKey, { error: "NoSuchKey", bucket: "bkt", key: `none${hostile}`, code: "NoSuchKey" })
    await cli.close()
  })

  it("each failed object of a recursive copy: its record with the keys, exact", async () => {
    const cli = await makeCli(S3PoMock.layer({
      seed: { bkt: { "src/a": "x", [`src/${hostile}`]: "y" } },
      retry: "off",
      faults: [{
        operation: "CopyObject",
        key: `dst/${hostile}`,
        fault: Fault.errorResponse({ status: 409, code: "OperationAborted" })
      }]
    }))
    const copied = await cli.s3po("cp", "s3://bkt/src", "s3://bkt/dst", "--recursive", "--json")
    assert.isFalse(copied.ok)
    const failed = records(copied.stdout).filter((record) => record.error !== undefined)
    const perObject = failed.find((record) => record.error === "S3ServiceError")
    assert.strictEqual(perObject?.code, "OperationAborted")
    assert.strictEqual(perObject?.status, 409)
    assert.strictEqual(perObject?.key, `dst/${hostile}`)
    assert.match(String(perObject?.requestId), /^s3po-mock-\d+$/)
    await cli.close()
  })

  it("a sync's refused key: UnsafeKey with the bucket and the key", async () => {
    const cli = await makeCli(S3PoMock.layer({ seed: { bkt: { "in/../../escape.txt": "x", "in/ok.txt": "y" } } }))
    const down = await cli.s3po("sync", "s3://bkt/in", path.join(await tempDir(), "down"), "--json")
    assert.isFalse(down.ok)
    const refused = records(down.stdout).find((record) => record.error === "UnsafeKey")
    assert.deepInclude(refused, { bucket: "bkt", key: "in/../../escape.txt", operation: "syncDown" })
    assert.strictEqual(refused?.relative, "../../escape.txt")
    await cli.close()
  })
})
