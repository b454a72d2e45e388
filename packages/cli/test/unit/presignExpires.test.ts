import { assert, describe, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import { S3PoLive } from "s3po"
import { makeCli } from "./harness.js"

/** A live layer that only signs: presigning sends no request, so no server listens at its endpoint. */
const signingOnly = S3PoLive.layer({
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
  }
})

const expiresOf = (url: string) => new URL(url).searchParams.get("X-Amz-Expires")

describe("s3po presign --expires", () => {
  it("a bare number counts seconds, as aws s3 presign --expires-in does", async () => {
    const cli = await makeCli(signingOnly)
    const presigned = await cli.s3po("presign", "s3://bkt/report.pdf", "--expires", "3600")
    assert.isTrue(presigned.ok, presigned.stderr.join("\n"))
    assert.strictEqual(expiresOf(presigned.stdout[0]!), "3600")
    const json = await cli.s3po("presign", "s3://bkt/report.pdf", "--expires", "3600", "--json")
    assert.strictEqual(JSON.parse(json.stdout[0]!).expiresInSeconds, 3600)
    await cli.close()
  })

  it("takes a unit too, and 1 hour by default", async () => {
    const cli = await makeCli(signingOnly)
    for (const [given, seconds] of [["90s", "90"], ["15m", "900"], ["2h", "7200"], ["7d", "604800"]] as const) {
      const presigned = await cli.s3po("presign", "s3://bkt/k", "--expires", given)
      assert.strictEqual(expiresOf(presigned.stdout[0]!), seconds, given)
    }
    assert.strictEqual(expiresOf((await cli.s3po("presign", "s3://bkt/k")).stdout[0]!), "3600")
    await cli.close()
  })

  it("refuses what is no duration, and more than 7 days, saying what it takes", async () => {
    const cli = await makeCli(signingOnly)
    const soon = await cli.s3po("presign", "s3://bkt/k", "--expires", "soon")
    assert.isFalse(soon.ok)
    assert.include(soon.stderr.join("\n"), "expected seconds (3600)")
    assert.isFalse((await cli.s3po("presign", "s3://bkt/k", "--expires", "8d")).ok)
    await cli.close()
  })

  it("says in its help that a bare number is seconds", async () => {
    const cli = await makeCli(signingOnly)
    const help = await cli.s3po("presign", "--help")
    assert.match(help.stdout.join("\n"), /number of seconds \(3600, as in aws s3 presign --expires-in\)/)
    await cli.close()
  })
})
