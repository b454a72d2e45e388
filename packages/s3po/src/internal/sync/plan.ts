import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { File as LocalFile, LocalFiles } from "../../LocalFiles.js"
import type { S3Po } from "../../S3Po.js"
import { LocalFileError, type S3PoError, S3ServiceError } from "../../S3PoError.js"
import { storedInfoOf } from "../core/storedInfo.js"
import { verifierOf } from "../core/verification.js"
import { makeFilter } from "./filters.js"
import { isSinglePartETag, matchesETag, passesVerifier } from "./localETag.js"
import { inKeyOrder, mergeByKey, type Paired } from "./merge.js"
import type { SyncAction, SyncLocation, SyncOptions } from "./model.js"
import { exactNames, type NameFold, nameFoldOf } from "./nameFolding.js"
import { localPathOf, unsafeReason } from "./safePath.js"
import { UnsafeKey } from "./unsafeKey.js"

/** An object below a sync's prefix. */
export interface RemoteObject {
  /** Its key below the prefix: the path below the local directory. */
  readonly relative: string
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
}

/** A prefix as a folder: `photos` and `photos/` both hold `photos/...`. */
export const folderPrefix = (location: SyncLocation): string => {
  const prefix = location.prefix ?? ""
  return prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`
}

/**
 * The files of a sync's directory. A sync down never enters a linked folder, whatever
 * `followSymlinks` says: what it finds it may delete or write over, and links may be followed to
 * read, never to delete or write.
 */
const localFilesOf = (
  files: LocalFiles,
  operation: "syncUp" | "syncDown",
  localDir: string,
  options: SyncOptions
): Stream.Stream<LocalFile, LocalFileError> =>
  Stream.mapError(
    files.walk(localDir, { followSymlinks: options.followSymlinks === true, linkedFolders: operation === "syncUp" }),
    (cause) => new LocalFileError({ operation, path: localDir, reason: "cannot read the directory", cause })
  )

/** The objects below the prefix, in key order; keys ending in `/` (console folders) passed over. */
const remoteObjects = (s3: S3Po.Service, bucket: string, prefix: string): Stream.Stream<RemoteObject, S3PoError> =>
  Stream.filterMap(
    s3.listObjects(bucket, { prefix }),
    (entry) =>
      entry._tag === "Object" && !entry.key.endsWith("/") && entry.key.length > prefix.length
        ? Option.some({
          relative: entry.key.slice(prefix.length),
          key: entry.key,
          size: entry.size,
          etag: entry.etag,
          lastModified: entry.lastModified
        })
        : Option.none()
  )

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/**
 * Whether the destination holds what the source does, by size and time: the same size, and the
 * destination not older than the source, to the second (S3 keeps times to the second); with
 * `"size-and-exact-time"`, a download's file as old as its object, no more, no less; with
 * `"size-only"`, whatever the times.
 */
const sameBySizeAndTime = (
  local: LocalFile,
  remote: RemoteObject,
  sourceIsLocal: boolean,
  compare: SyncOptions["compare"]
): boolean => {
  if (local.size !== remote.size) return false
  if (compare === "size-only") return true
  const [source, destination] = sourceIsLocal
    ? [local.modified, remote.lastModified]
    : [remote.lastModified, local.modified]
  return compare === "size-and-exact-time" && !sourceIsLocal
    ? seconds(source) === seconds(destination)
    : seconds(source) <= seconds(destination)
}

/**
 * Whether a file has the content an object holds, read only when the sizes agree. An ETag that is an
 * MD5 is compared as it is. For a multipart ETag, or one that is no MD5 (SSE-KMS), one HEAD asks
 * what the object stores: its full-object checksum, or the part size its upload recorded; without
 * either, a multipart ETag is tried with the common part sizes.
 */
const sameByChecksum = (
  s3: S3Po.Service,
  files: LocalFiles,
  bucket: string,
  operation: string,
  local: LocalFile,
  remote: RemoteObject
): Effect.Effect<boolean, LocalFileError> => {
  if (local.size !== remote.size) return Effect.succeed(false)
  const read = (compare: Effect.Effect<boolean, PlatformError>) =>
    Effect.mapError(
      compare,
      (cause) => new LocalFileError({ operation, path: local.path, reason: "cannot read the file", cause })
    )
  const byETag = matchesETag(files, local.path, local.size, remote.etag)
  const storedInfo = storedInfoOf(s3)
  if (storedInfo === undefined || isSinglePartETag(remote.etag)) return read(byETag)
  // An object that cannot be asked (gone since the listing, or not allowed) is compared by its ETag.
  return Effect.flatMap(Effect.option(storedInfo(bucket, remote.key)), (info) => {
    const verifier = Option.isSome(info) && info.value.size === local.size
      ? verifierOf(operation, bucket, remote.key, info.value)
      : undefined
    return read(verifier === undefined ? byETag : passesVerifier(files, local.path, verifier))
  })
}

type Decide = (pair: Paired<LocalFile, RemoteObject>, same: boolean) => Option.Option<SyncAction>

/**
 * Each pair's action. Sizes and times are compared as the pairs pass, a chunk at a time;
 * checksums are read a few files at once.
 */
const decided = (
  s3: S3Po.Service,
  files: LocalFiles,
  bucket: string,
  operation: "syncUp" | "syncDown",
  pairs: Stream.Stream<Paired<LocalFile, RemoteObject>, S3PoError>,
  options: SyncOptions,
  decide: Decide
): Stream.Stream<SyncAction, S3PoError> => {
  if (options.compare === "checksum") {
    return pairs.pipe(
      Stream.mapEffect((pair) =>
        pair.left === undefined || pair.right === undefined
          ? Effect.succeed(decide(pair, false))
          // A file that cannot be read is not the same: its copy then fails alone, reading it.
          : Effect.map(
            Effect.orElseSucceed(sameByChecksum(s3, files, bucket, operation, pair.left, pair.right), () => false),
            (same) => decide(pair, same)
          ), {
        concurrency: 4
      }),
      Stream.filterMap((action) => action)
    )
  }
  return Stream.filterMap(pairs, (pair) =>
    decide(
      pair,
      options.compare !== "none" && pair.left !== undefined && pair.right !== undefined &&
        sameBySizeAndTime(pair.left, pair.right, operation === "syncUp", options.compare)
    ))
}

/** The two sides of a sync, paired by path below the directory and the prefix, filters applied. */
const paired = (
  s3: S3Po.Service,
  files: LocalFiles,
  operation: "syncUp" | "syncDown",
  localDir: string,
  location: SyncLocation,
  options: SyncOptions
): Stream.Stream<Paired<LocalFile, RemoteObject>, S3PoError> => {
  const taken = makeFilter(options)
  return mergeByKey(
    Stream.filter(localFilesOf(files, operation, localDir, options), (file) => taken(file.relative)),
    Stream.filter(
      inKeyOrder(
        remoteObjects(s3, location.bucket, folderPrefix(location)),
        (object) => object.key,
        (previous, next) =>
          new S3ServiceError({
            operation: "ListObjectsV2",
            bucket: location.bucket,
            status: 200,
            code: "UnorderedListing",
            detail: `the listing gave ${JSON.stringify(next)} after ${
              JSON.stringify(previous)
            }: a sync merges listings in key order (UTF-8 bytes), as S3's general purpose buckets give them`,
            retryable: false
          })
      ),
      (object) => taken(object.relative)
    ),
    (file) => file.relative,
    (object) => object.relative
  )
}

