import { contractSuite } from "../contract/contract.js"
import { liveLayer } from "../utils/live.js"

contractSuite("S3PoLive", liveLayer())
