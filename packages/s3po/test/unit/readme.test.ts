import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.join(import.meta.dirname, "..", "..", "..", "..")

describe("documentation pages", () => {
  // These pages show these test files whole; this keeps what they show the code that runs.
  for (
    const [page, example] of [
      ["docs/testing.md", "testing/retryOnThrottling.test.ts"],
      ["docs/testing.md", "testing/cleanupAfterFailedUpload.test.ts"],
      ["docs/database.md", "database/counter.test.ts"]
    ] as const
  ) {
    it(`${page} shows examples/${example} as it is`, () => {
      const text = fs.readFileSync(path.join(root, page), "utf8")
      const source = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "examples", example), "utf8")
      assert.include(text, "```ts\n" + source + "```")
    })
  }
})
