import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { S3Po } from "../../S3Po.js"
import type { Backend } from "./backend.js"
import { defaultMultipartThreshold, defaultPartConcurrency, defaultPartSize } from "./limits.js"
import { defaultPolicy, type RetryPolicy } from "./retry.js"
import * as Service from "./service.js"
import type { MultipartDefaults } from "./upload.js"

export interface BackendSettings {
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: Partial<MultipartDefaults> | undefined
}

/** A layer serving `S3Po` from a backend; local files go through the Node file system. */
export const fromBackend = <E, R>(
  acquire: Effect.Effect<{ readonly backend: Backend; readonly settings: BackendSettings }, E, R>
): Layer.Layer<S3Po, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    S3Po,
    Effect.gen(function*() {
      const { backend, settings } = yield* acquire
      return Service.make(backend, {
        retry: settings.retry ?? defaultPolicy,
        multipart: {
          multipartThreshold: settings.multipart?.multipartThreshold ?? defaultMultipartThreshold,
          partSize: settings.multipart?.partSize ?? defaultPartSize,
          partConcurrency: settings.multipart?.partConcurrency ?? defaultPartConcurrency
        },
        fileSystem: yield* FileSystem.FileSystem,
        path: yield* Path.Path
      })
    }).pipe(Effect.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))
  ) as Layer.Layer<S3Po, E, Exclude<R, Scope.Scope>>
