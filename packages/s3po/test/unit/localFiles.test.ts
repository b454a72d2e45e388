import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fc from "fast-check"
import type * as crypto from "node:crypto"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { LocalFiles } from "s3po"
import { vi } from "vitest"
import { bytesEqual, randomBody, tempDir } from "../utils/fixtures.js"
import { ownsItsMemory } from "../utils/ownedBuffers.js"

// The partial file's random name, made predictable: a link planted under it must not be written through.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>()
  return { ...actual, randomBytes: vi.fn(actual.randomBytes) }
})

/** One implementation under test, with an empty folder to work in and a way to lay files out in it. */
interface Subject {
  readonly files: LocalFiles.LocalFiles
  readonly root: string
  readonly join: (...names: ReadonlyArray<string>) => string
  readonly write: (at: string, content: string | Uint8Array) => Effect.Effect<void>
  readonly symlink: (target: string, at: string) => Effect.Effect<void>
}

/** Node's file system, or a `FileSystem` over it: a temporary folder on disk. */
const onDisk = (files: LocalFiles.LocalFiles): Effect.Effect<Subject, never, Scope.Scope> =>
  Effect.map(tempDir, (root) => ({
    files,
    root,
    join: (...names) => path.join(...names),
    write: (at, content) =>
      Effect.promise(async () => {
        await fs.mkdir(path.dirname(at), { recursive: true })
        await fs.writeFile(at, content)
      }),
    symlink: (target, at) => Effect.promise(() => fs.symlink(target, at))
  }))

const inMemory: Effect.Effect<Subject> = Effect.map(LocalFiles.makeMemory(), (files) => ({
  files,
  root: "/",
  join: (...names) => path.posix.join(...names),
  write: (at, content) => files.writeFile(at, content),
  symlink: (target, at) => files.symlink(target, at)
}))

const overFileSystem = Effect.map(
  Effect.provide(Effect.all([FileSystem.FileSystem, Path.Path]), Layer.merge(NodeFileSystem.layer, NodePath.layer)),
  ([fileSystem, nodePath]) => LocalFiles.fromFileSystem(fileSystem, nodePath)
)

const subjects: ReadonlyArray<readonly [string, Effect.Effect<Subject, never, Scope.Scope>]> = [
  ["nodeFiles", onDisk(LocalFiles.nodeFiles)],
  ["makeMemory", inMemory],
  ["fromFileSystem (NodeFileSystem)", Effect.flatMap(overFileSystem, onDisk)]
]

const text = (value: string) => new TextEncoder().encode(value)

/** The reason a `SystemError` gives, or the tag of another failure. */
const reasonOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.flip(effect), (error) => "reason" in error ? String(error.reason) : error._tag)

const walked = (files: LocalFiles.LocalFiles, root: string, options?: Partial<LocalFiles.WalkOptions>) =>
  Effect.map(
    Stream.runCollect(files.walk(root, { followSymlinks: false, linkedFolders: false, ...options })),
    Chunk.toReadonlyArray
  )

const relatives = (found: ReadonlyArray<LocalFiles.File>) => found.map((file) => file.relative)

/** S3's order, computed apart from the code under test: the UTF-8 bytes of whole keys. */
const byUtf8 = (keys: ReadonlyArray<string>) => [...keys].sort((left, right) => Buffer.compare(text(left), text(right)))

const partialName = (name: string) => `.${name}.${"0123456789abcdef".repeat(2)}.s3po-partial`

