/**
 * What Ceph RGW 16 ignores or answers otherwise than AWS, against a fake server answering as AWS
 * documents: that both live transports send the headers (If-Match on DeleteObject, conditions and
 * source versions on CopyObject, customer keys of a copy's source) and map AWS's answers (405 on a
 * delete marker, NoSuchVersion, 412, 403 for a wrong key).
 */
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import { liveBackend, sdkBackend } from "../utils/backends.js"
import { errorDocument, type FakeS3, startFakeS3 } from "../utils/fakeS3.js"

let fake: FakeS3
beforeAll(async () => {
  fake = await startFakeS3()
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.requests.length = 0
  fake.answer = () => ({ status: 200 })
})

const bucket = "fake-bucket"
const sourceKey = new Uint8Array(32).fill(7)
const destinationKey = new Uint8Array(32).fill(9)
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64")
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("base64")

const copyResult = `<?xml version="1.0" encoding="UTF-8"?>
<CopyObjectResult><ETag>"0123456789abcdef0123456789abcdef"</ETag><LastModified>2026-12-07T00:00:00.000Z</LastModified></CopyObjectResult>`

const only = () => {
  assert.strictEqual(fake.requests.length, 1)
  return fake.requests[0]!
}

for (const [transport, makeBackend] of [["s3po", liveBackend], ["sdk", sdkBackend]] as const) {
  describe(`AWS's answers from a fake server (${transport} transport)`, () => {
    const backend = () => makeBackend(fake.endpoint)

    it.live("DeleteObject sends If-Match, the version and the bypass, and reads the marker's headers", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 204,
          headers: { "x-amz-delete-marker": "true", "x-amz-version-id": "marker-1" }
        })
        const result = yield* backend().deleteObject({
          bucket,
          key: "dir/k",
          versionId: "marker-1",
          ifMatch: "\"abc\"",
          bypassGovernanceRetention: true
        })
        assert.deepStrictEqual(result, { deleteMarker: true, versionId: "marker-1" })
        const request = only()
        assert.strictEqual(request.method, "DELETE")
        assert.strictEqual(request.path, `/${bucket}/dir/k`)
        assert.strictEqual(request.query.get("versionId"), "marker-1")
        assert.strictEqual(request.headers["if-match"], "\"abc\"")
        assert.strictEqual(request.headers["x-amz-bypass-governance-retention"], "true")
      }))

    it.live("a DeleteObject whose If-Match fails is PreconditionFailed naming the ETag", () =>
      Effect.gen(function*() {
        fake.answer = () => ({ status: 412, body: errorDocument("PreconditionFailed", "At least one failed") })
        const error = yield* Effect.flip(backend().deleteObject({ bucket, key: "k", ifMatch: "\"abc\"" }))
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.strictEqual(error._tag === "PreconditionFailed" ? error.expectedETag : undefined, "\"abc\"")
      }))

    it.live("a delete marker read by its version is 405 MethodNotAllowed, with a body (GET) and without (HEAD)", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 405,
          headers: { "x-amz-delete-marker": "true", "x-amz-version-id": "m", allow: "DELETE" },
          body: errorDocument("MethodNotAllowed", "The specified method is not allowed against this resource.")
        })
        const read = yield* Effect.flip(backend().getObject({ bucket, key: "k", versionId: "m" }))
        const head = yield* Effect.flip(backend().headObject({ bucket, key: "k", versionId: "m" }))
        for (const error of [read, head]) {
          assert.strictEqual(error._tag, "S3ServiceError")
          if (error._tag !== "S3ServiceError") continue
          assert.strictEqual(error.status, 405)
          assert.strictEqual(error.code, "MethodNotAllowed")
          assert.isFalse(error.retryable)
        }
        assert.deepStrictEqual(fake.requests.map((request) => request.query.get("versionId")), ["m", "m"])
      }))

    it.live("an unknown version is NoSuchVersion where the answer has a body (GET); a HEAD cannot tell", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 404,
          body: errorDocument("NoSuchVersion", "The specified version does not exist.")
        })
        const read = yield* Effect.flip(backend().getObject({ bucket, key: "k", versionId: "v9" }))
        assert.strictEqual(read._tag, "S3ServiceError")
        assert.strictEqual(read._tag === "S3ServiceError" ? read.code : undefined, "NoSuchVersion")
        assert.strictEqual(read._tag === "S3ServiceError" ? read.status : undefined, 404)
        const head = yield* Effect.flip(backend().headObject({ bucket, key: "k", versionId: "v9" }))
        assert.strictEqual(head._tag, "NoSuchKey")
      }))

    it.live("GET and HEAD of a version read its id, retention and legal hold from the headers", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 200,
          headers: {
            etag: "\"0123456789abcdef0123456789abcdef\"",
            "content-length": "0",
            "x-amz-version-id": "v1",
            "x-amz-object-lock-mode": "COMPLIANCE",
            "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00.000Z",
            "x-amz-object-lock-legal-hold": "OFF"
          }
        })
        const info = yield* backend().headObject({ bucket, key: "k", versionId: "v1" })
        assert.strictEqual(info.versionId, "v1")
        assert.deepStrictEqual(info.retention, {
          mode: "COMPLIANCE",
          retainUntil: new Date("2030-01-01T00:00:00.000Z")
        })
        assert.isFalse(info.legalHold)
      }))

    it.live("PutObject sends retention and legal hold, and a customer key as its three headers", () =>
      Effect.gen(function*() {
        fake.answer = () => ({ status: 200, headers: { etag: "\"e\"", "x-amz-version-id": "v2" } })
        const written = yield* backend().putObject({
          bucket,
          key: "k",
          body: new Uint8Array([1, 2, 3]),
          retention: { mode: "GOVERNANCE", retainUntil: new Date("2030-01-01T00:00:00.000Z") },
          legalHold: true,
          customerKey: Redacted.make(destinationKey)
        })
        assert.strictEqual(written.versionId, "v2")
        const headers = only().headers
        assert.strictEqual(headers["x-amz-object-lock-mode"], "GOVERNANCE")
        assert.strictEqual(
          new Date(String(headers["x-amz-object-lock-retain-until-date"])).toISOString(),
          "2030-01-01T00:00:00.000Z"
        )
        assert.strictEqual(headers["x-amz-object-lock-legal-hold"], "ON")
        // S3 asks a write with a lock for its Content-MD5 when it carries no checksum.
        assert.strictEqual(headers["content-md5"], md5(new Uint8Array([1, 2, 3])))
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-algorithm"], "AES256")
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-key"], base64(destinationKey))
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-key-md5"], md5(destinationKey))
      }))

    it.live("CopyObject sends its conditions, the source's version and key, and answers both versions", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 200,
          headers: { "x-amz-version-id": "new-1", "x-amz-copy-source-version-id": "old-1" },
          body: copyResult
        })
        const copied = yield* backend().copyObject({
          bucket,
          key: "to",
          ifNoneMatch: "*",
          source: {
            bucket: "source-bucket",
            key: "from key",
            ifMatch: "\"s\"",
            versionId: "old-1",
            customerKey: Redacted.make(sourceKey)
          },
          customerKey: Redacted.make(destinationKey)
        })
        assert.deepStrictEqual(copied, {
          etag: "\"0123456789abcdef0123456789abcdef\"",
          versionId: "new-1",
          sourceVersionId: "old-1"
        })
        const headers = only().headers
        assert.strictEqual(headers["x-amz-copy-source"], "source-bucket/from%20key?versionId=old-1")
        assert.strictEqual(headers["if-none-match"], "*")
        assert.strictEqual(headers["x-amz-copy-source-if-match"], "\"s\"")
        assert.strictEqual(headers["x-amz-copy-source-server-side-encryption-customer-algorithm"], "AES256")
        assert.strictEqual(headers["x-amz-copy-source-server-side-encryption-customer-key"], base64(sourceKey))
        assert.strictEqual(headers["x-amz-copy-source-server-side-encryption-customer-key-md5"], md5(sourceKey))
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-key"], base64(destinationKey))
      }))

    it.live("a CopyObject whose If-Match on the destination fails is PreconditionFailed", () =>
      Effect.gen(function*() {
        fake.answer = () => ({ status: 412, body: errorDocument("PreconditionFailed", "At least one failed") })
        const error = yield* Effect.flip(
          backend().copyObject({
            bucket,
            key: "to",
            ifMatch: "\"d\"",
            source: { bucket: "source-bucket", key: "from", ifMatch: "\"s\"" }
          })
        )
        assert.strictEqual(error._tag, "PreconditionFailed")
        assert.strictEqual(only().headers["if-match"], "d")
      }))

    it.live("a wrong customer key is AWS's 403 AccessDenied, with nothing of the key in the error", () =>
      Effect.gen(function*() {
        fake.answer = () => ({ status: 403, body: errorDocument("AccessDenied", "Access Denied") })
        const error = yield* Effect.flip(
          backend().getObject({
            bucket,
            key: "k",
            customerKey: Redacted.make(sourceKey)
          })
        )
        assert.strictEqual(error._tag, "AccessDenied")
        const shown = `${JSON.stringify(error)} ${error.message} ${String(error)}`
        assert.notInclude(shown, base64(sourceKey))
        assert.notInclude(shown, md5(sourceKey))
      }))

    it.live("ListObjectVersions keeps the document's order of versions and markers, however alike their times", () =>
      Effect.gen(function*() {
        const modified = "<LastModified>2026-01-01T00:00:00.000Z</LastModified>"
        const version = (id: string, latest: boolean) =>
          `<Version><Key>a</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest>${modified}<ETag>"x"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Version>`
        fake.answer = () => ({
          status: 200,
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult><IsTruncated>true</IsTruncated>${
            version("v3", true)
          }<DeleteMarker><Key>a</Key><VersionId>m1</VersionId><IsLatest>false</IsLatest>${modified}</DeleteMarker>${
            version("v2", false)
          }<NextKeyMarker>a</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker></ListVersionsResult>`
        })
        const page = yield* backend().listVersionsPage({
          bucket,
          prefix: "a",
          keyMarker: "0",
          versionIdMarker: "v9",
          maxKeys: 3
        })
        assert.deepStrictEqual(page.versions.map((entry) => [entry._tag, entry.versionId]), [
          ["Version", "v3"],
          ["DeleteMarker", "m1"],
          ["Version", "v2"]
        ])
        assert.isTrue(page.isTruncated)
        assert.strictEqual(page.nextKeyMarker, "a")
        assert.strictEqual(page.nextVersionIdMarker, "v2")
        const query = only().query
        assert.isTrue(query.has("versions"))
        assert.deepStrictEqual(
          ["prefix", "key-marker", "version-id-marker", "max-keys"].map((name) => query.get(name)),
          ["a", "0", "v9", "3"]
        )
      }))

    it.live("CreateMultipartUpload sends retention, legal hold and the customer key", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 200,
          body:
            `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>`
        })
        const uploadId = yield* backend().createMultipartUpload({
          bucket,
          key: "k",
          retention: { mode: "COMPLIANCE", retainUntil: new Date("2030-01-01T00:00:00.000Z") },
          legalHold: false,
          customerKey: Redacted.make(destinationKey)
        })
        assert.strictEqual(uploadId, "u1")
        const headers = only().headers
        assert.strictEqual(headers["x-amz-object-lock-mode"], "COMPLIANCE")
        assert.strictEqual(headers["x-amz-object-lock-legal-hold"], "OFF")
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-key-md5"], md5(destinationKey))
      }))

    it.live("lifecycle rules with size filters go as AWS takes them (And), and come back whole", () =>
      Effect.gen(function*() {
        const rule = {
          id: "sizes",
          enabled: true,
          filter: { prefix: "logs/", tags: { kind: "log" }, objectSizeGreaterThan: 10, objectSizeLessThan: 1000 },
          noncurrentVersionExpiration: { noncurrentDays: 30, newerNoncurrentVersions: 3 }
        }
        yield* backend().putBucketLifecycle({
          bucket,
          rules: [rule, { id: "one", filter: { objectSizeLessThan: 5 }, expiration: { days: 1 } }]
        })
        const sent = only()
        assert.strictEqual(sent.method, "PUT")
        assert.isTrue(sent.query.has("lifecycle"))
        const compact = sent.body.replace(/\s+/g, "")
        assert.include(
          compact,
          "<Filter><And><Prefix>logs/</Prefix><Tag><Key>kind</Key><Value>log</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter>"
        )
        assert.include(compact, "<Filter><ObjectSizeLessThan>5</ObjectSizeLessThan></Filter>")
        assert.include(
          compact,
          "<NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>"
        )
        fake.answer = () => ({
          status: 200,
          body:
            `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration><Rule><ID>sizes</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>kind</Key><Value>log</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`
        })
        assert.deepStrictEqual(yield* backend().getBucketLifecycle({ bucket }), [rule])
        fake.answer = () => ({
          status: 404,
          body: errorDocument("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
        })
        assert.deepStrictEqual(yield* backend().getBucketLifecycle({ bucket }), [])
      }))

    it.live("UploadPartCopy sends the source's version and customer key, and the upload's key", () =>
      Effect.gen(function*() {
        fake.answer = () => ({
          status: 200,
          body:
            `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><ETag>"p"</ETag><LastModified>2026-12-07T00:00:00.000Z</LastModified></CopyPartResult>`
        })
        const part = yield* backend().uploadPartCopy({
          bucket,
          key: "to",
          uploadId: "u",
          partNumber: 1,
          range: { start: 0, end: 9 },
          source: {
            bucket: "source-bucket",
            key: "from",
            ifMatch: "\"s\"",
            versionId: "v7",
            customerKey: Redacted.make(sourceKey)
          },
          customerKey: Redacted.make(destinationKey)
        })
        assert.strictEqual(part.etag, "\"p\"")
        const headers = only().headers
        assert.strictEqual(headers["x-amz-copy-source"], "source-bucket/from?versionId=v7")
        assert.strictEqual(headers["x-amz-copy-source-server-side-encryption-customer-key"], base64(sourceKey))
        assert.strictEqual(headers["x-amz-server-side-encryption-customer-key"], base64(destinationKey))
      }))
  })
}
