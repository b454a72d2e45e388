import {
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand
} from "@aws-sdk/client-s3"
import type {
  DefaultRetention,
  DeleteMarker,
  ObjectLockConfiguration,
  ObjectVersion,
  Retention,
  VersioningStatus
} from "../../S3Po.js"
import type {
  BucketRequest,
  ListVersionsPageRequest,
  PutLegalHoldRequest,
  PutObjectLockRequest,
  PutRetentionRequest,
  PutVersioningRequest,
  VersionedObjectRequest,
  VersionsPage
} from "../core/backend.js"
import { given, type LiveClient, noneAs, nothing, quotedETag } from "./requests.js"
import { send } from "./transport.js"

/**
 * The requests on versions and object lock: a bucket's versioning, its versions page by page, its
 * object lock, and a version's retention and legal hold. They are rare, and go through the SDK.
 */

export const getBucketVersioning = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "GetBucketVersioning", bucket: request.bucket },
    (options) => client.send(new GetBucketVersioningCommand({ Bucket: request.bucket }), options),
    (output): VersioningStatus =>
      output.Status === "Enabled" ? "Enabled" : output.Status === "Suspended" ? "Suspended" : "Unversioned"
  )

export const putBucketVersioning = ({ client }: LiveClient) => (request: PutVersioningRequest) =>
  send(
    { operation: "PutBucketVersioning", bucket: request.bucket },
    (options) =>
      client.send(
        new PutBucketVersioningCommand({
          Bucket: request.bucket,
          VersioningConfiguration: { Status: request.status }
        }),
        options
      ),
    nothing
  )

const versionOpen = /<(Version|DeleteMarker)>/g

/**
 * The order of a ListObjectVersions answer's entries, by kind, as the document has them: the SDK
 * parses versions and delete markers into two lists, and the server's order across them (by key,
 * then newest first, markers among versions) is only in the document.
 */
const entryKindsOf = (xml: string): ReadonlyArray<"Version" | "DeleteMarker"> =>
  Array.from(xml.matchAll(versionOpen), (match) => match[1] as "Version" | "DeleteMarker")

interface RawBody {
  statusCode?: unknown
  body?: unknown
}

/** A ListObjectVersions command that also keeps its answer's entry order, read from the document. */
const listVersionsCommand = (request: ListVersionsPageRequest) => {
  const command = new ListObjectVersionsCommand({
    Bucket: request.bucket,
    Prefix: request.prefix,
    Delimiter: request.delimiter,
    KeyMarker: request.keyMarker,
    VersionIdMarker: request.keyMarker === undefined ? undefined : request.versionIdMarker,
    MaxKeys: request.maxKeys
  })
  const order: { kinds: ReadonlyArray<"Version" | "DeleteMarker"> | undefined } = { kinds: undefined }
  command.middlewareStack.add((next) => async (args) => {
    const result = await next(args)
    const response = result.response as RawBody
    if (response.statusCode !== 200 || response.body === undefined) return result
    const bytes = await collect(response.body)
    order.kinds = entryKindsOf(Buffer.from(bytes).toString("utf8"))
    response.body = bytes
    return result
  }, { name: "s3poVersionsOrder", step: "deserialize", priority: "low" })
  return { command, order }
}

