// Bundles the command line into dist/: one file loads in a fraction of the time the modules of
// effect, @effect/cli and s3po take one by one. The AWS SDK and undici stay packages of their own,
// loaded (lazily, as s3po does) from node_modules.
import { build } from "esbuild"
import { rmSync } from "node:fs"
import * as path from "node:path"

const packageDir = path.join(import.meta.dirname, "..")
rmSync(path.join(packageDir, "dist"), { recursive: true, force: true })

await build({
  entryPoints: { s3po: path.join(packageDir, "src", "bin.ts") },
  outdir: path.join(packageDir, "dist"),
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  mainFields: ["module", "main"],
  // Bundled CommonJS (a few dependencies) asks for `require`.
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
