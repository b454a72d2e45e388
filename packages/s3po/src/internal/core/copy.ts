import * as Effect from "effect/Effect"
import type {
  CopyOptions,
  ObjectAttributes,
  ObjectInfo,
  ObjectLocation,
  UploadResult,
  WriteConditions
} from "../../S3Po.js"
import { PreconditionFailed, type S3PoError, ValidationError } from "../../S3PoError.js"
import { anyGiven, attributesOf, ensureTags } from "./attributes.js"
import type { Backend, CopySource, CreateMultipartRequest } from "./backend.js"
import { checkBeforeWriting, preconditionFailed } from "./conditionalWrite.js"
import { conditionsOf, isConditional } from "./conditions.js"
import * as CustomerKeys from "./customerKeys.js"
import { firstFailure } from "./firstFailure.js"
import { userMetadata } from "./internalMetadata.js"
import { maxSinglePutBytes } from "./limits.js"
import { lockProblem, versionIdProblem } from "./locks.js"
import { recordedPartSize, withRecord } from "./partSizeRecord.js"
import { type IntegrityDefaults, type MultipartDefaults, multipartUpload, planPartSize } from "./upload.js"
import * as Validate from "./validation.js"
import { withVersionOf } from "./versionedWrites.js"

type Metadata = Readonly<Record<string, string>>

const problemOf = (operation: string, from: ObjectLocation, to: ObjectLocation, options: CopyOptions) => {
  const problem = Validate.location(operation, from.bucket, from.key) ??
    Validate.location(operation, to.bucket, to.key) ??
    Validate.multipart(operation, options) ??
    Validate.objectAttributes(operation, options) ??
    Validate.conditionalWrite(operation, options) ??
    versionIdProblem(operation, options.sourceVersionId, "sourceVersionId") ??
    lockProblem(operation, options) ??
    CustomerKeys.problem(operation, "customerKey", options.customerKey) ??
    CustomerKeys.problem(operation, "sourceCustomerKey", options.sourceCustomerKey)
  if (problem !== undefined) return problem
  // A version copied onto its own key is a restore: it becomes the latest.
  const sameObject = from.bucket === to.bucket && from.key === to.key && options.sourceVersionId === undefined
  // A copy onto itself with a customer key encrypts it anew (with another key, or one for the first time);
  // with only the source's, it decrypts it.
  const changes = anyGiven(attributesOf(options)) || options.customerKey !== undefined ||
    options.sourceCustomerKey !== undefined
  if (sameObject && (operation === "move" || !changes)) {
    return new ValidationError({
      operation,
      field: "to",
      reason: operation === "move"
        ? "is the source: a move onto itself would delete it"
        : "is the source: a copy onto itself must change one of its attributes"
    })
  }
  return undefined
}

/**
 * The source's attributes, but those given: what a copy that replaces some of them sends. The
 * storage class and encryption are not carried: as S3 does, a copy gets the destination's
 * defaults unless they are given.
 */
const merged = (source: ObjectInfo, given: ObjectAttributes): ObjectAttributes => ({
  contentType: given.contentType ?? source.contentType,
  metadata: given.metadata ?? source.metadata,
  cacheControl: given.cacheControl ?? source.cacheControl,
  contentDisposition: given.contentDisposition ?? source.contentDisposition,
  contentEncoding: given.contentEncoding ?? source.contentEncoding,
  contentLanguage: given.contentLanguage ?? source.contentLanguage,
  expires: given.expires ?? source.expires,
  storageClass: given.storageClass,
  acl: given.acl,
  serverSideEncryption: given.serverSideEncryption,
  tags: given.tags
})

/**
 * The metadata a single-request copy gives its object: the caller's (given, else the source's),
 * without s3po's own names (a conditional write's id stays with the write that set it), and the
 * source's part-size record carried over, as the copy keeps the source's ETag (Ceph RGW and the
 * mock keep a multipart ETag), so that a read can still recompute it; a record that does not hold
 * for the source is dropped. A server that gives the copy another ETag makes the record inert: it
 * is used only with the multipart ETag of as many parts (`recordedPartSize`).
 */