for (const [name, subject] of subjects) {
  describe(`LocalFiles: ${name}`, () => {
    it.scoped("walks the regular files in S3's key order: UTF-8 bytes, and a folder's names after `name/`", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const keys = [
          "a-b",
          "a.txt",
          "a/x",
          "a/y/z",
          "a0",
          "b.c",
          "b/c",
          "z",
          "é",
          "\uff61", // U+FF61: after U+1F600 in UTF-16 code units, before it in UTF-8
          "\u{1f600}",
          "\u{1f600}x/deep/er",
          partialName("a0")
        ]
        for (const key of keys) yield* write(join(root, ...key.split("/")), key)
        yield* files.makeDirectory(join(root, "empty", "folder"))
        const found = yield* walked(files, root)
        assert.deepStrictEqual(relatives(found), byUtf8(keys))
        assert.deepStrictEqual(relatives(found).slice(1, 6), ["a-b", "a.txt", "a/x", "a/y/z", "a0"])
        assert.deepStrictEqual(relatives(found).slice(-4), ["é", "\uff61", "\u{1f600}", "\u{1f600}x/deep/er"])
        for (const file of found) {
          assert.strictEqual(file.path, join(root, ...file.relative.split("/")))
          assert.strictEqual(file.size, text(file.relative).length)
          assert.isTrue(file.modified instanceof Date && !Number.isNaN(file.modified.getTime()))
          assert.strictEqual(file.partial, file.relative === partialName("a0"), file.relative)
        }
        assert.deepStrictEqual(relatives(yield* walked(files, join(root, "a"))), ["x", "y/z"])
      }))

    it.scoped("a missing root, or a file as the root, holds nothing", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        yield* write(join(root, "file"), "x")
        assert.deepStrictEqual(yield* walked(files, join(root, "missing")), [])
        assert.deepStrictEqual(yield* walked(files, join(root, "file")), [])
      }))

    it.scoped("follows links as WalkOptions says: inside the root, anywhere, into folders, never round a loop", () =>
      Effect.gen(function*() {
        const { files, join, root, symlink, write } = yield* subject
        const tree = join(root, "tree")
        yield* write(join(tree, "f.txt"), "the file")
        yield* write(join(tree, "sub", "g.txt"), "g")
        yield* write(join(root, "outside", "o.txt"), "outside")
        yield* symlink(join(tree, "f.txt"), join(tree, "in-link"))
        yield* symlink(join("sub", "g.txt"), join(tree, "relative-link"))
        yield* symlink(join(root, "outside", "o.txt"), join(tree, "out-link"))
        yield* symlink(join(tree, "nothing"), join(tree, "dangling"))
        yield* symlink(join(root, "outside"), join(tree, "dir-link"))
        yield* symlink(tree, join(tree, "sub", "loop"))

        const inside = yield* walked(files, tree)
        assert.deepStrictEqual(relatives(inside), ["f.txt", "in-link", "relative-link", "sub/g.txt"])
        const link = inside[1]!
        assert.strictEqual(link.path, join(tree, "in-link"))
        assert.strictEqual(link.size, "the file".length)

        assert.deepStrictEqual(
          relatives(yield* walked(files, tree, { followSymlinks: true })),
          ["f.txt", "in-link", "out-link", "relative-link", "sub/g.txt"]
        )
        assert.deepStrictEqual(
          relatives(yield* walked(files, tree, { followSymlinks: true, linkedFolders: true })),
          ["dir-link/o.txt", "f.txt", "in-link", "out-link", "relative-link", "sub/g.txt"]
        )
        // Walked from `sub`, the link back to `tree` is no loop: `tree` is entered once, `sub` not again.
        assert.deepStrictEqual(
          relatives(yield* walked(files, join(tree, "sub"), { followSymlinks: true, linkedFolders: true })),
          [
            "g.txt",
            "loop/dir-link/o.txt",
            "loop/f.txt",
            "loop/in-link",
            "loop/out-link",
            "loop/relative-link"
          ]
        )
      }))

    it.scoped("stat: what is there, links followed or not, one identity per file; realPath resolves links", () =>
      Effect.gen(function*() {
        const { files, join, root, symlink, write } = yield* subject
        yield* write(join(root, "f.txt"), "12345")
        yield* write(join(root, "g.txt"), "12")
        yield* symlink(join(root, "f.txt"), join(root, "link"))
        yield* symlink(join(root, "nothing"), join(root, "dangling"))

        const file = Option.getOrThrow(yield* files.stat(join(root, "f.txt")))
        assert.strictEqual(file.type, "File")
        assert.strictEqual(file.size, 5)
        assert.strictEqual(Option.getOrThrow(yield* files.stat(root)).type, "Directory")
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "missing"))))
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "f.txt", "below-a-file"))))
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "dangling"))))
        assert.strictEqual(
          Option.getOrThrow(yield* files.stat(join(root, "dangling"), { followLinks: false })).type,
          "SymbolicLink"
        )

        const throughLink = Option.getOrThrow(yield* files.stat(join(root, "link")))
        assert.strictEqual(throughLink.type, "File")
        assert.strictEqual(throughLink.size, 5)
        assert.strictEqual(throughLink.identity, file.identity)
        assert.strictEqual(Option.getOrThrow(yield* files.stat(join(root, ".", "f.txt"))).identity, file.identity)
        assert.notStrictEqual(Option.getOrThrow(yield* files.stat(join(root, "g.txt"))).identity, file.identity)
        assert.strictEqual(
          Option.getOrThrow(yield* files.stat(join(root, "link"), { followLinks: false })).type,
          "SymbolicLink"
        )

        const real = Option.getOrThrow(yield* files.realPath(join(root, "f.txt")))
        assert.strictEqual(Option.getOrThrow(yield* files.realPath(join(root, "link"))), real)
        assert.isTrue(Option.isNone(yield* files.realPath(join(root, "missing"))))
        assert.isTrue(Option.isNone(yield* files.realPath(join(root, "dangling"))))
      }))

    it.scoped("readFile: the bytes, in a buffer of their own; NotFound for nothing there, BadResource for a folder", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const body = randomBody(3000)
        yield* write(join(root, "f.bin"), body)
        yield* write(join(root, "empty"), "")
        const read = yield* files.readFile(join(root, "f.bin"))
        assert.isTrue(bytesEqual(read, body))
        assert.isTrue(ownsItsMemory(read))
        read.fill(0)
        assert.isTrue(bytesEqual(yield* files.readFile(join(root, "f.bin")), body))
        const empty = yield* files.readFile(join(root, "empty"))
        assert.strictEqual(empty.length, 0)
        assert.isTrue(ownsItsMemory(empty))
        assert.strictEqual(yield* reasonOf(files.readFile(join(root, "missing"))), "NotFound")
        assert.strictEqual(yield* reasonOf(files.readFile(join(root, "f.bin", "below"))), "NotFound")
        assert.strictEqual(yield* reasonOf(files.readFile(root)), "BadResource")
      }))

    it.scoped("open: reads by range, at once from many places; NotFound for nothing there", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const body = randomBody(10_000)
        yield* write(join(root, "f.bin"), body)
        const file = yield* files.open(join(root, "f.bin"))
        assert.strictEqual(file.size, body.length)
        const positions = Array.from({ length: 40 }, (_, index) => (index * 997) % 9_900)
        const reads = yield* Effect.forEach(positions, (position) => {
          const into = new Uint8Array(100)
          return Effect.map(file.read(into, position), (count) => ({ position, count, into }))
        }, { concurrency: "unbounded" })
        for (const { count, into, position } of reads) {
          assert.strictEqual(count, 100)
          assert.isTrue(bytesEqual(into, body.subarray(position, position + 100)), `at ${position}`)
        }
        const tail = new Uint8Array(100)
        assert.strictEqual(yield* file.read(tail, 9_950), 50)
        assert.isTrue(bytesEqual(tail.subarray(0, 50), body.subarray(9_950)))
        assert.strictEqual(yield* file.read(tail, 10_000), 0)
        assert.strictEqual(yield* reasonOf(Effect.scoped(files.open(join(root, "missing")))), "NotFound")
        const readFolder = Effect.scoped(Effect.flatMap(files.open(root), (folder) => folder.read(tail, 0)))
        assert.strictEqual(yield* reasonOf(readFolder), "BadResource")
      }))

    it.scoped("readStream: chunks of chunkSize, each its own buffer; NotFound for nothing there", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const body = randomBody(4_500)
        yield* write(join(root, "f.bin"), body)
        const chunks = Chunk.toReadonlyArray(
          yield* Stream.runCollect(files.readStream(join(root, "f.bin"), { chunkSize: 1_000 }))
        )
        assert.deepStrictEqual(chunks.map((chunk) => chunk.length), [1_000, 1_000, 1_000, 1_000, 500])
        assert.isTrue(bytesEqual(Buffer.concat(chunks), body))
        for (const chunk of chunks) assert.isTrue(ownsItsMemory(chunk))
        const whole = Chunk.toReadonlyArray(yield* Stream.runCollect(files.readStream(join(root, "f.bin"))))
        assert.isTrue(bytesEqual(Buffer.concat(whole), body))
        assert.strictEqual(yield* reasonOf(Stream.runDrain(files.readStream(join(root, "missing")))), "NotFound")
        assert.strictEqual(yield* reasonOf(Stream.runDrain(files.readStream(root))), "BadResource")
      }))

    it.scoped("writeAtomically: writes through a partial file beside the destination, then renames it over", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const destination = join(root, "out", "f.txt")
        yield* files.makeDirectory(join(root, "out"))
        yield* files.writeAtomically(destination, Stream.make(text("new "), text("file")))
        assert.strictEqual(new TextDecoder().decode(yield* files.readFile(destination)), "new file")

        yield* write(destination, "old")
        let during: ReadonlyArray<LocalFiles.File> = []
        let destinationDuring = ""
        const body = Stream.concat(
          Stream.make(text("first")),
          Stream.execute(Effect.gen(function*() {
            during = yield* walked(files, join(root, "out"))
            destinationDuring = new TextDecoder().decode(yield* files.readFile(destination))
          }))
        )
        yield* files.writeAtomically(destination, body)
        assert.strictEqual(destinationDuring, "old")
        assert.deepStrictEqual(during.map((file) => [file.partial, file.size]), [[true, 5], [false, 3]])
        assert.match(during[0]!.relative, /^\.f\.txt\.[0-9a-f]{32}\.s3po-partial$/)
        assert.deepStrictEqual(relatives(yield* walked(files, join(root, "out"))), ["f.txt"])
        assert.strictEqual(new TextDecoder().decode(yield* files.readFile(destination)), "first")
      }))

    it.scoped("writeAtomically keeps its own copy of what the body gives: the caller may fill its buffer again", () =>
      Effect.gen(function*() {
        const { files, join, root } = yield* subject
        const shared = new Uint8Array(4)
        let round = 0
        const body = Stream.repeatEffect(Effect.sync(() => shared.fill(round++))).pipe(Stream.take(3))
        yield* files.writeAtomically(join(root, "f.bin"), body)
        assert.deepStrictEqual([...(yield* files.readFile(join(root, "f.bin")))], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
      }))

    it.scoped("writeAtomically: a body that fails, or is interrupted, leaves the old file and no partial file", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const destination = join(root, "f.txt")
        yield* write(destination, "old")
        const failing = Stream.concat(Stream.make(text("half")), Stream.fail("boom" as const))
        assert.strictEqual(yield* Effect.flip(files.writeAtomically(destination, failing)), "boom")
        assert.strictEqual(new TextDecoder().decode(yield* files.readFile(destination)), "old")
        assert.deepStrictEqual(relatives(yield* walked(files, root)), ["f.txt"])

        const started = yield* Deferred.make<void>()
        const stalled = Stream.concat(
          Stream.make(text("half")),
          Stream.execute(Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
        )
        const fiber = yield* Effect.fork(files.writeAtomically(destination, stalled))
        yield* Deferred.await(started)
        assert.isTrue((yield* walked(files, root)).some((file) => file.partial))
        yield* Fiber.interrupt(fiber)
        assert.strictEqual(new TextDecoder().decode(yield* files.readFile(destination)), "old")
        assert.deepStrictEqual(relatives(yield* walked(files, root)), ["f.txt"])
      }))

    it.scoped("writeAtomically over a folder fails and leaves no partial file; into a missing folder, NotFound", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        yield* write(join(root, "folder", "inside.txt"), "inside")
        const error = yield* reasonOf(files.writeAtomically(join(root, "folder"), Stream.make(text("x"))))
        assert.strictEqual(error, "BadResource")
        assert.deepStrictEqual(relatives(yield* walked(files, root)), ["folder/inside.txt"])
        const missing = files.writeAtomically(join(root, "missing", "f.txt"), Stream.make(text("x")))
        assert.strictEqual(yield* reasonOf(missing), "NotFound")
      }))

    it.scoped("writeAtomically creates its partial file exclusively: a link planted under its name is not written through", () =>
      Effect.gen(function*() {
        const { files, join, root, symlink, write } = yield* subject
        const fixed = Buffer.alloc(16, 0xab)
        yield* write(join(root, "outside.txt"), "not to be touched")
        yield* files.makeDirectory(join(root, "in"))
        yield* symlink(join(root, "outside.txt"), join(root, "in", `.f.txt.${fixed.toString("hex")}.s3po-partial`))
        vi.mocked(randomBytes).mockImplementation(((size: number) => size === 16 ? fixed : Buffer.alloc(size)) as never)
        const written = files.writeAtomically(join(root, "in", "f.txt"), Stream.make(text("planted?")))
        const reason = yield* reasonOf(written).pipe(
          Effect.ensuring(Effect.sync(() => vi.mocked(randomBytes).mockRestore()))
        )
        assert.strictEqual(reason, "AlreadyExists")
        assert.strictEqual(
          new TextDecoder().decode(yield* files.readFile(join(root, "outside.txt"))),
          "not to be touched"
        )
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "in", "f.txt"))))
      }))

    it.scoped("makeDirectory makes the folders above; a file in the way fails", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        yield* files.makeDirectory(join(root, "a", "b", "c"))
        yield* files.makeDirectory(join(root, "a", "b", "c"))
        assert.strictEqual(Option.getOrThrow(yield* files.stat(join(root, "a", "b", "c"))).type, "Directory")
        yield* write(join(root, "f.txt"), "x")
        assert.strictEqual(yield* reasonOf(files.makeDirectory(join(root, "f.txt"))), "AlreadyExists")
        assert.strictEqual(yield* reasonOf(files.makeDirectory(join(root, "f.txt", "below"))), "NotFound")
      }))

    it.scoped("remove: a file, or a link (not what it points to); NotFound for nothing there; not a folder", () =>
      Effect.gen(function*() {
        const { files, join, root, symlink, write } = yield* subject
        yield* write(join(root, "f.txt"), "x")
        yield* write(join(root, "g.txt"), "y")
        yield* symlink(join(root, "g.txt"), join(root, "link"))
        yield* files.remove(join(root, "f.txt"))
        yield* files.remove(join(root, "link"))
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "f.txt"))))
        assert.isTrue(Option.isNone(yield* files.stat(join(root, "link"), { followLinks: false })))
        assert.deepStrictEqual(relatives(yield* walked(files, root)), ["g.txt"])
        assert.strictEqual(yield* reasonOf(files.remove(join(root, "f.txt"))), "NotFound")
        yield* files.makeDirectory(join(root, "folder"))
        assert.strictEqual(yield* reasonOf(files.remove(join(root, "folder"))), "BadResource")
        assert.strictEqual(Option.getOrThrow(yield* files.stat(join(root, "folder"))).type, "Directory")
      }))

    it.scoped("setModified sets the time stat and walk report; NotFound for nothing there", () =>
      Effect.gen(function*() {
        const { files, join, root, write } = yield* subject
        const modified = new Date("2020-01-02T03:04:05.000Z")
        yield* write(join(root, "f.txt"), "x")
        yield* files.setModified(join(root, "f.txt"), modified)
        assert.strictEqual(
          Option.getOrThrow(yield* files.stat(join(root, "f.txt"))).modified.getTime(),
          modified.getTime()
        )
        assert.strictEqual((yield* walked(files, root))[0]!.modified.getTime(), modified.getTime())
        assert.strictEqual(yield* reasonOf(files.setModified(join(root, "missing"), modified)), "NotFound")
      }))
  })
}

