import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.join(import.meta.dirname, "..", "..", "..", "..")
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")

describe("README", () => {
  // The README shows these test files whole; this keeps what it shows the code that runs.
  for (
    const example of [
      "testing/retryOnThrottling.test.ts",
      "testing/cleanupAfterFailedUpload.test.ts",
      "database/counter.test.ts"
    ]
  ) {
    it(`shows examples/${example} as it is`, () => {
      const source = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "examples", example), "utf8")
      assert.include(readme, "```ts\n" + source + "```")
    })
  }
})
