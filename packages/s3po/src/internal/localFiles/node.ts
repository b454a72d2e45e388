import { SystemError, type SystemErrorReason } from "@effect/platform/Error"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { Stats } from "node:fs"
import { createReadStream, readFile } from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type * as LocalFiles from "../../LocalFiles.js"
import { partialFileName } from "../core/partialFile.js"
import { filesInKeyOrder, missing } from "./nodeWalk.js"

const MiB = 1024 * 1024

const reasons: Readonly<Record<string, SystemErrorReason>> = {
  ENOENT: "NotFound",
  ENOTDIR: "NotFound",
  EEXIST: "AlreadyExists",
  EACCES: "PermissionDenied",
  EPERM: "PermissionDenied",
  EBUSY: "Busy",
  ETIMEDOUT: "TimedOut",
  EISDIR: "BadResource"
}

/** A Node file system error as `@effect/platform`'s, its code kept as the reason it stands for. */
export const systemError = (method: string, at: string) => (cause: unknown): SystemError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  const syscall = typeof cause === "object" && cause !== null && "syscall" in cause ? String(cause.syscall) : undefined
  return new SystemError({
    reason: (code === undefined ? undefined : reasons[code]) ?? "Unknown",
    module: "FileSystem",
    method,
    pathOrDescriptor: at,
    ...(syscall === undefined ? {} : { syscall }),
    description: cause instanceof Error ? cause.message : String(cause),
    cause
  })
}

const attempt = <A>(method: string, at: string, run: () => Promise<A>): Effect.Effect<A, SystemError> =>
  Effect.tryPromise({ try: run, catch: systemError(method, at) })

/** What is at a path, or undefined when nothing is. */
const orMissing = <A>(promise: Promise<A>): Promise<A | undefined> =>
  promise.catch((error: unknown) => {
    if (missing(error)) return undefined
    throw error
  })

const infoOf = (stats: Stats): LocalFiles.FileInfo => ({
  type: stats.isFile()
    ? "File"
    : stats.isDirectory()
    ? "Directory"
    : stats.isSymbolicLink()
    ? "SymbolicLink"
    : "Other",
  size: stats.size,
  modified: stats.mtime,
  identity: `${stats.dev}:${stats.ino}`
})

/**
 * The callback `readFile`: it costs a fraction of its promise form, and a sync of small files is
 * mostly that.
 */
const readWhole = (file: string): Effect.Effect<Uint8Array, SystemError> =>
  Effect.async((resume) => {
    readFile(file, (error, bytes) =>
      resume(error === null ? Effect.succeed(bytes) : Effect.fail(systemError("readFile", file)(error))))
  })

const open = (file: string) =>
  Effect.gen(function*() {
    const handle = yield* Effect.acquireRelease(
      attempt("open", file, () => fs.open(file, "r")),
      (handle) => Effect.ignore(attempt("close", file, () => handle.close()))
    )
    const stats = yield* attempt("stat", file, () => handle.stat())
    return {
      size: stats.size,
      read: (into, position) =>
        attempt("read", file, () => handle.read(into, 0, into.length, position).then((read) => read.bytesRead))
    } satisfies LocalFiles.OpenFile
  })

/** Writes a chunk's buffers with one `writev`, finishing a short write (rare: a full disk, a signal) buffer by buffer. */
const writeChunk = async (handle: fs.FileHandle, buffers: ReadonlyArray<Uint8Array>) => {
  let total = 0
  for (const buffer of buffers) total += buffer.length
  let done = (await handle.writev(buffers as Array<Uint8Array>)).bytesWritten
  if (done >= total) return
  for (const buffer of buffers) {
    if (done >= buffer.length) {
      done -= buffer.length
      continue
    }
    const rest = buffer.subarray(done)
    done = 0
    let at = 0
    while (at < rest.length) at += (await handle.write(rest, at)).bytesWritten
  }
}

