import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  CopyOptions,
  ListEntry,
  ObjectInfo,
  ObjectLocation,
  ObjectVersionRef,
  PrefixCopyOptions,
  PresignPostOptions,
  UploadBody,
  UploadOptions,
  VersionEntry
} from "../../S3Po.js"
import { S3Po } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"
import type { SyncAction, SyncOptions, SyncSummary } from "../sync/model.js"
import * as Sync from "../sync/sync.js"
import { shown } from "./validation.js"

/**
 * Bucket and prefix handles: the service's object operations bound to a bucket and scoped under a
 * prefix, as Rust object_store's `PrefixStore` scopes a store. The scoping (join a key to the
 * prefix, check it cannot climb out, strip the prefix from what comes back) is written once here;
 * every operation is the service's own, called with the full bucket and key.
 */

/** Where a handle points, or why it cannot point anywhere (a bad prefix, kept until an operation runs). */
interface Scope {
  readonly bucket: string
  /** `""` (the whole bucket) or ending with `/`. */
  readonly prefix: string
  readonly problem: ((operation: string) => ValidationError) | undefined
}

const isDotSegment = (segment: string) => segment === "." || segment === ".."

/**
 * Why `text` cannot be given to a handle under `prefix`: a key (`whole`) or the prefix of one
 * (a listing's, a form's), whose last segment is a string prefix and need not be a whole segment.
 * A key is relative to the handle: it must not start with `/`, nor hold a `.` or `..` segment
 * (between `/` or `\`), which a file system (sync) or an HTTP client (a presigned URL) would
 * resolve out of the prefix. S3 itself compares keys as they are, so the checks are the handle's.
 */
const relativeProblem = (text: string, whole: boolean): string | undefined => {
  if (text.startsWith("/")) {
    return `${JSON.stringify(text)} must not start with "/": it is relative to the handle's prefix`
  }
  const segments = text.split(/[/\\]/)
  if (!whole) segments.pop()
  return segments.some(isDotSegment)
    ? `${JSON.stringify(text)} must not hold a "." or ".." segment: it could resolve out of the handle's prefix`
    : undefined
}

/** A full key of the bucket for `key` given to the handle, or why there is none. */
const joined = (scope: Scope, operation: string, key: unknown, field = "key"): string | ValidationError => {
  if (scope.problem !== undefined) return scope.problem(operation)
  // At the bucket's root a key is the bucket's own: the service checks it.
  if (scope.prefix === "") return key as string
  if (typeof key !== "string") {
    return new ValidationError({ operation, field, reason: `must be a string, got ${shown(key)}` })
  }
  if (key === "") return new ValidationError({ operation, field, reason: "must not be empty" })
  const problem = relativeProblem(key, true)
  return problem === undefined ? scope.prefix + key : new ValidationError({ operation, field, reason: problem })
}

/** The full prefix for a listing's (or a form's) `prefix` given to the handle; `""` is the whole handle. */
const joinedPrefix = (
  scope: Scope,
  operation: string,
  prefix: unknown,
  field = "prefix"
): string | undefined | ValidationError => {
  if (scope.problem !== undefined) return scope.problem(operation)
  if (scope.prefix === "") return prefix as string | undefined
  if (prefix === undefined) return scope.prefix
  if (typeof prefix !== "string") {
    return new ValidationError({ operation, field, reason: `must be a string, got ${shown(prefix)}` })
  }
  const problem = relativeProblem(prefix, false)
  return problem === undefined ? scope.prefix + prefix : new ValidationError({ operation, field, reason: problem })
}

/**
 * A key of the bucket as the handle shows it: below its prefix. `None` for what is not below it: the
 * prefix's own folder marker (the key equal to the prefix), which no key of the handle can name.
 */
const relative = (scope: Scope, key: string): Option.Option<string> =>
  key.startsWith(scope.prefix) && key.length > scope.prefix.length
    ? Option.some(key.slice(scope.prefix.length))
    : scope.prefix === ""
    ? Option.some(key)
    : Option.none()

/** A key the handle itself sent (a result of it), as the handle shows it. */
const stripped = (scope: Scope, key: string) => key.startsWith(scope.prefix) ? key.slice(scope.prefix.length) : key