const collect = async (body: unknown): Promise<Uint8Array> => {
  if (body instanceof Uint8Array) return body
  const chunks: Array<Uint8Array> = []
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

type SdkVersion = NonNullable<ListObjectVersionsCommandOutput["Versions"]>[number]
type SdkMarker = NonNullable<ListObjectVersionsCommandOutput["DeleteMarkers"]>[number]

const versionOf = (version: SdkVersion): ObjectVersion => ({
  _tag: "Version",
  key: version.Key ?? "",
  versionId: version.VersionId ?? "null",
  isLatest: version.IsLatest === true,
  size: version.Size ?? 0,
  etag: quotedETag(version.ETag),
  lastModified: version.LastModified ?? new Date(0),
  storageClass: version.StorageClass ?? "STANDARD"
})

const markerOf = (marker: SdkMarker): DeleteMarker => ({
  _tag: "DeleteMarker",
  key: marker.Key ?? "",
  versionId: marker.VersionId ?? "null",
  isLatest: marker.IsLatest === true,
  lastModified: marker.LastModified ?? new Date(0)
})

/**
 * Versions and markers merged in the document's order; where that order is not known (or does not
 * account for every entry), by key, then newest first.
 */
const merged = (
  versions: ReadonlyArray<ObjectVersion>,
  markers: ReadonlyArray<DeleteMarker>,
  kinds: ReadonlyArray<"Version" | "DeleteMarker"> | undefined
): ReadonlyArray<ObjectVersion | DeleteMarker> => {
  if (markers.length === 0) return versions
  if (versions.length === 0) return markers
  const counted = kinds !== undefined &&
    kinds.filter((kind) => kind === "Version").length === versions.length &&
    kinds.length === versions.length + markers.length
  if (counted) {
    let version = 0
    let marker = 0
    return kinds.map((kind) => kind === "Version" ? versions[version++]! : markers[marker++]!)
  }
  return [...versions, ...markers].sort((left, right) =>
    left.key < right.key ? -1 : left.key > right.key ? 1 : right.lastModified.getTime() - left.lastModified.getTime()
  )
}

export const listVersionsPage = ({ client }: LiveClient) => (request: ListVersionsPageRequest) => {
  const { command, order } = listVersionsCommand(request)
  return send(
    { operation: "ListObjectVersions", bucket: request.bucket },
    (options) => client.send(command, options),
    (output): VersionsPage => ({
      versions: merged(
        (output.Versions ?? []).map(versionOf),
        (output.DeleteMarkers ?? []).map(markerOf),
        order.kinds
      ),
      commonPrefixes: (output.CommonPrefixes ?? []).map((common) => common.Prefix ?? ""),
      isTruncated: output.IsTruncated === true,
      nextKeyMarker: given(output.NextKeyMarker),
      nextVersionIdMarker: given(output.NextVersionIdMarker)
    })
  )
}

const defaultRetentionOf = (
  retention: {
    readonly Mode?: string | undefined
    readonly Days?: number | undefined
    readonly Years?: number | undefined
  }
): DefaultRetention | undefined => {
  const mode = retention.Mode
  if (mode !== "GOVERNANCE" && mode !== "COMPLIANCE") return undefined
  return retention.Days !== undefined
    ? { mode, days: retention.Days }
    : retention.Years !== undefined
    ? { mode, years: retention.Years }
    : undefined
}

export const getObjectLockConfiguration = ({ client }: LiveClient) => (request: BucketRequest) =>
  send(
    { operation: "GetObjectLockConfiguration", bucket: request.bucket },
    (options) => client.send(new GetObjectLockConfigurationCommand({ Bucket: request.bucket }), options),
    (output): ObjectLockConfiguration => {
      const configuration = output.ObjectLockConfiguration
      const retention = configuration?.Rule?.DefaultRetention
      const defaultRetention = retention === undefined ? undefined : defaultRetentionOf(retention)
      return {
        enabled: configuration?.ObjectLockEnabled === "Enabled",
        ...(defaultRetention === undefined ? {} : { defaultRetention })
      }
    }
  ).pipe(noneAs(["ObjectLockConfigurationNotFoundError"], { enabled: false }))

export const putObjectLockConfiguration = ({ client }: LiveClient) => (request: PutObjectLockRequest) =>
  send(
    { operation: "PutObjectLockConfiguration", bucket: request.bucket },
    (options) =>
      client.send(
        new PutObjectLockConfigurationCommand({
          Bucket: request.bucket,
          ObjectLockConfiguration: {
            ObjectLockEnabled: "Enabled",
            ...(request.defaultRetention === undefined ? {} : {
              Rule: {
                DefaultRetention: {
                  Mode: request.defaultRetention.mode,
                  ...("days" in request.defaultRetention
                    ? { Days: request.defaultRetention.days }
                    : { Years: request.defaultRetention.years })
                }
              }
            })
          }
        }),
        options
      ),
    nothing
  )

/**
 * What S3 answers for a version without retention or legal hold: `NoSuchObjectLockConfiguration`;
 * Ceph RGW 16 says `ObjectLockConfigurationNotFoundError`, as for a bucket without object lock.
 */
const versionWithoutLock = ["NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError"]

const objectContext = (operation: string, request: VersionedObjectRequest) => ({
  operation,
  bucket: request.bucket,
  key: request.key
})

export const getObjectRetention = ({ client }: LiveClient) => (request: VersionedObjectRequest) =>
  send(
    objectContext("GetObjectRetention", request),
    (options) =>
      client.send(
        new GetObjectRetentionCommand({ Bucket: request.bucket, Key: request.key, VersionId: request.versionId }),
        options
      ),
    (output): Retention | undefined => {
      const mode = output.Retention?.Mode
      const retainUntil = output.Retention?.RetainUntilDate
      return (mode === "GOVERNANCE" || mode === "COMPLIANCE") && retainUntil !== undefined
        ? { mode, retainUntil }
        : undefined
    }
  ).pipe(noneAs(versionWithoutLock, undefined))

export const putObjectRetention = ({ client }: LiveClient) => (request: PutRetentionRequest) =>
  send(
    objectContext("PutObjectRetention", request),
    (options) =>
      client.send(
        new PutObjectRetentionCommand({
          Bucket: request.bucket,
          Key: request.key,
          VersionId: request.versionId,
          Retention: { Mode: request.retention.mode, RetainUntilDate: request.retention.retainUntil },
          ...(request.bypassGovernanceRetention === true ? { BypassGovernanceRetention: true } : {})
        }),
        options
      ),
    nothing
  )

export const getObjectLegalHold = ({ client }: LiveClient) => (request: VersionedObjectRequest) =>
  send(
    objectContext("GetObjectLegalHold", request),
    (options) =>
      client.send(
        new GetObjectLegalHoldCommand({ Bucket: request.bucket, Key: request.key, VersionId: request.versionId }),
        options
      ),
    (output) => output.LegalHold?.Status === "ON"
  ).pipe(noneAs(versionWithoutLock, false))

export const putObjectLegalHold = ({ client }: LiveClient) => (request: PutLegalHoldRequest) =>
  send(
    objectContext("PutObjectLegalHold", request),
    (options) =>
      client.send(
        new PutObjectLegalHoldCommand({
          Bucket: request.bucket,
          Key: request.key,
          VersionId: request.versionId,
          LegalHold: { Status: request.legalHold ? "ON" : "OFF" }
        }),
        options
      ),
    nothing
  )
