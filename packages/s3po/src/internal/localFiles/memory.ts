import { SystemError, type SystemErrorReason } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as posix from "node:path/posix"
import type * as LocalFiles from "../../LocalFiles.js"
import { compareKeys } from "../core/keyOrder.js"
import { partialFileName } from "../core/partialFile.js"
import { walk } from "./walk.js"

/*
 * A POSIX folder tree in memory. Every change is made in one synchronous step, so no fiber sees the
 * tree half changed. Paths are resolved as a kernel resolves them, one name at a time, following
 * symbolic links on the way; a relative path is resolved against `/`.
 */

interface FileNode {
  readonly _tag: "File"
  readonly id: number
  /** The bytes as written: joined into one array when read. */
  chunks: Array<Uint8Array>
  size: number
  modified: Date
}

interface DirectoryNode {
  readonly _tag: "Directory"
  readonly id: number
  readonly entries: Map<string, Node>
  modified: Date
}

interface LinkNode {
  readonly _tag: "Link"
  readonly id: number
  readonly target: string
  modified: Date
}

type Node = FileNode | DirectoryNode | LinkNode

interface Tree {
  readonly root: DirectoryNode
  nodes: number
}

/** Where a path leads: the folder it names an entry of, and that entry (undefined when there is none). */
interface Resolved {
  readonly parent: DirectoryNode
  /** The names of its real path. */
  readonly real: ReadonlyArray<string>
  /** Undefined for `/`. */
  readonly name: string | undefined
  readonly node: Node | undefined
}

/** Why a path leads nowhere: a missing folder on the way (or a file where it should be), or a loop of links. */
type Unresolved = "NotFound" | "Loop"

const MiB = 1024 * 1024
/** As on Linux: a path through more links than this goes round a loop. */
const maxLinks = 40
const encoder = new TextEncoder()

const failure = (reason: SystemErrorReason, method: string, at: string, description: string) =>
  new SystemError({ reason, module: "FileSystem", method, pathOrDescriptor: at, description })

const notFound = (method: string, at: string) => failure("NotFound", method, at, "no such file or directory")

const unresolved = (why: Unresolved, method: string, at: string) =>
  why === "Loop" ? failure("Unknown", method, at, "too many levels of symbolic links") : notFound(method, at)

const namesOf = (path: string): Array<string> => path.split("/").filter((name) => name !== "" && name !== ".")

/** The folder above `path`, which is resolved against `/`. */
const above = (path: string) => posix.dirname(posix.resolve("/", path))

const resolve = (tree: Tree, path: string, followLast: boolean): Resolved | Unresolved => {
  const pending = namesOf(path).reverse()
  const real: Array<string> = []
  const folders: Array<DirectoryNode> = [tree.root]
  let links = 0
  while (pending.length > 0) {
    const name = pending.pop()!
    if (name === "..") {
      if (real.length > 0) {
        real.pop()
        folders.pop()
      }
      continue
    }
    const folder = folders[folders.length - 1]!
    const node = folder.entries.get(name)
    const last = pending.length === 0
    if (node === undefined) return last ? { parent: folder, real: [...real, name], name, node } : "NotFound"
    if (node._tag === "Link" && (followLast || !last)) {
      if (++links > maxLinks) return "Loop"
      if (node.target.startsWith("/")) {
        real.length = 0
        folders.length = 1
      }
      pending.push(...namesOf(node.target).reverse())
      continue
    }
    if (last) return { parent: folder, real: [...real, name], name, node }
    if (node._tag !== "Directory") return "NotFound"
    real.push(name)
    folders.push(node)
  }
  return { parent: folders[folders.length - 2] ?? tree.root, real, name: real.at(-1), node: folders.at(-1) }
}

/** Where `path` leads, or `method`'s failure when it leads nowhere (a missing last name is not one). */
const lookup = (tree: Tree, method: string, path: string, followLast: boolean): Effect.Effect<Resolved, SystemError> =>
  Effect.suspend(() => {
    const resolved = resolve(tree, path, followLast)
    return typeof resolved === "string" ? Effect.fail(unresolved(resolved, method, path)) : Effect.succeed(resolved)
  })

