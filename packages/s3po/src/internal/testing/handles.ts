import { assert, layer, type Vitest } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Fault from "../../Fault.js"
import { S3Po } from "../../S3Po.js"
import type * as Sync from "../../Sync.js"
import type { Capabilities } from "./capabilities.js"
import { freshBucket, tempDir } from "./fixtures.js"
import type { Fetch } from "./presign.js"

/** The test functions of a suite over a layer of `S3Po` and `R`. */
type Methods<R> = Vitest.MethodsNonLive<S3Po | R, true>

/** What the suite's tests run with. */
interface Context<R> {
  readonly it: Methods<R>
  readonly support: Capabilities
  readonly fetch: Fetch<R>
  readonly requestsSent: Effect.Effect<number, never, R> | undefined
}

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toArray)

/** A fresh bucket holding `tenant-b/secret.txt`, the sibling every test checks is left alone. */
const withSibling = Effect.gen(function*() {
  const s3 = yield* S3Po
  const bucket = yield* freshBucket("handles")
  yield* s3.upload(bucket, "tenant-b/secret.txt", "b's secret")
  const siblingIntact = Effect.gen(function*() {
    assert.deepStrictEqual(yield* collect(s3.list(bucket, { prefix: "tenant-b/" })), ["tenant-b/secret.txt"])
    assert.strictEqual(yield* s3.downloadString(bucket, "tenant-b/secret.txt"), "b's secret")
  })
  return { s3, bucket, siblingIntact }
})

const readsWritesAndListings = <R>({ it }: Context<R>) => {
  it.effect("a prefixed handle writes and reads under its prefix and lists keys relative to it", () =>
    Effect.gen(function*() {
      const { bucket, s3, siblingIntact } = yield* withSibling
      const photos = s3.bucket(bucket)
      const tenant = photos.prefix("tenant-a/")
      assert.deepStrictEqual([photos.name, photos.path, tenant.name, tenant.path], [bucket, "", bucket, "tenant-a/"])

      yield* tenant.upload("a.txt", "alpha", { contentType: "text/plain" })
      yield* tenant.upload("dir/b.txt", new TextEncoder().encode("beta"))
      yield* tenant.upload("dir/c/d.txt", Stream.make(new TextEncoder().encode("delta")))
      assert.strictEqual(yield* s3.downloadString(bucket, "tenant-a/a.txt"), "alpha")
      assert.strictEqual(yield* tenant.downloadString("a.txt"), "alpha")
      assert.strictEqual(new TextDecoder().decode(yield* tenant.download("dir/b.txt")), "beta")
      const streamed = yield* collect(tenant.downloadStream("dir/c/d.txt"))
      assert.strictEqual(Buffer.concat(streamed).toString(), "delta")
      const info = yield* tenant.head("a.txt")
      assert.deepStrictEqual([info.key, info.size, info.contentType], ["a.txt", 5, "text/plain"])
      assert.isTrue(yield* tenant.exists("dir/b.txt"))
      assert.isFalse(yield* tenant.exists("secret.txt"))
      assert.strictEqual((yield* Effect.flip(tenant.download("secret.txt")))._tag, "NoSuchKey")
      // At the bucket's root, keys are the bucket's own.
      assert.strictEqual(yield* photos.downloadString("tenant-a/dir/b.txt"), "beta")

      assert.deepStrictEqual(yield* collect(tenant.list()), ["a.txt", "dir/b.txt", "dir/c/d.txt"])
      assert.deepStrictEqual(yield* collect(tenant.list({ prefix: "dir/" })), ["dir/b.txt", "dir/c/d.txt"])
      const rolledUp = yield* collect(tenant.listObjects({ delimiter: "/" }))
      assert.deepStrictEqual(
        rolledUp.map((entry) => entry._tag === "Object" ? entry.key : `prefix ${entry.prefix}`),
        ["a.txt", "prefix dir/"]
      )
      const nested = yield* collect(tenant.listObjects({ prefix: "dir/", delimiter: "/" }))
      assert.deepStrictEqual(
        nested.map((entry) => entry._tag === "Object" ? entry.key : `prefix ${entry.prefix}`),
        ["dir/b.txt", "prefix dir/c/"]
      )
      const after = yield* collect(tenant.listObjects({ startAfter: "dir/b.txt" }))
      assert.deepStrictEqual(after.map((entry) => entry._tag === "Object" ? entry.key : entry.prefix), [
        "dir/c/d.txt"
      ])

      // Prefixes compose, and a prefix is a folder with or without its `/`.
      const dir = photos.prefix("tenant-a").prefix("dir")
      assert.strictEqual(dir.path, "tenant-a/dir/")
      assert.deepStrictEqual(yield* collect(dir.list()), ["b.txt", "c/d.txt"])
      assert.strictEqual((yield* dir.head("c/d.txt")).key, "c/d.txt")
      // The prefix's own folder marker is no key of the handle.
      yield* s3.upload(bucket, "tenant-a/dir/", "")
      assert.deepStrictEqual(yield* collect(dir.list()), ["b.txt", "c/d.txt"])
      yield* siblingIntact
    }))
}