const fail = <A>(problem: ValidationError) => Effect.fail(problem) as Effect.Effect<A, ValidationError>

/** Runs `f` with the full key, or fails with why there is none. */
const withKey = <A, E, R>(
  scope: Scope,
  operation: string,
  key: string,
  f: (full: string) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | ValidationError, R> => {
  const full = joined(scope, operation, key)
  return full instanceof ValidationError ? fail(full) : f(full)
}

const withKeyStream = <A, E, R>(
  scope: Scope,
  operation: string,
  key: string,
  f: (full: string) => Stream.Stream<A, E, R>
): Stream.Stream<A, E | ValidationError, R> => {
  const full = joined(scope, operation, key)
  return full instanceof ValidationError ? Stream.fail(full) : f(full)
}

/** Options with their `field` (a prefix) joined to the handle's. */
const withPrefixOption = <O extends object, K extends keyof O & string>(
  scope: Scope,
  operation: string,
  options: O | undefined,
  field: K
): O | ValidationError => {
  // What is no object goes to the service as it is, which refuses it.
  if (options !== undefined && (typeof options !== "object" || options === null)) return options
  const given = options ?? ({} as O)
  const prefix = joinedPrefix(scope, operation, Reflect.get(given, field), field)
  if (prefix instanceof ValidationError) return prefix
  return prefix === undefined ? given : { ...given, [field]: prefix }
}

const infoOf = (scope: Scope) => (info: ObjectInfo): ObjectInfo => ({ ...info, key: stripped(scope, info.key) })

const entriesOf = (scope: Scope) => (entry: ListEntry): Option.Option<ListEntry> =>
  entry._tag === "Object"
    ? Option.map(relative(scope, entry.key), (key) => ({ ...entry, key }))
    : Option.map(relative(scope, entry.prefix), (prefix) => ({ ...entry, prefix }))

const versionEntriesOf = (scope: Scope) => (entry: VersionEntry): Option.Option<VersionEntry> =>
  entry._tag === "CommonPrefix"
    ? Option.map(relative(scope, entry.prefix), (prefix) => ({ ...entry, prefix }))
    : Option.map(relative(scope, entry.key), (key) => ({ ...entry, key }))

/** A sync's action with its key below the handle's prefix (the sync's own prefix). */
const actionOf = (scope: Scope) => (action: SyncAction): SyncAction =>
  action._tag === "DeleteFile" ? action : { ...action, key: stripped(scope, action.key) }

const syncOptionsOf = (scope: Scope, options: SyncOptions | undefined): SyncOptions | undefined => {
  const onAction: unknown = typeof options === "object" && options !== null ? options.onAction : undefined
  return typeof onAction !== "function"
    ? options
    : { ...options, onAction: (action, error) => onAction(actionOf(scope)(action), error) }
}

const summaryOf = (scope: Scope) => (summary: SyncSummary): SyncSummary => ({
  ...summary,
  failed: summary.failed.map((failure) => ({ ...failure, action: actionOf(scope)(failure.action) }))
})

/** Why a handle's `prefix(...)` argument cannot scope it, or the prefix it adds (ending with `/`). */
const addedPrefix = (prefix: unknown): string | ((operation: string) => ValidationError) => {
  const refused = (reason: string) => (operation: string) => new ValidationError({ operation, field: "prefix", reason })
  if (typeof prefix !== "string") return refused(`must be a string, got ${shown(prefix)}`)
  if (prefix === "" || prefix === "/") {
    return refused(`must not be empty: ${JSON.stringify(prefix)} names no folder (the bucket's handle is its root)`)
  }
  const folder = prefix.endsWith("/") ? prefix : `${prefix}/`
  const problem = relativeProblem(folder, false)
  if (problem !== undefined) return refused(problem)
  return folder.slice(0, -1).split("/").includes("")
    ? refused(`${JSON.stringify(prefix)} must not hold an empty segment ("//")`)
    : folder
}

type Methods<K extends keyof S3Po.Bucket> = Pick<S3Po.Bucket, K>

/** The service's methods that take a bucket name first (or nothing), but those that manage buckets. */
type ObjectOperations = Exclude<
  {
    readonly [K in keyof S3Po.Service]: S3Po.Service[K] extends (bucket: string, ...rest: never) => unknown ? K : never
  }[
    keyof S3Po.Service
  ],
  | "createBucket"
  | "bucketExists"
  | "deleteBucket"
  | "emptyBucket"
  | "listBuckets"
  | "bucket"
  // A bucket's versioning and object lock are the whole bucket's, not a prefix's.
  | "setBucketVersioning"
  | "getBucketVersioning"
  | "getObjectLockConfiguration"
  | "setObjectLockConfiguration"
  // A bucket's lifecycle rules are the whole bucket's, not a prefix's.
  | "putLifecycle"
  | "getLifecycle"
  | "deleteLifecycle"
>

/** Fails to compile, naming them, when the service has an object operation the handle lacks. */
type MissingOnHandle = Exclude<ObjectOperations, keyof S3Po.Bucket>
const handleCoversService: [MissingOnHandle] extends [never] ? true : MissingOnHandle = true
void handleCoversService

/** The operations on one object (or two: copy and move), each with its key joined to the prefix. */
const objectMethods = (
  service: S3Po.Service,
  scope: Scope
): Methods<
  | "upload"
  | "uploadFile"
  | "download"
  | "downloadString"
  | "downloadStream"
  | "downloadFile"
  | "head"
  | "getTags"
  | "setTags"
  | "exists"
  | "delete"
  | "copy"
  | "move"
  | "presign"
  | "getRetention"
  | "setRetention"
  | "getLegalHold"
  | "setLegalHold"
> => {
  const { bucket } = scope
  const transfer =
    (operation: "copy" | "move") =>
    (from: string, to: string, options?: CopyOptions): ReturnType<S3Po.Service["copy"]> => {
      const source = joined(scope, operation, from, "from")
      if (source instanceof ValidationError) return Effect.fail(source)
      const destination = joined(scope, operation, to, "to")
      if (destination instanceof ValidationError) return Effect.fail(destination)
      return service[operation]({ bucket, key: source }, { bucket, key: destination }, options)
    }
  return {
    upload: (<E, R>(key: string, body: UploadBody<E, R>, options?: UploadOptions) =>
      withKey(
        scope,
        "upload",
        key,
        (full) => service.upload(bucket, full, body as Stream.Stream<Uint8Array, E, R>, options)
      )) as S3Po.Bucket["upload"],
    uploadFile: (key, path, options) =>
      withKey(scope, "uploadFile", key, (full) => service.uploadFile(bucket, full, path, options)),
    download: (key, options) => withKey(scope, "download", key, (full) => service.download(bucket, full, options)),
    downloadString: (key, options) =>
      withKey(scope, "downloadString", key, (full) => service.downloadString(bucket, full, options)),
    downloadStream: (key, options) =>
      withKeyStream(scope, "downloadStream", key, (full) => service.downloadStream(bucket, full, options)),
    downloadFile: (key, path, options) =>
      withKey(scope, "downloadFile", key, (full) => service.downloadFile(bucket, full, path, options)),
    head: (key, conditions) =>
      withKey(scope, "head", key, (full) => Effect.map(service.head(bucket, full, conditions), infoOf(scope))),
    getTags: (key) => withKey(scope, "getTags", key, (full) => service.getTags(bucket, full)),
    setTags: (key, tags) => withKey(scope, "setTags", key, (full) => service.setTags(bucket, full, tags)),
    exists: (key) => withKey(scope, "exists", key, (full) => service.exists(bucket, full)),
    delete: (key, options) => withKey(scope, "delete", key, (full) => service.delete(bucket, full, options)),
    getRetention: (key, options) =>
      withKey(scope, "getRetention", key, (full) => service.getRetention(bucket, full, options)),
    setRetention: (key, retention, options) =>
      withKey(scope, "setRetention", key, (full) => service.setRetention(bucket, full, retention, options)),
    getLegalHold: (key, options) =>
      withKey(scope, "getLegalHold", key, (full) => service.getLegalHold(bucket, full, options)),
    setLegalHold: (key, on, options) =>
      withKey(scope, "setLegalHold", key, (full) => service.setLegalHold(bucket, full, on, options)),
    copy: transfer("copy"),
    move: transfer("move"),
    presign: (key, options) => withKey(scope, "presign", key, (full) => service.presign(bucket, full, options))
  }
}

/** Reads with their info and JSON documents: the info's key relative to the handle. */
const documentMethods = (
  service: S3Po.Service,
  scope: Scope
): Methods<"get" | "getStream" | "getJson" | "putJson" | "updateJson"> => {
  const { bucket } = scope
  return {
    get: (key, options) =>
      withKey(
        scope,
        "get",
        key,
        (full) => Effect.map(service.get(bucket, full, options), (got) => ({ ...got, info: infoOf(scope)(got.info) }))
      ),
    getStream: (key, options) =>
      withKey(
        scope,
        "getStream",
        key,
        (full) =>
          Effect.map(service.getStream(bucket, full, options), (got) => ({ ...got, info: infoOf(scope)(got.info) }))
      ),
    getJson: (key, schema, options) =>
      withKey(
        scope,
        "getJson",
        key,
        (full) =>
          Effect.map(
            service.getJson(bucket, full, schema, options),
            (document) => ({ ...document, info: infoOf(scope)(document.info) })
          )
      ),
    putJson: (key, schema, value, options) =>
      withKey(scope, "putJson", key, (full) => service.putJson(bucket, full, schema, value, options)),
    updateJson: (key, schema, f, options) =>
      withKey(scope, "updateJson", key, (full) => service.updateJson(bucket, full, schema, f, options))
  }
}

/** Listings and what works on a prefix: the prefix options joined, the keys that come back stripped. */
const prefixMethods = (
  service: S3Po.Service,
  scope: Scope
): Methods<
  "list" | "listObjects" | "listObjectVersions" | "deletePrefix" | "listPendingUploads" | "abortPendingUploads"
> => {
  const { bucket } = scope
  return {
    list: (options) => {
      const scoped = withPrefixOption(scope, "list", options, "prefix")
      return scoped instanceof ValidationError
        ? Stream.fail(scoped)
        : Stream.filterMap(service.list(bucket, scoped), (key) => relative(scope, key))
    },
    listObjects: (options) => {
      const scoped = withPrefixOption(scope, "listObjects", options, "prefix")
      if (scoped instanceof ValidationError) return Stream.fail(scoped)
      const startAfter = scoped?.startAfter === undefined
        ? undefined
        : joined(scope, "listObjects", scoped.startAfter, "startAfter")
      if (startAfter instanceof ValidationError) return Stream.fail(startAfter)
      return Stream.filterMap(
        service.listObjects(bucket, startAfter === undefined ? scoped : { ...scoped, startAfter }),
        entriesOf(scope)
      )
    },
    listObjectVersions: (options) => {
      const scoped = withPrefixOption(scope, "listObjectVersions", options, "prefix")
      return scoped instanceof ValidationError
        ? Stream.fail(scoped)
        : Stream.filterMap(service.listObjectVersions(bucket, scoped), versionEntriesOf(scope))
    },
    deletePrefix: (prefix) => {
      const full = joinedPrefix(scope, "deletePrefix", prefix)
      return full instanceof ValidationError ? fail(full) : service.deletePrefix(bucket, full as string)
    },
    listPendingUploads: (options) => {
      const scoped = withPrefixOption(scope, "listPendingUploads", options, "prefix")
      return scoped instanceof ValidationError
        ? Stream.fail(scoped)
        : Stream.map(
          service.listPendingUploads(bucket, scoped),
          (upload) => ({ ...upload, key: stripped(scope, upload.key) })
        )
    },
    abortPendingUploads: (options) => {
      const scoped = withPrefixOption(scope, "abortPendingUploads", options, "prefix")
      return scoped instanceof ValidationError ? fail(scoped) : service.abortPendingUploads(bucket, scoped)
    }
  }
}

/** Prefix copies and moves within the handle: both prefixes joined, the failures' keys stripped. */
const prefixCopyMethods = (service: S3Po.Service, scope: Scope): Methods<"copyPrefix" | "movePrefix"> => {
  const { bucket } = scope
  const relativeLocations = <A extends { readonly from: ObjectLocation; readonly to: ObjectLocation }>(
    object: A
  ): A => ({
    ...object,
    from: { bucket, key: stripped(scope, object.from.key) },
    to: { bucket, key: stripped(scope, object.to.key) }
  })
  const prefixCopyOptionsOf = (options: PrefixCopyOptions | undefined): PrefixCopyOptions | undefined => {
    const onObject: unknown = typeof options === "object" && options !== null ? options.onObject : undefined
    return typeof onObject !== "function" ? options : {
      ...options,
      onObject: (object, failure) =>
        onObject(relativeLocations(object), failure === undefined ? undefined : relativeLocations(failure))
    }
  }
  const transfer =
    (operation: "copyPrefix" | "movePrefix") =>
    (from: string, to: string, options?: PrefixCopyOptions): ReturnType<S3Po.Service["copyPrefix"]> => {
      const source = joinedPrefix(scope, operation, from, "from")
      if (source instanceof ValidationError) return Effect.fail(source)
      const destination = joinedPrefix(scope, operation, to, "to")
      if (destination instanceof ValidationError) return Effect.fail(destination)
      return Effect.map(
        service[operation]({ bucket, prefix: source }, { bucket, prefix: destination }, prefixCopyOptionsOf(options)),
        (summary) => ({ ...summary, failed: summary.failed.map(relativeLocations) })
      )
    }
  return { copyPrefix: transfer("copyPrefix"), movePrefix: transfer("movePrefix") }
}

/** Deletions of many keys (or versions): every key checked and joined before any is sent, the results stripped. */
const deletionMethods = (service: S3Po.Service, scope: Scope): Methods<"deleteMany" | "deleteManyStream"> => {
  const { bucket } = scope
  type Target = string | ObjectVersionRef
  const isIterable = (keys: unknown): keys is Iterable<Target> =>
    typeof keys === "object" && keys !== null && Symbol.iterator in keys
  /** A key, or a version ref whose key is joined (a ref that is no object goes on as it is: the service refuses it). */
  const joinedOne = (operation: string, target: Target): Target | ValidationError => {
    if (typeof target !== "object" || target === null) return joined(scope, operation, target)
    const key = joined(scope, operation, target.key)
    return key instanceof ValidationError ? key : { ...target, key }
  }
  const joinedAll = (operation: string, keys: Iterable<Target>): Array<Target> | ValidationError => {
    const full: Array<Target> = []
    for (const key of keys) {
      const one = joinedOne(operation, key)
      if (one instanceof ValidationError) return one
      full.push(one)
    }
    return full
  }
  return {
    deleteMany: (keys) =>
      Effect.suspend(() => {
        if (!isIterable(keys)) return service.deleteMany(bucket, keys)
        const full = joinedAll("deleteMany", keys)
        if (full instanceof ValidationError) return fail(full)
        return Effect.map(service.deleteMany(bucket, full), (result) => ({
          deleted: result.deleted.map((key) => stripped(scope, key)),
          failed: result.failed.map((failure) => ({ ...failure, key: stripped(scope, failure.key) })),
          ...(result.versions === undefined ? {} : {
            versions: result.versions.map((version) => ({ ...version, key: stripped(scope, version.key) }))
          })
        }))
      }),
    deleteManyStream: (keys) => {
      if (scope.problem !== undefined) return Stream.fail(scope.problem("deleteManyStream"))
      const given = Stream.StreamTypeId in Object(keys)
        ? keys as Stream.Stream<Target, never, never>
        : isIterable(keys)
        ? Stream.fromIterable(keys)
        : undefined
      if (given === undefined) return service.deleteManyStream(bucket, keys)
      const full = Stream.mapChunksEffect(given, (chunk) => {
        const one = joinedAll("deleteManyStream", chunk)
        return one instanceof ValidationError
          ? fail<Chunk.Chunk<Target>>(one)
          : Effect.succeed(Chunk.unsafeFromArray(one))
      })
      return Stream.map(
        service.deleteManyStream(bucket, full),
        (result) => ({ ...result, key: stripped(scope, result.key) })
      )
    }
  }
}

/**
 * A form's key or key prefix joined to the handle's; `anyKey: true` under a prefix becomes the prefix
 * itself, so the uploader chooses any key of the handle, not of the bucket.
 */
const presignPost = (service: S3Po.Service, scope: Scope): S3Po.Bucket["presignPost"] => (options) => {
  const operation = "presignPost"
  if (scope.problem !== undefined) return fail(scope.problem(operation))
  if (scope.prefix === "" || typeof options !== "object" || options === null) {
    return service.presignPost(scope.bucket, options)
  }
  const key = options.key === undefined ? undefined : joined(scope, operation, options.key)
  if (key instanceof ValidationError) return fail(key)
  if (options.anyKey === true && options.key === undefined && (options.keyPrefix ?? "") === "") {
    const { anyKey: _anyKey, ...rest } = options
    return service.presignPost(scope.bucket, { ...rest, keyPrefix: scope.prefix })
  }
  if (options.keyPrefix === "") {
    return fail(
      new ValidationError({
        operation,
        field: "keyPrefix",
        reason: `must not be empty: the uploader could write any key under ${
          JSON.stringify(scope.prefix)
        }; give anyKey: true if that is meant`
      })
    )
  }
  const keyPrefix = options.keyPrefix === undefined
    ? undefined
    : joinedPrefix(scope, operation, options.keyPrefix, "keyPrefix")
  if (keyPrefix instanceof ValidationError) return fail(keyPrefix)
  const scoped: PresignPostOptions = {
    ...options,
    ...(key === undefined ? {} : { key }),
    ...(keyPrefix === undefined ? {} : { keyPrefix })
  }
  return service.presignPost(scope.bucket, scoped)
}

/** `Sync` on the handle's bucket and prefix, with the service provided, the actions' keys stripped. */
const syncMethods = (service: S3Po.Service, scope: Scope): Methods<"syncUp" | "syncDown" | "planUp" | "planDown"> => {
  const location = { bucket: scope.bucket, prefix: scope.prefix }
  const sync = <A, E>(operation: string, run: Effect.Effect<A, E, S3Po>) =>
    scope.problem === undefined ? Effect.provideService(run, S3Po, service) : fail<A>(scope.problem(operation))
  const plan = <E>(operation: string, run: () => Stream.Stream<SyncAction, E, S3Po>) =>
    scope.problem === undefined
      ? Stream.provideService(Stream.map(run(), actionOf(scope)), S3Po, service)
      : Stream.fail(scope.problem(operation))
  return {
    syncUp: (localDir, options) =>
      sync("syncUp", Effect.map(Sync.syncUp(localDir, location, syncOptionsOf(scope, options)), summaryOf(scope))),
    syncDown: (localDir, options) =>
      sync("syncDown", Effect.map(Sync.syncDown(location, localDir, syncOptionsOf(scope, options)), summaryOf(scope))),
    planUp: (localDir, options) => plan("syncUp", () => Sync.planUp(localDir, location, options)),
    planDown: (localDir, options) => plan("syncDown", () => Sync.planDown(location, localDir, options))
  }
}

/** The handle of `scope`, over `service`. */
const make = (service: S3Po.Service, scope: Scope): S3Po.Bucket => ({
  name: scope.bucket,
  path: scope.prefix,
  prefix: (prefix) => {
    const added = scope.problem ?? addedPrefix(prefix)
    return make(
      service,
      typeof added === "string"
        ? { bucket: scope.bucket, prefix: scope.prefix + added, problem: undefined }
        : { bucket: scope.bucket, prefix: scope.prefix, problem: added }
    )
  },
  ...objectMethods(service, scope),
  ...documentMethods(service, scope),
  ...prefixMethods(service, scope),
  ...deletionMethods(service, scope),
  ...prefixCopyMethods(service, scope),
  presignPost: presignPost(service, scope),
  ...syncMethods(service, scope)
})

/**
 * `service.bucket(name)`: the handle of the bucket's root. Its name is checked by each operation, as
 * the service checks it.
 */
export const bucket = (service: S3Po.Service, name: string): S3Po.Bucket =>
  make(service, { bucket: name, prefix: "", problem: undefined })
