import type { ObjectInfo } from "../../S3Po.js"
import { partSizeMetadataKey } from "./checksums.js"

/**
 * The user metadata s3po writes for its own use, and the rule that keeps it s3po's: every name
 * that starts with `s3po-` is reserved. s3po refuses it in the metadata a caller gives (a caller's
 * value would pass for s3po's own and mislead a conditional write's recovery or a download's
 * verification), and hides it from everything a caller sees of an object (`head`, the info of a
 * read, the mock's snapshot). A name s3po adds later is covered the day it is added, even on
 * objects an older s3po reads.
 */

/** What every internal name starts with (S3 keeps metadata names in lower case). */
export const reservedPrefix = "s3po-"

/**
 * The user metadata by which a conditional PUT knows its own object on a retry after a lost answer
 * (`conditionalWrite.ts`): a random id, the same on every attempt of one write.
 */
export const writeIdName = "s3po-write-id"

/** The write id's length, in hex digits. */
export const writeIdLength = 16

/** What the write id takes of S3's 2 KB of user metadata. */
export const writeIdBytes = writeIdName.length + writeIdLength

/** Every name s3po writes today, each explained where it is written. */
export const internalNames: ReadonlyArray<string> = [writeIdName, partSizeMetadataKey]

type Metadata = Readonly<Record<string, string>>

/** Whether a metadata name is s3po's own, in any case (S3 lower-cases names, some servers do not). */
export const isInternalName = (name: string): boolean => name.toLowerCase().startsWith(reservedPrefix)

/** The metadata without s3po's own names: the same object when it has none. */
export const userMetadata = (metadata: Metadata): Metadata => {
  let found = false
  for (const name in metadata) if (isInternalName(name)) found = true
  if (!found) return metadata
  const kept: Record<string, string> = {}
  for (const name in metadata) if (!isInternalName(name)) kept[name] = metadata[name]!
  return kept
}

/** An object's info as a caller sees it: its metadata without s3po's own names (the same object when it has none). */
export const userInfo = <A extends ObjectInfo>(info: A): A => {
  const metadata = userMetadata(info.metadata)
  return metadata === info.metadata ? info : { ...info, metadata }
}