const documentsAndTags = <R>({ it, support }: Context<R>) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (updateJson writes with ifMatch); s3po's layers, RGW
  // and the local-directory example run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "reads with their info and JSON documents show keys relative to the prefix",
    () =>
      Effect.gen(function*() {
        const { bucket, s3, siblingIntact } = yield* withSibling
        const tenant = s3.bucket(bucket).prefix("tenant-a/")
        yield* tenant.upload("a.txt", "alpha")
        const got = yield* tenant.get("a.txt")
        assert.deepStrictEqual([new TextDecoder().decode(got.body), got.info.key], ["alpha", "a.txt"])
        const streamed = yield* Effect.scoped(
          Effect.flatMap(
            tenant.getStream("a.txt"),
            (opened) =>
              Effect.map(collect(opened.stream), (chunks) => [opened.info.key, Buffer.concat(chunks).toString()])
          )
        )
        assert.deepStrictEqual(streamed, ["a.txt", "alpha"])
        const Counter = Schema.Struct({ count: Schema.Number })
        yield* tenant.putJson("counter.json", Counter, { count: 1 })
        const updated = yield* tenant.updateJson(
          "counter.json",
          Counter,
          (current) =>
            Option.match(current, { onNone: () => ({ count: 0 }), onSome: ({ count }) => ({ count: count + 1 }) })
        )
        assert.strictEqual(updated.value.count, 2)
        const document = yield* tenant.getJson("counter.json", Counter)
        assert.deepStrictEqual([document.value, document.info.key], [{ count: 2 }, "counter.json"])
        assert.strictEqual(yield* s3.downloadString(bucket, "tenant-a/counter.json"), JSON.stringify({ count: 2 }))
        assert.strictEqual(
          (yield* Effect.flip(tenant.getJson("../tenant-b/secret.txt", Counter)))._tag,
          "ValidationError"
        )
        yield* siblingIntact
      })
  )

  // Skipped only on a backend declaring `tags: false` (the local-directory example's tagless variant); mock and RGW run it.
  it.effect.skipIf(!support.tags)(
    "tags keys of the handle only: given on a copy, set and read relative to it",
    () =>
      Effect.gen(function*() {
        const { bucket, s3, siblingIntact } = yield* withSibling
        const tenant = s3.bucket(bucket).prefix("tenant-a/")
        yield* tenant.upload("a.txt", "content of a.txt")
        yield* s3.setTags(bucket, "tenant-b/secret.txt", { kind: "sibling" })
        const copied = yield* tenant.copy("a.txt", "copies/a.txt", { tags: { kind: "copy" } })
        assert.strictEqual(copied.size, "content of a.txt".length)
        assert.deepStrictEqual(yield* tenant.getTags("copies/a.txt"), { kind: "copy" })
        yield* tenant.setTags("copies/a.txt", { kind: "retagged" })
        assert.deepStrictEqual(yield* s3.getTags(bucket, "tenant-a/copies/a.txt"), { kind: "retagged" })
        assert.deepStrictEqual(yield* s3.getTags(bucket, "tenant-b/secret.txt"), { kind: "sibling" })
        assert.strictEqual((yield* Effect.flip(tenant.getTags("../tenant-b/secret.txt")))._tag, "ValidationError")
        yield* siblingIntact
      })
  )
}

