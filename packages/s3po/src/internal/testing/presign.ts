import { assert, layer, type Vitest } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { S3Po } from "../../S3Po.js"
import { tagOf, unchecked, uniqueBucket } from "./fixtures.js"

/** Sends a request to a presigned URL: plain `fetch` for a server, `S3PoMockControl.fetch` for the mock. */
export type Fetch<R> = (url: string, init?: RequestInit) => Effect.Effect<Response, never, R>

const text = (response: Response) => Effect.promise(() => response.text())

const requests = <R>(it: Vitest.MethodsNonLive<S3Po | R, true>, fetch: Fetch<R>) => {
  it.effect("a presigned GET, HEAD, PUT and DELETE each work without credentials", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("presign")
      yield* s3.createBucket(bucket)
      yield* s3.upload(bucket, "dir/report 1.txt", "the report", { contentType: "text/plain" })

      const get = yield* fetch(yield* s3.presign(bucket, "dir/report 1.txt"))
      assert.strictEqual(get.status, 200)
      assert.strictEqual(yield* text(get), "the report")
      const download = yield* fetch(
        yield* s3.presign(bucket, "dir/report 1.txt", {
          responseContentType: "application/octet-stream",
          responseContentDisposition: "attachment; filename=\"report.txt\""
        })
      )
      assert.strictEqual(download.headers.get("content-type"), "application/octet-stream")
      assert.strictEqual(download.headers.get("content-disposition"), "attachment; filename=\"report.txt\"")
      yield* Effect.promise(() => download.arrayBuffer())
      const head = yield* fetch(yield* s3.presign(bucket, "dir/report 1.txt", { method: "HEAD" }), { method: "HEAD" })
      assert.strictEqual(head.status, 200)
      assert.strictEqual(head.headers.get("content-length"), "10")

      const put = yield* s3.presign(bucket, "upload.json", { method: "PUT", contentType: "application/json" })
      const uploaded = yield* fetch(put, {
        method: "PUT",
        body: "{\"ok\":true}",
        headers: { "content-type": "application/json" }
      })
      assert.strictEqual(uploaded.status, 200, yield* text(uploaded))
      assert.strictEqual(yield* s3.downloadString(bucket, "upload.json"), "{\"ok\":true}")
      assert.strictEqual((yield* s3.head(bucket, "upload.json")).contentType, "application/json")
      // An empty body, which a checksum baked into the URL would break.
      const empty = yield* fetch(yield* s3.presign(bucket, "empty", { method: "PUT" }), { method: "PUT", body: "" })
      assert.strictEqual(empty.status, 200, yield* text(empty))
      assert.strictEqual((yield* s3.head(bucket, "empty")).size, 0)

      const deleted = yield* fetch(yield* s3.presign(bucket, "empty", { method: "DELETE" }), { method: "DELETE" })
      assert.strictEqual(deleted.status, 204)
      assert.isFalse(yield* s3.exists(bucket, "empty"))
    }))

  it.effect("a changed URL, a method it was not signed for, and bad options are refused", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("presign-refused")
      yield* s3.createBucket(bucket)
      yield* s3.upload(bucket, "a", "secret a")
      yield* s3.upload(bucket, "b", "secret b")
      const url = yield* s3.presign(bucket, "a")
      const other = yield* fetch(url.replace(`/${bucket}/a?`, `/${bucket}/b?`))
      assert.strictEqual(other.status, 403)
      yield* Effect.promise(() => other.arrayBuffer())
      const asPut = yield* fetch(url, { method: "PUT", body: "overwritten" })
      assert.strictEqual(asPut.status, 403)
      yield* Effect.promise(() => asPut.arrayBuffer())
      assert.strictEqual(yield* s3.downloadString(bucket, "a"), "secret a")
      for (const expiresIn of ["8 days", "0 seconds", "10 millis", "999 millis"] as const) {
        assert.strictEqual(yield* tagOf(s3.presign(bucket, "a", { expiresIn })), "ValidationError")
      }
      // @ts-expect-error: a bare number is no duration (an hour to S3's tools, 3.6 s to Effect), refused at run time too
      assert.strictEqual(yield* tagOf(s3.presign(bucket, "a", { expiresIn: 3600 })), "ValidationError")
      assert.strictEqual(yield* tagOf(s3.presign(bucket, "lone\ud800")), "ValidationError")
      assert.strictEqual(
        yield* tagOf(s3.presign(bucket, "a", { contentType: "a\nb", method: "PUT" })),
        "ValidationError"
      )
    }))
}

