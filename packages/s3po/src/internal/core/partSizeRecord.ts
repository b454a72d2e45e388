import type { ObjectInfo } from "../../S3Po.js"
import { partSizeMetadataKey } from "./checksums.js"
import { userMetadata } from "./internalMetadata.js"
import { maxUserMetadataBytes } from "./limits.js"

/**
 * The part size a multipart write records in its object's user metadata (`partSizeMetadataKey`),
 * so that a later read can recompute the multipart ETag on a server that keeps no checksum. The
 * record is s3po's, never the caller's: it is set by s3po only, and hidden from what users see.
 */

type Metadata = Readonly<Record<string, string>>

const isRecord = (name: string) => name.toLowerCase() === partSizeMetadataKey

/** The metadata without the record (the same object when it has none). */
export const withoutRecord = (metadata: Metadata): Metadata => {
  let found = false
  for (const name in metadata) if (isRecord(name)) found = true
  if (!found) return metadata
  const kept: Record<string, string> = {}
  for (const name in metadata) if (!isRecord(name)) kept[name] = metadata[name]!
  return kept
}

/**
 * The metadata with `partSize` recorded, replacing any record it had and dropping every other name
 * of s3po's (a write id); without a record when it does not fit in S3's 2 KB of user metadata beside
 * the caller's own (the object is then checked by its checksum alone, where the server keeps one).
 */
export const withRecord = (metadata: Metadata | undefined, partSize: number): Metadata | undefined => {
  const kept = userMetadata(metadata ?? {})
  const value = String(partSize)
  let bytes = partSizeMetadataKey.length + value.length
  for (const name in kept) bytes += name.length + kept[name]!.length
  if (bytes > maxUserMetadataBytes) return metadata === undefined ? undefined : kept
  return { ...kept, [partSizeMetadataKey]: value }
}

const multipartETagForm = /^"?[0-9a-f]{32}-(\d+)"?$/

/**
 * The part size an object's record gives, when the record can hold for it: the object's ETag is a
 * multipart ETag of exactly as many parts as that part size cuts its size into. A record that a
 * server's copy made stale (the copy's ETag is no longer the one the parts made) is not used.
 */
export const recordedPartSize = (info: ObjectInfo): number | undefined => {
  let recorded: string | undefined
  for (const name in info.metadata) if (isRecord(name)) recorded = info.metadata[name]
  if (recorded === undefined || !/^[1-9]\d{0,15}$/.test(recorded)) return undefined
  const partSize = Number(recorded)
  const parts = multipartETagForm.exec(info.etag)?.[1]
  if (parts === undefined) return undefined
  return Number(parts) === Math.max(1, Math.ceil(info.size / partSize)) ? partSize : undefined
}
