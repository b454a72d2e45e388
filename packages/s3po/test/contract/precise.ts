// The precise suite is s3po/testing's (src/internal/testing/precise.ts): users run the same one.
export { awsS3Support, cephRgwSupport, mockSupport, preciseSuite } from "../../src/internal/testing/precise.js"
export type { Capabilities } from "../../src/internal/testing/precise.js"