/**
 * Random trees of files, folders and links (to files, to folders, to ancestors, out of the walked
 * folder, to nothing), laid out on disk and in memory: every implementation walks them as Node's does.
 */
describe("LocalFiles walks agree on random trees", () => {
  const name = fc.constantFrom("a", "a-b", "a.b", "b", "\u00e9", "\uff61", "\u{1f600}", partialName("a"))
  const relativePath = fc.array(name, { minLength: 1, maxLength: 3 }).map((names) => names.join("/"))
  const tree = fc.record({
    files: fc.array(fc.tuple(relativePath, fc.nat({ max: 5 })), { maxLength: 12 }),
    links: fc.array(
      fc.tuple(
        relativePath,
        fc.oneof(relativePath, fc.constantFrom("", "..", "../outside", "../outside/o", "nothing"))
      ),
      { maxLength: 5 }
    ),
    relativeTargets: fc.boolean()
  })
  type Tree = typeof tree extends fc.Arbitrary<infer A> ? A : never

  /** The tree's files and links below `walked`, each path kept only when nothing laid out before is in its way. */
  const layout = (generated: Tree) => {
    const taken = new Map<string, "file" | "folder">([["outside", "folder"], ["outside/o", "file"]])
    const free = (at: string) => {
      const names = at.split("/")
      for (let end = 1; end < names.length; end++) {
        if (taken.get(names.slice(0, end).join("/")) === "file") return false
      }
      return !taken.has(at)
    }
    const claim = (at: string) => {
      const names = at.split("/")
      for (let end = 1; end < names.length; end++) taken.set(names.slice(0, end).join("/"), "folder")
      taken.set(at, "file")
    }
    const files: Array<readonly [string, number]> = []
    for (const [relative, size] of generated.files) {
      const at = `walked/${relative}`
      if (free(at)) {
        claim(at)
        files.push([at, size])
      }
    }
    const links: Array<readonly [string, string]> = []
    for (const [relative, target] of generated.links) {
      const at = `walked/${relative}`
      if (free(at)) {
        claim(at)
        links.push([at, path.posix.normalize(`walked/${target}`)])
      }
    }
    return { files, links }
  }

  const check = (generated: Tree) =>
    Effect.gen(function*() {
      const { files, links } = layout(generated)
      const disk = yield* Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-walks-"))),
        (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
      )
      const memory = yield* LocalFiles.makeMemory()
      const targetOf = (root: string, at: string, target: string) =>
        generated.relativeTargets ?
          path.relative(path.dirname(path.join(root, at)), path.join(root, target)) || "." :
          path.join(root, target)
      yield* memory.writeFile("/m/outside/o", "outside")
      yield* Effect.promise(async () => {
        await fs.mkdir(path.join(disk, "outside"))
        await fs.writeFile(path.join(disk, "outside", "o"), "outside")
      })
      for (const [at, size] of files) {
        yield* memory.writeFile(`/m/${at}`, "x".repeat(size))
        yield* Effect.promise(async () => {
          await fs.mkdir(path.dirname(path.join(disk, at)), { recursive: true })
          await fs.writeFile(path.join(disk, at), "x".repeat(size))
        })
      }
      for (const [at, target] of links) {
        yield* memory.symlink(targetOf("/m", at, target), `/m/${at}`)
        yield* Effect.promise(async () => {
          await fs.mkdir(path.dirname(path.join(disk, at)), { recursive: true })
          await fs.symlink(targetOf(disk, at, target), path.join(disk, at))
        })
      }
      const overNode = yield* overFileSystem
      for (
        const options of [
          { followSymlinks: false, linkedFolders: false },
          { followSymlinks: true, linkedFolders: false },
          { followSymlinks: true, linkedFolders: true }
        ]
      ) {
        // What a walk finds, or that it fails: a loop of links (a link to itself) fails every walk alike.
        const summary = (files: LocalFiles.LocalFiles, root: string) =>
          Effect.match(walked(files, root, options), {
            onFailure: (error) => [`fails: ${error._tag}`],
            onSuccess: (found) => found.map((file) => `${file.relative} ${file.size}${file.partial ? " partial" : ""}`)
          })
        const expected = yield* summary(LocalFiles.nodeFiles, path.join(disk, "walked"))
        const label = JSON.stringify({ files, links, options, relativeTargets: generated.relativeTargets })
        assert.deepStrictEqual(yield* summary(memory, "/m/walked"), expected, label)
        assert.deepStrictEqual(yield* summary(overNode, path.join(disk, "walked")), expected, label)
        const keys = expected.map((line) => line.split(" ")[0]!)
        assert.deepStrictEqual(keys, byUtf8(keys))
      }
    })

  it("memory and fromFileSystem find what Node's walk finds, in the same order", async () => {
    await fc.assert(
      fc.asyncProperty(tree, (generated) => Effect.runPromise(Effect.scoped(check(generated)))),
      {
        numRuns: 40,
        examples: [
          [{ files: [], links: [["a", "a"]], relativeTargets: false }],
          [{ files: [["b/c", 1]], links: [["b/up", ""], ["a", "b"]], relativeTargets: true }]
        ]
      }
    )
  }, 120_000)
})

