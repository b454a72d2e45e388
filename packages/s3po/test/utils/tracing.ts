// The recording tracer is s3po/testing's (its contract suite checks spans with it).
export { recordingTracer } from "../../src/internal/testing/fixtures.js"
