import { assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { promisify } from "node:util"
import { layerMock, MockFault, S3Po } from "s3po"
import { exitCodeOf } from "../../src/Cli.js"
import { makeCli, tempDir } from "./harness.js"

const seeded = (objects: Record<string, string>) => makeCli(layerMock({ seed: { bkt: objects, empty: {} } }))

/** Each run's exit code, with what it printed when it is not the one expected. */
const expectCode = async (
  cli: Pick<Awaited<ReturnType<typeof makeCli>>, "s3po">,
  code: number,
  ...args: ReadonlyArray<string>
) => {
  const result = await cli.s3po(...args)
  assert.strictEqual(result.code, code, `s3po ${args.join(" ")}: ${[...result.stdout, ...result.stderr].join("\n")}`)
  return result
}

describe("exit codes: 0 success, 1 an S3 or transfer failure, 2 a usage error, never one for both", () => {
  it("0: a command done, --help, --version, an ls of an empty bucket", async () => {
    const cli = await seeded({ "in/a.txt": "a" })
    await expectCode(cli, 0, "ls", "s3://bkt/in/")
    await expectCode(cli, 0, "ls", "s3://bkt", "--recursive")
    assert.deepStrictEqual((await expectCode(cli, 0, "ls", "s3://empty")).stdout, [])
    assert.deepStrictEqual((await expectCode(cli, 0, "ls", "s3://empty/", "--recursive")).stdout, [])
    await expectCode(cli, 0, "rm", "s3://bkt/nothing/", "--recursive")
    const help = await expectCode(cli, 0, "--help")
    assert.include(help.stdout.join("\n"), "EXIT CODES")
    await expectCode(cli, 0, "cp", "--help")
    await expectCode(cli, 0, "--version")
    await cli.close()
  })

  it("1: an ls of a prefix that holds nothing, as aws's, printing nothing", async () => {
    const cli = await seeded({ "in/a.txt": "a" })
    for (const args of [["s3://bkt/nothing"], ["s3://bkt/nothing/"], ["s3://bkt/nothing", "--recursive"]]) {
      const listed = await expectCode(cli, 1, "ls", ...args)
      assert.deepStrictEqual([listed.stdout, listed.stderr], [[], []])
    }
    assert.deepStrictEqual((await expectCode(cli, 1, "ls", "s3://bkt/nothing", "--json")).stdout, [])
    await cli.close()
  })

  it("1: S3 refused, a key or file is missing, any file of a transfer failed", async () => {
    const cli = await makeCli(layerMock({
      seed: { bkt: { "src/a": "1", "src/b": "2", "../escape.txt": "x" } },
      faults: [{ operation: "CopyObject", key: "dst/b", fault: MockFault.accessDenied }]
    }))
    const root = await tempDir()
    const missing = await expectCode(cli, 1, "ls", "s3://no-such-bucket/")
    assert.match(missing.stderr[0]!, /^s3po: .*no-such-bucket/)
    await expectCode(cli, 1, "cp", "s3://bkt/missing", path.join(root, "x"))
    await expectCode(cli, 1, "cp", path.join(root, "no-such-file"), "s3://bkt/x")
    await expectCode(cli, 1, "cp", "s3://bkt/src", "s3://bkt/dst", "--recursive")
    await expectCode(cli, 1, "sync", "s3://bkt", path.join(root, "down"))
    await expectCode(cli, 1, "rb", "s3://bkt")
    await cli.close()
  })

  it("1: an rm --recursive of which S3 refused one object", async () => {
    const refusingOne = Layer.effect(
      S3Po,
      Effect.map(S3Po, (s3): S3Po.Service => ({
        ...s3,
        deleteManyStream: (bucket, keys) =>
          Stream.map(s3.deleteManyStream(bucket, keys), (result) =>
            result.key === "p/b"
              ? { key: result.key, deleted: false, code: "AccessDenied", message: "Access Denied" }
              : result)
      }))
    ).pipe(Layer.provideMerge(layerMock({ seed: { bkt: { "p/a": "1", "p/b": "2", "p/c": "3" } } })))
    const cli = await makeCli(refusingOne)
    const removed = await expectCode(cli, 1, "rm", "s3://bkt/p", "--recursive")
    assert.deepStrictEqual(removed.stdout, ["delete: s3://bkt/p/a", "delete: s3://bkt/p/c"])
    assert.deepStrictEqual(removed.stderr, [
      "delete failed: s3://bkt/p/b: Access Denied (AccessDenied)",
      "s3po: 1 of 3 failed"
    ])
    await cli.close()
  })

  it("2: an unknown command or flag, a missing or bad argument; nothing is done", async () => {
    const cli = await seeded({ "in/a.txt": "a" })
    const root = await tempDir()
    await fs.writeFile(path.join(root, "f"), "f")
    for (
      const args of [
        [],
        ["lss"],
        ["ls", "--bogus"],
        ["ls", "-z"],
        ["ls", "s3://bkt", "--bogus"],
        ["cp", "--bogus", "s3://bkt/in/a.txt", path.join(root, "g")],
        ["--bogus"],
        ["cp"],
        ["cp", "s3://bkt/in/a.txt"],
        ["rm"],
        ["ls", "s3://bkt", "--concurrency", "many"],
        ["presign", "s3://bkt/in/a.txt", "--expires", "soon"],
        ["presign", path.join(root, "f")],
        ["cp", path.join(root, "f"), path.join(root, "g")],
        ["cp", path.join(root, "f"), path.join(root, "g"), "--recursive"],
        ["sync", path.join(root, "f"), path.join(root, "g")],
        ["ls", "s3:///in"],
        ["mb", "s3://Not_A_Bucket"],
        ["rm", "s3://bkt/"]
      ]
    ) {
      const result = await expectCode(cli, 2, ...args)
      assert.isAbove(result.stderr.length, 0, `s3po ${args.join(" ")} says why on stderr`)
    }
    assert.deepStrictEqual(await fs.readdir(root), ["f"])
    assert.isTrue(await cli.s3((s3) => s3.exists("bkt", "in/a.txt")))
    assert.isFalse(await cli.s3((s3) => s3.bucketExists("Not_A_Bucket")))
    await cli.close()
  })

  it("130 when interrupted (Ctrl-C); a failure that is no command's own is 1", () => {
    assert.strictEqual(exitCodeOf(Exit.interrupt(FiberId.none)), 130)
    assert.strictEqual(exitCodeOf(Exit.die(new Error("bug"))), 1)
    assert.strictEqual(exitCodeOf(Exit.fail({ message: "?" })), 1)
    assert.strictEqual(exitCodeOf(Exit.void), 0)
  })
})

describe("the bundled binary exits with them", () => {
  const packageDir = path.join(import.meta.dirname, "..", "..")
  const binary = async (...args: ReadonlyArray<string>) => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: packageDir,
      // Nothing listens on port 9: every request fails at once.
      S3PO_ENDPOINT: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "none",
      AWS_SECRET_ACCESS_KEY: "none",
      AWS_REGION: "us-east-1"
    }
    return promisify(execFile)(process.execPath, [path.join(packageDir, "bin", "s3po.js"), ...args], { env }).then(
      () => 0,
      (error: { code: number }) => error.code
    )
  }

  beforeAll(async () => {
    // Builds the bundle when it is out of date (nothing to do under `pnpm test`, which built it).
    await promisify(execFile)(process.execPath, [path.join(packageDir, "scripts", "build.mjs")])
  }, 120_000)

  it("0, 1 and 2 from the process", async () => {
    assert.deepStrictEqual(
      await Promise.all([
        binary("--help"),
        binary("--version"),
        binary("ls", "s3://bkt/"),
        binary(),
        binary("lss"),
        binary("ls", "--bogus"),
        binary("presign", "s3://bkt/k", "--expires", "soon")
      ]),
      [0, 0, 1, 2, 2, 2, 2]
    )
  })
})
