import { NodeContext } from "@effect/platform-node"
import { afterEach, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { randomBytes } from "node:crypto"
import { PassThrough, Readable, Writable } from "node:stream"
import { Fault, layerMock, S3Po, S3PoMockControl } from "s3po"
import { run, S3Layer } from "../../src/Cli.js"
import { partSizeFor, StandardStreams } from "../../src/internal/stream.js"

const MiB = 1024 * 1024

/** The commands in this process on one mock store, with `-` read from and written to the streams given. */
const makeStreamingCli = (store: ReturnType<typeof layerMock> = layerMock({ seed: { bkt: {} } })) => {
  const runtime = ManagedRuntime.make(store)
  const s3po = async (
    streams: { readonly stdin?: Readable; readonly stdout?: Writable },
    ...args: ReadonlyArray<string>
  ) => {
    const context = await runtime.runtime()
    const stderr: Array<string> = []
    const stdoutLines: Array<string> = []
    const s3Layer = Layer.succeed(S3Layer, () => Layer.succeedContext(context.context))
    const exit = await Effect.runPromise(Effect.gen(function*() {
      const console = yield* Effect.console
      return yield* run(["node", "s3po", ...args]).pipe(
        Effect.provide([NodeContext.layer, s3Layer]),
        Effect.provideService(StandardStreams, {
          stdin: streams.stdin ?? Readable.from([]),
          stdout: streams.stdout ?? new PassThrough()
        }),
        Effect.withConsole({
          ...console,
          log: (...text: ReadonlyArray<unknown>) => Effect.sync(() => stdoutLines.push(text.join(" "))),
          error: (...text: ReadonlyArray<unknown>) => Effect.sync(() => stderr.push(text.join(" ")))
        }),
        Effect.exit
      )
    }))
    return { ok: Exit.isSuccess(exit), stderr, lines: stdoutLines }
  }
  const s3 = <A, E>(f: (s3: S3Po.Service) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(S3Po, f))
  const control = <A, E>(f: (control: S3PoMockControl.Service) => Effect.Effect<A, E>) =>
    runtime.runPromise(Effect.flatMap(S3PoMockControl, f))
  return { s3po, s3, control, close: () => runtime.dispose() }
}

/** A stdout that keeps what it is given, taking each write only after `delay` ms (a slow reader). */
const collector = (delay = 0) => {
  const chunks: Array<Buffer> = []
  let writes = 0
  const stream = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      writes++
      chunks.push(chunk)
      if (delay === 0) done()
      else setTimeout(done, delay)
    }
  })
  return { stream, bytes: () => Buffer.concat(chunks), writes: () => writes }
}

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of cleanup) await close()
  cleanup = []
})

const cli = (store?: ReturnType<typeof layerMock>) => {
  const made = makeStreamingCli(store)
  cleanup.push(made.close)
  return made
}

