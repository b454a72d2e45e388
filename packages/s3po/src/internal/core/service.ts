import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { LocalFiles } from "../../LocalFiles.js"
import type { RetryPolicy } from "../../Retry.js"
import type { DownloadOptions, HeadOptions, S3Po, UploadBody, UploadFileOptions, UploadOptions } from "../../S3Po.js"
import { LocalFileError, NoSuchKey, ValidationError } from "../../S3PoError.js"
import * as LocalFilesTag from "../localFiles/tag.js"
import { checkedService } from "./argumentShapes.js"
import { type Backend, mapBackend, operationNames, type Primitive } from "./backend.js"
import * as Buckets from "./buckets.js"
import { readerInto } from "./chunker.js"
import { knowingOwnCopy, knowingOwnWrite } from "./conditionalWrite.js"
import { readConditionsOf } from "./conditions.js"
import * as ContentTypes from "./contentTypes.js"
import * as Copy from "./copy.js"
import * as CustomerKeys from "./customerKeys.js"
import * as DeleteMany from "./deleteMany.js"
import * as Documents from "./documents.js"
import * as Download from "./download.js"
import * as Handles from "./handles.js"
import { userInfo } from "./internalMetadata.js"
import * as Lifecycle from "./lifecycle.js"
import * as Listing from "./listing.js"
import { versionIdProblem } from "./locks.js"
import { withBucketCheck } from "./missingBucket.js"
import { narrowedService, type Unnarrowed } from "./operationErrors.js"
import * as PrefixCopy from "./prefixCopy.js"
import * as Presign from "./presign.js"
import type { Presigner } from "./presign.js"
import { retrying } from "./retry.js"
import { withStoredInfo } from "./storedInfo.js"
import { traced } from "./tracing.js"
import * as Upload from "./upload.js"
import * as Validate from "./validation.js"
import { lockedWrite, withWriteLocks } from "./versionedWrites.js"
import * as Versions from "./versions.js"

export interface ServiceOptions {
  readonly presigner: Presigner
  readonly retry: RetryPolicy
  readonly multipart: Upload.MultipartDefaults
  readonly integrity: Upload.IntegrityDefaults
  /** The local files the layer was built with, if its context held any (else the call's, else Node's). */
  readonly localFiles: LocalFiles | undefined
  /** Whether downloads of whole objects are verified, unless a call says otherwise. */
  readonly verifyDownloads: boolean
}

/** Wraps every request primitive in the retry policy; a response body is resumed by the download code instead. */
export const withRetry = (backend: Backend, policy: RetryPolicy): Backend =>
  mapBackend(backend, (operation, primitive) => {
    const retry = retrying(policy, operationNames[operation])
    return (request) => retry(primitive(request))
  })

/**
 * Uploads a file, with the content type of its extension unless told otherwise: whole when under the
 * multipart threshold, else read part by part into the upload's buffers.
 */
const uploadFile =
  (upload: ReturnType<typeof Upload.make>, options: ServiceOptions): Unnarrowed["uploadFile"] =>
  (bucket, key, path, fileOptions: UploadFileOptions = {}) =>
    Effect.gen(function*() {
      const problem = Upload.problemOf("uploadFile", bucket, key, fileOptions) ??
        ContentTypes.guessProblem("uploadFile", fileOptions)
      if (problem !== undefined) return yield* problem
      const { guessContentType: _, ...uploadOptions } = yield* ContentTypes.withGuessedType(path, fileOptions)
      const fileError = (cause: unknown) =>
        new LocalFileError({ operation: "uploadFile", path, reason: "cannot read the file", cause })
      const files = yield* LocalFilesTag.current(options.localFiles)
      const info = yield* Effect.mapError(files.stat(path), fileError)
      if (Option.isNone(info) || info.value.type !== "File") {
        const reason = Option.isNone(info) ? "no such file" : "is not a file"
        return yield* new LocalFileError({ operation: "uploadFile", path, reason })
      }
      const size = info.value.size
      if (size < Upload.multipartThresholdOf(uploadOptions, options.multipart)) {
        const bytes = yield* Effect.mapError(files.readFile(path), fileError)
        return yield* upload<never, never>("uploadFile", bucket, key, bytes, uploadOptions)
      }
      // Parts are read from the file straight into the upload's part buffers.
      const source: Upload.Source<LocalFileError, never> = {
        open: (buffers) =>
          Effect.map(Effect.mapError(files.open(path), fileError), (file) => {
            let position = 0
            return readerInto(
              (into) =>
                Effect.mapBoth(file.read(into, position), {
                  onFailure: fileError,
                  onSuccess: (read) => {
                    position += read
                    return read
                  }
                }),
              buffers
            )
          }),
        size
      }
      return yield* upload("uploadFile", bucket, key, source, uploadOptions)
    }).pipe(traced("uploadFile", bucket, key))

