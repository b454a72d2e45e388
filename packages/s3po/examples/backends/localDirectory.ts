/**
 * An s3po backend over a local directory: buckets are folders under `root`, objects are files in
 * them. For development without a server, and a worked example of `S3PoBackend.make`.
 *
 * S3 keys do not map onto file names (`a/` and `a/b` may both be objects, keys run to 1024 bytes
 * and may hold any character), so each object is one file named by the SHA-256 of its key,
 * `<root>/<bucket>/<sha256>.object`: a line of JSON (the key, ETag, size and attributes), then the
 * bytes. Writes go to a temporary file renamed into place, so a reader sees a whole object or none,
 * and a lock in the backend makes write conditions (`ifMatch`, `ifNoneMatch: "*"`) atomic among
 * the requests of one process. Pending multipart uploads are folders under `<root>/.uploads`.
 *
 * It has no presigner (`presign` fails with 501 `NotImplemented`), keeps no checksum, no storage
 * class but STANDARD and no server-side encryption (refused, as Ceph RGW does over plain HTTP).
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import {
  BucketNotEmpty,
  NoSuchBucket,
  NoSuchKey,
  NotModified,
  type ObjectAttributes,
  type ObjectInfo,
  PreconditionFailed,
  type ReadConditions,
  S3PoBackend,
  S3ServiceError,
  type WriteConditions
} from "s3po"

const MiB = 1024 * 1024

/** What the first line of an object file holds. */
interface Header {
  readonly key: string
  readonly etag: string
  readonly size: number
  readonly lastModified: number
  readonly contentType: string
  readonly metadata: Record<string, string>
  readonly cacheControl?: string | undefined
  readonly contentDisposition?: string | undefined
  readonly contentEncoding?: string | undefined
  readonly contentLanguage?: string | undefined
  readonly expires?: number | undefined
  readonly tags: Record<string, string>
}

interface Upload {
  readonly key: string
  readonly initiated: number
  readonly attributes: Omit<Header, "key" | "etag" | "size" | "lastModified">
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest()
const quoted = (digest: Buffer) => `"${digest.toString("hex")}"`
const bare = (etag: string) => etag.replace(/^"|"$/g, "")
const compareKeys = (left: string, right: string) => Buffer.compare(Buffer.from(left), Buffer.from(right))
const isMissing = (error: unknown) =>
  typeof error === "object" && error !== null && Reflect.get(error, "code") === "ENOENT"

/** A failure of the disk, not of the request: a 500 a retry will not fix. */
const diskError = (operation: string, bucket: string, cause: unknown) =>
  new S3ServiceError({
    operation,
    bucket,
    status: 500,
    code: "InternalError",
    detail: cause instanceof Error ? cause.message : String(cause),
    retryable: false
  })

const badRequest = (operation: string, bucket: string, key: string, code: string, detail: string, status = 400) =>
  new S3ServiceError({ operation, bucket, key, status, code, detail, retryable: false })

/**
 * The backend over `root` (created when missing). `S3PoBackend.layer(localDirectory(root))` is the
 * whole `S3Po` service over it.
 */
export const localDirectory = (root: string): S3PoBackend.Backend => {
  const uploadsRoot = path.join(root, ".uploads")
  const tempRoot = path.join(root, ".tmp")
  const lock = Effect.runSync(Effect.makeSemaphore(1))
  const exclusive = <A, E>(effect: Effect.Effect<A, E>) => lock.withPermits(1)(effect)

  const disk = <A>(operation: string, bucket: string, run: () => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (cause) => diskError(operation, bucket, cause) })

  const bucketDir = (bucket: string) => path.join(root, bucket)
  const objectFile = (bucket: string, key: string) =>
    path.join(bucketDir(bucket), `${createHash("sha256").update(key).digest("hex")}.object`)

  const requireBucket = (operation: string, bucket: string, key?: string) =>
    Effect.flatMap(
      disk(operation, bucket, () => fs.stat(bucketDir(bucket)).then((stat) => stat.isDirectory(), () => false)),
      (exists) =>
        exists && !bucket.startsWith(".")
          ? Effect.void
          : Effect.fail(new NoSuchBucket({ operation, bucket, ...(key === undefined ? {} : { key }) }))
    )

