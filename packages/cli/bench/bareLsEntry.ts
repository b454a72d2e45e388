// Runs the bare listing's bundle with the code cache, as src/bin.ts runs the command line's.
import { fileURLToPath } from "node:url"
import { runWithCodeCache } from "../src/codeCache.js"

/** The build of bareLs.cjs, set by scripts/buildBareLs.mjs. */
declare const S3PO_MAIN_ID: string

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"
runWithCodeCache(fileURLToPath(new URL("bareLs.cjs", import.meta.url)), S3PO_MAIN_ID)
