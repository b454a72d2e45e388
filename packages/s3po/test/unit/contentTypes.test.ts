import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { LocalFiles, S3Po, S3PoMock, Sync } from "s3po"

/** A root no disk of this machine has: the files are in memory. */
const root = `/s3po-content-types-${process.pid}`

/** What `aws s3 cp` stores for these (aws-cli 2.9 on Debian 12), but `.js`: see docs/transfers.md. */
const expected: Record<string, string> = {
  "index.html": "text/html",
  "UPPER.HTML": "text/html",
  "main.css": "text/css",
  "app.js": "text/javascript",
  "data.json": "application/json",
  "logo.svg": "image/svg+xml",
  "logo.png": "image/png",
  "notes.txt": "text/plain",
  "module.wasm": "application/wasm",
  "README": "application/octet-stream",
  "txt": "application/octet-stream",
  ".bashrc": "application/octet-stream",
  "data.unknown-extension": "application/octet-stream"
}

const site = Object.fromEntries(Object.keys(expected).map((name) => [`${root}/site/${name}`, name]))

/** Runs `body` on the mock, with these files in memory as the local files. */
const withFiles = <A, E>(
  files: Record<string, string | Uint8Array>,
  body: (memory: LocalFiles.MemoryFiles) => Effect.Effect<A, E, S3Po>
) =>
  Effect.flatMap(
    LocalFiles.makeMemory(files),
    (memory) =>
      body(memory).pipe(Effect.provide(S3PoMock.layer()), Effect.provideService(LocalFiles.LocalFiles, memory))
  )

const contentTypesOf = (bucket: string, prefix: string, names: ReadonlyArray<string>) =>
  Effect.flatMap(
    S3Po,
    (s3) =>
      Effect.forEach(names, (name) => Effect.map(s3.head(bucket, prefix + name), (info) => [name, info.contentType]))
  )

describe("content types from file extensions", () => {
  it.effect("uploadFile stores each file with its extension's type, octet-stream without a known one", () =>
    withFiles(
      site,
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("types")
          yield* Effect.forEach(Object.keys(expected), (name) => s3.uploadFile("types", name, `${root}/site/${name}`))
          assert.deepStrictEqual(
            Object.fromEntries(yield* contentTypesOf("types", "", Object.keys(expected))),
            expected
          )
        })
    ))

  it.effect("the file's name is read, not the key's", () =>
    withFiles(
      site,
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("types")
          yield* s3.uploadFile("types", "page.txt", `${root}/site/index.html`)
          assert.strictEqual((yield* s3.head("types", "page.txt")).contentType, "text/html")
        })
    ))

  it.effect("a contentType given wins; guessContentType: false stores application/octet-stream", () =>
    withFiles(
      site,
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("types")
          const file = `${root}/site/app.js`
          yield* s3.uploadFile("types", "given", file, { contentType: "application/javascript" })
          yield* s3.uploadFile("types", "given-no-guess", file, { contentType: "text/x-mine", guessContentType: false })
          yield* s3.uploadFile("types", "off", file, { guessContentType: false })
          assert.deepStrictEqual(yield* contentTypesOf("types", "", ["given", "given-no-guess", "off"]), [
            ["given", "application/javascript"],
            ["given-no-guess", "text/x-mine"],
            ["off", "application/octet-stream"]
          ])
        })
    ))

  it.effect("a multipart upload of a file is guessed as a single PUT is", () =>
    withFiles(
      { [`${root}/big.wasm`]: new Uint8Array(6 * 1024 * 1024) },
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("types")
          const result = yield* s3.uploadFile("types", "big.wasm", `${root}/big.wasm`, {
            multipartThreshold: 5 * 1024 * 1024,
            partSize: 5 * 1024 * 1024
          })
          assert.strictEqual(result.parts, 2)
          assert.strictEqual((yield* s3.head("types", "big.wasm")).contentType, "application/wasm")
        })
    ))

  it.effect("guessContentType that is no boolean is refused before any request", () =>
    withFiles(
      site,
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          const error = yield* Effect.flip(
            s3.uploadFile("no-such-bucket", "k", `${root}/site/app.js`, {
              guessContentType: "yes" as unknown as boolean
            })
          )
          assert.strictEqual(error._tag, "ValidationError")
          if (error._tag === "ValidationError") assert.strictEqual(error.field, "guessContentType")
        })
    ))
})