/** What is asked and told of an object without its bytes: its info (without s3po's own metadata), existence and tags. */
const objectOperations = (retried: Backend): Pick<Unnarrowed, "head" | "exists" | "getTags" | "setTags"> => {
  const head = (bucket: string, key: string, conditions: HeadOptions = {}) =>
    Validate.guard(
      Validate.location("head", bucket, key) ?? Validate.readConditions("head", conditions) ??
        versionIdProblem("head", conditions.versionId) ??
        CustomerKeys.problem("head", "customerKey", conditions.customerKey),
      Effect.map(
        CustomerKeys.keyedReads(retried, conditions.customerKey).headObject({
          bucket,
          key,
          versionId: conditions.versionId,
          ...readConditionsOf(conditions)
        }),
        userInfo
      )
    )
  const problemOf = (operation: string, bucket: string, key: string, tags?: Readonly<Record<string, string>>) =>
    Validate.location(operation, bucket, key) ?? Validate.tags(operation, tags)
  return {
    head: (bucket, key, conditions) => head(bucket, key, conditions).pipe(traced("head", bucket, key)),
    exists: (bucket, key) =>
      head(bucket, key).pipe(
        Effect.as(true),
        Effect.catchIf((error): error is NoSuchKey => error instanceof NoSuchKey, () => Effect.succeed(false)),
        // S3 answers a HEAD of an object encrypted with a customer key, without it, only to say it needs one.
        Effect.catchIf((error) => error._tag === "CustomerKeyMismatch", () => Effect.succeed(true)),
        traced("exists", bucket, key)
      ),
    getTags: (bucket, key) =>
      Validate.guard(problemOf("getTags", bucket, key), retried.getObjectTagging({ bucket, key })).pipe(
        traced("getTags", bucket, key)
      ),
    setTags: (bucket, key, tags) =>
      Validate.guard(problemOf("setTags", bucket, key, tags), retried.putObjectTagging({ bucket, key, tags })).pipe(
        traced("setTags", bucket, key)
      )
  }
}

/** The service's bucket management, over the retried backend. */
const bucketOperations = (
  retried: Backend
): Pick<
  Unnarrowed,
  | "listBuckets"
  | "bucketExists"
  | "deleteBucket"
  | "deletePrefix"
  | "emptyBucket"
  | "listPendingUploads"
  | "abortPendingUploads"
> => ({
  listBuckets: () => Buckets.listBuckets(retried).pipe(traced("listBuckets", "")),
  bucketExists: (bucket) => Buckets.bucketExists(retried, bucket).pipe(traced("bucketExists", bucket)),
  deleteBucket: (bucket) => Buckets.deleteBucket(retried, bucket).pipe(traced("deleteBucket", bucket)),
  deletePrefix: (bucket, prefix) => Buckets.deletePrefix(retried, bucket, prefix).pipe(traced("deletePrefix", bucket)),
  emptyBucket: (bucket) => Buckets.emptyBucket(retried, bucket).pipe(traced("emptyBucket", bucket)),
  listPendingUploads: (bucket, listOptions) => Buckets.listPendingUploads(retried, bucket, listOptions),
  abortPendingUploads: (bucket, abortOptions) =>
    Buckets.abortPendingUploads(retried, bucket, abortOptions).pipe(traced("abortPendingUploads", bucket))
})

