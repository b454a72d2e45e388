/** What a store may lack, or where it answers otherwise than AWS S3: the suites skip or adapt those tests. */
export interface Capabilities {
  /** Storage classes besides STANDARD that the store keeps (an unknown class is refused with 400 either way). */
  readonly storageClasses: ReadonlyArray<string>
  /** Whether server-side encryption is stored (else refused with 400 `InvalidRequest`, as Ceph RGW does over HTTP). */
  readonly serverSideEncryption: boolean
  /** Whether `ifMatch` / `ifNoneMatch: "*"` hold on PutObject, CopyObject and CompleteMultipartUpload, atomically. */
  readonly conditionalWrites: boolean
  /** Whether objects keep tags (PutObjectTagging, tags given at upload, at CreateMultipartUpload and on copies). */
  readonly tags: boolean
  /** Whether the checksums an upload gives (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) are checked, kept and echoed. */
  readonly keepsChecksums: boolean
  /** Whether CompleteMultipartUpload refuses parts listed out of order with `InvalidPartOrder` (Ceph RGW 16 sorts them). */
  readonly checksPartOrder: boolean
  /** The code CompleteMultipartUpload of an unknown upload fails with: `NoSuchUpload` (Ceph RGW 16: `InternalError`). */
  readonly completeUnknownUploadCode: string
  /** Whether the layer presigns URLs and forms that the store honours (a backend without a presigner does not). */
  readonly presign: boolean
  /**
   * How a GET or HEAD of a delete marker by its version id fails: S3's 405 `MethodNotAllowed` (an
   * `S3ServiceError`), or `NoSuchKey` (Ceph RGW 16).
   */
  readonly readOfDeleteMarker: "MethodNotAllowed" | "NoSuchKey"
  /** Whether DeleteObject honours `If-Match` (Ceph RGW 16 ignores it, and deletes). */
  readonly conditionalDeletes: boolean
  /** Whether CopyObject answers the version ids of the copy and of its source (Ceph RGW 16 answers none). */
  readonly copyVersionIds: boolean
  /**
   * Whether a PUT with `If-Match` holds in a versioned bucket (Ceph RGW 16 refuses it with 412 even
   * when the ETag matches, so `updateJson` there ends in `UpdateConflict`).
   */
  readonly ifMatchInVersionedBuckets: boolean
  /** Whether CopyObject gives the copy the retention and legal hold it is sent with (Ceph RGW 16 ignores them). */
  readonly locksOnCopy: boolean
  /**
   * Whether a copy reads a source encrypted with a customer key (SSE-C) given its key (Ceph RGW 16
   * answers 501 `NotImplemented`).
   */
  readonly copiesFromCustomerKeyed: boolean
  /**
   * Whether a copy given a customer key for its destination encrypts the copy with it (Ceph RGW 16
   * stores it unencrypted: it reads without any key).
   */
  readonly copiesToCustomerKeyed: boolean
  /** Whether a bucket's lifecycle rules come back in the order given (Ceph RGW 16 sorts them by id). */
  readonly keepsLifecycleRuleOrder: boolean
  /**
   * Whether lifecycle rules keep their size filters and `newerNoncurrentVersions` (Ceph RGW 16 takes
   * them and drops them).
   */
  readonly keepsNewerLifecycleFields: boolean
}

/** What AWS S3 does, and the mock with it. */
export const awsS3Support: Capabilities = {
  storageClasses: ["STANDARD_IA", "GLACIER"],
  serverSideEncryption: true,
  conditionalWrites: true,
  tags: true,
  keepsChecksums: true,
  checksPartOrder: true,
  completeUnknownUploadCode: "NoSuchUpload",
  presign: true,
  readOfDeleteMarker: "MethodNotAllowed",
  conditionalDeletes: true,
  copyVersionIds: true,
  ifMatchInVersionedBuckets: true,
  locksOnCopy: true,
  copiesFromCustomerKeyed: true,
  copiesToCustomerKeyed: true,
  keepsLifecycleRuleOrder: true,
  keepsNewerLifecycleFields: true
}
export const mockSupport: Capabilities = awsS3Support
/**
 * Ceph RGW 16 as the tests run it: no storage classes configured, no encryption over plain HTTP
 * (but customer keys, with `rgw crypt require ssl = false`); checksums given on upload neither
 * checked, kept nor echoed; parts listed out of order sorted; a Complete of an unknown upload a 500
 * `InternalError`; no copy from an object encrypted with a customer key, none encrypted with one;
 * lifecycle rules sorted by id, their size filters and `newerNoncurrentVersions` dropped; a delete
 * marker read by its id is `NoSuchKey` (S3: 405); `If-Match` on a delete ignored; no version ids
 * answered to a copy; `If-Match` on a PUT in a versioned bucket always refused; no lock given to a
 * copy.
 */
export const cephRgwSupport: Capabilities = {
  ...awsS3Support,
  storageClasses: [],
  serverSideEncryption: false,
  keepsChecksums: false,
  checksPartOrder: false,
  completeUnknownUploadCode: "InternalError",
  readOfDeleteMarker: "NoSuchKey",
  conditionalDeletes: false,
  copyVersionIds: false,
  ifMatchInVersionedBuckets: false,
  locksOnCopy: false,
  copiesFromCustomerKeyed: false,
  copiesToCustomerKeyed: false,
  keepsLifecycleRuleOrder: false,
  keepsNewerLifecycleFields: false
}

/** The capabilities a suite runs with: AWS S3's, but those given. */
export const withDefaults = (given: Partial<Capabilities> | undefined): Capabilities => ({
  ...awsS3Support,
  ...given
})
