import type { DeleteMarker, ObjectVersion, VersioningStatus } from "../../S3Po.js"
import { md5Hex } from "../core/etag.js"
import { StoredObject } from "./storedObject.js"

/**
 * The versions of one key, as S3 keeps them. A key of a bucket never versioned holds a plain
 * `StoredObject`: its one version, the `null` one, which costs nothing more than the object. A
 * key written or deleted once versioning was enabled or suspended holds `Versions`: a stack of
 * versions and delete markers, newest first.
 */

/** The id of the version written while versioning was off or suspended (and of a marker laid while suspended). */
export const nullVersionId = "null"

export interface Version {
  readonly _tag: "Version"
  readonly versionId: string
  readonly object: StoredObject
}

export interface Marker {
  readonly _tag: "DeleteMarker"
  readonly versionId: string
  /** When the marker was laid, in milliseconds since the epoch. */
  readonly modifiedAt: number
}

export type Entry = Version | Marker

/** A key's versions and markers, newest first: never empty. */
export class Versions {
  constructor(readonly entries: ReadonlyArray<Entry>) {}
}

/** What a key holds. */
export type Held = StoredObject | Versions

export const entriesOf = (held: Held): ReadonlyArray<Entry> =>
  held instanceof Versions ? held.entries : [{ _tag: "Version", versionId: nullVersionId, object: held }]

/** The latest version or marker, what a request without a version id reaches. */
export const latestOf = (held: Held): Entry =>
  held instanceof Versions ? held.entries[0]! : { _tag: "Version", versionId: nullVersionId, object: held }

/** The object a request without a version id reads: none when the latest is a delete marker. */
export const currentObject = (held: Held | undefined): StoredObject | undefined => {
  if (held === undefined || held instanceof StoredObject) return held
  const latest = held.entries[0]!
  return latest._tag === "Version" ? latest.object : undefined
}

export const find = (held: Held | undefined, versionId: string): Entry | undefined =>
  held === undefined ? undefined : entriesOf(held).find((entry) => entry.versionId === versionId)

/**
 * The key after `entry` became its latest: in a bucket never versioned it replaces the key's
 * object; while suspended it replaces the `null` version; while enabled it goes on top.
 */
export const added = (held: Held | undefined, status: VersioningStatus, entry: Entry): Held => {
  if (status === "Unversioned" && entry._tag === "Version" && !(held instanceof Versions)) return entry.object
  const before = held === undefined ? [] : entriesOf(held)
  const kept = status === "Enabled" ? before : before.filter((old) => old.versionId !== nullVersionId)
  return new Versions([entry, ...kept])
}

/** The key without one of its versions: `undefined` when none is left. */
export const without = (held: Held, versionId: string): Held | undefined => {
  if (held instanceof StoredObject) return versionId === nullVersionId ? undefined : held
  const left = held.entries.filter((entry) => entry.versionId !== versionId)
  return left.length === 0 ? undefined : new Versions(left)
}

/** The key with one version's object replaced (its tags, its lock). */
export const replaced = (held: Held, versionId: string, object: StoredObject): Held =>
  held instanceof StoredObject ? object : new Versions(
    held.entries.map((entry) => entry.versionId === versionId ? { _tag: "Version", versionId, object } : entry)
  )

/**
 * A new version id: opaque, unique in its bucket (it numbers the bucket's versions, and names the
 * bucket and when it was created), and in no order a test could rely on.
 */
export const newVersionId = (bucket: string, created: number, count: number): string =>
  Buffer.from(md5Hex(new TextEncoder().encode(`${bucket}\n${created}\n${count}`)), "hex").toString("base64url")

/** A key's versions and markers as ListObjectVersions answers them. */
export const listed = (key: string, held: Held): Array<ObjectVersion | DeleteMarker> =>
  entriesOf(held).map((entry, index) => listedEntry(key, entry, index === 0))

export const listedEntry = (key: string, entry: Entry, isLatest: boolean): ObjectVersion | DeleteMarker =>
  entry._tag === "DeleteMarker"
    ? { _tag: "DeleteMarker", key, versionId: entry.versionId, isLatest, lastModified: new Date(entry.modifiedAt) }
    : {
      _tag: "Version",
      key,
      versionId: entry.versionId,
      isLatest,
      size: entry.object.size,
      etag: entry.object.etag,
      lastModified: entry.object.lastModified,
      storageClass: entry.object.details?.storageClass ?? "STANDARD"
    }
