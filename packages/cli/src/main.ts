import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import { exitCodeOf, run } from "./Cli.js"
import { liveS3Layer } from "./internal/common.js"

Effect.suspend(() => run(process.argv)).pipe(
  Effect.provide([NodeContext.layer, liveS3Layer]),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCodeOf(exit)) })
)
