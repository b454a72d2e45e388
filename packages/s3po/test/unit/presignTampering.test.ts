import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type DurationOption, layerLive, layerMock, type PresignedPost, S3Po, S3PoMockControl } from "s3po"

/** Runs `effect` on a mock holding bucket "bkt" with object "k". */
const onMock = <A, E>(effect: Effect.Effect<A, E, S3Po | S3PoMockControl>) =>
  Effect.provide(
    Effect.flatMap(S3Po, (s3) => s3.upload("bkt", "k", "<p>hi</p>", { contentType: "text/plain" })).pipe(
      Effect.zipRight(effect)
    ),
    layerMock({ seed: { bkt: {} } })
  )

/** What the mock answers, read whole; the request made inside the effect, so that a defect shows in its Exit. */
const send = (input: Request | string, init?: RequestInit) =>
  Effect.gen(function*() {
    const control = yield* S3PoMockControl
    const response = yield* control.fetch(input, init)
    return { status: response.status, headers: response.headers, text: yield* Effect.promise(() => response.text()) }
  })

/** A form as a browser sends it: the signed fields (some replaced or added), then the file. */
const formOf = (
  post: PresignedPost,
  fields: ReadonlyArray<readonly [string, string]> = [],
  body = "uploaded"
) => {
  const data = new FormData()
  const replaced = new Map(fields)
  for (const [name, value] of Object.entries(post.fields)) data.append(name, replaced.get(name) ?? value)
  for (const [name, value] of fields) if (!(name in post.fields)) data.append(name, value)
  data.append("file", new Blob([body]), "upload.txt")
  return data
}

describe("presigned requests on the mock refuse what S3 refuses", () => {
  it.effect("a query parameter given twice is refused, not signed over one value and answered with another", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      const url = new URL(yield* s3.presign("bkt", "k", { responseContentType: "text/plain" }))
      // The tampered value first: a reader that keeps the last value checks the signed one.
      const tampered = `${url.origin}${url.pathname}?response-content-type=text%2Fhtml&${url.search.slice(1)}`
      const answer = yield* send(tampered)
      assert.strictEqual(answer.status, 400, answer.text)
      assert.include(answer.text, "<Code>InvalidArgument</Code>")
      assert.notInclude(answer.text, "<p>hi</p>")
      const appended = yield* send(`${url.href}&response-content-type=text%2Fhtml`)
      assert.strictEqual(appended.status, 400)
      const untouched = yield* send(url.href)
      assert.strictEqual(untouched.status, 200)
      assert.strictEqual(untouched.headers.get("content-type"), "text/plain")
    })))

  it.effect("a form field the policy does not name is refused as S3 does: 403 Extra input fields", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      const post = yield* s3.presignPost("bkt", { key: "form.txt", maxBytes: 100 })
      for (const extra of [["x-amz-meta-owner", "mallory"], ["Content-Type", "text/html"], ["acl", "public-read"]]) {
        const answer = yield* send(post.url, { method: "POST", body: formOf(post, [extra as [string, string]]) })
        assert.strictEqual(answer.status, 403, `${extra[0]}: ${answer.text}`)
        assert.include(answer.text, `Invalid according to Policy: Extra input fields: ${extra[0]!.toLowerCase()}`)
      }
      assert.isFalse(yield* s3.exists("bkt", "form.txt"))
      // The fields S3 lets through without a condition.
      const ignored = yield* send(post.url, { method: "POST", body: formOf(post, [["x-ignore-note", "any"]]) })
      assert.strictEqual(ignored.status, 204, ignored.text)
      const info = yield* s3.head("bkt", "form.txt")
      assert.notStrictEqual(info.contentType, "text/html")
      assert.deepStrictEqual(info.metadata, {})
    })))

  it.effect("a field the policy names, given again in another case, is refused: one value checked, one stored", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      const post = yield* s3.presignPost("bkt", { key: "form.txt", maxBytes: 100, metadata: { owner: "alice" } })
      const answer = yield* send(post.url, { method: "POST", body: formOf(post, [["X-Amz-Meta-Owner", "mallory"]]) })
      assert.strictEqual(answer.status, 400, answer.text)
      assert.isFalse(yield* s3.exists("bkt", "form.txt"))
      const signed = yield* send(post.url, { method: "POST", body: formOf(post) })
      assert.strictEqual(signed.status, 204, signed.text)
      assert.deepStrictEqual((yield* s3.head("bkt", "form.txt")).metadata, { owner: "alice" })
    })))

  it.effect("a malformed path, body or URL is a 400 answer, never a defect", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      const post = yield* s3.presignPost("bkt", { key: "form.txt", maxBytes: 100 })
      const requests: ReadonlyArray<readonly [string, Request | string, RequestInit?]> = [
        ["POST path", `${post.url}%E0%A4%A`, { method: "POST", body: formOf(post) }],
        ["POST body", post.url, { method: "POST", body: "not a form", headers: { "content-type": "text/plain" } }],
        ["POST multipart body", post.url, {
          method: "POST",
          body: "--x\r\nbroken",
          headers: { "content-type": "multipart/form-data; boundary=x" }
        }],
        ["URL", "not a url"]
      ]
      for (const [what, input, init] of requests) {
        const exit = yield* Effect.exit(send(input, init))
        assert.isTrue(Exit.isSuccess(exit), `${what}: ${String(exit)}`)
        if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.status, 400, `${what}: ${exit.value.text}`)
      }
      assert.isFalse(yield* s3.exists("bkt", "form.txt"))
    })))

  it.effect("a signature of another length or with one character changed is refused", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      const url = yield* s3.presign("bkt", "k")
      const signature = new URL(url).searchParams.get("X-S3po-Signature")!
      const flipped = `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`
      for (const forged of [signature.slice(0, -1), `${signature}0`, flipped, ""]) {
        const answer = yield* send(url.replace(signature, forged))
        assert.strictEqual(answer.status, 403, forged)
      }
      const post = yield* s3.presignPost("bkt", { key: "form.txt", maxBytes: 100 })
      const forgedForm = yield* send(post.url, {
        method: "POST",
        body: formOf(post, [["X-S3po-Signature", post.fields["X-S3po-Signature"]!.slice(1)]])
      })
      assert.strictEqual(forgedForm.status, 403)
    })))
})

