import { type PlatformError, SystemError, type SystemErrorReason } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as LocalFiles from "../../LocalFiles.js"
import { partialFileName } from "../core/partialFile.js"
import { type Found, walk } from "./walk.js"

const MiB = 1024 * 1024
const encoder = new TextEncoder()

/**
 * Node's codes that `@effect/platform-node` reports as other reasons than Node's own `LocalFiles`
 * does: a file where a folder should be is nothing there, as a missing folder is.
 */
const reasonsByCode: Readonly<Record<string, SystemErrorReason>> = {
  ENOTDIR: "NotFound",
  ERR_FS_EISDIR: "BadResource"
}

const codeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined

/** A failure as Node's `LocalFiles` would report it. */
const normalized = (error: PlatformError): PlatformError => {
  if (error._tag !== "SystemError") return error
  const reason = reasonsByCode[codeOf(error.cause) ?? ""]
  return reason === undefined || reason === error.reason ? error : new SystemError({ ...error, reason })
}

const missing = (error: PlatformError): boolean => error._tag === "SystemError" && error.reason === "NotFound"

const tried = <A, R>(effect: Effect.Effect<A, PlatformError, R>): Effect.Effect<A, PlatformError, R> =>
  Effect.mapError(effect, normalized)

/** What `effect` finds; none when nothing is at its path. */
const orNone = <A>(effect: Effect.Effect<A, PlatformError>): Effect.Effect<Option.Option<A>, PlatformError> =>
  Effect.catchAll(
    Effect.map(tried(effect), Option.some),
    (error) => missing(error) ? Effect.succeed(Option.none()) : Effect.fail(error)
  )

/** A buffer that is all of its memory: one that is a view into more is copied. */
const owned = (bytes: Uint8Array): Uint8Array =>
  bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength ? bytes : new Uint8Array(bytes)

const typeOf = (type: FileSystem.File.Type): LocalFiles.FileInfo["type"] =>
  type === "File" || type === "Directory" || type === "SymbolicLink" ? type : "Other"

const foundOf = (info: FileSystem.File.Info): Found => ({
  type: typeOf(info.type),
  size: Number(info.size),
  modified: Option.getOrElse(info.mtime, () => new Date(0))
})

/** What is known of a link itself: where it points (the rest stands in for what is not known). */
const linkInfo = (fileSystem: FileSystem.FileSystem, path: Path.Path, at: string, target: string) =>
  Effect.gen(function*() {
    const pointedTo = yield* orNone(fileSystem.stat(at))
    const folder = yield* orNone(fileSystem.realPath(path.dirname(at)))
    return {
      type: "SymbolicLink",
      size: encoder.encode(target).length,
      modified: Option.match(pointedTo, { onNone: () => new Date(0), onSome: (info) => foundOf(info).modified }),
      identity: `link:${path.join(Option.getOrElse(folder, () => path.dirname(at)), path.basename(at))}`
    } satisfies LocalFiles.FileInfo
  })

const stat = (fileSystem: FileSystem.FileSystem, path: Path.Path) =>
(
  at: string,
  options?: { readonly followLinks?: boolean | undefined }
): Effect.Effect<Option.Option<LocalFiles.FileInfo>, PlatformError> =>
  Effect.gen(function*() {
    if (options?.followLinks === false) {
      // `FileSystem` has no `lstat`: a path is a link when `readLink` reads it.
      const target = yield* Effect.either(fileSystem.readLink(at))
      if (Either.isLeft(target) && missing(normalized(target.left))) return Option.none()
      if (Either.isRight(target)) return Option.some(yield* linkInfo(fileSystem, path, at, target.right))
    }
    const info = yield* orNone(fileSystem.stat(at))
    if (Option.isNone(info)) return Option.none()
    const identity = yield* Option.match(info.value.ino, {
      onSome: (ino) => Effect.succeed(`${info.value.dev}:${ino}`),
      // Without an inode, the file's real path tells it apart.
      onNone: () =>
        Effect.map(orNone(fileSystem.realPath(at)), (real) => `real:${Option.getOrElse(real, () => path.resolve(at))}`)
    })
    return Option.some<LocalFiles.FileInfo>({ ...foundOf(info.value), identity })
  })