/** Server-side copies and presigned URLs: what needs no object bytes through the client. */
const copyOperations = (
  retried: Backend,
  options: ServiceOptions
): Pick<Unnarrowed, "copy" | "move" | "copyPrefix" | "movePrefix" | "presign" | "presignPost"> => {
  const copy = Copy.copy(retried, { ...options.multipart, recordPartSize: options.integrity.recordPartSize })
  const prefixCopy = PrefixCopy.make(retried, copy)
  return {
    copyPrefix: (from, to, copyOptions) =>
      prefixCopy("copyPrefix", from, to, copyOptions).pipe(traced("copyPrefix", to.bucket)),
    movePrefix: (from, to, copyOptions) =>
      prefixCopy("movePrefix", from, to, copyOptions).pipe(traced("movePrefix", to.bucket)),
    copy: (from, to, copyOptions) =>
      lockedWrite("copy", copyOptions, copy("copy", from, to, copyOptions)).pipe(traced("copy", to.bucket, to.key)),
    presign: (bucket, key, presignOptions = {}) => {
      const request = Presign.requestOf(bucket, key, presignOptions)
      return request instanceof ValidationError ? Effect.fail(request) : options.presigner.url(request)
    },
    presignPost: (bucket, postOptions) => {
      const request = Presign.postRequestOf(bucket, postOptions)
      return request instanceof ValidationError ? Effect.fail(request) : options.presigner.post(request)
    },
    // A move of one version deletes that version; of the latest, deletes as `delete` does (a marker where versioned).
    move: (from, to, copyOptions) =>
      lockedWrite("move", copyOptions, copy("move", from, to, copyOptions)).pipe(
        Effect.tap(() => retried.deleteObject({ ...from, versionId: copyOptions?.sourceVersionId })),
        traced("move", to.bucket, to.key)
      )
  }
}

const decoder = new TextDecoder()

/**
 * Downloads, reads with the object's info (as users see it: without s3po's own metadata), and JSON
 * documents built on them.
 */
const readOperations = (
  downloads: Download.Downloads,
  upload: ReturnType<typeof Upload.make>,
  policy: RetryPolicy
): Pick<
  Unnarrowed,
  | "download"
  | "downloadString"
  | "downloadStream"
  | "downloadFile"
  | "get"
  | "getStream"
  | "getJson"
  | "putJson"
  | "updateJson"
> => {
  const get = (operation: string, bucket: string, key: string, downloadOptions?: DownloadOptions) =>
    Effect.map(
      Download.toBytesWithInfo(downloads, operation, bucket, key, downloadOptions),
      (got) => ({ body: got.body, info: userInfo(got.info) })
    )
  const documents = Documents.make({
    get,
    put: (operation, bucket, key, body, uploadOptions) =>
      upload(operation, bucket, key, Upload.sourceOf(body), uploadOptions),
    policy
  })
  return {
    download: (bucket, key, downloadOptions) =>
      Download.toBytes(downloads, "download", bucket, key, downloadOptions).pipe(traced("download", bucket, key)),
    downloadString: (bucket, key, downloadOptions) =>
      Download.toBytes(downloads, "downloadString", bucket, key, downloadOptions).pipe(
        Effect.map((bytes) => decoder.decode(bytes)),
        traced("downloadString", bucket, key)
      ),
    downloadStream: (bucket, key, downloadOptions) =>
      Stream.unwrap(
        Effect.map(
          Download.open(downloads, "downloadStream", bucket, key, downloadOptions),
          // A stream left before its first byte frees the answer it holds.
          (opened) => Stream.ensuring(opened.body, opened.discard)
        )
      )
        .pipe(Stream.withSpan("S3Po.downloadStream", { attributes: { "s3.bucket": bucket, "s3.key": key } })),
    downloadFile: (bucket, key, path, downloadOptions) =>
      Download.toFile(downloads, "downloadFile", bucket, key, path, downloadOptions).pipe(
        traced("downloadFile", bucket, key)
      ),
    get: (bucket, key, downloadOptions) => get("get", bucket, key, downloadOptions).pipe(traced("get", bucket, key)),
    getStream: (bucket, key, downloadOptions) =>
      Effect.map(
        Download.openScoped(downloads, "getStream", bucket, key, downloadOptions),
        (opened) => ({ info: userInfo(opened.info), stream: opened.stream })
      ).pipe(traced("getStream", bucket, key)),
    ...documents
  }
}