describe("a duration that is none fails typed, never throws", () => {
  const notDurations: ReadonlyArray<unknown> = ["soon", "5 parsecs", "3600", 3600, 0, {}, [1], [1e300, 0], Symbol("x")]

  it.effect("presign, presignPost and abortPendingUploads: a ValidationError naming the field", () =>
    onMock(Effect.gen(function*() {
      const s3 = yield* S3Po
      for (const bad of notDurations) {
        const expiresIn = bad as DurationOption
        const olderThan = bad as DurationOption
        const failures = [
          yield* Effect.flip(Effect.suspend(() => s3.presign("bkt", "k", { expiresIn }))),
          yield* Effect.flip(Effect.suspend(() => s3.presignPost("bkt", { key: "k", maxBytes: 1, expiresIn }))),
          yield* Effect.flip(Effect.suspend(() => s3.abortPendingUploads("bkt", { olderThan })))
        ]
        assert.deepStrictEqual(
          failures.map((error) => [error._tag, "field" in error ? error.field : undefined]),
          [["ValidationError", "expiresIn"], ["ValidationError", "expiresIn"], ["ValidationError", "olderThan"]],
          String(typeof bad === "symbol" ? "symbol" : JSON.stringify(bad))
        )
      }
    })))

  it.effect("a live layer given a timeout that is no duration fails to build with a ValidationError", () =>
    Effect.gen(function*() {
      for (const field of ["requestTimeout", "connectionTimeout", "idleTimeout"] as const) {
        const layer = layerLive({ endpoint: "http://127.0.0.1:9", [field]: "soon" as DurationOption })
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
        assert.isTrue(Exit.isFailure(exit) && !Exit.isInterrupted(exit), String(exit))
        if (Exit.isFailure(exit)) {
          const failure = Cause.failureOption(exit.cause)
          assert.deepInclude(Option.getOrUndefined(failure), { _tag: "ValidationError", field }, String(exit))
        }
      }
    }))
})