const deletesCopiesAndMoves = <R>({ it }: Context<R>) => {
  it.effect("deletes, copies and moves keys of the handle only, and reports them relative", () =>
    Effect.gen(function*() {
      const { bucket, s3, siblingIntact } = yield* withSibling
      const tenant = s3.bucket(bucket).prefix("tenant-a/")
      for (const key of ["a.txt", "b.txt", "c.txt", "d/e.txt", "d/f.txt", "secret.txt"]) {
        yield* tenant.upload(key, `content of ${key}`)
      }
      const copied = yield* tenant.copy("a.txt", "copies/a.txt")
      assert.strictEqual(copied.size, "content of a.txt".length)
      assert.strictEqual(yield* s3.downloadString(bucket, "tenant-a/copies/a.txt"), "content of a.txt")
      yield* tenant.move("b.txt", "moved/b.txt")
      assert.isFalse(yield* s3.exists(bucket, "tenant-a/b.txt"))
      assert.strictEqual(yield* tenant.downloadString("moved/b.txt"), "content of b.txt")

      yield* tenant.delete("secret.txt")
      const many = yield* tenant.deleteMany(["c.txt", "never-there.txt"])
      assert.deepStrictEqual([...many.deleted].sort(), ["c.txt", "never-there.txt"])
      assert.deepStrictEqual(many.failed, [])
      const streamed = yield* collect(tenant.deleteManyStream(Stream.make("d/e.txt", "d/f.txt")))
      assert.deepStrictEqual(streamed, [{ key: "d/e.txt", deleted: true }, { key: "d/f.txt", deleted: true }])
      assert.deepStrictEqual(yield* collect(tenant.list()), ["a.txt", "copies/a.txt", "moved/b.txt"])
      assert.strictEqual(yield* tenant.deletePrefix("copies/"), 1)
      assert.deepStrictEqual(yield* collect(tenant.list()), ["a.txt", "moved/b.txt"])
      assert.strictEqual(yield* tenant.deletePrefix(""), 2)
      assert.deepStrictEqual(yield* collect(s3.list(bucket)), ["tenant-b/secret.txt"])
      yield* siblingIntact
    }))

  it.effect("copyPrefix and movePrefix run within the handle, their prefixes relative to it", () =>
    Effect.gen(function*() {
      const { bucket, s3, siblingIntact } = yield* withSibling
      const tenant = s3.bucket(bucket).prefix("tenant-a/")
      for (const key of ["dir/a.txt", "dir/sub/b.txt", "dirt.txt"]) {
        yield* tenant.upload(key, key)
      }
      const done: Array<string> = []
      const copied = yield* tenant.copyPrefix("dir/", "backup/", {
        onObject: (object) => Effect.sync(() => done.push(`${object.from.key} -> ${object.to.key}`))
      })
      assert.deepStrictEqual([copied.copied, copied.failed.length], [2, 0])
      assert.deepStrictEqual(done.sort(), ["dir/a.txt -> backup/a.txt", "dir/sub/b.txt -> backup/sub/b.txt"])
      const moved = yield* tenant.movePrefix("backup/", "archive/2024/")
      assert.deepStrictEqual([moved.copied, moved.deleted, moved.failed.length], [2, 2, 0])
      assert.deepStrictEqual(yield* collect(s3.list(bucket, { prefix: "tenant-a/" })), [
        "tenant-a/archive/2024/a.txt",
        "tenant-a/archive/2024/sub/b.txt",
        "tenant-a/dir/a.txt",
        "tenant-a/dir/sub/b.txt",
        "tenant-a/dirt.txt"
      ])
      assert.strictEqual(yield* tenant.downloadString("archive/2024/sub/b.txt"), "dir/sub/b.txt")
      for (const [from, to] of [["../tenant-b/", "stolen/"], ["dir/", "../tenant-b/"], ["/", "x/"]] as const) {
        const error = yield* Effect.flip(tenant.movePrefix(from, to))
        assert.strictEqual(error._tag, "ValidationError", `${from} -> ${to}`)
      }
      yield* siblingIntact
    }))
}

