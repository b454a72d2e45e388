import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { layerMock, LocalFileError, MockFault, printable, S3Po, S3PoMock, S3ServiceError, Sync, UnsafeKey } from "s3po"

/** What a terminal acts on, or reorders text by. */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const unprintable = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/** Reads an escaped text back, as a JavaScript string literal would be read. */
const unescape = (text: string) =>
  text.replace(
    /\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})/g,
    (_, escape: string) => escape === "\\" ? "\\" : String.fromCharCode(parseInt(escape.slice(1), 16))
  )

const hostileKey = "report\x00\x1b]52;c;cm0gLXJmIH4K\x07\r\x7f\u009b2J\u202etxt.exe\\x1b"
const hostileShown = "report\\x00\\x1b]52;c;cm0gLXJmIH4K\\x07\\x0d\\x7f\\x9b2J\\u202etxt.exe\\\\x1b"

/** Any character, the ones an escape is made of and the ones escaped often among them. */
const character = fc.oneof(
  fc.constantFrom("\\", "x", "u", "0", "1", "b", "\x00", "\x1b", "\r", "\x7f", "\u0085", "\u009b", "\u202e", "\u2069"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
)

describe("printable", () => {
  it("writes control characters, bidirectional overrides and the backslash as escapes", () => {
    assert.strictEqual(printable(hostileKey), hostileShown)
    assert.strictEqual(printable("plain/ünïcødé 日本.txt"), "plain/ünïcødé 日本.txt")
    assert.strictEqual(
      printable("\t\n\u0085\u200e\u200f\u061c\u2028\u2029\u2066\u2069"),
      [
        "\\x09\\x0a\\x85\\u200e\\u200f\\u061c\\u2028\\u2029\\u2066\\u2069"
      ].join("")
    )
  })

  it("leaves nothing a terminal acts on, and can be read back exactly", () => {
    fc.assert(
      fc.property(fc.string({ unit: character }), (text) => {
        const shown = printable(text)
        assert.notMatch(shown, unprintable)
        assert.strictEqual(unescape(shown), text)
      }),
      { numRuns: 2000 }
    )
  })
})

describe("error messages quote keys, paths and server text printably; the fields keep them exact", () => {
  it("UnsafeKey", () => {
    const error = new UnsafeKey({
      operation: "syncDown",
      bucket: "bkt",
      key: hostileKey,
      reason: "it contains a NUL byte"
    })
    assert.strictEqual(error.key, hostileKey)
    assert.strictEqual(error.message, `syncDown: s3://bkt/${hostileShown}: it contains a NUL byte`)
  })

  it("LocalFileError", () => {
    const error = new LocalFileError({ operation: "uploadFile", path: "/tmp/a\x1b[2J", reason: "ENOENT \x1b[31m" })
    assert.strictEqual(error.message, "uploadFile: /tmp/a\\x1b[2J: ENOENT \\x1b[31m")
  })

  it.effect("NoSuchKey from the mock, for a key with escape sequences", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("bkt")
      const error = yield* Effect.flip(s3.download("bkt", hostileKey))
      assert.strictEqual(error._tag, "NoSuchKey")
      assert.strictEqual(error._tag === "NoSuchKey" ? error.key : undefined, hostileKey)
      assert.notMatch(error.message, unprintable)
      assert.include(error.message, `s3://bkt/${hostileShown}`)
    }).pipe(Effect.provide(S3PoMock)))

  it.effect("S3ServiceError with escape sequences in the server's message", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const error = yield* Effect.flip(s3.upload("bkt", hostileKey, "x"))
      assert.instanceOf(error, S3ServiceError)
      assert.strictEqual((error as S3ServiceError).detail, "see \x1b]8;;http://evil\x07here")
      assert.notMatch(error.message, unprintable)
      assert.include(error.message, `s3://bkt/${hostileShown}: see \\x1b]8;;http://evil\\x07here`)
    }).pipe(Effect.provide(layerMock({
      seed: { bkt: {} },
      retry: "off",
      faults: [{
        operation: "PutObject",
        fault: MockFault.errorResponse({
          status: 400,
          code: "InvalidRequest",
          message: "see \x1b]8;;http://evil\x07here"
        })
      }]
    }))))

  it.live("a sync's refusal of a NUL key: the failure's error names it exactly, its message printably", () =>
    Effect.gen(function*() {
      const s3 = yield* S3Po
      yield* s3.createBucket("bkt")
      yield* s3.upload("bkt", "in/a\x00\x1b[2J", "x")
      const root = yield* Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-printable-")))
      const summary = yield* Sync.syncDown({ bucket: "bkt", prefix: "in/" }, root)
      const [failure] = summary.failed
      assert.strictEqual(failure?.error._tag, "UnsafeKey")
      assert.strictEqual(failure?.error._tag === "UnsafeKey" ? failure.error.key : undefined, "in/a\x00\x1b[2J")
      assert.match(failure!.error.message, /^syncDown: s3:\/\/bkt\/in\/a\\x00\\x1b\[2J: /)
      assert.notMatch(failure!.error.message, unprintable)
    }).pipe(Effect.provide(S3PoMock)))
})