describe("Sync.syncUp: content types and attributes", () => {
  const big = `${root}/site/big.wasm`

  it.effect("each file's type from its extension, small files and multipart ones alike", () =>
    withFiles(
      { ...site, [big]: new Uint8Array(9 * 1024 * 1024) },
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("sync-types")
          const summary = yield* Sync.syncUp(`${root}/site`, { bucket: "sync-types", prefix: "v1/" })
          assert.strictEqual(summary.copied, Object.keys(expected).length + 1)
          assert.deepStrictEqual(
            Object.fromEntries(yield* contentTypesOf("sync-types", "v1/", [...Object.keys(expected), "big.wasm"])),
            { ...expected, "big.wasm": "application/wasm" }
          )
        })
    ))

  it.effect("the attributes given are every upload's; a contentType given is every file's", () =>
    withFiles(
      { ...site, [big]: new Uint8Array(9 * 1024 * 1024) },
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("sync-types")
          yield* Sync.syncUp(`${root}/site`, { bucket: "sync-types" }, {
            contentType: "text/x-all",
            cacheControl: "max-age=60",
            contentDisposition: "inline",
            contentEncoding: "identity",
            metadata: { team: "web" },
            storageClass: "STANDARD_IA"
          })
          for (const name of ["index.html", "README", "big.wasm"]) {
            const info = yield* s3.head("sync-types", name)
            assert.deepStrictEqual(
              [
                info.contentType,
                info.cacheControl,
                info.contentDisposition,
                info.contentEncoding,
                info.metadata,
                info.storageClass
              ],
              ["text/x-all", "max-age=60", "inline", "identity", { team: "web" }, "STANDARD_IA"],
              name
            )
          }
        })
    ))

  it.effect("guessContentType: false stores every file as application/octet-stream", () =>
    withFiles(
      { ...site, [big]: new Uint8Array(9 * 1024 * 1024) },
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("sync-types")
          yield* Sync.syncUp(`${root}/site`, { bucket: "sync-types" }, { guessContentType: false })
          const types = yield* contentTypesOf("sync-types", "", ["index.html", "big.wasm"])
          assert.deepStrictEqual(types.map(([, type]) => type), [
            "application/octet-stream",
            "application/octet-stream"
          ])
        })
    ))

  it.effect("attributes S3 would refuse fail with ValidationError before any file is read or sent", () =>
    withFiles(
      site,
      () =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("sync-types")
          const error = yield* Effect.flip(
            Sync.syncUp(`${root}/site`, { bucket: "sync-types" }, { cacheControl: "max-age=1\nx: y" })
          )
          assert.strictEqual(error._tag, "ValidationError")
          assert.isFalse(yield* s3.exists("sync-types", "index.html"))
        })
    ))
})

describe("Sync compare: size-only and size-and-exact-time", () => {
  const file = `${root}/down/a.txt`

  it.effect("syncDown: a newer file of the same size is kept, but by size-and-exact-time; another size is fetched", () =>
    withFiles(
      {},
      (files) =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* TestClock.setTime(1_000_000_000)
          yield* s3.createBucket("compare")
          yield* s3.upload("compare", "a.txt", "same")
          const source = { bucket: "compare" }
          assert.strictEqual((yield* Sync.syncDown(source, `${root}/down`)).copied, 1)
          // The download took the object's time: nothing differs, by any rule.
          for (const compare of ["size-and-time", "size-only", "size-and-exact-time"] as const) {
            assert.strictEqual((yield* Sync.syncDown(source, `${root}/down`, { compare })).copied, 0, compare)
          }
          yield* files.setModified(file, new Date(1_000_000_000 + 60_000))
          const copiedBy = (compare: Sync.SyncOptions["compare"]) =>
            Effect.map(Sync.syncDown(source, `${root}/down`, { compare, dryRun: true }), (summary) => summary.copied)
          assert.deepStrictEqual(
            [yield* copiedBy("size-and-time"), yield* copiedBy("size-only"), yield* copiedBy("size-and-exact-time")],
            [0, 0, 1]
          )
          yield* files.setModified(file, new Date(1_000_000_000 - 60_000))
          assert.deepStrictEqual(
            [yield* copiedBy("size-and-time"), yield* copiedBy("size-only"), yield* copiedBy("size-and-exact-time")],
            [1, 0, 1]
          )
          yield* files.writeFile(file, new TextEncoder().encode("longer"), { modified: new Date(1_000_000_000) })
          assert.deepStrictEqual(
            [yield* copiedBy("size-and-time"), yield* copiedBy("size-only"), yield* copiedBy("size-and-exact-time")],
            [1, 1, 1]
          )
        })
    ))

  it.effect("syncUp: size-only keeps an object of the same size whatever the file's time", () =>
    withFiles(
      { [`${root}/up/a.txt`]: "same" },
      (files) =>
        Effect.gen(function*() {
          const s3 = yield* S3Po
          yield* s3.createBucket("compare")
          yield* Sync.syncUp(`${root}/up`, { bucket: "compare" })
          yield* files.setModified(`${root}/up/a.txt`, new Date(Date.now() + 3_600_000))
          const copiedBy = (compare: Sync.SyncOptions["compare"]) =>
            Effect.map(Sync.syncUp(`${root}/up`, { bucket: "compare" }, { compare, dryRun: true }), (s) => s.copied)
          assert.deepStrictEqual(
            [yield* copiedBy("size-and-time"), yield* copiedBy("size-only"), yield* copiedBy("size-and-exact-time")],
            [1, 0, 1]
          )
        })
    ))
})
