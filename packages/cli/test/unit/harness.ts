import { NodeContext } from "@effect/platform-node"
import { afterEach, beforeEach } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { S3Po, S3PoMock } from "s3po"
import { exitCodeOf, run, S3Layer } from "../../src/Cli.js"

/**
 * The commands run in this process, each on one mock store for the whole test, as one server would
 * be: `s3po(...args)` gives what it printed, whether it succeeded and the exit code the binary
 * would exit with; `s3` and `mock` reach the store directly.
 */
export const makeCli = async <R = never>(store: Layer.Layer<S3Po | R, unknown> = S3PoMock as Layer.Layer<S3Po | R>) => {
  const runtime = ManagedRuntime.make(store)
  const context = await runtime.runtime()
  const s3Layer = Layer.succeed(S3Layer, () => Layer.succeedContext(context.context))
  const s3po = (...args: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const stdout: Array<string> = []
      const stderr: Array<string> = []
      const console = yield* Effect.console
      const exit = yield* run(["node", "s3po", ...args]).pipe(
        Effect.provide([NodeContext.layer, s3Layer]),
        Effect.withConsole({
          ...console,
          log: (...text: ReadonlyArray<unknown>) => Effect.sync(() => stdout.push(text.join(" "))),
          error: (...text: ReadonlyArray<unknown>) => Effect.sync(() => stderr.push(text.join(" ")))
        }),
        Effect.exit
      )
      return { ok: Exit.isSuccess(exit), code: exitCodeOf(exit), stdout, stderr }
    }).pipe(Effect.runPromise)
  const s3 = <A, E>(f: (s3: S3Po.Service) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(S3Po, f))
  const mock = <A, E>(effect: Effect.Effect<A, E, S3Po | R>) => runtime.runPromise(effect)
  return { s3po, s3, mock, close: () => runtime.dispose() }
}

export const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), "s3po-cli-"))

/**
 * Runs each test of the file in a fresh temporary directory, the working directory during the test
 * (transfer lines show local paths relative to it); `here()` is that directory.
 */
export const inTempWorkingDir = () => {
  const workingDir = process.cwd()
  let here = ""
  beforeEach(async () => {
    here = await tempDir()
    process.chdir(here)
  })
  afterEach(() => process.chdir(workingDir))
  return () => here
}
