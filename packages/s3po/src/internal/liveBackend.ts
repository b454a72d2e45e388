import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand
} from "@aws-sdk/client-s3"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Readable } from "node:stream"
import type { ObjectInfo } from "../S3Po.js"
import type { S3PoError } from "../S3PoError.js"
import type { Backend, PendingUpload } from "./backend.js"
import { fromSdkError, type RequestContext } from "./error.js"

/** The abort signal shape the SDK's Node HTTP handler understands when `addEventListener` is absent. */
interface MinimalAbortSignal {
  aborted: boolean
  onabort: (() => void) | null
}

/**
 * ETags in S3's own form, in double quotes. Some servers leave them out in places (Ceph RGW, in the
 * answer to a repeated Complete); a caller comparing ETags must see one form.
 */
const quotedETag = (etag: string | undefined): string =>
  etag === undefined || etag === "" ? "" : etag.startsWith("\"") ? etag : `"${etag}"`

/** Reads a response body by its events; interruption destroys it, closing the connection. */
const forEachChunk = (readable: Readable, context: RequestContext, f: (chunk: Uint8Array) => void) =>
  Effect.async<void, S3PoError>((resume) => {
    const stop = () => {
      readable.off("data", f)
      readable.off("end", onEnd)
      readable.off("error", onError)
      readable.off("close", onClose)
    }
    const onEnd = () => {
      stop()
      resume(Effect.void)
    }
    const onError = (error: unknown) => {
      stop()
      resume(Effect.fail(fromSdkError(context, error)))
    }
    const onClose = () =>
      onError(Object.assign(new Error("the connection closed before the body ended"), { code: "ECONNRESET" }))
    readable.on("data", f)
    readable.once("end", onEnd)
    readable.once("error", onError)
    readable.once("close", onClose)
    return Effect.sync(() => {
      stop()
      readable.destroy()
    })
  })

