// The suite is s3po/testing's (src/internal/testing/buckets.ts): users run the same one.
export * from "../../src/internal/testing/buckets.js"
