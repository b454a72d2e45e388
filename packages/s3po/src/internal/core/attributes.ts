import * as Effect from "effect/Effect"
import type { ObjectAttributes } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend } from "./backend.js"

/** The attributes among an upload's or a copy's options. */
export const attributesOf = (options: ObjectAttributes): ObjectAttributes => ({
  contentType: options.contentType,
  metadata: options.metadata,
  cacheControl: options.cacheControl,
  contentDisposition: options.contentDisposition,
  contentEncoding: options.contentEncoding,
  contentLanguage: options.contentLanguage,
  expires: options.expires,
  storageClass: options.storageClass,
  acl: options.acl,
  serverSideEncryption: options.serverSideEncryption,
  tags: options.tags
})

export const anyGiven = (attributes: ObjectAttributes): boolean =>
  Object.values(attributes).some((value) => value !== undefined)

/**
 * Sets the tags a write was given where the server dropped them (Ceph RGW 16 drops those given to
 * CreateMultipartUpload, and ignores `REPLACE` for tags on a copy): one more request where it
 * kept them, two where it did not.
 */
export const ensureTags = (
  backend: Backend,
  location: { readonly bucket: string; readonly key: string },
  tags: Readonly<Record<string, string>> | undefined
): Effect.Effect<void, S3PoError> =>
  tags === undefined ?
    Effect.void :
    Effect.flatMap(backend.getObjectTagging(location), (stored) =>
      sameTags(stored, tags) ? Effect.void : backend.putObjectTagging({ ...location, tags }))

const sameTags = (left: Readonly<Record<string, string>>, right: Readonly<Record<string, string>>) => {
  const names = Object.keys(left)
  return names.length === Object.keys(right).length && names.every((name) => left[name] === right[name])
}