/** What `path` leads to; none when nothing is there. */
const found = (tree: Tree, method: string, path: string, followLast: boolean) =>
  Effect.suspend(() => {
    const resolved = resolve(tree, path, followLast)
    if (resolved === "Loop") return Effect.fail(unresolved(resolved, method, path))
    return Effect.succeed(resolved === "NotFound" ? Option.none() : Option.fromNullable(resolved.node))
  })

/** The file at `path`: a failure when there is none, or a folder is there. */
const fileAt = (tree: Tree, method: string, path: string): Effect.Effect<FileNode, SystemError> =>
  Effect.flatMap(lookup(tree, method, path, true), ({ node }) =>
    node === undefined
      ? Effect.fail(notFound(method, path))
      : node._tag === "File"
      ? Effect.succeed(node)
      : Effect.fail(failure("BadResource", method, path, "is a directory")))

const bytesOf = (file: FileNode): Uint8Array => {
  if (file.chunks.length !== 1) {
    const whole = new Uint8Array(file.size)
    let at = 0
    for (const chunk of file.chunks) {
      whole.set(chunk, at)
      at += chunk.length
    }
    file.chunks = [whole]
  }
  return file.chunks[0]!
}

const infoOf = (node: Node): LocalFiles.FileInfo => ({
  type: node._tag === "Link" ? "SymbolicLink" : node._tag,
  size: node._tag === "File" ? node.size : node._tag === "Link" ? encoder.encode(node.target).length : 0,
  modified: new Date(node.modified.getTime()),
  identity: `memory:${node.id}`
})

const setEntry = (folder: DirectoryNode, name: string, node: Node, now: Date) => {
  folder.entries.set(name, node)
  folder.modified = now
}

const deleteEntry = (folder: DirectoryNode, name: string, now: Date) => {
  folder.entries.delete(name)
  folder.modified = now
}

