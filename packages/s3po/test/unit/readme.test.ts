import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.join(import.meta.dirname, "..", "..", "..", "..")
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

describe("README", () => {
  // The README shows these test files whole; this keeps what it shows the code that runs.
  for (const example of ["retryOnThrottling.test.ts", "cleanupAfterFailedUpload.test.ts"]) {
    it(`shows examples/testing/${example} as it is`, () => {
      const source = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "examples", "testing", example), "utf8")
      assert.include(readme, "```ts\n" + source + "```")
    })
  }
})