export const planUp = (
  s3: S3Po.Service,
  files: LocalFiles,
  localDir: string,
  destination: SyncLocation,
  options: SyncOptions
): Stream.Stream<SyncAction, S3PoError> => {
  const prefix = folderPrefix(destination)
  const decide: Decide = ({ left: local, right: remote }, same) => {
    if (local === undefined) {
      return options.delete === true
        ? Option.some({ _tag: "DeleteObject", relative: remote.relative, key: remote.key })
        : Option.none()
    }
    // A download's partial file is not uploaded as a file of its own.
    if (local.partial && remote === undefined) return Option.none()
    return Option.some(
      same && remote !== undefined
        ? { _tag: "Skip", relative: local.relative, path: local.path, key: remote.key }
        : { _tag: "Upload", relative: local.relative, path: local.path, key: prefix + local.relative, size: local.size }
    )
  }
  return decided(
    s3,
    files,
    destination.bucket,
    "syncUp",
    paired(s3, files, "syncUp", localDir, destination, options),
    options,
    decide
  )
}

/**
 * The plan of a sync down. `nameFold` says how the directory's file system tells names apart (found
 * by looking at it when not given). Where it folds case, a key whose name another key took first
 * (`A.txt`, then `a.txt`) would overwrite that key's file: it is refused; and a file the bucket lacks
 * is deleted only at the end, once no key turned out to name it in another case. (Both keep every
 * key's folded name: memory then grows with the number of keys.)
 */
