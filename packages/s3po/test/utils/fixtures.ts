// The helpers are s3po/testing's, which users run the contract suite with.
export {
  bytesEqual,
  freshBucket,
  md5ETag,
  multipartETag,
  randomBody,
  tagOf,
  tempDir,
  uniqueBucket
} from "../../src/internal/testing/fixtures.js"
