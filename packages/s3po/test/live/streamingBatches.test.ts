import { streamingBatchesSuite } from "../contract/streamingBatches.js"
import { liveLayer } from "../utils/live.js"

streamingBatchesSuite("S3PoLive streaming batches", liveLayer())