const copiedMetadata = (source: ObjectInfo, metadata: Metadata, recordPartSize: boolean): Metadata => {
  const recorded = recordPartSize ? recordedPartSize(source) : undefined
  return recorded === undefined ? userMetadata(metadata) : withRecord(metadata, recorded) ?? {}
}

/** Whether two sets of metadata hold the same names and values. */
const sameMetadata = (left: Metadata, right: Metadata) => {
  const names = Object.keys(left)
  return names.length === Object.keys(right).length && names.every((name) => right[name] === left[name])
}

const nonEmpty = (tags: Readonly<Record<string, string>>) => Object.keys(tags).length === 0 ? undefined : tags

/** The ranges of `partSize` bytes that cover `size` bytes, as parts numbered from 1. */
const partRanges = (size: number, partSize: number) =>
  Array.from({ length: Math.ceil(size / partSize) }, (_, index) => ({
    partNumber: index + 1,
    range: { start: index * partSize, end: Math.min((index + 1) * partSize, size) - 1 }
  }))

/**
 * A server-side copy: one CopyObject up to the multipart threshold (at most 5 GiB, CopyObject's
 * limit), else a multipart copy of `partSize` ranges, `partConcurrency` at once, each retried alone.
 * Every request is pinned to the source's ETag, and the source's ETag is checked again before the
 * parts are joined, so a source replaced mid-copy fails with `PreconditionFailed` instead of mixing
 * versions. Attributes are each kept unless given: giving one replaces only that one (S3's
 * `REPLACE` resets them all, so the others are carried over from the source). Tags given are set
 * again after the copy, as some servers (Ceph RGW 16) ignore S3's `REPLACE` for tags, and drop
 * them on a copy in place; a multipart copy, which S3 gives no tags, gets the source's. A multipart
 * copy records its own part size, replacing the source's record. No copy carries s3po's other
 * names (a conditional write's id): a source that has one is copied with `REPLACE`, its attributes
 * carried over.
 */
export const copy = (retried: Backend, defaults: MultipartDefaults & Pick<IntegrityDefaults, "recordPartSize">) =>
(
  operation: string,
  from: ObjectLocation,
  to: ObjectLocation,
  options: CopyOptions = {}
): Effect.Effect<UploadResult, S3PoError> =>
  Validate.guard(
    problemOf(operation, from, to, options),
    Effect.gen(function*() {
      const info = yield* retried.headObject({
        ...from,
        versionId: options.sourceVersionId,
        customerKey: options.sourceCustomerKey
      })
      // Pinned to the version read where it has an id of its own (a "null" version can be replaced), and to its ETag.
      const versionId = info.versionId !== undefined && info.versionId !== "null"
        ? info.versionId
        : options.sourceVersionId
      const source: CopySource = {
        bucket: from.bucket,
        key: from.key,
        ifMatch: info.etag,
        versionId,
        customerKey: options.sourceCustomerKey
      }
      const given = attributesOf(options)
      const sourceAttributes = merged(info, given)
      const conditions = conditionsOf(options)
      const threshold = Math.min(options.multipartThreshold ?? maxSinglePutBytes, maxSinglePutBytes)
      if (info.size <= threshold) {
        yield* checkBeforeWriting(retried, operation, to, conditions)
        const metadata = copiedMetadata(info, sourceAttributes.metadata ?? {}, defaults.recordPartSize)
        // S3's `COPY` would carry the source's metadata as it is, s3po's names with it.
        const replace = anyGiven(given) || !sameMetadata(metadata, info.metadata)
        // In place, or with `REPLACE`, Ceph RGW 16 drops the tags that S3's `TaggingDirective: COPY`
        // keeps: the source's are read to be set again (none to set when it has none).
        const inPlace = from.bucket === to.bucket && from.key === to.key
        const tags = options.tags ??
          (inPlace || replace ? nonEmpty(yield* retried.getObjectTagging(from)) : undefined)
        const copied = yield* retried.copyObject({
          ...to,
          ...conditions,
          source,
          customerKey: options.customerKey,
          replace: replace ? { ...sourceAttributes, metadata } : undefined
        }).pipe(
          Effect.catchTag(
            "PreconditionFailed",
            (error) => whichFailed(retried, operation, to, conditions, source, error)
          )
        )
        yield* ensureTags(retried, to, tags)
        return withVersionOf({ etag: copied.etag, size: info.size, parts: 0 }, copied)
      }
      const tags = options.tags ?? (yield* retried.getObjectTagging(from))
      const partSize = planPartSize(options.partSize ?? defaults.partSize, info.size)
      const metadata = defaults.recordPartSize
        ? withRecord(sourceAttributes.metadata, partSize)
        : sourceAttributes.metadata && userMetadata(sourceAttributes.metadata)
      const request = { ...to, ...sourceAttributes, metadata, tags, customerKey: options.customerKey }
      return yield* multipartCopy(retried, operation, request, conditions, {
        info,
        source,
        partSize,
        partConcurrency: options.partConcurrency ?? defaults.partConcurrency
      })
    })
  )