describe("LocalFiles.fromFileSystem", () => {
  it.scoped("ranged reads at once do not mix, though the file system's seek and read let other fibers run between", () =>
    Effect.gen(function*() {
      const [nodeFileSystem, nodePath] = yield* Effect.provide(
        Effect.all([FileSystem.FileSystem, Path.Path]),
        Layer.merge(NodeFileSystem.layer, NodePath.layer)
      )
      /** A file whose seek and read each yield first, as a file system of one's own may. */
      const yielding = (file: FileSystem.File): FileSystem.File => ({
        [FileSystem.FileTypeId]: FileSystem.FileTypeId,
        fd: file.fd,
        stat: file.stat,
        sync: file.sync,
        seek: (offset, from) => Effect.zipRight(Effect.yieldNow(), file.seek(offset, from)),
        read: (buffer) => Effect.zipRight(Effect.yieldNow(), file.read(buffer)),
        readAlloc: (size) => file.readAlloc(size),
        truncate: (length) => file.truncate(length),
        write: (buffer) => file.write(buffer),
        writeAll: (buffer) => file.writeAll(buffer)
      })
      const fileSystem: FileSystem.FileSystem = {
        ...nodeFileSystem,
        open: (at, options) => Effect.map(nodeFileSystem.open(at, options), yielding)
      }
      const files = LocalFiles.fromFileSystem(fileSystem, nodePath)
      const root = yield* tempDir
      const body = randomBody(10_000)
      yield* Effect.promise(() => fs.writeFile(path.join(root, "f.bin"), body))
      const file = yield* files.open(path.join(root, "f.bin"))
      const positions = Array.from({ length: 40 }, (_, index) => (index * 997) % 9_900)
      yield* Effect.forEach(positions, (position) => {
        const into = new Uint8Array(100)
        return Effect.map(file.read(into, position), (count) => {
          assert.strictEqual(count, 100)
          assert.isTrue(bytesEqual(into, body.subarray(position, position + 100)), `at ${position}`)
        })
      }, { concurrency: "unbounded" })
    }))
})

