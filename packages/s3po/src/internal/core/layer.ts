import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { RetryPolicy } from "../../Retry.js"
import { type ChecksumAlgorithm, S3Po } from "../../S3Po.js"
import { S3ServiceError, type ValidationError } from "../../S3PoError.js"
import * as LocalFilesTag from "../localFiles/tag.js"
import * as ArgumentShapes from "./argumentShapes.js"
import type { Backend } from "./backend.js"
import { defaultMultipartThreshold, defaultPartConcurrency, defaultPartSize } from "./limits.js"
import type { Presigner } from "./presign.js"
import { defaultPolicy } from "./retry.js"
import * as Service from "./service.js"
import type { MultipartDefaults } from "./upload.js"
import * as Validate from "./validation.js"

export interface BackendSettings {
  readonly retry?: RetryPolicy | undefined
  readonly multipart?: Partial<MultipartDefaults> | undefined
  /** The checksum uploads carry unless they name one. Default `"CRC32"`. */
  readonly checksumAlgorithm?: ChecksumAlgorithm | "none" | undefined
  /** Whether multipart writes record their part size in the object's metadata. Default true. */
  readonly recordPartSize?: boolean | undefined
  readonly verifyDownloads?: boolean | undefined
}

/** What `presign` and `presignPost` fail with on a backend that has no presigner. */
const withoutPresigner =
  (operation: string) => (request: { readonly bucket: string; readonly key?: string | undefined }) =>
    Effect.fail(
      new S3ServiceError({
        operation,
        bucket: request.bucket,
        ...(request.key === undefined ? {} : { key: request.key }),
        status: 501,
        code: "NotImplemented",
        detail: "the backend has no presigner: it cannot sign URLs or forms",
        retryable: false
      })
    )

const noPresigner: Presigner = { url: withoutPresigner("presign"), post: withoutPresigner("presignPost") }

/** The `S3Po` service over a backend, with the settings' defaults and the local files of the context it is built in. */
export const serviceOf = (backend: Backend, settings: BackendSettings): Effect.Effect<S3Po.Service> =>
  Effect.map(LocalFilesTag.atBuild, (localFiles) =>
    Service.make(backend, {
      presigner: backend.presigner ?? noPresigner,
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
      localFiles
    }))

/** A layer serving `S3Po` from a backend, or an effect acquiring one (its resources held by the layer). */
export const layer = <E = never, R = never>(
  backend: Backend | Effect.Effect<Backend, E, R>,
  settings: BackendSettings = {}
): Layer.Layer<S3Po, E | ValidationError, Exclude<R, Scope.Scope>> => {
  const problem = ArgumentShapes.options("S3PoBackend.layer", settings) ??
    Validate.multipart("S3PoBackend.layer", settings.multipart ?? {})
  return problem === undefined ? checkedLayer(backend, settings) : Layer.fail(problem)
}

/** `layer`, for settings already checked. */
const checkedLayer = <E, R>(
  backend: Backend | Effect.Effect<Backend, E, R>,
  settings: BackendSettings
): Layer.Layer<S3Po, E, Exclude<R, Scope.Scope>> =>
  Layer.scoped(
    S3Po,
    Effect.isEffect(backend)
      ? Effect.flatMap(backend, (acquired) => serviceOf(acquired, settings))
      : serviceOf(backend, settings)
  )

/**
 * A layer serving `S3Po` from a backend acquired with its presigner and settings (the live layers',
 * which check their settings themselves): `layer` over the acquired backend, its resources held by
 * the layer.
 */
export const fromBackend = <E, R>(
  acquire: Effect.Effect<
    { readonly backend: Backend; readonly settings: BackendSettings; readonly presigner: Presigner },
    E,
    R
  >
): Layer.Layer<S3Po, E, Exclude<R, Scope.Scope>> =>
  Layer.unwrapScoped(
    Effect.map(acquire, ({ backend, presigner, settings }) => checkedLayer({ ...backend, presigner }, settings))
  )
