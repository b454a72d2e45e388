import { S3Client } from "@aws-sdk/client-s3"
import { assert, describe, it } from "@effect/vitest"
import { keepSigningKeys } from "../../src/internal/live/signingKeys.js"

interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  /** Soon: the SDK asks its provider again on every request. */
  expiration: Date
}

const soon = () => new Date(Date.now() + 1000)

/** The SDK's own signer for a client whose credentials are whatever `current` holds when asked. */
const signerOf = (current: () => Credentials) => {
  const client = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    forcePathStyle: true,
    credentials: async () => current()
  })
  return client.config.signer({ name: "sigv4", signingName: "s3", signingRegion: "us-east-1", properties: {} })
}

const request = () => ({
  method: "GET",
  protocol: "http:",
  hostname: "127.0.0.1",
  port: 9,
  path: "/bucket/key",
  query: {},
  headers: { host: "127.0.0.1:9", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }
})

const authorization = async (
  signer: Awaited<ReturnType<typeof signerOf>>,
  signingDate: Date,
  signingRegion = "us-east-1"
) => {
  const signed = await signer.sign(request(), { signingDate, signingRegion, signingService: "s3" })
  return signed.headers["authorization"]
}

describe("keepSigningKeys", () => {
  it("signs as the SDK's signer does, for each credentials, day and region", async () => {
    const first: Credentials = { accessKeyId: "AKID1", secretAccessKey: "secret-one", expiration: soon() }
    const second: Credentials = {
      accessKeyId: "AKID1",
      secretAccessKey: "secret-two",
      sessionToken: "token",
      expiration: soon()
    }
    let current = first
    const kept = keepSigningKeys(await signerOf(() => current))
    const plain = await signerOf(() => current)
    const today = new Date("2026-11-27T10:00:00Z")
    const tomorrow = new Date("2026-11-28T10:00:00Z")

    const signatures: Array<string | undefined> = []
    for (
      const [credentials, date, region] of [
        [first, today, "us-east-1"],
        [first, today, "us-east-1"],
        [first, tomorrow, "us-east-1"],
        [first, tomorrow, "eu-west-1"],
        [second, tomorrow, "eu-west-1"],
        [first, tomorrow, "eu-west-1"]
      ] as const
    ) {
      current = credentials
      const expected = await authorization(plain, date, region)
      assert.strictEqual(await authorization(kept, date, region), expected)
      signatures.push(expected)
    }
    assert.strictEqual(new Set(signatures).size, 4)
  })

  it("derives the key again when a credentials object is changed in place", async () => {
    const credentials: Credentials = { accessKeyId: "AKID1", secretAccessKey: "secret-one", expiration: soon() }
    const kept = keepSigningKeys(await signerOf(() => credentials))
    const plain = await signerOf(() => credentials)
    const date = new Date("2026-11-27T10:00:00Z")
    const before = await authorization(kept, date)
    credentials.secretAccessKey = "secret-two"
    const after = await authorization(kept, date)
    assert.notStrictEqual(after, before)
    assert.strictEqual(after, await authorization(plain, date))
  })

  it("leaves a signer of another shape as it is", () => {
    const signer = { sign: () => "signed" }
    assert.strictEqual(keepSigningKeys(signer), signer)
    assert.deepStrictEqual(Object.keys(signer), ["sign"])
  })
})
