// The suite is s3po/testing's (src/internal/testing/streamingBatches.ts): users run the same one.
export * from "../../src/internal/testing/streamingBatches.js"