/**
 * Puts a rename in `directory` on the disk. Windows opens no directory to sync, and some file
 * systems sync none (`EINVAL`): there the rename is as durable as the file system makes it.
 */
const syncDirectory = (directory: string): Effect.Effect<void, SystemError> =>
  process.platform === "win32" ? Effect.void : attempt("sync", directory, async () => {
    const handle = await fs.open(directory, "r")
    try {
      await handle.sync().catch((error: unknown) => {
        if (!unsupported(error)) throw error
      })
    } finally {
      await handle.close()
    }
  })

const unsupported = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error &&
  (error.code === "EINVAL" || error.code === "ENOTSUP" || error.code === "EOPNOTSUPP")

/**
 * Each chunk of the body in one `writev`: one call per range a download receives, not per buffer.
 * The partial file's name is drawn when the write runs, and only the file this write made is removed.
 * The file is synced to the disk before the rename, and its directory after it.
 */
const writeAtomically = <E, R>(
  destination: string,
  body: Stream.Stream<Uint8Array, E, R>
): Effect.Effect<void, E | SystemError, R> =>
  Effect.suspend(() => {
    const temporary = path.join(path.dirname(destination), partialFileName(path.basename(destination)))
    let created = false
    let closed = false
    const close = (handle: fs.FileHandle) =>
      Effect.suspend(() => {
        if (closed) return Effect.void
        closed = true
        return attempt("close", temporary, () => handle.close())
      })
    const written = Effect.acquireUseRelease(
      Effect.tap(attempt("open", temporary, () => fs.open(temporary, "wx")), () => {
        created = true
      }),
      // On the disk before the rename (else a crash can leave `destination` renamed but empty), and
      // closed here first, so that an error the close reports (a full disk, over NFS) fails the write.
      (handle) =>
        Stream.runForEachChunk(
          body,
          (chunk) => attempt("write", temporary, () => writeChunk(handle, Chunk.toReadonlyArray(chunk)))
        ).pipe(
          Effect.zipRight(attempt("sync", temporary, () => handle.sync())),
          Effect.zipRight(close(handle))
        ),
      (handle) => Effect.ignore(close(handle))
    )
    return Effect.onExit(
      written.pipe(
        Effect.zipRight(attempt("rename", destination, () => fs.rename(temporary, destination))),
        Effect.zipRight(syncDirectory(path.dirname(destination)))
      ),
      (exit) =>
        exit._tag === "Success" || !created
          ? Effect.void
          : Effect.ignore(attempt("remove", temporary, () => fs.rm(temporary, { force: true })))
    )
  })

/** Node's file system. */
export const localFiles: LocalFiles.LocalFiles = {
  walk: (root, options) =>
    Stream.suspend(() =>
      Stream.fromAsyncIterable(filesInKeyOrder(root, options), systemError("walk", root)).pipe(
        Stream.flattenIterables
      )
    ),
  stat: (file, options) =>
    Effect.map(
      attempt("stat", file, () => orMissing(options?.followLinks === false ? fs.lstat(file) : fs.stat(file))),
      (stats) => stats === undefined ? Option.none() : Option.some(infoOf(stats))
    ),
  realPath: (file) => Effect.map(attempt("realPath", file, () => orMissing(fs.realpath(file))), Option.fromNullable),
  readFile: readWhole,
  open,
  readStream: (file, options) =>
    Stream.suspend(() =>
      Stream.fromAsyncIterable(
        createReadStream(file, { highWaterMark: options?.chunkSize ?? MiB }) as AsyncIterable<Uint8Array>,
        systemError("readStream", file)
      )
    ),
  writeAtomically,
  makeDirectory: (folder) => attempt("makeDirectory", folder, () => fs.mkdir(folder, { recursive: true })),
  remove: (file) => attempt("remove", file, () => fs.unlink(file)),
  setModified: (file, modified) => attempt("setModified", file, () => fs.utimes(file, modified, modified))
}
