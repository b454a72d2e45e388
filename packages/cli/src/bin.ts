// The entry point, kept small: it loads nothing but Node's own modules before it knows what to run.
// `s3po --version` and `s3po --help` print what the command line would (the help as the build
// rendered it, in help.txt) without loading it: `@effect/cli`, effect and s3po take most of a
// start-up to compile and rendering the help most of the rest. Anything else loads main.js after
// turning on Node's compile cache where Node has one (22.1 and later): a run then compiles only
// what earlier runs did not.
import { readFileSync } from "node:fs"
import module from "node:module"
import packageJson from "../package.json" with { type: "json" }

const { enableCompileCache } = module as { enableCompileCache?: () => unknown }

const renderedHelp = (): string | undefined => {
  try {
    return readFileSync(new URL("help.txt", import.meta.url), "utf8")
  } catch {
    return undefined
  }
}

const [only, ...rest] = process.argv.slice(2)
const help = rest.length === 0 && (only === "--help" || only === "-h") ? renderedHelp() : undefined
if (rest.length === 0 && only === "--version") {
  process.stdout.write(`${packageJson.version}\n`)
} else if (help !== undefined) {
  process.stdout.write(help)
} else {
  enableCompileCache?.()
  // The SDK's notice that its 2027 releases need Node 22 is for developers, not for a command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
  await import("./main.js")
}