describe("LocalFiles.nodeFiles: writeAtomically puts what it wrote on the disk", () => {
  /**
   * Node's file handles' `sync`, watched: `before` runs at each call, then the real sync unless
   * `before` throws. Restored with the scope.
   */
  const watchSyncs = (before: () => Promise<void>) =>
    Effect.acquireRelease(
      Effect.promise(async () => {
        const probe = await fs.open(os.devNull, "r")
        const prototype = Object.getPrototypeOf(probe) as { sync: (this: fs.FileHandle) => Promise<void> }
        await probe.close()
        const sync = prototype.sync
        return vi.spyOn(prototype, "sync").mockImplementation(async function(this: fs.FileHandle) {
          await before()
          return sync.call(this)
        })
      }),
      (spy) => Effect.sync(() => spy.mockRestore())
    )

  it.scoped("the file is synced before it is renamed over the destination, its folder after", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const destination = path.join(root, "f.txt")
      yield* Effect.promise(() => fs.writeFile(destination, "old"))
      const seen: Array<string> = []
      yield* watchSyncs(async () => {
        seen.push(await fs.readFile(destination, "utf8"))
      })
      yield* LocalFiles.nodeFiles.writeAtomically(destination, Stream.make(text("new")))
      assert.deepStrictEqual(seen, ["old", "new"])
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(destination, "utf8")), "new")
    }))

  it.scoped("a sync that fails fails the write, typed, and leaves the old file and no partial file", () =>
    Effect.gen(function*() {
      const root = yield* tempDir
      const destination = path.join(root, "f.txt")
      yield* Effect.promise(() => fs.writeFile(destination, "old"))
      yield* watchSyncs(() => Promise.reject(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })))
      const error = yield* Effect.flip(LocalFiles.nodeFiles.writeAtomically(destination, Stream.make(text("new"))))
      assert.strictEqual(error._tag, "SystemError")
      assert.strictEqual(yield* Effect.promise(() => fs.readFile(destination, "utf8")), "old")
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(root)), ["f.txt"])
    }))
})

