import type * as Effect from "effect/Effect"
import type { ObjectInfo, S3Po } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Primitive } from "./backend.js"

/**
 * An object's info as the server keeps it, for s3po's own use: its checksum (asked for with
 * checksum mode) and its part-size record, which the public `head` hides. Kept beside the service,
 * not on it, so that it is no part of the public API.
 */
export type StoredInfo = (bucket: string, key: string) => Effect.Effect<ObjectInfo, S3PoError>

const byService = new WeakMap<S3Po.Service, StoredInfo>()

/** The service, with the stored info that `head` (retried) answers in checksum mode kept beside it. */
export const withStoredInfo = (head: Primitive<"headObject">, service: S3Po.Service): S3Po.Service => {
  byService.set(service, (bucket, key) => head({ bucket, key, checksumMode: true }))
  return service
}

/** How to ask `service` for an object's stored info; none for a service s3po did not build (a wrapper). */
export const storedInfoOf = (service: S3Po.Service): StoredInfo | undefined => byService.get(service)