/** One change to the tree at the clock's time, made in one step. */
const change = <A, E>(body: (now: Date) => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.clockWith((clock) => Effect.suspend(() => body(new Date(clock.unsafeCurrentTimeMillis()))))

const newFile = (tree: Tree, bytes: Uint8Array, modified: Date): FileNode => ({
  _tag: "File",
  id: tree.nodes++,
  chunks: [bytes],
  size: bytes.length,
  modified
})

/**
 * Makes the folder `path` and the folders above it. A file in the way: at `path` itself, it exists;
 * above it (`isAbove`), the folder `path` needs is not there.
 */
const makeDirectory = (tree: Tree, method: string, path: string, isAbove = false): Effect.Effect<void, SystemError> =>
  change((now) => {
    const create = (at: Resolved) =>
      Effect.sync(() =>
        setEntry(at.parent, at.name!, { _tag: "Directory", id: tree.nodes++, entries: new Map(), modified: now }, now)
      )
    const resolved = resolve(tree, path, false)
    if (resolved === "Loop") return Effect.fail(unresolved(resolved, method, path))
    if (resolved === "NotFound") {
      return Effect.zipRight(
        makeDirectory(tree, method, above(path), true),
        Effect.flatMap(
          lookup(tree, method, path, false),
          (again) => again.node === undefined ? create(again) : Effect.void
        )
      )
    }
    if (resolved.node === undefined) return create(resolved)
    const followed = resolved.node._tag === "Link" ? resolve(tree, path, true) : resolved
    if (typeof followed !== "string" && followed.node?._tag === "Directory") return Effect.void
    return Effect.fail(
      isAbove ? failure("NotFound", method, path, "not a directory") : failure("AlreadyExists", method, path, "exists")
    )
  })

/** Writes a file as a test seeds one: through a link, over a file (the same file, new bytes), or new. */
const writeFile = (tree: Tree) =>
(
  path: string,
  content: string | Uint8Array,
  options?: { readonly modified?: Date | undefined }
): Effect.Effect<void> =>
  Effect.orDie(Effect.zipRight(
    makeDirectory(tree, "writeFile", above(path), true),
    change((now) =>
      Effect.flatMap(lookup(tree, "writeFile", path, true), ({ name, node, parent }) => {
        const bytes = typeof content === "string" ? encoder.encode(content) : new Uint8Array(content)
        const modified = options?.modified === undefined ? now : new Date(options.modified.getTime())
        if (node === undefined) return Effect.sync(() => setEntry(parent, name!, newFile(tree, bytes, modified), now))
        if (node._tag !== "File") return Effect.fail(failure("BadResource", "writeFile", path, "is a directory"))
        node.chunks = [bytes]
        node.size = bytes.length
        node.modified = modified
        return Effect.void
      })
    )
  ))

const symlink = (tree: Tree) => (target: string, path: string): Effect.Effect<void> =>
  Effect.orDie(Effect.zipRight(
    makeDirectory(tree, "symlink", above(path), true),
    change((now) =>
      Effect.flatMap(lookup(tree, "symlink", path, false), ({ name, node, parent }) => {
        if (node !== undefined || name === undefined) {
          return Effect.fail(failure("AlreadyExists", "symlink", path, "exists"))
        }
        setEntry(parent, name, { _tag: "Link", id: tree.nodes++, target, modified: now }, now)
        return Effect.void
      })
    )
  ))

/** Moves what is at `from` to `to`, replacing a file or link there, as POSIX `rename` does. */
const rename = (tree: Tree, from: string, to: string) =>
  change((now) =>
    Effect.flatMap(
      Effect.zip(lookup(tree, "rename", from, false), lookup(tree, "rename", to, false)),
      ([source, destination]) => {
        if (source.node === undefined) return Effect.fail(notFound("rename", from))
        if (destination.node?._tag === "Directory" || destination.name === undefined) {
          return Effect.fail(failure("BadResource", "rename", to, "is a directory"))
        }
        deleteEntry(source.parent, source.name!, now)
        setEntry(destination.parent, destination.name, source.node, now)
        return Effect.void
      }
    )
  )

/** As Node's, without the syncs to a disk: the tree is in memory, and each change is whole at once. */
const writeAtomically = (tree: Tree) => <E, R>(destination: string, body: Stream.Stream<Uint8Array, E, R>) =>
  Effect.suspend(() => {
    const temporary = posix.join(posix.dirname(destination), partialFileName(posix.basename(destination)))
    const created = change((now) =>
      Effect.flatMap(lookup(tree, "open", temporary, false), ({ name, node, parent }) => {
        if (node !== undefined) return Effect.fail(failure("AlreadyExists", "open", temporary, "exists"))
        const file = newFile(tree, new Uint8Array(0), now)
        setEntry(parent, name!, file, now)
        return Effect.succeed(file)
      })
    )
    const written = (file: FileNode) =>
      Stream.runForEach(body, (chunk) =>
        change((now) => {
          // The caller may fill its buffer again once it is written: the file keeps a copy.
          file.chunks.push(new Uint8Array(chunk))
          file.size += chunk.length
          file.modified = now
          return Effect.void
        }))
    // Removed only while it is still the file this write made.
    const removed = (file: FileNode) =>
      change((now) => {
        const resolved = resolve(tree, temporary, false)
        if (typeof resolved !== "string" && resolved.node === file) deleteEntry(resolved.parent, resolved.name!, now)
        return Effect.void
      })
    return Effect.acquireUseRelease(
      created,
      (file) => Effect.zipRight(written(file), rename(tree, temporary, destination)),
      (file, exit) => Exit.isSuccess(exit) ? Effect.void : removed(file)
    )
  })

const readStream = (tree: Tree) => (path: string, options?: { readonly chunkSize?: number | undefined }) =>
  Stream.unwrap(Effect.map(fileAt(tree, "readStream", path), (file) => {
    const chunkSize = Math.max(1, options?.chunkSize ?? MiB)
    return Stream.unfold(0, (at) => {
      const bytes = bytesOf(file)
      return at >= bytes.length
        ? Option.none()
        : Option.some([bytes.slice(at, at + chunkSize), at + chunkSize] as const)
    })
  }))

const open = (tree: Tree) => (path: string) =>
  Effect.map(fileAt(tree, "open", path), (file): LocalFiles.OpenFile => ({
    size: file.size,
    read: (into, position) =>
      Effect.sync(() => {
        const read = bytesOf(file).subarray(position, position + into.length)
        into.set(read)
        return read.length
      })
  }))

const remove = (tree: Tree) => (path: string) =>
  change((now) =>
    Effect.flatMap(lookup(tree, "remove", path, false), ({ name, node, parent }) => {
      if (node === undefined) return Effect.fail(notFound("remove", path))
      if (node._tag === "Directory") return Effect.fail(failure("BadResource", "remove", path, "is a directory"))
      deleteEntry(parent, name!, now)
      return Effect.void
    })
  )

const setModified = (tree: Tree) => (path: string, modified: Date) =>
  Effect.flatMap(
    lookup(tree, "setModified", path, true),
    ({ node }) =>
      node === undefined ? Effect.fail(notFound("setModified", path)) : Effect.sync(() => {
        node.modified = new Date(modified.getTime())
      })
  )

const snapshot = (tree: Tree) =>
  Effect.sync(() => {
    const files: Array<[string, Uint8Array]> = []
    const visit = (folder: DirectoryNode, prefix: string) => {
      for (const [name, node] of folder.entries) {
        if (node._tag === "File") files.push([prefix + name, bytesOf(node).slice()])
        else if (node._tag === "Directory") visit(node, `${prefix}${name}/`)
      }
    }
    visit(tree.root, "/")
    return new Map(files.sort(([left], [right]) => compareKeys(left, right)))
  })

const memoryFiles = (tree: Tree): LocalFiles.MemoryFiles => ({
  walk: walk({
    readDirectory: (directory) =>
      Effect.map(
        found(tree, "readDirectory", directory, true),
        Option.flatMap((node) => node._tag === "Directory" ? Option.some([...node.entries.keys()]) : Option.none())
      ),
    stat: (path) => Effect.map(found(tree, "stat", path, true), Option.map(infoOf)),
    isLink: (path) =>
      Effect.map(found(tree, "stat", path, false), (node) => Option.isSome(node) && node.value._tag === "Link"),
    realPath: (path) => realPath(tree, path),
    join: (directory, name) => posix.join(directory, name),
    separator: "/",
    concurrency: 1
  }),
  stat: (path, options) => Effect.map(found(tree, "stat", path, options?.followLinks !== false), Option.map(infoOf)),
  realPath: (path) => realPath(tree, path),
  readFile: (path) => Effect.map(fileAt(tree, "readFile", path), (file) => bytesOf(file).slice()),
  open: open(tree),
  readStream: readStream(tree),
  writeAtomically: writeAtomically(tree),
  makeDirectory: (path) => makeDirectory(tree, "makeDirectory", path),
  remove: remove(tree),
  setModified: setModified(tree),
  snapshot: snapshot(tree),
  writeFile: writeFile(tree),
  symlink: symlink(tree)
})

const realPath = (tree: Tree, path: string) =>
  Effect.suspend(() => {
    const resolved = resolve(tree, path, true)
    if (resolved === "Loop") return Effect.fail(unresolved(resolved, "realPath", path))
    return Effect.succeed(
      resolved === "NotFound" || resolved.node === undefined
        ? Option.none()
        : Option.some(`/${resolved.real.join("/")}`)
    )
  })

/** An in-memory folder tree, seeded with `files`. */
export const make = (files?: Readonly<Record<string, string | Uint8Array>>): Effect.Effect<LocalFiles.MemoryFiles> =>
  Effect.gen(function*() {
    const now = new Date(yield* Effect.clockWith((clock) => clock.currentTimeMillis))
    const tree: Tree = { root: { _tag: "Directory", id: 0, entries: new Map(), modified: now }, nodes: 1 }
    const memory = memoryFiles(tree)
    for (const [path, content] of Object.entries(files ?? {})) yield* memory.writeFile(path, content)
    return memory
  })
