import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import { exitCodeOf, run } from "./Cli.js"
import { liveS3Layer } from "./internal/common.js"

// What the commands and `@effect/cli` use of the platform: not all of `NodeContext`, whose command
// executor and workers would load `child_process` and `worker_threads` for nothing.
Effect.suspend(() => run(process.argv)).pipe(
  Effect.provide([NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, liveS3Layer]),
  NodeRuntime.runMain({ disableErrorReporting: true, teardown: (exit, onExit) => onExit(exitCodeOf(exit)) })
)
