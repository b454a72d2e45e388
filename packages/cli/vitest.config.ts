import { defineConfig } from "vitest/config"

const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }

/**
 * `unit` runs the commands in this process on `S3PoMock`; `live` runs the `s3po` binary against a
 * real S3 server, started by the library's own test setup (Ceph RGW, or `S3PO_TEST_ENDPOINT`).
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"], env, testTimeout: 60_000 } },
      {
        test: {
          name: "live",
          include: ["test/live/**/*.test.ts"],
          env,
          globalSetup: ["../s3po/test/setup/s3Server.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000
        }
      }
    ]
  }
})