describe("cat and cp s3://bucket/key -", () => {
  it("write a multipart-sized object to stdout, byte for byte, and nothing else", async () => {
    const { s3, s3po } = cli()
    const body = randomBytes(20 * MiB + 123)
    await s3((s3) => s3.upload("bkt", "big.bin", body, { partSize: 5 * MiB }))
    for (const args of [["cat", "s3://bkt/big.bin"], ["cp", "s3://bkt/big.bin", "-"]]) {
      const out = collector()
      const result = await s3po({ stdout: out.stream }, ...args)
      assert.isTrue(result.ok, result.stderr.join("\n"))
      assert.deepStrictEqual(result.lines, [])
      assert.isTrue(out.bytes().equals(body), `${args[0]}: the bytes differ`)
    }
  })

  it("--version-id writes that version, multipart-sized too, not the latest", async () => {
    const { s3, s3po } = cli()
    const old = randomBytes(12 * MiB + 7)
    const versionId = await s3((s3) =>
      Effect.gen(function*() {
        yield* s3.setBucketVersioning("bkt", "Enabled")
        const written = yield* s3.upload("bkt", "v.bin", old, { partSize: 5 * MiB })
        yield* s3.upload("bkt", "v.bin", "latest")
        return written.versionId!
      })
    )
    for (const args of [["cat", "s3://bkt/v.bin"], ["cp", "s3://bkt/v.bin", "-"]]) {
      const out = collector()
      const result = await s3po({ stdout: out.stream }, ...args, "--version-id", versionId)
      assert.isTrue(result.ok, result.stderr.join("\n"))
      assert.isTrue(out.bytes().equals(old), `${args[0]}: not the version asked for`)
    }
  })

  it("a reader that does not take the bytes holds the command back: nothing is gathered elsewhere", async () => {
    const { s3, s3po } = cli()
    const body = randomBytes(20 * MiB)
    await s3((s3) => s3.upload("bkt", "big.bin", body))
    const chunks: Array<Buffer> = []
    let release: (() => void) | undefined
    const stalled = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk)
        if (chunks.length === 1) release = done
        else done()
      }
    })
    let finished = false
    const running = s3po({ stdout: stalled }, "cat", "s3://bkt/big.bin").then((result) => {
      finished = true
      return result
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    // (The mock answers in one chunk; the live test sees RGW's bytes arrive in many.)
    assert.strictEqual(chunks.length, 1)
    assert.isFalse(finished)
    release!()
    const result = await running
    assert.isTrue(result.ok, result.stderr.join("\n"))
    assert.isTrue(Buffer.concat(chunks).equals(body))
  })

  it("a reader that goes away (| head -c 10) ends the command quietly, and successfully", async () => {
    const { s3, s3po } = cli()
    await s3((s3) => s3.upload("bkt", "big.bin", randomBytes(24 * MiB)))
    let taken = 0
    const head = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        taken += chunk.length
        if (taken < 10) return done()
        const broken = Object.assign(new Error("write EPIPE"), { code: "EPIPE" })
        done(broken)
      }
    })
    const result = await s3po({ stdout: head }, "cat", "s3://bkt/big.bin")
    assert.isTrue(result.ok, result.stderr.join("\n"))
    assert.deepStrictEqual(result.stderr, [])
  })

  it("a corrupted body fails the command, its last bytes held back", async () => {
    const { s3, s3po } = cli(layerMock({
      seed: { bkt: {} },
      faults: [{ operation: "GetObject", fault: Fault.corruptedBody(), times: 10 }]
    }))
    const body = randomBytes(3 * MiB)
    await s3((s3) => s3.upload("bkt", "x.bin", body))
    const out = collector()
    const result = await s3po({ stdout: out.stream }, "cat", "s3://bkt/x.bin")
    assert.isFalse(result.ok)
    assert.match(result.stderr.join("\n"), /^s3po: downloadStream: the bytes of s3:\/\/bkt\/x\.bin/)
    assert.isBelow(out.bytes().length, body.length)
  })

  it("a missing key fails with 1 line on stderr; a location that is no object is a usage error", async () => {
    const { s3po } = cli()
    const missing = await s3po({}, "cat", "s3://bkt/none")
    assert.isFalse(missing.ok)
    assert.strictEqual(missing.stderr.length, 1)
    assert.match(missing.stderr[0]!, /no such key/i)
    for (
      const args of [["cat", "s3://bkt"], ["cat", "local.txt"], ["cp", "local.txt", "-"], ["mv", "s3://bkt/a", "-"]]
    ) {
      const refused = await s3po({}, ...args)
      assert.isFalse(refused.ok, args.join(" "))
    }
  })
})