const conditionsAndPresigning = <R>({ fetch, it, support }: Context<R>) => {
  // Skipped only on a backend declaring `conditionalWrites: false` (no ifNoneMatch on CopyObject); s3po's layers, RGW
  // and the local-directory example run it.
  it.effect.skipIf(!support.conditionalWrites)(
    "copyPrefix's conditions hold on the keys under the handle",
    () =>
      Effect.gen(function*() {
        const { bucket, s3, siblingIntact } = yield* withSibling
        const tenant = s3.bucket(bucket).prefix("tenant-a/")
        for (const key of ["dir/a.txt", "dir/sub/b.txt", "archive/2024/a.txt", "archive/2024/sub/b.txt"]) {
          yield* tenant.upload(key, key)
        }
        const refused = yield* tenant.copyPrefix("dir/", "archive/2024/", { ifNoneMatch: "*" })
        assert.deepStrictEqual(
          refused.failed.map((failure) => [failure.from.key, failure.to.key, failure.error._tag]).sort(),
          [
            ["dir/a.txt", "archive/2024/a.txt", "PreconditionFailed"],
            ["dir/sub/b.txt", "archive/2024/sub/b.txt", "PreconditionFailed"]
          ]
        )
        assert.strictEqual(yield* tenant.downloadString("archive/2024/a.txt"), "archive/2024/a.txt")
        yield* siblingIntact
      })
  )

  // Skipped only on a backend declaring `presign: false` (the local-directory example has no presigner); mock and RGW
  // run it.
  it.effect.skipIf(!support.presign)(
    "presigned URLs and forms stay under the prefix",
    () =>
      Effect.gen(function*() {
        const { bucket, s3, siblingIntact } = yield* withSibling
        const tenant = s3.bucket(bucket).prefix("tenant-a/")
        yield* tenant.upload("dir/report 1.txt", "the report")
        const url = yield* tenant.presign("dir/report 1.txt", { expiresIn: "5 minutes" })
        assert.include(url, `/tenant-a/dir/report%201.txt`)
        const got = yield* fetch(url)
        assert.strictEqual(got.status, 200)
        assert.strictEqual(
          yield* Effect.promise(() => got.text()),
          "the report"
        )
        const put = yield* tenant.presign("put.txt", { method: "PUT" })
        const putAnswer = yield* fetch(put, { method: "PUT", body: "put through a URL" })
        assert.strictEqual(putAnswer.status, 200, yield* Effect.promise(() => putAnswer.text()))
        assert.strictEqual(yield* s3.downloadString(bucket, "tenant-a/put.txt"), "put through a URL")

        const post = (form: { readonly url: string; readonly fields: Readonly<Record<string, string>> }, key: string) =>
          Effect.gen(function*() {
            const data = new FormData()
            for (const [field, value] of Object.entries(form.fields)) data.append(field, field === "key" ? key : value)
            data.append("file", new Blob(["from a form"]), "upload.txt")
            const answer = yield* fetch(form.url, { method: "POST", body: data })
            yield* Effect.promise(() => answer.arrayBuffer())
            return answer.status
          })
        // `anyKey: true` on a prefixed handle: any key below the prefix, not of the bucket.
        const anyKey = yield* tenant.presignPost({ anyKey: true, maxBytes: 100 })
        assert.isTrue(anyKey.fields.key?.startsWith("tenant-a/"), anyKey.fields.key)
        const chosen = yield* post(anyKey, "tenant-a/chosen.txt")
        assert.isTrue(chosen >= 200 && chosen < 300, String(chosen))
        assert.strictEqual(yield* tenant.downloadString("chosen.txt"), "from a form")
        assert.strictEqual(yield* post(anyKey, "tenant-b/secret.txt"), 403)
        const inFolder = yield* tenant.presignPost({ keyPrefix: "inbox/", maxBytes: 100 })
        assert.strictEqual(yield* post(inFolder, "tenant-a/elsewhere.txt"), 403)
        const inInbox = yield* post(inFolder, "tenant-a/inbox/mail.txt")
        assert.isTrue(inInbox >= 200 && inInbox < 300, String(inInbox))
        const exact = yield* tenant.presignPost({ key: "exact.txt", maxBytes: 100 })
        assert.strictEqual(exact.fields.key, "tenant-a/exact.txt")
        assert.deepStrictEqual(yield* collect(tenant.list()), [
          "chosen.txt",
          "dir/report 1.txt",
          "inbox/mail.txt",
          "put.txt"
        ])
        yield* siblingIntact
      })
  )
}

