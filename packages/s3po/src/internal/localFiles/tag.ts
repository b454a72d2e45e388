import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { LocalFiles as Service } from "../../LocalFiles.js"
import type { S3Po } from "../../S3Po.js"
import * as FileSystemFiles from "./fileSystem.js"
import { localFiles as nodeFiles } from "./node.js"

/** The local files in use: Node's unless the context holds others. */
export const LocalFiles = Context.Reference<Service>()("s3po/LocalFiles", { defaultValue: () => nodeFiles })

/** What `context` holds itself, not the default a reference stands for. */
const held = <S>(context: Context.Context<never>, tag: { readonly key: string }): S | undefined =>
  context.unsafeMap.get(tag.key) as S | undefined

/**
 * The local files a layer is built with: those its context holds, or over the `FileSystem` it holds
 * (with its `Path`, else Node's); none when it holds neither (the call's context, else Node's, decide then).
 */
export const atBuild: Effect.Effect<Service | undefined> = Effect.flatMap(
  Effect.context<never>(),
  (context) => {
    const files = held<Service>(context, LocalFiles)
    if (files !== undefined) return Effect.succeed(files)
    const fileSystem = held<FileSystem.FileSystem>(context, FileSystem.FileSystem)
    if (fileSystem === undefined) return Effect.succeed(undefined)
    const path = held<Path.Path>(context, Path.Path)
    return Effect.map(
      path === undefined ? Effect.provide(Path.Path, NodePath.layer) : Effect.succeed(path),
      (path) => FileSystemFiles.make(fileSystem, path)
    )
  }
)

/** The local files of a call: the call's context's, else `built` (the layer's), else Node's. */
export const current = (built: Service | undefined): Effect.Effect<Service> =>
  Effect.contextWith((context: Context.Context<never>) => held<Service>(context, LocalFiles) ?? built ?? nodeFiles)

const byService = new WeakMap<S3Po.Service, Service>()

/** The service, with the local files its layer was built with kept beside it (not on it: no public API). */
export const keptBeside = (service: S3Po.Service, built: Service | undefined): S3Po.Service => {
  if (built !== undefined) byService.set(service, built)
  return service
}

/** The local files a call on `service` uses. */
export const ofService = (service: S3Po.Service): Effect.Effect<Service> => current(byService.get(service))
