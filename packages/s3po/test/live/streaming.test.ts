import { streamingSuite } from "../contract/streaming.js"
import { liveBackend } from "../utils/backends.js"

streamingSuite("streaming on S3PoLive", () => liveBackend())
