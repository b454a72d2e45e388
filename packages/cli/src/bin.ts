// The entry point, kept small: it loads nothing but Node's own modules before it knows what to run.
// `s3po --version`, `--help` and `-h` print what the command line printed for them when the build
// ran it (answers.json), without loading it: `@effect/cli`, effect and s3po take most of a start-up
// to compile, and rendering the help most of the rest. Anything else runs main.cjs with the code
// cache of earlier runs (codeCache.ts): a run then compiles only what earlier runs did not.
import type * as Fs from "node:fs"
import module from "node:module"
import { fileURLToPath } from "node:url"
import type * as V8 from "node:v8"
import { runWithCodeCache } from "./codeCache.js"

// By `require`: an ES module's `import` of node:fs loads fs's streams, and Node's streams with them.
const nodeRequire = module.createRequire(import.meta.url)
const { readFileSync }: typeof Fs = nodeRequire("node:fs")

/** The build of main.cjs, set by the build (scripts/build.mjs). */
declare const S3PO_MAIN_ID: string

/** What the build's run of the command line printed for `args`, when it is one of the flags it ran. */
const answerTo = (args: ReadonlyArray<string>): string | undefined => {
  if (args.length !== 1 || !args[0]!.startsWith("-")) return undefined
  try {
    const answers: Record<string, unknown> = JSON.parse(readFileSync(new URL("answers.json", import.meta.url), "utf8"))
    const answer = Object.hasOwn(answers, args[0]!) ? answers[args[0]!] : undefined
    return typeof answer === "string" ? answer : undefined
  } catch {
    return undefined
  }
}

/** The commands that may move or delete many objects in one run: `sync`, and `cp`, `mv` and `rm` with `--recursive`. */
const manyObjects = new Set(["sync", "cp", "mv", "rm"])

/**
 * V8 lets the old generation grow up to 4× what survived the last full collection before the next:
 * a sync's garbage took a 100,000-file run to 185-210 MiB. Twice holds it near 150 MiB, for about
 * the same CPU (1.5× saves up to 10 MiB more for 1.5-5× the time collecting). Only for the commands
 * that need it: with a V8 flag set at run time, Node compiles each of its own modules loaded after
 * (https, tls, crypto, ...) without the code it has cached for them, 10 ms of an `ls` on Node 20
 * and 35 ms on Node 24. The flags' name: V8 rejects a code cache made under other flags.
 */
const heapFlags = (args: ReadonlyArray<string>): string => {
  const command = args.find((arg) => !arg.startsWith("-"))
  if (command === undefined || !manyObjects.has(command)) return ""
  const v8: typeof V8 = nodeRequire("node:v8")
  v8.setFlagsFromString("--heap-growing-percent=100")
  return "-heap100"
}

const answer = answerTo(process.argv.slice(2))
if (answer !== undefined) {
  process.stdout.write(answer)
} else {
  const flags = heapFlags(process.argv.slice(2))
  // The SDK's notice that its 2027 releases need Node 22 is for developers, not for a command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
  runWithCodeCache(fileURLToPath(new URL("main.cjs", import.meta.url)), `${S3PO_MAIN_ID}${flags}`)
}
