import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { S3Po } from "../../S3Po.js"
import { LocalFileError, type S3PoError, UnsafeKey } from "../../S3PoError.js"
import type { SyncAction, SyncLocation, SyncOptions } from "../../Sync.js"
import { makeFilter } from "./filters.js"
import { matchesETag } from "./localETag.js"
import { filesInKeyOrder, type LocalFile } from "./localTree.js"
import { mergeByKey, type Paired } from "./merge.js"
import { localPathOf, unsafeReason } from "./safePath.js"

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

const localFiles = (
  operation: string,
  localDir: string,
  options: SyncOptions
): Stream.Stream<LocalFile, LocalFileError> =>
  Stream.suspend(() =>
    Stream.fromAsyncIterable(
      filesInKeyOrder(localDir, { followSymlinks: options.followSymlinks === true }),
      (cause) => new LocalFileError({ operation, path: localDir, reason: "cannot read the directory", cause })
    )
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

/** Whether `destination` holds what `source` does, as `compare` judges it. */
const isSame = (
  operation: string,
  compare: SyncOptions["compare"],
  local: LocalFile,
  remote: RemoteObject,
  sourceIsLocal: boolean
): Effect.Effect<boolean, LocalFileError> => {
  if (compare === "none" || local.size !== remote.size) return Effect.succeed(false)
  if (compare === "checksum") {
    return Effect.tryPromise({
      try: () => matchesETag(local.path, local.size, remote.etag),
      catch: (cause) => new LocalFileError({ operation, path: local.path, reason: "cannot read the file", cause })
    })
  }
  const [source, destination] = sourceIsLocal
    ? [local.modified, remote.lastModified]
    : [remote.lastModified, local.modified]
  return Effect.succeed(seconds(source) <= seconds(destination))
}

/** The two sides of a sync, paired by path below the directory and the prefix, filters applied. */
const paired = (
  s3: S3Po.Service,
  operation: string,
  localDir: string,
  location: SyncLocation,
  options: SyncOptions
): Stream.Stream<Paired<LocalFile, RemoteObject>, S3PoError> => {
  const taken = makeFilter(options.include, options.exclude)
  return mergeByKey(
    Stream.filter(localFiles(operation, localDir, options), (file) => taken(file.relative)),
    Stream.filter(remoteObjects(s3, location.bucket, folderPrefix(location)), (object) => taken(object.relative)),
    (file) => file.relative,
    (object) => object.relative
  )
}

/** Checksums are read a few files at once; comparing sizes and times needs no reading. */
const decideConcurrency = (options: SyncOptions) => options.compare === "checksum" ? 4 : 1

export const planUp = (
  s3: S3Po.Service,
  localDir: string,
  destination: SyncLocation,
  options: SyncOptions
): Stream.Stream<SyncAction, S3PoError> => {
  const prefix = folderPrefix(destination)
  const decide = (
    { left: local, right: remote }: Paired<LocalFile, RemoteObject>
  ): Effect.Effect<Option.Option<SyncAction>, S3PoError> => {
    if (local === undefined) {
      return Effect.succeed(
        options.delete === true
          ? Option.some({ _tag: "DeleteObject", relative: remote.relative, key: remote.key })
          : Option.none()
      )
    }
    const upload: SyncAction = {
      _tag: "Upload",
      relative: local.relative,
      path: local.path,
      key: prefix + local.relative,
      size: local.size
    }
    if (remote === undefined) return Effect.succeed(Option.some(upload))
    return Effect.map(isSame("syncUp", options.compare, local, remote, true), (same) =>
      Option.some(
        same ? { _tag: "Skip", relative: local.relative, path: local.path, key: remote.key } : upload
      ))
  }
  return paired(s3, "syncUp", localDir, destination, options).pipe(
    Stream.mapEffect(decide, { concurrency: decideConcurrency(options) }),
    Stream.filterMap((action) => action)
  )
}

export const planDown = (
  s3: S3Po.Service,
  source: SyncLocation,
  localDir: string,
  options: SyncOptions
): Stream.Stream<SyncAction, S3PoError> => {
  const decide = (
    { left: local, right: remote }: Paired<LocalFile, RemoteObject>
  ): Effect.Effect<Option.Option<SyncAction>, S3PoError> => {
    if (remote === undefined) {
      return Effect.succeed(
        options.delete === true
          ? Option.some({ _tag: "DeleteFile", relative: local.relative, path: local.path })
          : Option.none()
      )
    }
    const unsafe = unsafeReason(remote.relative)
    const path = unsafe === undefined ? localPathOf(localDir, remote.relative) : undefined
    if (path === undefined) {
      const error = new UnsafeKey({
        operation: "syncDown",
        bucket: source.bucket,
        key: remote.key,
        reason: `would be written outside ${localDir}: ${unsafe ?? "it resolves outside the directory"}`
      })
      return Effect.succeed(Option.some({ _tag: "Refuse", relative: remote.relative, key: remote.key, error }))
    }
    const download: SyncAction = {
      _tag: "Download",
      relative: remote.relative,
      key: remote.key,
      path,
      size: remote.size,
      lastModified: remote.lastModified
    }
    if (local === undefined) return Effect.succeed(Option.some(download))
    return Effect.map(
      isSame("syncDown", options.compare, local, remote, false),
      (same) =>
        Option.some(same ? { _tag: "Skip", relative: local.relative, path: local.path, key: remote.key } : download)
    )
  }
  return paired(s3, "syncDown", localDir, source, options).pipe(
    Stream.mapEffect(decide, { concurrency: decideConcurrency(options) }),
    Stream.filterMap((action) => action)
  )
}
