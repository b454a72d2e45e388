/**
 * Syncs over random local trees and random keys, hostile ones included (`..`, runs of `/`, NUL,
 * unicode in two normal forms, case twins, names like a download's partial file), with links out of
 * the directory and into it, on the mock and real temporary directories: whatever the options, a
 * sync writes and deletes nothing outside its directory, `syncUp` deletes no object whose local
 * file exists and writes nothing locally, and `syncDown` deletes no local file the bucket has and
 * writes nothing to the bucket. Where the directory folds case, a plan down never downloads two keys
 * onto one file and never deletes a file a key names in another case.
 */
import { describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { LocalFiles, S3Po, S3PoMock, Sync } from "s3po"
import { foldedNames } from "../../src/internal/sync/nameFolding.js"
import * as Plan from "../../src/internal/sync/plan.js"
import { unsafeReason } from "../../src/internal/sync/safePath.js"

const leftover = `.a.${"0f".repeat(16)}.s3po-partial`

const segment = fc.constantFrom("a", "A", "b", "\u00e9", "e\u0301", "report.s3po-partial", leftover, "x y", "real")
const localPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"))

const hostileKey = fc.oneof(
  localPath,
  fc.constantFrom(
    "..",
    "../x",
    "a/../../outside/f1",
    "a/../../../x",
    "/abs",
    "a//b",
    "//",
    "a\u0000b",
    "./a",
    "a/.",
    "\\..\\x",
    "C:\\x",
    "link-out/f1",
    "link-out/new.txt",
    "file-out",
    "alias/inside",
    "alias/new.txt",
    "folder/",
    "\u{1f600}"
  ),
  fc.string({ unit: fc.constantFrom("a", "A", "/", ".", "\\", "\u0000", "\u00e9"), minLength: 1, maxLength: 6 })
)

interface Scenario {
  readonly localPaths: ReadonlyArray<string>
  readonly keys: ReadonlyArray<string>
  readonly direction: "up" | "down"
  readonly prefix: "" | "p"
  readonly links: { readonly folderOut: boolean; readonly fileOut: boolean; readonly alias: boolean }
  readonly options: Sync.SyncOptions
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  localPaths: fc.array(localPath, { maxLength: 8 }),
  keys: fc.uniqueArray(hostileKey, { maxLength: 10 }),
  direction: fc.constantFrom("up" as const, "down" as const),
  prefix: fc.constantFrom("" as const, "p" as const),
  links: fc.record({ folderOut: fc.boolean(), fileOut: fc.boolean(), alias: fc.boolean() }),
  options: fc.record({
    delete: fc.boolean(),
    followSymlinks: fc.boolean(),
    compare: fc.constantFrom("size-and-time" as const, "checksum" as const, "none" as const),
    concurrency: fc.constantFrom(1, 4)
  })
})

/** Everything below `directory`, links not followed: path to `file <content>`, `folder` or `link <target>`. */
const snapshot = async (directory: string): Promise<Map<string, string>> => {
  const found = new Map<string, string>()
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await fs.readdir(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name)
      const relative = prefix + entry.name
      if (entry.isSymbolicLink()) found.set(relative, `link ${await fs.readlink(full)}`)
      else if (entry.isDirectory()) {
        found.set(relative, "folder")
        await walk(full, `${relative}/`)
      } else found.set(relative, `file ${await fs.readFile(full, "latin1")}`)
    }
  }
  await walk(directory, "")
  return found
}

/** The regular files below `root` reached without a link, by path below it. */
const plainFiles = (tree: Map<string, string>) =>
  new Set([...tree].filter(([, what]) => what.startsWith("file ")).map(([relative]) => relative))

const fail = (message: string): never => {
  throw new Error(message)
}

/** Writes the scenario's tree; a path that clashes with one before it (a file where a folder is) is left out. */
const writeLocal = async (outer: string, root: string, scenario: Scenario) => {
  await fs.mkdir(path.join(outer, "outside", "deep"), { recursive: true })
  await fs.writeFile(path.join(outer, "outside", "f1"), "outside one")
  await fs.writeFile(path.join(outer, "outside", "deep", "f2"), "outside two")
  await fs.mkdir(path.join(root, "real"), { recursive: true })
  await fs.writeFile(path.join(root, "real", "inside"), "inside")
  for (const relative of scenario.localPaths) {
    const file = path.join(root, ...relative.split("/"))
    await fs.mkdir(path.dirname(file), { recursive: true }).then(() => fs.writeFile(file, `local ${relative}`)).catch(
      () => undefined
    )
  }
  const link = (target: string, name: string) => fs.symlink(target, path.join(root, name)).catch(() => undefined)
  if (scenario.links.folderOut) await link(path.join(outer, "outside"), "link-out")
  if (scenario.links.fileOut) await link(path.join(outer, "outside", "f1"), "file-out")
  if (scenario.links.alias) await link(path.join(root, "real"), "alias")
}