export const planDown = (
  s3: S3Po.Service,
  files: LocalFiles,
  source: SyncLocation,
  localDir: string,
  options: SyncOptions,
  nameFold?: NameFold
): Stream.Stream<SyncAction, S3PoError> =>
  Stream.unwrap(
    Effect.map(
      nameFold === undefined ? nameFoldOf(files, localDir) : Effect.succeed(nameFold),
      (fold) => planDownWith(s3, files, source, localDir, options, fold)
    )
  )

const planDownWith = (
  s3: S3Po.Service,
  files: LocalFiles,
  source: SyncLocation,
  localDir: string,
  options: SyncOptions,
  fold: NameFold
): Stream.Stream<SyncAction, S3PoError> => {
  const folding = fold !== exactNames
  /** Each folded name, and the key below the prefix that took it first. */
  const owners = new Map<string, string>()
  /** The keys whose folded name another key took first, and that key. */
  const twins = new WeakMap<RemoteObject, string>()
  const laterDeletes: Array<LocalFile> = []
  const claim = (remote: RemoteObject) => {
    if (unsafeReason(remote.relative) !== undefined) return
    const folded = fold(remote.relative)
    const owner = owners.get(folded)
    if (owner === undefined) owners.set(folded, remote.relative)
    else twins.set(remote, owner)
  }
  const refused = (remote: RemoteObject, reason: string): SyncAction => ({
    _tag: "Refuse",
    relative: remote.relative,
    key: remote.key,
    error: new UnsafeKey({ operation: "syncDown", bucket: source.bucket, key: remote.key, reason })
  })
  const deleted = (local: LocalFile): SyncAction => ({ _tag: "DeleteFile", relative: local.relative, path: local.path })
  const decide: Decide = ({ left: local, right: remote }, same) => {
    if (remote === undefined) {
      // A download's partial file may be this sync's own, in progress: it is never deleted.
      if (options.delete !== true || local.partial) return Option.none()
      if (!folding) return Option.some(deleted(local))
      laterDeletes.push(local)
      return Option.none()
    }
    const unsafe = unsafeReason(remote.relative)
    const path = unsafe === undefined ? localPathOf(localDir, remote.relative) : undefined
    if (path === undefined) {
      return Option.some(
        refused(remote, `cannot be a file below ${localDir}: ${unsafe ?? "it resolves outside the directory"}`)
      )
    }
    const twin = twins.get(remote)
    if (twin !== undefined) {
      return Option.some(refused(
        remote,
        `differs from ${JSON.stringify(folderPrefix(source) + twin)} only in case, which ${localDir} does not ` +
          "tell apart: one would overwrite the other"
      ))
    }
    return Option.some(
      same && local !== undefined
        ? { _tag: "Skip", relative: local.relative, path: local.path, key: remote.key }
        : {
          _tag: "Download",
          relative: remote.relative,
          key: remote.key,
          path,
          size: remote.size,
          lastModified: remote.lastModified
        }
    )
  }
  // Names are claimed in key order, before `decided` may decide a few pairs at once.
  const pairs = folding
    ? Stream.map(paired(s3, files, "syncDown", localDir, source, options), (pair) => {
      if (pair.right !== undefined) claim(pair.right)
      return pair
    })
    : paired(s3, files, "syncDown", localDir, source, options)
  return Stream.concat(
    decided(s3, files, source.bucket, "syncDown", pairs, options, decide),
    Stream.suspend(() =>
      Stream.fromIterable(laterDeletes.filter((local) => !owners.has(fold(local.relative))).map(deleted))
    )
  )
}