/** The request primitives over the AWS SDK's `S3Client`. */
export const make = (client: S3Client): Backend => {
  /**
   * Sends one command; interrupting the fiber aborts its HTTP request. The SDK's HTTP handler accepts
   * a minimal `{ aborted, onabort }` signal: much cheaper than an `AbortController` per request,
   * which costs about as much as the rest of s3po's work on a small request.
   */
  const send = <Output>(
    context: RequestContext,
    request: (options: { readonly abortSignal: AbortSignal }) => Promise<Output>
  ): Effect.Effect<Output, S3PoError> =>
    Effect.async<Output, S3PoError>((resume) => {
      const signal: MinimalAbortSignal = { aborted: false, onabort: null }
      request({ abortSignal: signal as unknown as AbortSignal }).then(
        (output) => resume(Effect.succeed(output)),
        (error) => resume(Effect.fail(fromSdkError(context, error)))
      )
      return Effect.sync(() => {
        signal.aborted = true
        signal.onabort?.()
      })
    })

  const info = (key: string, output: {
    readonly ContentLength?: number | undefined
    readonly ContentRange?: string | undefined
    readonly ETag?: string | undefined
    readonly LastModified?: Date | undefined
    readonly ContentType?: string | undefined
    readonly Metadata?: Record<string, string> | undefined
  }): ObjectInfo => {
    const total = output.ContentRange === undefined ? undefined : /\/(\d+)$/.exec(output.ContentRange)?.[1]
    return {
      key,
      size: total === undefined ? output.ContentLength ?? 0 : Number(total),
      etag: quotedETag(output.ETag),
      lastModified: output.LastModified ?? new Date(0),
      contentType: output.ContentType ?? "",
      metadata: output.Metadata ?? {}
    }
  }

  const listMultipartPages = (bucket: string) =>
    Effect.gen(function*() {
      const uploads: Array<PendingUpload> = []
      let keyMarker: string | undefined
      let uploadIdMarker: string | undefined
      for (;;) {
        const page = yield* send(
          { operation: "ListMultipartUploads", bucket },
          (options) =>
            client.send(
              new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
              options
            )
        )
        for (const upload of page.Uploads ?? []) {
          uploads.push({
            key: upload.Key ?? "",
            uploadId: upload.UploadId ?? "",
            initiated: upload.Initiated ?? new Date(0)
          })
        }
        if (page.IsTruncated !== true) return uploads
        keyMarker = page.NextKeyMarker
        uploadIdMarker = page.NextUploadIdMarker
      }
    })

  const headObject = (bucket: string, key: string) =>
    Effect.map(
      send({ operation: "HeadObject", bucket, key }, (options) =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), options)),
      (output) =>
        info(key, output)
    )

  return {
    createBucket: (bucket) =>
      send(
        { operation: "CreateBucket", bucket },
        (options) => client.send(new CreateBucketCommand({ Bucket: bucket }), options)
      ).pipe(
        Effect.asVoid,
        Effect.catchIf(
          (error) => error._tag === "S3ServiceError" && error.code === "BucketAlreadyOwnedByYou",
          () => Effect.void
        )
      ),

    putObject: (request) =>
      Effect.map(
        send(
          { operation: "PutObject", bucket: request.bucket, key: request.key },
          (options) =>
            client.send(
              new PutObjectCommand({
                Bucket: request.bucket,
                Key: request.key,
                Body: request.body,
                ContentLength: request.body.length,
                ContentType: request.contentType,
                Metadata: request.metadata as Record<string, string> | undefined
              }),
              options
            )
        ),
        (output) => ({ etag: quotedETag(output.ETag) })
      ),

    getObject: (request) => {
      const context = { operation: "GetObject", bucket: request.bucket, key: request.key, ifMatch: request.ifMatch }
      const range = request.range === undefined
        ? undefined
        : `bytes=${request.range.start}-${request.range.end === undefined ? "" : request.range.end}`
      return Effect.map(
        send(
          context,
          (options) =>
            client.send(
              new GetObjectCommand({
                Bucket: request.bucket,
                Key: request.key,
                Range: range,
                IfMatch: request.ifMatch
              }),
              options
            )
        ),
        (output) => {
          const readable = output.Body as Readable | undefined
          return {
            info: info(request.key, output),
            contentLength: output.ContentLength ?? 0,
            body: readable === undefined
              ? Stream.empty
              : NodeStream.fromReadable<S3PoError, Uint8Array>(() => readable, (error) => fromSdkError(context, error)),
            forEachChunk: (f: (chunk: Uint8Array) => void) =>
              readable === undefined ? Effect.void : forEachChunk(readable, context, f),
            discard: Effect.sync(() => readable?.destroy())
          }
        }
      )
    },

    headObject,

    listPage: (request) =>
      Effect.map(
        send(
          { operation: "ListObjectsV2", bucket: request.bucket },
          (options) =>
            client.send(
              new ListObjectsV2Command({
                Bucket: request.bucket,
                Prefix: request.prefix,
                Delimiter: request.delimiter,
                ContinuationToken: request.continuationToken
              }),
              options
            )
        ),
        (output) => ({
          keys: (output.Contents ?? []).map((object) => object.Key ?? ""),
          commonPrefixes: (output.CommonPrefixes ?? []).map((common) => common.Prefix ?? ""),
          nextContinuationToken: output.IsTruncated === true ? output.NextContinuationToken : undefined
        })
      ),

    deleteObject: (bucket, key) =>
      Effect.asVoid(
        send({ operation: "DeleteObject", bucket, key }, (options) =>
          client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), options))
      ),

    deleteObjects: (bucket, keys) =>
      Effect.map(
        send(
          { operation: "DeleteObjects", bucket },
          (options) =>
            client.send(
              new DeleteObjectsCommand({
                Bucket: bucket,
                Delete: { Objects: keys.map((key) => ({ Key: key })), Quiet: false }
              }),
              options
            )
        ),
        (output) => ({
          deleted: (output.Deleted ?? []).map((deleted) => deleted.Key ?? ""),
          failed: (output.Errors ?? []).map((error) => ({
            key: error.Key ?? "",
            code: error.Code ?? "UnknownError",
            message: error.Message ?? ""
          }))
        })
      ),

    createMultipartUpload: (request) =>
      Effect.map(
        send(
          { operation: "CreateMultipartUpload", bucket: request.bucket, key: request.key },
          (options) =>
            client.send(
              new CreateMultipartUploadCommand({
                Bucket: request.bucket,
                Key: request.key,
                ContentType: request.contentType,
                Metadata: request.metadata as Record<string, string> | undefined
              }),
              options
            )
        ),
        (output) => output.UploadId ?? ""
      ),

    uploadPart: (request) =>
      Effect.map(
        send(
          { operation: "UploadPart", bucket: request.bucket, key: request.key },
          (options) =>
            client.send(
              new UploadPartCommand({
                Bucket: request.bucket,
                Key: request.key,
                UploadId: request.uploadId,
                PartNumber: request.partNumber,
                Body: request.body,
                ContentLength: request.body.length
              }),
              options
            )
        ),
        (output) => ({ etag: quotedETag(output.ETag) })
      ),

    completeMultipartUpload: (request) =>
      Effect.map(
        send(
          { operation: "CompleteMultipartUpload", bucket: request.bucket, key: request.key },
          (options) =>
            client.send(
              new CompleteMultipartUploadCommand({
                Bucket: request.bucket,
                Key: request.key,
                UploadId: request.uploadId,
                MultipartUpload: {
                  Parts: request.parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag }))
                }
              }),
              options
            )
        ),
        (output) => output.ETag
      ).pipe(
        // Some servers (Ceph RGW 16) answer Complete with an empty ETag: read it from the object.
        Effect.flatMap((etag) =>
          etag === undefined || etag === ""
            ? Effect.map(headObject(request.bucket, request.key), (head) => ({ etag: head.etag }))
            : Effect.succeed({ etag: quotedETag(etag) })
        )
      ),

    abortMultipartUpload: (request) =>
      Effect.asVoid(send(
        { operation: "AbortMultipartUpload", bucket: request.bucket, key: request.key },
        (options) =>
          client.send(
            new AbortMultipartUploadCommand({ Bucket: request.bucket, Key: request.key, UploadId: request.uploadId }),
            options
          )
      )),

    listMultipartUploads: listMultipartPages
  }
}