const climbing = <R>({ it, requestsSent }: Context<R>) => {
  it.effect("keys that could climb out of the prefix are refused before any request", () =>
    Effect.gen(function*() {
      const { bucket, s3, siblingIntact } = yield* withSibling
      const tenant = s3.bucket(bucket).prefix("tenant-a/")
      yield* tenant.upload("a.txt", "mine")
      const before = requestsSent === undefined ? 0 : yield* requestsSent
      const refused = <A, E extends { readonly _tag: string }>(
        effect: Effect.Effect<A, E>,
        field: string,
        label: string
      ) =>
        Effect.gen(function*() {
          const error = yield* Effect.flip(effect)
          assert.strictEqual(error._tag, "ValidationError", `${label}: ${String(error)}`)
          const given: unknown = Reflect.get(error, "field")
          assert.strictEqual(given, field, label)
        })
      const climbing = [
        "../tenant-b/secret.txt",
        "/tenant-b/secret.txt",
        "",
        "a/../../tenant-b/x",
        "./a.txt",
        "a/.",
        "..\\b"
      ]
      for (const key of climbing) {
        yield* refused(tenant.downloadString(key), "key", `download ${key}`)
        yield* refused(tenant.upload(key, "overwritten"), "key", `upload ${key}`)
        yield* refused(tenant.head(key), "key", `head ${key}`)
        yield* refused(tenant.delete(key), "key", `delete ${key}`)
        yield* refused(tenant.presign(key), "key", `presign ${key}`)
        yield* refused(tenant.copy("a.txt", key), "to", `copy to ${key}`)
        yield* refused(tenant.move(key, "a.txt"), "from", `move from ${key}`)
        yield* refused(tenant.deleteMany(["a.txt", key]), "key", `deleteMany ${key}`)
        yield* refused(collect(tenant.deleteManyStream(["a.txt", key])), "key", `deleteManyStream ${key}`)
        yield* refused(tenant.presignPost({ key, maxBytes: 10 }), "key", `presignPost ${key}`)
      }
      for (const prefix of ["../", "/", "a/../"]) {
        yield* refused(collect(tenant.list({ prefix })), "prefix", `list ${prefix}`)
        yield* refused(tenant.deletePrefix(prefix), "prefix", `deletePrefix ${prefix}`)
        yield* refused(tenant.presignPost({ keyPrefix: prefix, maxBytes: 10 }), "keyPrefix", `keyPrefix ${prefix}`)
      }
      yield* refused(tenant.presignPost({ keyPrefix: "", maxBytes: 10 }), "keyPrefix", "an empty keyPrefix")
      yield* refused(collect(tenant.listObjects({ startAfter: "../" })), "startAfter", "startAfter ../")
      // A bad prefix fails every operation of its handle, and of the handles below it.
      for (const prefix of ["..", "../tenant-b", "", "/", "a//b", "./a"]) {
        const handle = tenant.prefix(prefix)
        yield* refused(handle.downloadString("secret.txt"), "prefix", `prefix ${prefix}`)
        yield* refused(handle.prefix("fine/").upload("x", "x"), "prefix", `below prefix ${prefix}`)
        yield* refused(collect(handle.list()), "prefix", `list under prefix ${prefix}`)
        yield* refused(handle.syncDown("unused"), "prefix", `syncDown under prefix ${prefix}`)
      }
      // A bad bucket name fails each operation of its handles as it fails the service's.
      for (const name of ["", "a/b", "bad\nname"]) {
        const handle = s3.bucket(name)
        yield* refused(handle.downloadString("a.txt"), "bucket", `bucket ${JSON.stringify(name)}`)
        yield* refused(collect(handle.prefix("tenant-a/").list()), "bucket", `list in ${JSON.stringify(name)}`)
        yield* refused(handle.prefix("tenant-a/").syncDown("unused"), "bucket", `sync in ${JSON.stringify(name)}`)
      }
      if (requestsSent !== undefined) assert.strictEqual((yield* requestsSent) - before, 0, "requests sent")
      assert.strictEqual(yield* tenant.downloadString("a.txt"), "mine")
      yield* siblingIntact
    }))
}

