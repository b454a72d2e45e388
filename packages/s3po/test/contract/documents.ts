// The suite is s3po/testing's (src/internal/testing/documents.ts): users run the same one.
export * from "../../src/internal/testing/documents.js"
