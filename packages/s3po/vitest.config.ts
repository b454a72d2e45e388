import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "s3po",
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    globalSetup: ["test/setup/s3Server.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000
  }
})
