import type { Backend } from "../core/backend.js"
import * as Requests from "./requests.js"

export type { LiveClient } from "./requests.js"

/** The request primitives over the AWS SDK's `S3Client`. */
export const make = (live: Requests.LiveClient): Backend => ({
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
  putObjectTagging: Requests.putObjectTagging(live)
})