/**
 * A 412 from a CopyObject whose destination was conditional: the source's pin or the destination's
 * condition, which one answer cannot tell apart. If the source still has the ETag it is pinned to,
 * the destination's failed.
 */
const whichFailed = (
  retried: Backend,
  operation: string,
  to: ObjectLocation,
  conditions: WriteConditions,
  source: CopySource,
  error: PreconditionFailed
): Effect.Effect<never, S3PoError> =>
  isConditional(conditions)
    ? Effect.flatMap(
      retried.headObject({
        bucket: source.bucket,
        key: source.key,
        versionId: source.versionId,
        customerKey: source.customerKey
      }),
      (now) => Effect.fail(now.etag === source.ifMatch ? preconditionFailed(operation, to, conditions) : error)
    )
    : Effect.fail(error)

const multipartCopy = (
  retried: Backend,
  operation: string,
  request: CreateMultipartRequest,
  conditions: WriteConditions,
  plan: {
    readonly info: ObjectInfo
    readonly source: CopySource
    readonly partSize: number
    readonly partConcurrency: number
  }
) => {
  const { info, source } = plan
  const sourceChanged = new PreconditionFailed({
    operation: "UploadPartCopy",
    bucket: source.bucket,
    key: source.key,
    expectedETag: info.etag
  })
  return multipartUpload(retried, operation, request, conditions, (ref) =>
    Effect.map(
      Effect.forEach(
        partRanges(info.size, plan.partSize),
        ({ partNumber, range }) =>
          retried.uploadPartCopy({ ...ref, partNumber, source, range, customerKey: request.customerKey }).pipe(
            Effect.map(({ etag }) => ({ partNumber, etag })),
            // The ranges come from the source's size: one out of range means the source changed
            // (Ceph RGW checks the range before the ETag).
            Effect.catchIf(
              (error) => error._tag === "S3ServiceError" && error.status === 416,
              () => Effect.fail(sourceChanged)
            )
          ),
        { concurrency: plan.partConcurrency }
      ).pipe(
        firstFailure,
        // Where a server ignores the pin (Ceph RGW 16 does), the source must still be the one
        // the parts were copied from when they are joined.
        Effect.zipLeft(
          Effect.flatMap(
            retried.headObject({
              bucket: source.bucket,
              key: source.key,
              versionId: source.versionId,
              customerKey: source.customerKey
            }),
            (now) => now.etag === info.etag ? Effect.void : Effect.fail(sourceChanged)
          )
        )
      ),
      (parts) => ({ parts, size: info.size })
    ))
}