  /** Writes `bytes` to a new temporary file, and answers its path. */
  const temporary = (operation: string, bucket: string, parts: ReadonlyArray<Uint8Array>) =>
    disk(operation, bucket, async () => {
      await fs.mkdir(tempRoot, { recursive: true })
      const file = path.join(tempRoot, randomBytes(16).toString("hex"))
      await fs.writeFile(file, parts)
      return file
    })

  /** The object's header and where its bytes start, or undefined when there is none. */
  const readHeader = (operation: string, bucket: string, key: string) =>
    disk(operation, bucket, async () => {
      let handle: fs.FileHandle
      try {
        handle = await fs.open(objectFile(bucket, key), "r")
      } catch (error) {
        if (isMissing(error)) return undefined
        throw error
      }
      try {
        let buffer = Buffer.alloc(0)
        for (;;) {
          const chunk = Buffer.alloc(64 * 1024)
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, buffer.length)
          buffer = Buffer.concat([buffer, chunk.subarray(0, bytesRead)])
          const end = buffer.indexOf(10)
          if (end >= 0) {
            return { header: JSON.parse(buffer.subarray(0, end).toString("utf8")) as Header, offset: end + 1 }
          }
          if (bytesRead === 0) throw new Error(`corrupt object file for ${key}`)
        }
      } finally {
        await handle.close()
      }
    })

  const existing = (operation: string, bucket: string, key: string) =>
    Effect.flatMap(requireBucket(operation, bucket, key), () => readHeader(operation, bucket, key))

  const found = (operation: string, bucket: string, key: string) =>
    Effect.flatMap(
      existing(operation, bucket, key),
      (stored) => stored === undefined ? Effect.fail(new NoSuchKey({ operation, bucket, key })) : Effect.succeed(stored)
    )

  const infoOf = (header: Header): ObjectInfo => ({
    key: header.key,
    size: header.size,
    etag: header.etag,
    lastModified: new Date(header.lastModified),
    contentType: header.contentType,
    metadata: { ...header.metadata },
    ...(header.cacheControl === undefined ? {} : { cacheControl: header.cacheControl }),
    ...(header.contentDisposition === undefined ? {} : { contentDisposition: header.contentDisposition }),
    ...(header.contentEncoding === undefined ? {} : { contentEncoding: header.contentEncoding }),
    ...(header.contentLanguage === undefined ? {} : { contentLanguage: header.contentLanguage }),
    ...(header.expires === undefined ? {} : { expires: new Date(header.expires) })
  })

  /** The attributes a write stores, or the 400 S3 answers for those this store cannot keep. */
  const attributesOf = (operation: string, bucket: string, key: string, given: ObjectAttributes) => {
    if (given.storageClass !== undefined && given.storageClass !== "STANDARD") {
      return Effect.fail(badRequest(operation, bucket, key, "InvalidStorageClass", "only STANDARD is stored"))
    }
    if (given.serverSideEncryption !== undefined) {
      return Effect.fail(badRequest(operation, bucket, key, "InvalidRequest", "no server-side encryption here"))
    }
    return Effect.succeed(
      {
        contentType: given.contentType ?? "binary/octet-stream",
        metadata: Object.fromEntries(
          Object.entries(given.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value])
        ),
        cacheControl: given.cacheControl,
        contentDisposition: given.contentDisposition,
        contentEncoding: given.contentEncoding,
        contentLanguage: given.contentLanguage,
        expires: given.expires?.getTime(),
        tags: { ...given.tags }
      } satisfies Upload["attributes"]
    )
  }

  const checkWrite = (operation: string, bucket: string, key: string, conditions: WriteConditions) =>
    Effect.gen(function*() {
      if (conditions.ifNoneMatch === undefined && conditions.ifMatch === undefined) return
      const current = yield* readHeader(operation, bucket, key)
      if (conditions.ifNoneMatch === "*" && current !== undefined) {
        return yield* Effect.fail(new PreconditionFailed({ operation, bucket, key, condition: "If-None-Match: *" }))
      }
      if (
        conditions.ifMatch !== undefined &&
        (current === undefined || bare(current.header.etag) !== bare(conditions.ifMatch))
      ) {
        return yield* Effect.fail(new PreconditionFailed({ operation, bucket, key, expectedETag: conditions.ifMatch }))
      }
    })

  /** Writes an object from its parts: to a temporary file, renamed into place once the conditions hold. */
  const commit = (
    operation: string,
    bucket: string,
    header: Header,
    parts: ReadonlyArray<Uint8Array>,
    conditions: WriteConditions
  ) =>
    Effect.gen(function*() {
      const line = Buffer.from(`${JSON.stringify(header)}\n`)
      const file = yield* temporary(operation, bucket, [line, ...parts])
      yield* exclusive(
        Effect.zipRight(
          checkWrite(operation, bucket, header.key, conditions),
          disk(operation, bucket, () => fs.rename(file, objectFile(bucket, header.key)))
        )
      ).pipe(Effect.tapError(() => Effect.promise(() => fs.rm(file, { force: true }))))
    })

  const readBody = (operation: string, bucket: string, key: string, from: number, length: number) =>
    disk(operation, bucket, async () => {
      const handle = await fs.open(objectFile(bucket, key), "r")
      try {
        const bytes = new Uint8Array(length)
        let read = 0
        while (read < length) {
          const { bytesRead } = await handle.read(bytes, read, length - read, from + read)
          if (bytesRead === 0) break
          read += bytesRead
        }
        return bytes
      } finally {
        await handle.close()
      }
    })

  /** RFC 9110's order, as S3 applies it: If-Match over If-Unmodified-Since, If-None-Match over If-Modified-Since. */
  const checkRead = (operation: string, bucket: string, key: string, header: Header, conditions: ReadConditions) => {
    const etag = bare(header.etag)
    const modified = Math.floor(header.lastModified / 1000) * 1000
    if (conditions.ifMatch !== undefined && bare(conditions.ifMatch) !== etag && conditions.ifMatch !== "*") {
      return Effect.fail(new PreconditionFailed({ operation, bucket, key, expectedETag: conditions.ifMatch }))
    }
    if (
      conditions.ifMatch === undefined && conditions.ifUnmodifiedSince !== undefined &&
      modified > conditions.ifUnmodifiedSince.getTime()
    ) {
      return Effect.fail(new PreconditionFailed({ operation, bucket, key, condition: "If-Unmodified-Since" }))
    }
    if (conditions.ifNoneMatch !== undefined) {
      if (bare(conditions.ifNoneMatch) === etag || conditions.ifNoneMatch === "*") {
        return Effect.fail(new NotModified({ operation, bucket, key, etag: header.etag }))
      }
    } else if (conditions.ifModifiedSince !== undefined && modified <= conditions.ifModifiedSince.getTime()) {
      return Effect.fail(new NotModified({ operation, bucket, key, etag: header.etag }))
    }
    return Effect.void
  }

  const uploadDir = (bucket: string, uploadId: string) => path.join(uploadsRoot, bucket, uploadId)

  const readUpload = (operation: string, bucket: string, key: string, uploadId: string) =>
    Effect.flatMap(
      disk(operation, bucket, () =>
        fs.readFile(path.join(uploadDir(bucket, uploadId), "upload.json"), "utf8").then(
          (text) => JSON.parse(text) as Upload,
          (error) => {
            if (isMissing(error)) return undefined
            throw error
          }
        )),
      (upload) =>
        upload === undefined || upload.key !== key || !/^[0-9a-f]{32}$/.test(uploadId)
          ? Effect.fail(badRequest(operation, bucket, key, "NoSuchUpload", "no such upload", 404))
          : Effect.succeed(upload)
    )

  const writePart = (operation: string, bucket: string, uploadId: string, partNumber: number, body: Uint8Array) =>
    Effect.gen(function*() {
      const file = yield* temporary(operation, bucket, [body])
      yield* disk(
        operation,
        bucket,
        () => fs.rename(file, path.join(uploadDir(bucket, uploadId), `part-${partNumber}`))
      )
      return { etag: quoted(md5(body)) }
    })

  /** The source of a copy, pinned to its ETag. */
  const copySource = (operation: string, source: S3PoBackend.CopySource) =>
    Effect.gen(function*() {
      const stored = yield* found(operation, source.bucket, source.key)
      if (bare(stored.header.etag) !== bare(source.ifMatch)) {
        return yield* Effect.fail(
          new PreconditionFailed({ operation, bucket: source.bucket, key: source.key, expectedETag: source.ifMatch })
        )
      }
      return stored
    })

  const listHeaders = (operation: string, bucket: string) =>
    Effect.flatMap(requireBucket(operation, bucket), () =>
      disk(operation, bucket, async () => {
        const names = (await fs.readdir(bucketDir(bucket))).filter((name) => name.endsWith(".object"))
        const headers: Array<Header> = []
        for (const name of names) {
          const text = await fs.readFile(path.join(bucketDir(bucket), name)).then((bytes) => {
            const end = bytes.indexOf(10)
            return bytes.subarray(0, end).toString("utf8")
          }, (error) => {
            if (isMissing(error)) return undefined
            throw error
          })
          if (text !== undefined) headers.push(JSON.parse(text) as Header)
        }
        return headers.sort((left, right) => compareKeys(left.key, right.key))
      }))

  return S3PoBackend.make({
    listBuckets: () =>
      disk("ListBuckets", "", async () => {
        await fs.mkdir(root, { recursive: true })
        const entries = await fs.readdir(root, { withFileTypes: true })
        const buckets = await Promise.all(
          entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map(async (entry) => ({
            name: entry.name,
            creationDate: (await fs.stat(path.join(root, entry.name))).birthtime
          }))
        )
        return { buckets: buckets.sort((left, right) => compareKeys(left.name, right.name)) }
      }),

    headBucket: ({ bucket }) => requireBucket("HeadBucket", bucket),

    createBucket: ({ bucket }) => disk("CreateBucket", bucket, () => fs.mkdir(bucketDir(bucket), { recursive: true })),

    deleteBucket: ({ bucket }) =>
      Effect.gen(function*() {
        const headers = yield* listHeaders("DeleteBucket", bucket)
        if (headers.length > 0) return yield* Effect.fail(new BucketNotEmpty({ operation: "DeleteBucket", bucket }))
        yield* disk("DeleteBucket", bucket, () => fs.rm(bucketDir(bucket), { recursive: true, force: true }))
      }),

    putObject: (request) =>
      Effect.gen(function*() {
        yield* requireBucket("PutObject", request.bucket, request.key)
        const attributes = yield* attributesOf("PutObject", request.bucket, request.key, request)
        const etag = quoted(md5(request.body))
        const header: Header = {
          ...attributes,
          key: request.key,
          etag,
          size: request.body.length,
          lastModified: Date.now()
        }
        yield* commit("PutObject", request.bucket, header, [request.body], request)
        return { etag }
      }),

    getObject: (request) =>
      Effect.gen(function*() {
        const { header, offset } = yield* found("GetObject", request.bucket, request.key)
        yield* checkRead("GetObject", request.bucket, request.key, header, request)
        let start = 0
        let end = header.size - 1
        const range = request.range
        if (range !== undefined) {
          if ("suffix" in range) {
            start = Math.max(0, header.size - range.suffix)
          } else {
            start = range.start
            end = Math.min(end, range.end ?? end)
          }
          if (start >= header.size || header.size === 0) {
            return yield* Effect.fail(
              badRequest("GetObject", request.bucket, request.key, "InvalidRange", "range not satisfiable", 416)
            )
          }
        }
        const length = Math.max(0, end - start + 1)
        const bytes = yield* readBody("GetObject", request.bucket, request.key, offset + start, length)
        const response: S3PoBackend.GetObjectResponse = {
          info: infoOf(header),
          contentLength: bytes.length,
          partial: range !== undefined,
          offset: start,
          body: bytes.length === 0 ? Stream.empty : Stream.succeed(bytes),
          forEachChunk: (f) => Effect.sync(() => bytes.length === 0 ? undefined : f(bytes)),
          discard: Effect.void
        }
        return response
      }),

    // As S3 answers HEAD, with a 404 that has no body to tell a missing bucket from a missing key: `NoSuchKey` for
    // both (the service asks HeadBucket which it is).
    headObject: (request) =>
      Effect.gen(function*() {
        const stored = yield* readHeader("HeadObject", request.bucket, request.key)
        if (stored === undefined) {
          return yield* Effect.fail(
            new NoSuchKey({ operation: "HeadObject", bucket: request.bucket, key: request.key })
          )
        }
        yield* checkRead("HeadObject", request.bucket, request.key, stored.header, request)
        return infoOf(stored.header)
      }),

    listPage: (request) =>
      Effect.gen(function*() {
        const headers = yield* listHeaders("ListObjectsV2", request.bucket)
        const prefix = request.prefix ?? ""
        const token = request.continuationToken === undefined
          ? undefined
          : JSON.parse(Buffer.from(request.continuationToken, "base64url").toString("utf8")) as {
            readonly after: string
            readonly rolledUp: boolean
          }
        const after = token?.after ?? request.startAfter
        const objects: Array<S3PoBackend.ListPage["objects"][number]> = []
        const commonPrefixes: Array<string> = []
        let last: { readonly after: string; readonly rolledUp: boolean } | undefined
        for (const header of headers) {
          const key = header.key
          if (!key.startsWith(prefix)) continue
          if (after !== undefined && compareKeys(key, after) <= 0) continue
          if (token?.rolledUp === true && key.startsWith(token.after)) continue
          const at = request.delimiter === undefined || request.delimiter === ""
            ? -1
            : key.indexOf(request.delimiter, prefix.length)
          const rolled = at >= 0 ? key.slice(0, at + request.delimiter!.length) : undefined
          if (rolled !== undefined && commonPrefixes.at(-1) === rolled) continue
          if (objects.length + commonPrefixes.length === 1000) {
            const next = Buffer.from(JSON.stringify(last)).toString("base64url")
            return { objects, commonPrefixes, isTruncated: true, nextContinuationToken: next }
          }
          if (rolled !== undefined) {
            commonPrefixes.push(rolled)
            last = { after: rolled, rolledUp: true }
          } else {
            objects.push({
              _tag: "Object",
              key,
              size: header.size,
              etag: header.etag,
              lastModified: new Date(header.lastModified),
              storageClass: "STANDARD"
            })
            last = { after: key, rolledUp: false }
          }
        }
        return { objects, commonPrefixes, isTruncated: false }
      }),

    deleteObject: ({ bucket, key }) =>
      Effect.zipRight(
        requireBucket("DeleteObject", bucket, key),
        exclusive(disk("DeleteObject", bucket, () => fs.rm(objectFile(bucket, key), { force: true })))
      ),

    deleteObjects: ({ bucket, keys }) =>
      Effect.gen(function*() {
        yield* requireBucket("DeleteObjects", bucket)
        yield* exclusive(
          disk("DeleteObjects", bucket, () =>
            Promise.all(keys.map((key) =>
              fs.rm(objectFile(bucket, key), { force: true })
            )))
        )
        return { deleted: [...keys], failed: [] }
      }),

    createMultipartUpload: (request) =>
      Effect.gen(function*() {
        yield* requireBucket("CreateMultipartUpload", request.bucket, request.key)
        const attributes = yield* attributesOf("CreateMultipartUpload", request.bucket, request.key, request)
        const uploadId = randomBytes(16).toString("hex")
        const upload: Upload = { key: request.key, initiated: Date.now(), attributes }
        yield* disk("CreateMultipartUpload", request.bucket, async () => {
          await fs.mkdir(uploadDir(request.bucket, uploadId), { recursive: true })
          await fs.writeFile(path.join(uploadDir(request.bucket, uploadId), "upload.json"), JSON.stringify(upload))
        })
        return uploadId
      }),

    uploadPart: (request) =>
      Effect.zipRight(
        readUpload("UploadPart", request.bucket, request.key, request.uploadId),
        writePart("UploadPart", request.bucket, request.uploadId, request.partNumber, request.body)
      ),

    uploadPartCopy: (request) =>
      Effect.gen(function*() {
        yield* readUpload("UploadPartCopy", request.bucket, request.key, request.uploadId)
        const { header, offset } = yield* copySource("UploadPartCopy", request.source)
        if (request.range.end >= header.size || request.range.start > request.range.end) {
          return yield* Effect.fail(
            badRequest("UploadPartCopy", request.bucket, request.key, "InvalidArgument", "range outside the source")
          )
        }
        const bytes = yield* readBody(
          "UploadPartCopy",
          request.source.bucket,
          request.source.key,
          offset + request.range.start,
          request.range.end - request.range.start + 1
        )
        return yield* writePart("UploadPartCopy", request.bucket, request.uploadId, request.partNumber, bytes)
      }),

    completeMultipartUpload: (request) =>
      Effect.gen(function*() {
        const operation = "CompleteMultipartUpload"
        const upload = yield* readUpload(operation, request.bucket, request.key, request.uploadId)
        const dir = uploadDir(request.bucket, request.uploadId)
        const parts: Array<Uint8Array> = []
        for (const [index, part] of request.parts.entries()) {
          if (index > 0 && part.partNumber <= request.parts[index - 1]!.partNumber) {
            return yield* Effect.fail(
              badRequest(operation, request.bucket, request.key, "InvalidPartOrder", "parts must be in ascending order")
            )
          }
          const bytes = yield* disk(operation, request.bucket, () =>
            fs.readFile(path.join(dir, `part-${part.partNumber}`)).then((buffer) =>
              new Uint8Array(buffer), () =>
              undefined))
          if (bytes === undefined || quoted(md5(bytes)) !== `"${bare(part.etag)}"`) {
            return yield* Effect.fail(
              badRequest(operation, request.bucket, request.key, "InvalidPart", `part ${part.partNumber} not found`)
            )
          }
          if (index < request.parts.length - 1 && bytes.length < 5 * MiB) {
            return yield* Effect.fail(
              badRequest(operation, request.bucket, request.key, "EntityTooSmall", "a part but the last is under 5 MiB")
            )
          }
          parts.push(bytes)
        }
        const etag = `"${md5(Buffer.concat(parts.map(md5))).toString("hex")}-${parts.length}"`
        const header: Header = {
          ...upload.attributes,
          key: request.key,
          etag,
          size: parts.reduce((total, part) =>
            total + part.length, 0),
          lastModified: Date.now()
        }
        yield* commit(operation, request.bucket, header, parts, request)
        yield* disk(operation, request.bucket, () =>
          fs.rm(dir, { recursive: true, force: true }))
        return { etag }
      }),

    abortMultipartUpload: ({ bucket, key, uploadId }) =>
      Effect.zipRight(
        readUpload("AbortMultipartUpload", bucket, key, uploadId),
        disk("AbortMultipartUpload", bucket, () => fs.rm(uploadDir(bucket, uploadId), { recursive: true, force: true }))
      ),

    listMultipartUploads: (request) =>
      Effect.gen(function*() {
        yield* requireBucket("ListMultipartUploads", request.bucket)
        const uploads = yield* disk("ListMultipartUploads", request.bucket, async () => {
          const ids = await fs.readdir(path.join(uploadsRoot, request.bucket)).catch(() => [] as Array<string>)
          const found: Array<{ readonly key: string; readonly uploadId: string; readonly initiated: Date }> = []
          for (const uploadId of ids) {
            const text = await fs.readFile(path.join(uploadsRoot, request.bucket, uploadId, "upload.json"), "utf8")
              .catch(() => undefined)
            if (text === undefined) continue
            const upload = JSON.parse(text) as Upload
            found.push({ key: upload.key, uploadId, initiated: new Date(upload.initiated) })
          }
          return found
        })
        const selected = uploads
          .filter((upload) => upload.key.startsWith(request.prefix ?? ""))
          .filter((upload) => request.keyMarker === undefined || compareKeys(upload.key, request.keyMarker) > 0)
          .sort((left, right) =>
            compareKeys(left.key, right.key) || left.initiated.getTime() - right.initiated.getTime()
          )
        return { uploads: selected, isTruncated: false }
      }),

    copyObject: (request) =>
      Effect.gen(function*() {
        yield* requireBucket("CopyObject", request.bucket, request.key)
        const { header, offset } = yield* copySource("CopyObject", request.source)
        const attributes = request.replace === undefined
          ? { ...header, tags: header.tags }
          : {
            ...(yield* attributesOf("CopyObject", request.bucket, request.key, request.replace)),
            tags: request.replace.tags === undefined ? header.tags : { ...request.replace.tags }
          }
        const bytes = yield* readBody("CopyObject", request.source.bucket, request.source.key, offset, header.size)
        const etag = quoted(md5(bytes))
        const copied: Header = { ...attributes, key: request.key, etag, size: bytes.length, lastModified: Date.now() }
        yield* commit("CopyObject", request.bucket, copied, [bytes], request)
        return { etag }
      }),

    getObjectTagging: ({ bucket, key }) =>
      Effect.map(found("GetObjectTagging", bucket, key), ({ header }) => ({ ...header.tags })),

    putObjectTagging: ({ bucket, key, tags }) =>
      exclusive(
        Effect.gen(function*() {
          const { header, offset } = yield* found("PutObjectTagging", bucket, key)
          const bytes = yield* readBody("PutObjectTagging", bucket, key, offset, header.size)
          const line = Buffer.from(`${JSON.stringify({ ...header, tags: { ...tags } })}\n`)
          const file = yield* temporary("PutObjectTagging", bucket, [line, bytes])
          yield* disk("PutObjectTagging", bucket, () => fs.rename(file, objectFile(bucket, key)))
        })
      )
  })
}
