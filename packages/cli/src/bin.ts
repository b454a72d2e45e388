import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { run } from "./Cli.js"
import { liveS3Layer } from "./internal/common.js"

// The SDK's notice that its 2027 releases need Node 22 is for developers, not for a command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

Effect.suspend(() => run(process.argv)).pipe(
  Effect.provide([NodeContext.layer, liveS3Layer]),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
