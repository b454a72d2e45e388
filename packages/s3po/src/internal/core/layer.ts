import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { RetryPolicy } from "../../Retry.js"
import { type ChecksumAlgorithm, S3Po } from "../../S3Po.js"
import type { Backend } from "./backend.js"
import { defaultMultipartThreshold, defaultPartConcurrency, defaultPartSize } from "./limits.js"
import type { Presigner } from "./presign.js"
import { defaultPolicy } from "./retry.js"
import * as Service from "./service.js"
import type { MultipartDefaults } from "./upload.js"

export interface BackendSettings {
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: Partial<MultipartDefaults> | undefined
  /** The checksum uploads carry unless they name one. Default `"CRC32"`. */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
  /** Whether multipart writes record their part size in the object's metadata. Default true. */
  readonly recordPartSize?: boolean | undefined
  readonly verifyDownloads?: boolean | undefined
}

/**
 * The file system `uploadFile` and `downloadFile` use: the one in the context where the layer is
 * built (a test may provide its own), else Node's. The one place s3po picks a platform.
 */
const platform: Effect.Effect<{ readonly fileSystem: FileSystem.FileSystem; readonly path: Path.Path }> = Effect.all({
  fileSystem: Effect.flatMap(
    Effect.serviceOption(FileSystem.FileSystem),
    Option.match({ onNone: () => Effect.provide(FileSystem.FileSystem, NodeFileSystem.layer), onSome: Effect.succeed })
  ),
  path: Effect.flatMap(
    Effect.serviceOption(Path.Path),
    Option.match({ onNone: () => Effect.provide(Path.Path, NodePath.layer), onSome: Effect.succeed })
  )
})

/** A layer serving `S3Po` from a backend. */
export const fromBackend = <E, R>(
  acquire: Effect.Effect<
    { readonly backend: Backend; readonly settings: BackendSettings; readonly presigner: Presigner },
    E,
    R
  >
): Layer.Layer<S3Po, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    S3Po,
    Effect.gen(function*() {
      const { backend, presigner, settings } = yield* acquire
      return Service.make(backend, {
        presigner,
        retry: settings.retry ?? defaultPolicy,
        multipart: {
          multipartThreshold: settings.multipart?.multipartThreshold ?? defaultMultipartThreshold,
          partSize: settings.multipart?.partSize ?? defaultPartSize,
          partConcurrency: settings.multipart?.partConcurrency ?? defaultPartConcurrency
        },
        verifyDownloads: settings.verifyDownloads ?? true,
        integrity: {
          checksumAlgorithm: settings.checksumAlgorithm ?? "CRC32",
          recordPartSize: settings.recordPartSize ?? true
        },
        ...yield* platform
      })
    })
  )
