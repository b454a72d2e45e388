// The suite is s3po/testing's (src/internal/testing/presign.ts): users run the same one.
export * from "../../src/internal/testing/presign.js"
