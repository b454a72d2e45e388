// Checks the packages as npm would publish them: packs s3po and @s3po/cli (their `prepack` builds
// dist/), installs the tarballs with npm into an empty project, and there checks that
//   - `import "s3po"` resolves as ES modules and runs a program on S3PoMock,
//   - importing it loads no module of the AWS SDK (nor undici), and building a live layer does,
//   - TypeScript (NodeNext) finds the types, and `s3po/internal/*` stays closed,
//   - the CLI's bin runs: `npx s3po --version` prints the package's version.
// Run by `pnpm test` (the CLI's test script); `--keep` leaves the project in place to look at.
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import process from "node:process"

const cliDir = path.join(import.meta.dirname, "..")
const libraryDir = path.join(cliDir, "..", "s3po")
const versionOf = (dir) => JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).version
const started = Date.now()
const project = mkdtempSync(path.join(os.tmpdir(), "s3po-pack-"))
const quietSdk = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }

const sh = (command, args, options = {}) => {
  try {
    return execFileSync(command, args, { cwd: project, encoding: "utf8", stdio: "pipe", env: quietSdk, ...options })
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
  }
}

const seconds = () => ((Date.now() - started) / 1000).toFixed(1)

const check = (ok, what) => {
  if (!ok) throw new Error(`pack check: ${what}`)
  process.stdout.write(`  ok: ${what} (${seconds()} s)\n`)
}

// The code run in the installed project: records every module resolved (the hooks run on a thread
// of their own and post each URL back) and every CommonJS module loaded.
const probe = `
import { createRequire, register } from "node:module"
import { MessageChannel } from "node:worker_threads"

const { port1, port2 } = new MessageChannel()
const resolved = []
port1.on("message", (url) => resolved.push(url))
const hooks = \`
let port
export async function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  port.postMessage(result.url)
  return result
}\`
register("data:text/javascript," + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] })
const settle = () => new Promise((resolve) => setTimeout(resolve, 200))
const loaded = async () => {
  await settle()
  return [...resolved, ...Object.keys(createRequire(import.meta.url).cache)]
}

const { S3Po, S3PoLive, S3PoMock } = await import("s3po")
const { Effect, Layer, Redacted } = await import("effect")
const roundTrip = Effect.gen(function*() {
  const s3 = yield* S3Po
  yield* s3.createBucket("bkt")
  yield* s3.upload("bkt", "hello.txt", "Hello there!")
  return yield* s3.downloadString("bkt", "hello.txt")
})
const text = await Effect.runPromise(Effect.provide(roundTrip, S3PoMock.layer()))
const onImport = await loaded()
const live = S3PoLive.layer({
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: { accessKeyId: "id", secretAccessKey: Redacted.make("secret") }
})
await Effect.runPromise(Effect.scoped(Layer.build(live)))
const onLiveLayer = await loaded()
port1.close()
process.stdout.write(JSON.stringify({ text, onImport, onLiveLayer }))
`

const typed = `
import * as Effect from "effect/Effect"
import { S3Po, S3PoMock, type S3PoError } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"
// @ts-expect-error: internals are not exported
import type * as Internal from "s3po/internal/core/layer"

const text: Effect.Effect<string, S3PoError, S3Po> = Effect.flatMap(S3Po, (s3) => s3.downloadString("bkt", "key"))
export const onMock: Effect.Effect<string, unknown> = Effect.provide(text, S3PoMock.layer())
export const options: S3PoLive.Options = { region: "eu-west-1", requestTimeout: "30 seconds" }
export type Closed = typeof Internal
`

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: false,
    types: ["node"]
  },
  files: ["typed.ts"]
}

try {
  process.stdout.write(`pack check in ${project}\n`)
  sh("pnpm", ["pack", "--pack-destination", project], { cwd: libraryDir })
  sh("pnpm", ["pack", "--pack-destination", project], { cwd: cliDir })
  const tarballs = readdirSync(project).filter((file) => file.endsWith(".tgz"))
  check(tarballs.length === 2, `packed ${tarballs.join(", ")}`)

  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "pack-check", private: true, type: "module" })
  )
  sh("npm", [
    "install",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--loglevel=error",
    ...tarballs.map((file) => `./${file}`),
    "@types/node@20"
  ])

  for (const name of ["s3po", "@s3po/cli"]) {
    const installed = path.join(project, "node_modules", name)
    check(
      ["LICENSE", "README.md"].every((file) => existsSync(path.join(installed, file))),
      `${name} ships its LICENSE and README.md`
    )
  }

  writeFileSync(path.join(project, "probe.mjs"), probe)
  const { onImport, onLiveLayer, text } = JSON.parse(sh(process.execPath, ["probe.mjs"]))
  check(text === "Hello there!", "import \"s3po\" resolves (ESM) and runs a program on S3PoMock")
  check(onImport.some((url) => url.includes("/node_modules/s3po/dist/")), "s3po is loaded from the tarball's dist/")
  const sdk = (modules) => modules.filter((module) => /@aws-sdk|@smithy|undici/.test(module))
  check(sdk(onImport).length === 0, `import "s3po" loads no module of the AWS SDK ${sdk(onImport).slice(0, 3)}`)
  check(sdk(onLiveLayer).length > 0, "building S3PoLive.layer loads the AWS SDK")

  writeFileSync(path.join(project, "typed.ts"), typed)
  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(tsconfig))
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  sh(process.execPath, [tsc, "-p", "tsconfig.json"])
  check(true, "types resolve (tsc, NodeNext) and s3po/internal/* is closed")

  const printed = sh("npx", ["--no-install", "s3po", "--version"]).trim()
  check(printed === versionOf(cliDir), `npx s3po --version prints ${printed}`)
  process.stdout.write(`pack check passed in ${seconds()} s\n`)
} finally {
  if (!process.argv.includes("--keep")) rmSync(project, { recursive: true, force: true })
}
