import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3PoMock, type Sync } from "s3po"
import { exitCodeOf, run, S3Layer } from "../../src/Cli.js"
import { oneFileProgress } from "../../src/internal/fileProgress.js"
import { limitsOf, parseBandwidth } from "../../src/internal/limits.js"
import type { Output } from "../../src/internal/output.js"
import { tempDir } from "./harness.js"

const MiB = 1024 * 1024

describe("--bwlimit, as rclone reads it", () => {
  it("is bytes a second with 1024-based suffixes, a bare number in KiB/s", () => {
    assert.deepStrictEqual(
      ["10M", "10m", "10Mi", "10MiB", "1.5G", "512", "512K", "100B", "1T", "off", "0", "0M"].map(parseBandwidth),
      [
        10 * MiB,
        10 * MiB,
        10 * MiB,
        10 * MiB,
        1.5 * 1024 * MiB,
        512 * 1024,
        512 * 1024,
        100,
        1024 * 1024 * MiB,
        undefined,
        undefined,
        undefined
      ]
    )
  })

  it("refuses what it cannot read, and rclone's up:down and timetable forms", () => {
    for (const text of ["fast", "10X", "-1M", "10M:1M", "08:00,512K", ""]) {
      const parsed = parseBandwidth(text)
      assert.isTrue(typeof parsed === "object", text)
    }
  })
})

describe("--tpslimit", () => {
  it("spaces requests evenly: 4 a second is one every 250 ms; 0 is none", () => {
    const limits = limitsOf({ bwlimit: Option.none(), tpslimit: Option.some(4) })
    assert.isFalse("problem" in limits)
    if (!("problem" in limits)) {
      assert.strictEqual(limits.rateLimit?.limit, 1)
      assert.strictEqual(Duration.toMillis(Duration.decode(limits.rateLimit!.interval!)), 250)
    }
    const none = limitsOf({ bwlimit: Option.none(), tpslimit: Option.some(0) })
    assert.deepStrictEqual(none, {})
  })
})

/**
 * The command line over a mock whose layer is built, for each command, from the limits the flags
 * asked for, as `liveS3Layer` builds the live one: what each command asked for is kept.
 */
const makeLimitedCli = async () => {
  const asked: Array<unknown> = []
  const seed = { bkt: { "big.bin": new Uint8Array(3 * MiB).fill(7), "a.txt": "a", "b.txt": "b", "c.txt": "c" } }
  let control: S3PoMock.Control.Service | undefined
  const s3Layer = Layer.succeed(S3Layer, (options) => {
    asked.push(options.limits)
    return Layer.tap(S3PoMock.layer({ seed, ...options.limits }), (context) =>
      Effect.sync(() => {
        control = Context.get(context, S3PoMock.Control)
      }))
  })
  const s3po = (...args: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const stderr: Array<string> = []
      const console = yield* Effect.console
      const started = Date.now()
      const exit = yield* run(["node", "s3po", ...args]).pipe(
        Effect.provide([NodeContext.layer, s3Layer]),
        Effect.withConsole({
          ...console,
          log: () => Effect.void,
          error: (...text: ReadonlyArray<unknown>) => Effect.sync(() => stderr.push(text.join(" ")))
        }),
        Effect.exit
      )
      return { code: exitCodeOf(exit), stderr, millis: Date.now() - started }
    }).pipe(Effect.runPromise)
  return { s3po, asked, calls: () => Effect.runPromise(control!.calls) }
}

describe("the limits reach the library's layer", () => {
  it("cp --bwlimit 1M takes the layer's bandwidth limit: 3 MiB come down in 2 seconds at least", async () => {
    const cli = await makeLimitedCli()
    const dir = await tempDir()
    const result = await cli.s3po("cp", "s3://bkt/big.bin", path.join(dir, "big.bin"), "--bwlimit", "1M")
    assert.strictEqual(result.code, 0, result.stderr.join("\n"))
    assert.deepStrictEqual(cli.asked, [{ bandwidthLimit: { bytesPerSecond: MiB } }])
    // One second's worth goes at once, the other 2 MiB at 1 MiB/s; a little less for timer slack.
    assert.isAtLeast(result.millis, 1900)
    assert.strictEqual((await fs.stat(path.join(dir, "big.bin"))).size, 3 * MiB)
  })

  it("sync --tpslimit 20 starts its requests at least 50 ms apart", async () => {
    const cli = await makeLimitedCli()
    const dir = await tempDir()
    const result = await cli.s3po("sync", "s3://bkt/", dir, "--exclude", "big.bin", "--tpslimit", "20")
    assert.strictEqual(result.code, 0, result.stderr.join("\n"))
    const starts = (await cli.calls()).map((call) => call.startedAt)
    assert.isAtLeast(starts.length, 4)
    const gaps = starts.slice(1).map((start, index) => start - starts[index]!)
    // Timers may fire a millisecond or two early on a busy machine, never tens.
    assert.isTrue(gaps.every((gap) => gap >= 45), `gaps ${gaps.join(", ")}`)
  })

  it("a --bwlimit it cannot read is a usage error (exit 2), before any request", async () => {
    const cli = await makeLimitedCli()
    const result = await cli.s3po("ls", "s3://bkt/", "--bwlimit", "10M:1M")
    assert.strictEqual(result.code, 2)
    assert.match(result.stderr.join("\n"), /--bwlimit takes one limit/)
    assert.deepStrictEqual(cli.asked, [])
  })
})

describe("one file's progress", () => {
  it("moves the bar by the bytes the library reports, the file done at its size", async () => {
    const seen: Array<Sync.SyncProgress> = []
    const output = {
      progress: (progress: Sync.SyncProgress) => Effect.sync(() => void seen.push(progress))
    } as Partial<Output> as Output
    const report = oneFileProgress(output)
    for (const bytes of [MiB, 2 * MiB, 3 * MiB]) await Effect.runPromise(report({ bytes, totalBytes: 3 * MiB }))
    assert.deepStrictEqual(
      seen.map(({ bytesDone, bytesTotal, filesDone, filesTotal }) => [bytesDone, bytesTotal, filesDone, filesTotal]),
      [[MiB, 3 * MiB, 0, 1], [2 * MiB, 3 * MiB, 0, 1], [3 * MiB, 3 * MiB, 1, 1]]
    )
  })
})