const syncs = <R>({ it }: Context<R>) => {
  it.scoped("sync runs under the prefix, its actions relative to it", () =>
    Effect.gen(function*() {
      const { bucket, s3, siblingIntact } = yield* withSibling
      const tenant = s3.bucket(bucket).prefix("tenant-a/")
      const local = yield* tempDir
      yield* Effect.promise(async () => {
        await fs.mkdir(path.join(local, "up", "dir"), { recursive: true })
        await fs.writeFile(path.join(local, "up", "a.txt"), "alpha")
        await fs.writeFile(path.join(local, "up", "dir", "b.txt"), "beta")
      })
      yield* tenant.upload("stale.txt", "to be deleted")
      const actions: Array<Sync.SyncAction> = []
      const up = yield* tenant.syncUp(path.join(local, "up"), {
        delete: true,
        onAction: (action) => Effect.sync(() => actions.push(action))
      })
      assert.deepStrictEqual([up.copied, up.deleted, up.failed.length], [2, 1, 0])
      assert.deepStrictEqual(
        actions.map((action) => `${action._tag} ${"key" in action ? action.key : ""}`).sort(),
        ["DeleteObject stale.txt", "Upload a.txt", "Upload dir/b.txt"]
      )
      assert.deepStrictEqual(yield* collect(s3.list(bucket, { prefix: "tenant-a/" })), [
        "tenant-a/a.txt",
        "tenant-a/dir/b.txt"
      ])
      const plan = yield* collect(tenant.planDown(path.join(local, "down")))
      assert.deepStrictEqual(plan.map((action) => "key" in action ? action.key : ""), ["a.txt", "dir/b.txt"])
      const down = yield* tenant.syncDown(path.join(local, "down"))
      assert.strictEqual(down.copied, 2)
      assert.strictEqual(
        yield* Effect.promise(() => fs.readFile(path.join(local, "down", "dir", "b.txt"), "utf8")),
        "beta"
      )
      const downloaded = yield* Effect.promise(() => fs.readdir(path.join(local, "down"), { recursive: true }))
      assert.deepStrictEqual(downloaded.map((file) => file.split(path.sep).join("/")).sort(), [
        "a.txt",
        "dir",
        "dir/b.txt"
      ])
      yield* siblingIntact
    }))
}

/**
 * Bucket and prefix handles (`s3.bucket(name).prefix(p)`) over any layer: keys given to a prefixed
 * handle land under its prefix, what comes back is relative to it, a sibling prefix is never
 * touched, presigned URLs and forms and sync stay under it, and a key that could climb out is a
 * `ValidationError` with no request sent (`requestsSent`: the mock's call log, where there is one).
 */
export const handlesSuite = <R>(
  name: string,
  s3Layer: Layer.Layer<S3Po | R, unknown>,
  support: Capabilities,
  fetch: Fetch<R>,
  requestsSent?: Effect.Effect<number, never, R>
) =>
  layer(s3Layer, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
    const context: Context<R> = { it, support, fetch, requestsSent }
    readsWritesAndListings(context)
    documentsAndTags(context)
    deletesCopiesAndMoves(context)
    conditionsAndPresigning(context)
    climbing(context)
    syncs(context)
  })

/** Uploads under `stuck/` strand: their parts are refused, and so are the first three aborts. */
export const handlesStrandingFaults: ReadonlyArray<Fault.Rule> = [
  { operation: "UploadPart", key: (key) => key.includes("stuck/"), fault: Fault.accessDenied() },
  { operation: "AbortMultipartUpload", times: 3, fault: Fault.accessDenied() }
]

/** Pending uploads under a handle's prefix: listed relative to it, aborted by a relative prefix. On `handlesStrandingFaults`. */
export const handlesPendingUploadsSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
    it.effect("pending uploads under the prefix are listed relative to it and aborted only there", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("handles-pending")
        const tenant = s3.bucket(bucket).prefix("tenant-a/")
        const body = new Uint8Array(6 * 1024 * 1024)
        const multipart = { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 }
        for (const key of ["stuck/a", "stuck/b"]) {
          assert.strictEqual((yield* Effect.flip(tenant.upload(key, body, multipart)))._tag, "AccessDenied")
        }
        assert.strictEqual(
          (yield* Effect.flip(s3.upload(bucket, "tenant-b/stuck/c", body, multipart)))._tag,
          "AccessDenied"
        )
        const pendingKeys = (prefix?: string) =>
          Effect.map(
            collect(tenant.listPendingUploads(prefix === undefined ? {} : { prefix })),
            (uploads) => uploads.map((upload) => upload.key)
          )
        assert.deepStrictEqual(yield* pendingKeys(), ["stuck/a", "stuck/b"])
        assert.deepStrictEqual(yield* pendingKeys("stuck/b"), ["stuck/b"])
        assert.strictEqual((yield* Effect.flip(pendingKeys("../")))._tag, "ValidationError")
        assert.strictEqual(yield* tenant.abortPendingUploads({ prefix: "stuck/a" }), 1)
        assert.deepStrictEqual(yield* pendingKeys(), ["stuck/b"])
        assert.strictEqual(yield* tenant.abortPendingUploads(), 1)
        assert.deepStrictEqual(yield* pendingKeys(), [])
        const left = yield* collect(s3.listPendingUploads(bucket))
        assert.deepStrictEqual(left.map((upload) => upload.key), ["tenant-b/stuck/c"])
        assert.strictEqual(yield* s3.abortPendingUploads(bucket), 1)
      }))
  })
