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
  presign: true
}
export const mockSupport: Capabilities = awsS3Support
/**
 * Ceph RGW 16 as the tests run it: no storage classes configured, no encryption over plain HTTP;
 * checksums given on upload neither checked, kept nor echoed; parts listed out of order sorted; a
 * Complete of an unknown upload a 500 `InternalError`.
 */
export const cephRgwSupport: Capabilities = {
  ...awsS3Support,
  storageClasses: [],
  serverSideEncryption: false,
  keepsChecksums: false,
  checksPartOrder: false,
  completeUnknownUploadCode: "InternalError"
}

/** The capabilities a suite runs with: AWS S3's, but those given. */
export const withDefaults = (given: Partial<Capabilities> | undefined): Capabilities => ({
  ...awsS3Support,
  ...given
})