const keysOf = (bucket: string) =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.list(bucket))).pipe(Effect.map(Chunk.toArray))

const check = (scenario: Scenario) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const outer = yield* Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-sync-property-"))),
      (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
    )
    const root = path.join(outer, "root")
    yield* Effect.promise(() => writeLocal(outer, root, scenario))
    yield* s3.createBucket("property")
    const prefix = scenario.prefix === "" ? "" : "p/"
    for (const key of scenario.keys) yield* Effect.ignore(s3.upload("property", prefix + key, `remote ${key}`))
    if (prefix !== "") yield* s3.upload("property", "elsewhere/kept", "not below the prefix")

    const outsideBefore = yield* Effect.promise(() => snapshot(path.join(outer, "outside")))
    const rootBefore = yield* Effect.promise(() => snapshot(root))
    const keysBefore = yield* keysOf("property")
    const location = { bucket: "property", prefix: scenario.prefix }
    yield* scenario.direction === "up"
      ? Sync.syncUp(root, location, scenario.options)
      : Sync.syncDown(location, root, scenario.options)

    const outsideAfter = yield* Effect.promise(() => snapshot(path.join(outer, "outside")))
    if (JSON.stringify([...outsideAfter]) !== JSON.stringify([...outsideBefore])) {
      fail(`outside the directory changed: ${JSON.stringify([...outsideAfter])}`)
    }
    const besideRoot = yield* Effect.promise(() => fs.readdir(outer))
    if (besideRoot.sort().join() !== "outside,root") fail(`made beside the directory: ${besideRoot.join()}`)
    const rootAfter = yield* Effect.promise(() => snapshot(root))
    const keysAfter = new Set(yield* keysOf("property"))

    if (scenario.direction === "up") {
      if (JSON.stringify([...rootAfter]) !== JSON.stringify([...rootBefore])) fail("syncUp changed the directory")
      const local = plainFiles(rootBefore)
      for (const key of keysBefore) {
        const below = key.startsWith(prefix) ? key.slice(prefix.length) : undefined
        const hasLocalFile = below !== undefined && unsafeReason(below) === undefined && local.has(below)
        if ((hasLocalFile || below === undefined) && !keysAfter.has(key)) fail(`syncUp deleted ${JSON.stringify(key)}`)
      }
    } else {
      if ([...keysAfter].join("\n") !== keysBefore.join("\n")) fail("syncDown changed the bucket")
      const after = plainFiles(rootAfter)
      for (const relative of plainFiles(rootBefore)) {
        if (keysAfter.has(prefix + relative) && !after.has(relative)) fail(`syncDown deleted ${relative}`)
      }
    }
  }).pipe(Effect.scoped, Effect.provide(S3PoMock))

/** A plan down into a directory that folds case, over the same trees and keys. */
const checkFoldedPlan = (scenario: Scenario) =>
  Effect.gen(function*() {
    const s3 = yield* S3Po
    const outer = yield* Effect.acquireRelease(
      Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "s3po-sync-property-"))),
      (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
    )
    const root = path.join(outer, "root")
    yield* Effect.promise(() => writeLocal(outer, root, scenario))
    yield* s3.createBucket("property")
    for (const key of scenario.keys) yield* Effect.ignore(s3.upload("property", key, `remote ${key}`))
    const keys = yield* keysOf("property")
    const actions = Chunk.toArray(
      yield* Stream.runCollect(
        Plan.planDown(s3, LocalFiles.nodeFiles, { bucket: "property" }, root, { delete: true }, foldedNames)
      )
    )
    const keyNames = new Set(keys.filter((key) => unsafeReason(key) === undefined).map(foldedNames))
    const downloaded = new Set<string>()
    for (const action of actions) {
      if (action._tag === "Download") {
        const folded = foldedNames(action.relative)
        if (downloaded.has(folded)) fail(`two keys download onto ${action.relative}`)
        downloaded.add(folded)
      }
      if (action._tag === "DeleteFile" && keyNames.has(foldedNames(action.relative))) {
        fail(`deletes ${action.relative}, which a key names`)
      }
    }
  }).pipe(Effect.scoped, Effect.provide(S3PoMock))

describe("sync properties", () => {
  it("nothing written or deleted outside the directory, nor a file or object the other side has", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (generated) => Effect.runPromise(check(generated))),
      { numRuns: 60 }
    )
  }, 60_000)

  it("into a directory that folds case, one file per folded name, none deleted that a key names", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (generated) => Effect.runPromise(checkFoldedPlan(generated))),
      { numRuns: 40 }
    )
  }, 60_000)
})
