import * as Effect from "effect/Effect"
import { streamingSuite } from "s3po/testing"
import { liveBackend } from "../utils/backends.js"

streamingSuite("streaming on S3PoLive", Effect.sync(() => liveBackend()))