describe("cp - s3://bucket/key", () => {
  it("uploads stdin of unknown length: one PUT when small, multipart parts when large", async () => {
    const { control, s3, s3po } = cli()
    const small = await s3po(
      { stdin: Readable.from([Buffer.from("hello "), Buffer.from("world")]) },
      "cp",
      "-",
      "s3://bkt/s.txt"
    )
    assert.isTrue(small.ok, small.stderr.join("\n"))
    assert.deepStrictEqual(small.lines, [])
    assert.strictEqual(await s3((s3) => s3.downloadString("bkt", "s.txt")), "hello world")
    const body = randomBytes(19 * MiB)
    const chunks = Array.from({ length: 19 }, (_, index) => body.subarray(index * MiB, (index + 1) * MiB))
    await control((control) => control.clearCalls)
    const large = await s3po({ stdin: Readable.from(chunks) }, "cp", "--json", "-", "s3://bkt/l.bin")
    assert.isTrue(large.ok, large.stderr.join("\n"))
    assert.deepStrictEqual(JSON.parse(large.lines[0]!).size, body.length)
    const downloaded = await s3((s3) => s3.download("bkt", "l.bin"))
    assert.isTrue(Buffer.from(downloaded).equals(body))
    const parts = (await control((control) => control.calls)).filter((call) => call.operation === "UploadPart")
    // The library's 8 MiB parts: 8 + 8 + 3.
    assert.strictEqual(parts.length, 3)
  })

  it("--expected-size makes parts large enough for the stream to fit in 10,000", async () => {
    assert.strictEqual(partSizeFor(undefined), 8 * MiB)
    assert.strictEqual(partSizeFor(50 * MiB), 8 * MiB)
    // 200 GB in 10,000 parts: 20 MB each, rounded up to whole MiB.
    assert.strictEqual(partSizeFor(200_000_000_000), 20 * MiB)
    assert.strictEqual(partSizeFor(5 * 1024 * 1024 * MiB), 525 * MiB)
    assert.notStrictEqual(typeof partSizeFor(5 * 1024 * 1024 * MiB + 1), "number")
    assert.notStrictEqual(typeof partSizeFor(-1), "number")
    const { control, s3po } = cli()
    const body = randomBytes(24 * MiB)
    await control((control) => control.clearCalls)
    const result = await s3po(
      { stdin: Readable.from([body]) },
      "cp",
      "--expected-size",
      String(200 * 1000 * 1000 * 1000),
      "-",
      "s3://bkt/sized.bin"
    )
    assert.isTrue(result.ok, result.stderr.join("\n"))
    const parts = (await control((control) => control.calls)).filter((call) => call.operation === "UploadPart")
    assert.strictEqual(parts.length, 2)
    const refused = await s3po({ stdin: Readable.from([body]) }, "cp", "--expected-size", "-3", "-", "s3://bkt/x")
    assert.isFalse(refused.ok)
  })

  it("nothing is left pending when stdin breaks or S3 refuses a part", async () => {
    const { control, s3, s3po } = cli(layerMock({
      seed: { bkt: {} },
      faults: [{ operation: "UploadPart", key: "refused.bin", fault: Fault.accessDenied() }]
    }))
    // Stdin fails after two parts' worth of bytes.
    async function* breaking() {
      yield randomBytes(9 * MiB)
      yield randomBytes(9 * MiB)
      throw new Error("stdin went away")
    }
    const broken = await s3po({ stdin: Readable.from(breaking()) }, "cp", "-", "s3://bkt/broken.bin")
    assert.isFalse(broken.ok)
    assert.match(broken.stderr.join("\n"), /stdin went away/)
    const refused = await s3po({ stdin: Readable.from([randomBytes(20 * MiB)]) }, "cp", "-", "s3://bkt/refused.bin")
    assert.isFalse(refused.ok)
    const calls = (await control((control) => control.calls)).map((call) => call.operation)
    assert.isAtLeast(calls.filter((operation) => operation === "CreateMultipartUpload").length, 2)
    assert.isAtLeast(calls.filter((operation) => operation === "AbortMultipartUpload").length, 2)
    assert.deepStrictEqual(await control((control) => control.pendingUploads), [])
    assert.isFalse(await s3((s3) => s3.exists("bkt", "broken.bin")))
    assert.isFalse(await s3((s3) => s3.exists("bkt", "refused.bin")))
  })
})
