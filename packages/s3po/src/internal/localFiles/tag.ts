import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { LocalFiles as Service } from "../../LocalFiles.js"
import type { S3Po } from "../../S3Po.js"
import { localFiles as nodeFiles } from "./node.js"

/** The local files in use: Node's unless the context holds others. */
export const LocalFiles = Context.Reference<Service>()("s3po/LocalFiles", { defaultValue: () => nodeFiles })

/** What `context` holds itself, not the default a reference stands for. */
const held = <S>(context: Context.Context<never>, tag: { readonly key: string }): S | undefined =>
  context.unsafeMap.get(tag.key) as S | undefined

/**
 * The local files a layer is built with: those its context holds; none when it holds none (the
 * call's context, else Node's, decide then). A platform `FileSystem` there is not taken for them:
 * an app that provides `NodeContext` would get the slower walk of `fromFileSystem` without asking;
 * `LocalFiles.layerFileSystem` asks.
 */
export const atBuild: Effect.Effect<Service | undefined> = Effect.contextWith((context: Context.Context<never>) =>
  held<Service>(context, LocalFiles)
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