describe("LocalFiles.fromFileSystem: writeAtomically", () => {
  it.scoped("syncs the file before it renames it", () =>
    Effect.gen(function*() {
      const [nodeFileSystem, nodePath] = yield* Effect.provide(
        Effect.all([FileSystem.FileSystem, Path.Path]),
        Layer.merge(NodeFileSystem.layer, NodePath.layer)
      )
      const done: Array<string> = []
      const fileSystem: FileSystem.FileSystem = {
        ...nodeFileSystem,
        open: (at, options) =>
          Effect.map(nodeFileSystem.open(at, options), (file) =>
            Object.create(file, {
              sync: { value: Effect.zipRight(file.sync, Effect.sync(() => done.push("sync"))) }
            }) as FileSystem.File),
        rename: (from, to) => Effect.zipRight(nodeFileSystem.rename(from, to), Effect.sync(() => done.push("rename")))
      }
      const root = yield* tempDir
      yield* LocalFiles.fromFileSystem(fileSystem, nodePath).writeAtomically(
        path.join(root, "f.txt"),
        Stream.make(text("x"))
      )
      assert.deepStrictEqual(done, ["sync", "rename"])
    }))
})

describe("LocalFiles.makeMemory", () => {
  it.effect("is seeded with files by path, a relative one resolved against /; snapshot gives them in key order", () =>
    Effect.gen(function*() {
      const files = yield* LocalFiles.makeMemory({ "/site/index.html": "<h1>hello</h1>", "notes/a.txt": "a" })
      yield* files.symlink("/site/index.html", "/site/link")
      const snapshot = yield* files.snapshot
      assert.deepStrictEqual([...snapshot.keys()], ["/notes/a.txt", "/site/index.html"])
      assert.strictEqual(new TextDecoder().decode(snapshot.get("/site/index.html")), "<h1>hello</h1>")
      assert.strictEqual(new TextDecoder().decode(yield* files.readFile("site/../notes/a.txt")), "a")
      assert.strictEqual(Option.getOrThrow(yield* files.realPath("site/link")), "/site/index.html")
    }))

  it.effect("writeFile: modified is the clock's time unless given; the tree keeps copies, and hands out copies", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2024-05-06T07:08:09.123Z"))
      const files = yield* LocalFiles.makeMemory()
      const content = text("abc")
      yield* files.writeFile("/f.txt", content)
      yield* files.writeFile("/g.txt", "g", { modified: new Date("2001-01-01T00:00:00.000Z") })
      content.fill(0)
      const info = Option.getOrThrow(yield* files.stat("/f.txt"))
      assert.strictEqual(info.modified.toISOString(), "2024-05-06T07:08:09.123Z")
      assert.strictEqual(
        Option.getOrThrow(yield* files.stat("/g.txt")).modified.toISOString(),
        "2001-01-01T00:00:00.000Z"
      )
      const snapshot = yield* files.snapshot
      snapshot.get("/f.txt")!.fill(0)
      assert.strictEqual(new TextDecoder().decode(yield* files.readFile("/f.txt")), "abc")
      yield* files.writeFile("/f.txt", "again")
      assert.strictEqual(Option.getOrThrow(yield* files.stat("/f.txt")).identity, info.identity)
    }))

  it.effect("a loop of links is an error, not a hang", () =>
    Effect.gen(function*() {
      const files = yield* LocalFiles.makeMemory()
      yield* files.symlink("/b", "/a")
      yield* files.symlink("/a", "/b")
      const error: PlatformError = yield* Effect.flip(files.stat("/a"))
      assert.strictEqual(error._tag, "SystemError")
      assert.strictEqual((yield* Effect.flip(files.realPath("/a/x")))._tag, "SystemError")
    }))
})
