// The suite is s3po/testing's (src/internal/testing/prefixCopy.ts): users run the same one.
export * from "../../src/internal/testing/prefixCopy.js"
