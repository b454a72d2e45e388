import type { Backend } from "../core/backend.js"
import * as LifecycleRequests from "./lifecycleRequests.js"
import * as ObjectRequests from "./objectRequests.js"
import * as Requests from "./requests.js"
import * as VersionRequests from "./versionRequests.js"

export type { LiveClient } from "./requests.js"

/**
 * The request primitives: GET, PUT, HEAD and DELETE of objects over s3po's own signed transport
 * (`objectRequests.ts`), the rest through the AWS SDK's `S3Client` (`requests.ts`).
 */
export const make = (live: Requests.LiveClient, lean: ObjectRequests.Lean): Backend => ({
  ...makeSdk(live),
  putObject: ObjectRequests.putObject(live, lean),
  getObject: ObjectRequests.getObject(live, lean),
  headObject: ObjectRequests.headObject(live, lean),
  deleteObject: ObjectRequests.deleteObject(live, lean)
})

/** Every primitive through the AWS SDK's `S3Client`. */
export const makeSdk = (live: Requests.LiveClient): Backend => ({
  listBuckets: Requests.listBuckets(live),
  headBucket: Requests.headBucket(live),
  createBucket: Requests.createBucket(live),
  deleteBucket: Requests.deleteBucket(live),
  putObject: Requests.putObject(live),
  getObject: Requests.getObject(live),
  headObject: Requests.headObject(live),
  listPage: Requests.listPage(live),
  deleteObject: Requests.deleteObject(live),
  deleteObjects: Requests.deleteObjects(live),
  createMultipartUpload: Requests.createMultipartUpload(live),
  uploadPart: Requests.uploadPart(live),
  copyObject: Requests.copyObject(live),
  uploadPartCopy: Requests.uploadPartCopy(live),
  completeMultipartUpload: Requests.completeMultipartUpload(live),
  abortMultipartUpload: Requests.abortMultipartUpload(live),
  listMultipartUploads: Requests.listMultipartUploads(live),
  getObjectTagging: Requests.getObjectTagging(live),
  putObjectTagging: Requests.putObjectTagging(live),
  getBucketVersioning: VersionRequests.getBucketVersioning(live),
  putBucketVersioning: VersionRequests.putBucketVersioning(live),
  listVersionsPage: VersionRequests.listVersionsPage(live),
  getObjectLockConfiguration: VersionRequests.getObjectLockConfiguration(live),
  putObjectLockConfiguration: VersionRequests.putObjectLockConfiguration(live),
  getObjectRetention: VersionRequests.getObjectRetention(live),
  putObjectRetention: VersionRequests.putObjectRetention(live),
  getObjectLegalHold: VersionRequests.getObjectLegalHold(live),
  putObjectLegalHold: VersionRequests.putObjectLegalHold(live),
  getBucketLifecycle: LifecycleRequests.getBucketLifecycle(live),
  putBucketLifecycle: LifecycleRequests.putBucketLifecycle(live),
  deleteBucketLifecycle: LifecycleRequests.deleteBucketLifecycle(live)
})
