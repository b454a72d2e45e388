/**
 * `ls --versions`, `cp --version-id`, `cat --version-id` and `rm --version-id` of the `s3po` binary
 * against a real server's versioned bucket (versioning turned on by the library, as the command
 * line has no command for it, as `aws s3` has none).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { layerLive, S3Po } from "s3po"
import { s3po, server } from "./binary.js"

const bucket = `s3po-cli-versions-${process.pid}-${Date.now().toString(36)}`
let root: string

const library = <A, E>(f: (s3: S3Po.Service) => Effect.Effect<A, E>) => {
  const s3 = server()
  return Effect.runPromise(
    Effect.flatMap(S3Po, f).pipe(Effect.provide(layerLive({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: Redacted.make(s3.secretAccessKey) }
    })))
  )
}

/** `ls --versions --json`, one record a line. */
const versions = async (target: string) => {
  const listed = await s3po("ls", "--versions", "--recursive", "--json", target)
  assert.strictEqual(listed.code, 0, listed.stderr)
  return listed.stdout.trim().split("\n").map((line) =>
    JSON.parse(line) as { key: string; versionId: string; isLatest: boolean; deleteMarker: boolean; size?: number }
  )
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-cli-versions-"))
  assert.strictEqual((await s3po("mb", `s3://${bucket}`)).code, 0)
  await library((s3) => s3.setBucketVersioning(bucket, "Enabled"))
})

afterAll(async () => {
  await library((s3) => s3.emptyBucket(bucket))
  await s3po("rb", `s3://${bucket}`)
  await fs.rm(root, { recursive: true, force: true })
})

describe("versions with the s3po binary on a real server", () => {
  it("ls --versions lists what each write and delete made; cp, cat and rm take a version id", async () => {
    const file = path.join(root, "notes.txt")
    await fs.writeFile(file, "first\n")
    assert.strictEqual((await s3po("cp", file, `s3://${bucket}/notes.txt`)).code, 0)
    await fs.writeFile(file, "second!\n")
    assert.strictEqual((await s3po("cp", file, `s3://${bucket}/notes.txt`)).code, 0)
    assert.strictEqual((await s3po("rm", `s3://${bucket}/notes.txt`)).code, 0)

    const listed = await versions(`s3://${bucket}/`)
    assert.deepStrictEqual(listed.map(({ deleteMarker, isLatest, size }) => ({ deleteMarker, isLatest, size })), [
      { deleteMarker: true, isLatest: true, size: undefined },
      { deleteMarker: false, isLatest: false, size: 8 },
      { deleteMarker: false, isLatest: false, size: 6 }
    ])
    const [marker, second, first] = listed.map((entry) => entry.versionId)
    const lines = (await s3po("ls", "--versions", `s3://${bucket}/`)).stdout.trim().split("\n")
    assert.deepStrictEqual(lines.map((line) => line.slice(20)), [
      ` (deleted) ${marker} latest     notes.txt`,
      `         8 ${second} noncurrent notes.txt`,
      `         6 ${first} noncurrent notes.txt`
    ])

    const down = path.join(root, "old.txt")
    const copied = await s3po("cp", `s3://${bucket}/notes.txt`, down, "--version-id", first!)
    assert.strictEqual(copied.code, 0, copied.stderr)
    assert.strictEqual(await fs.readFile(down, "utf8"), "first\n")
    const cat = await s3po("cat", `s3://${bucket}/notes.txt`, "--version-id", second!)
    assert.deepStrictEqual([cat.code, cat.stdout], [0, "second!\n"])
    assert.strictEqual(
      (await s3po("cp", `s3://${bucket}/notes.txt`, `s3://${bucket}/restored.txt`, "--version-id", first!)).code,
      0
    )
    assert.strictEqual(await library((s3) => s3.downloadString(bucket, "restored.txt")), "first\n")

    // Deleting the marker brings back the version before it; deleting a version removes it for good.
    assert.strictEqual((await s3po("rm", `s3://${bucket}/notes.txt`, "--version-id", marker!)).code, 0)
    assert.strictEqual((await s3po("cat", `s3://${bucket}/notes.txt`)).stdout, "second!\n")
    assert.strictEqual((await s3po("rm", `s3://${bucket}/notes.txt`, "--version-id", first!)).code, 0)
    assert.deepStrictEqual((await versions(`s3://${bucket}/notes`)).map((entry) => entry.versionId), [second])
  })
})
