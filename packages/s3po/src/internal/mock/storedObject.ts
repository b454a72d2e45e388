import type { Checksum, ObjectAttributes, RetentionMode } from "../../S3Po.js"
import { md5Hex } from "../core/etag.js"

const slabSize = 16 * 1024
const smallBodyBytes = slabSize / 8

/**
 * Where one store copies small bodies: shared slabs, since a buffer per small object costs more than
 * the rest of a PUT. Slabs stay well under the allocator's threshold for mapping memory of its own
 * (128 KiB in glibc), so the memory of dropped stores is reused rather than faulted in afresh. A
 * body at most an eighth of a slab wastes at most an eighth of it.
 */
export class Slabs {
  /** The slab the last copy went to. */
  current = new Uint8Array(0)
  private used = 0

  /** Copies `body` into the current slab, or a new one, and returns its offset there. */
  copy(body: Uint8Array): number {
    if (this.used + body.length > this.current.length) {
      this.current = new Uint8Array(slabSize)
      this.used = 0
    }
    const offset = this.used
    this.current.set(body, offset)
    this.used += (body.length + 7) & ~7
    return offset
  }
}

/**
 * What one version keeps besides its attributes: the MD5 (base64) of the customer key it is
 * encrypted with (SSE-C; never the key), its retention (`retainUntil` in milliseconds since the
 * epoch) and legal hold (object lock).
 */
export interface VersionDetails {
  readonly customerKeyMd5?: string | undefined
  readonly retention?: { readonly mode: RetentionMode; readonly retainUntil: number } | undefined
  readonly legalHold?: boolean | undefined
}

/** An object's attributes beyond its content type and metadata, and its tags: absent on most objects. */
export type ObjectDetails = Omit<ObjectAttributes, "contentType" | "metadata"> & VersionDetails

/** The details a request sets, or `undefined` when it sets none (the common case), so that plain objects stay small. */
export const detailsOf = (attributes: ObjectAttributes): ObjectDetails | undefined => {
  const {
    cacheControl,
    contentDisposition,
    contentEncoding,
    contentLanguage,
    expires,
    serverSideEncryption,
    storageClass,
    acl,
    tags
  } = attributes
  if (
    cacheControl === undefined && contentDisposition === undefined && contentEncoding === undefined &&
    contentLanguage === undefined && expires === undefined && storageClass === undefined &&
    acl === undefined && serverSideEncryption === undefined && tags === undefined
  ) {
    return undefined
  }
  // Copies of the caller's objects: what the caller changes afterwards changes nothing stored.
  const details = {
    cacheControl,
    contentDisposition,
    contentEncoding,
    contentLanguage,
    expires: expires === undefined ? undefined : new Date(expires.getTime()),
    storageClass,
    acl,
    serverSideEncryption: serverSideEncryption === undefined ? undefined : { ...serverSideEncryption },
    tags: tags === undefined ? undefined : { ...tags }
  }
  // Only what is set, so that a snapshot shows no empty fields.
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined)) as ObjectDetails
}

/**
 * An object as the mock keeps it. Every object stays in memory as long as its store, and each one
 * the collector must trace costs every PUT after it, so it is kept compact: its body as a place in
 * a slab rather than a view of its own, its ETag without quotes, its time as a number. Each reader
 * gets a `Date` of its own, so that no reader can change the time another sees.
 */
export class StoredObject {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly offset: number,
    readonly size: number,
    private readonly unquotedETag: string,
    readonly contentType: string,
    readonly metadata: Readonly<Record<string, string>>,
    /** When the object was stored, in milliseconds since the epoch. */
    readonly modifiedAt: number,
    readonly details: ObjectDetails | undefined,
    /** The checksum S3 keeps with the object: the one its upload sent, or the default S3 computed. */
    readonly checksum: Checksum | undefined
  ) {}

  /** An object holding a private copy of `body`, which the caller may go on to change; its ETag is the MD5. */
  static copyOf(
    slabs: Slabs,
    body: Uint8Array,
    contentType: string,
    metadata: Readonly<Record<string, string>>,
    modifiedAt: number,
    details: ObjectDetails | undefined,
    checksum: Checksum | undefined
  ): StoredObject {
    const size = body.length
    const md5 = md5Hex(body)
    if (size > smallBodyBytes) {
      return new StoredObject(new Uint8Array(body), 0, size, md5, contentType, metadata, modifiedAt, details, checksum)
    }
    const offset = slabs.copy(body)
    return new StoredObject(slabs.current, offset, size, md5, contentType, metadata, modifiedAt, details, checksum)
  }

  /** An object that takes `body` over, which no one else may hold, with the ETag given (in quotes). */
  static owning(
    body: Uint8Array,
    etag: string,
    contentType: string,
    metadata: Readonly<Record<string, string>>,
    modifiedAt: number,
    details: ObjectDetails | undefined,
    checksum: Checksum | undefined
  ): StoredObject {
    return new StoredObject(
      body,
      0,
      body.length,
      etag.slice(1, -1),
      contentType,
      metadata,
      modifiedAt,
      details,
      checksum
    )
  }

  /** The same object with other tags: S3 changes neither its ETag nor its time (nor its checksum). */
  withTags(tags: Readonly<Record<string, string>>): StoredObject {
    return this.withDetails({ ...this.details, tags })
  }

  /** The same object with other details (a retention, a legal hold, a customer key's MD5). */
  withDetails(details: ObjectDetails | undefined): StoredObject {
    return new StoredObject(
      this.bytes,
      this.offset,
      this.size,
      this.unquotedETag,
      this.contentType,
      this.metadata,
      this.modifiedAt,
      details,
      this.checksum
    )
  }

  /** The same object with another ETag (given without quotes): an SSE-C object's is not its MD5. */
  withETag(unquotedETag: string): StoredObject {
    return new StoredObject(
      this.bytes,
      this.offset,
      this.size,
      unquotedETag,
      this.contentType,
      this.metadata,
      this.modifiedAt,
      this.details,
      this.checksum
    )
  }

  /** A view of the body's bytes from `start` up to, not including, `end`: for reading only, never handed out. */
  view(start = 0, end = this.size): Uint8Array {
    return this.bytes.subarray(this.offset + start, this.offset + end)
  }

  /**
   * A copy of the body's bytes from `start` up to, not including, `end`, in memory of its own: the
   * reader may change it or pass its `buffer` on without reaching the store (or the slab's other
   * objects). A `Buffer`'s `slice` would be a view.
   */
  copy(start = 0, end = this.size): Uint8Array {
    return new Uint8Array(this.view(start, end))
  }

  get etag(): string {
    return `"${this.unquotedETag}"`
  }

  get lastModified(): Date {
    return new Date(this.modifiedAt)
  }
}