const forms = <R>(it: Vitest.MethodsNonLive<S3Po | R, true>, fetch: Fetch<R>) => {
  it.effect("a presigned form upload is stored within its size range and refused outside it or its prefix", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("presign-post")
      yield* s3.createBucket(bucket)
      const post = (
        form: { readonly url: string; readonly fields: Readonly<Record<string, string>> },
        body: string,
        key?: string
      ) => {
        const data = new FormData()
        for (const [name, value] of Object.entries(form.fields)) {
          data.append(name, name === "key" && key !== undefined ? key : value)
        }
        data.append("file", new Blob([body], { type: "text/plain" }), "upload.txt")
        return Effect.flatMap(
          fetch(form.url, { method: "POST", body: data }),
          (response) => Effect.map(text(response), (answer) => [response.status, answer] as const)
        )
      }

      const exact = yield* s3.presignPost(bucket, {
        key: "forms/exact.txt",
        maxBytes: 10,
        minBytes: 2,
        contentType: "text/plain",
        metadata: { origin: "form" }
      })
      const [stored] = yield* post(exact, "0123456789")
      assert.isTrue(stored >= 200 && stored < 300, String(stored))
      assert.strictEqual(yield* s3.downloadString(bucket, "forms/exact.txt"), "0123456789")
      const info = yield* s3.head(bucket, "forms/exact.txt")
      assert.deepStrictEqual([info.contentType, info.metadata], ["text/plain", { origin: "form" }])
      const [tooLarge] = yield* post(exact, "0123456789A")
      assert.strictEqual(tooLarge, 400)
      const [tooSmall] = yield* post(exact, "0")
      assert.strictEqual(tooSmall, 400)
      assert.strictEqual(yield* s3.downloadString(bucket, "forms/exact.txt"), "0123456789")

      const prefixed = yield* s3.presignPost(bucket, { keyPrefix: "uploads/", maxBytes: 100 })
      const [chosen] = yield* post(prefixed, "mine", "uploads/chosen.txt")
      assert.isTrue(chosen >= 200 && chosen < 300, String(chosen))
      assert.strictEqual(yield* s3.downloadString(bucket, "uploads/chosen.txt"), "mine")
      const [outside] = yield* post(prefixed, "not here", "elsewhere.txt")
      assert.strictEqual(outside, 403)
      assert.isFalse(yield* s3.exists(bucket, "elsewhere.txt"))

      assert.strictEqual(yield* tagOf(s3.presignPost(bucket, { maxBytes: 10 })), "ValidationError")
      assert.strictEqual(
        yield* tagOf(s3.presignPost(bucket, { key: "k", keyPrefix: "p/", maxBytes: 10 })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* tagOf(s3.presignPost(bucket, { key: "k", maxBytes: 1, minBytes: 2 })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* tagOf(s3.presignPost(bucket, { key: "k", maxBytes: 10, expiresIn: "8 days" })),
        "ValidationError"
      )
    }))
}

const formPrefixes = <R>(it: Vitest.MethodsNonLive<S3Po | R, true>, fetch: Fetch<R>) => {
  it.effect("an empty keyPrefix is refused unless anyKey says any key of the bucket is meant", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const bucket = uniqueBucket("presign-any-key")
      yield* s3.createBucket(bucket)
      const refused = yield* Effect.flip(s3.presignPost(bucket, { keyPrefix: "", maxBytes: 10 }))
      assert.deepInclude(refused, { _tag: "ValidationError", operation: "presignPost", field: "keyPrefix" })
      for (
        const options of [
          { anyKey: true, keyPrefix: "uploads/", maxBytes: 10 },
          { anyKey: true, key: "k", maxBytes: 10 },
          { anyKey: unchecked<boolean>("yes"), keyPrefix: "", maxBytes: 10 },
          { anyKey: false, keyPrefix: "", maxBytes: 10 },
          { anyKey: false, maxBytes: 10 }
        ]
      ) {
        assert.strictEqual(yield* tagOf(s3.presignPost(bucket, options)), "ValidationError", JSON.stringify(options))
      }
      for (const form of [{ anyKey: true, maxBytes: 10 }, { anyKey: true, keyPrefix: "", maxBytes: 10 }]) {
        const signed = yield* s3.presignPost(bucket, form)
        const data = new FormData()
        for (const [name, value] of Object.entries(signed.fields)) {
          data.append(name, name === "key" ? "top.txt" : value)
        }
        data.append("file", new Blob(["anywhere"]), "upload.txt")
        const answer = yield* fetch(signed.url, { method: "POST", body: data })
        assert.isTrue(answer.status >= 200 && answer.status < 300, `${answer.status} ${yield* text(answer)}`)
        assert.strictEqual(yield* s3.downloadString(bucket, "top.txt"), "anywhere")
        yield* s3.delete(bucket, "top.txt")
      }
    }))
}

/** Presigned URLs, used as a browser would use them. */
export const presignSuite = <R>(name: string, s3Layer: Layer.Layer<S3Po | R, unknown>, fetch: Fetch<R>) =>
  layer(s3Layer, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
    requests(it, fetch)
    forms(it, fetch)
    formPrefixes(it, fetch)
  })
