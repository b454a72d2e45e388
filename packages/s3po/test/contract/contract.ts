// The core suite is s3po/testing's (src/internal/testing/contract.ts): users run the same one.
export { coreSuite as contractSuite } from "../../src/internal/testing/contract.js"
