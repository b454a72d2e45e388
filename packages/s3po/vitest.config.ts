import { defineConfig } from "vitest/config"

const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }

/**
 * Two projects: `unit` needs no server and runs in seconds; `live` runs against a real S3 server
 * (Ceph RGW, which `test/setup/s3Server.ts` starts, or the one `S3PO_TEST_ENDPOINT` names) and fails,
 * never skips, when there is none.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "examples/**/*.test.ts"],
          env,
          testTimeout: 60_000
        }
      },
      {
        test: {
          name: "live",
          include: ["test/live/**/*.test.ts"],
          env,
          globalSetup: ["test/setup/s3Server.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000
        }
      }
    ]
  }
})