const open = (fileSystem: FileSystem.FileSystem) => (at: string) =>
  Effect.gen(function*() {
    const file = yield* tried(fileSystem.open(at, { flag: "r" }))
    const info = yield* tried(file.stat)
    if (info.type === "Directory") {
      return yield* new SystemError({
        reason: "BadResource",
        module: "FileSystem",
        method: "open",
        pathOrDescriptor: at,
        description: "is a directory"
      })
    }
    // A read is a seek and a read of the file's one position: two reads at once must not mix them.
    const lock = yield* Effect.makeSemaphore(1)
    return {
      size: Number(info.size),
      read: (into, position) =>
        lock.withPermits(1)(Effect.zipRight(file.seek(position, "start"), Effect.map(tried(file.read(into)), Number)))
    } satisfies LocalFiles.OpenFile
  })

/**
 * The body into a new file beside `destination`, synced to the disk and closed, then renamed over it;
 * removed unless all that succeeds. The directory is not synced after the rename: a `FileSystem`
 * opens no directory.
 */
const writeAtomically = (fileSystem: FileSystem.FileSystem, path: Path.Path) =>
<E, R>(
  destination: string,
  body: Stream.Stream<Uint8Array, E, R>
): Effect.Effect<void, E | PlatformError, R> =>
  Effect.suspend(() => {
    const temporary = path.join(path.dirname(destination), partialFileName(path.basename(destination)))
    let created = false
    return Effect.acquireUseRelease(
      Scope.make(),
      (scope) =>
        Effect.gen(function*() {
          const file = yield* Effect.uninterruptible(Effect.tap(
            Scope.extend(tried(fileSystem.open(temporary, { flag: "wx" })), scope),
            () => {
              created = true
            }
          ))
          yield* Stream.runForEach(body, (chunk) => tried(file.writeAll(chunk)))
          yield* tried(file.sync)
          yield* Scope.close(scope, Exit.void)
          yield* tried(fileSystem.rename(temporary, destination))
        }),
      (scope, exit) =>
        Effect.zipRight(
          Scope.close(scope, exit),
          Exit.isSuccess(exit) || !created ? Effect.void : Effect.ignore(fileSystem.remove(temporary))
        )
    )
  })

/** Local files over `@effect/platform`'s `FileSystem` and `Path`. */
export const make = (fileSystem: FileSystem.FileSystem, path: Path.Path): LocalFiles.LocalFiles => {
  const realPath = (at: string) => orNone(fileSystem.realPath(at))
  return {
    walk: walk({
      readDirectory: (directory) => orNone(fileSystem.readDirectory(directory)),
      stat: (at) => Effect.map(orNone(fileSystem.stat(at)), Option.map(foundOf)),
      isLink: (at) => Effect.match(fileSystem.readLink(at), { onFailure: () => false, onSuccess: () => true }),
      realPath,
      join: (directory, name) => path.join(directory, name),
      separator: path.sep,
      concurrency: 32
    }),
    stat: stat(fileSystem, path),
    realPath,
    readFile: (at) => Effect.map(tried(fileSystem.readFile(at)), owned),
    open: open(fileSystem),
    readStream: (at, options) =>
      Stream.map(Stream.mapError(fileSystem.stream(at, { chunkSize: options?.chunkSize ?? MiB }), normalized), owned),
    writeAtomically: writeAtomically(fileSystem, path),
    makeDirectory: (folder) => tried(fileSystem.makeDirectory(folder, { recursive: true })),
    remove: (file) => tried(fileSystem.remove(file)),
    setModified: (file, modified) => tried(fileSystem.utimes(file, modified, modified))
  }
}