/** Builds the whole `S3Po` service from a backend's primitives. */
export const make = (backend: Backend, options: ServiceOptions): S3Po.Service => {
  // A HEAD's bare 404 is a missing key or a missing bucket: one HeadBucket tells (`missingBucket.ts`).
  // A read without the object's customer key, or with another, fails as `CustomerKeyMismatch` (`customerKeys.ts`).
  const singleAttempt = CustomerKeys.withMismatches(withBucketCheck(backend))
  // Every request of the service is retried as `options.retry` allows, but downloads', which retry
  // their GETs themselves, resuming a broken body instead of repeating it.
  // Conditional writes retried after a lost answer look for their own write (`conditionalWrite.ts`).
  const headRetried: Primitive<"headObject"> = (request) =>
    retrying(options.retry, "HeadObject")(singleAttempt.headObject(request))
  const retried = withRetry({
    ...singleAttempt,
    putObject: knowingOwnWrite(singleAttempt.putObject, headRetried),
    copyObject: knowingOwnCopy(singleAttempt.copyObject, headRetried)
  }, options.retry)
  // Writes send the caller's lock with the request that creates their version (`versionedWrites.ts`).
  const writing = withWriteLocks(retried)
  const upload = Upload.make(writing, { ...options.multipart, ...options.integrity })
  const downloads: Download.Downloads = {
    singleAttempt,
    policy: options.retry,
    localFiles: options.localFiles,
    verify: options.verifyDownloads
  }
  const deleteMany = DeleteMany.make(retried)
  const deleteManyStream = DeleteMany.stream(retried, "deleteManyStream")
  const service = checkedService(narrowedService({
    createBucket: (bucket, bucketOptions = {}) =>
      Validate.guard(
        Validate.newBucket("createBucket", bucket),
        retried.createBucket(bucketOptions.objectLock === true ? { bucket, objectLockEnabled: true } : { bucket })
      ).pipe(traced("createBucket", bucket)),

    upload: (<E, R>(bucket: string, key: string, body: UploadBody<E, R>, uploadOptions?: UploadOptions) =>
      lockedWrite("upload", uploadOptions, upload("upload", bucket, key, Upload.sourceOf(body), uploadOptions)).pipe(
        traced("upload", bucket, key)
      )) as Unnarrowed["upload"],

    uploadFile: (bucket, key, path, fileOptions) =>
      lockedWrite("uploadFile", fileOptions, uploadFile(upload, options)(bucket, key, path, fileOptions)),

    ...readOperations(downloads, upload, options.retry),

    list: (bucket, listOptions = {}) =>
      Listing.keys(retried, bucket, listOptions),

    listObjects: (bucket, listOptions = {}) => Listing.entries(retried, "listObjects", bucket, listOptions),

    deleteMany: (bucket, keys) => deleteMany(bucket, keys).pipe(traced("deleteMany", bucket)),
    deleteManyStream: (bucket, keys) =>
      deleteManyStream(bucket, keys).pipe(
        Stream.withSpan("S3Po.deleteManyStream", { attributes: { "s3.bucket": bucket } })
      ),
    ...objectOperations(retried),
    ...copyOperations(writing, options),
    ...Versions.operations(retried),
    ...bucketOperations(retried),
    ...Lifecycle.make(retried),
    // The handle calls the service it is a method of: checked, and known to `storedInfoOf` (sync).
    bucket: (name) => Handles.bucket(service, name)
  }))
  return LocalFilesTag.keptBeside(withStoredInfo(headRetried, service), options.localFiles)
}
