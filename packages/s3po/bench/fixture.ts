/**
 * Benchmark fixture, not an S3 implementation: a minimal S3-speaking HTTP server that answers from
 * memory as cheaply as it can, so that a benchmark measures the client, not the server. It runs in
 * its own process and prints `PORT=<n>` when ready.
 *
 * It answers CreateBucket, PutObject, GetObject (one Range), HeadObject, DeleteObject(s),
 * ListObjects (V1 and V2: pages, continuation, delimiter), and multipart create/part/complete/abort:
 * what s3po, `aws s3 sync` and `rclone sync` ask of it. It does not check signatures; a single
 * PUT's ETag is its MD5 (sync tools compare them), a multipart ETag a counter; user metadata
 * (`x-amz-meta-*`) is kept, as sync tools keep times in it. Checksums as S3 keeps them, but not
 * checked: the `x-amz-checksum-*` a PUT sends, and a multipart upload's full-object checksum sent
 * with Complete (else the composite of its parts' checksums), answered on HEAD and on a GET of the
 * whole object in checksum mode (`x-amz-checksum-mode: ENABLED`), as S3 answers.
 *
 *   --latency <ms>          wait this long before answering each request (S3's first-byte latency)
 *   --connection-mbps <n>   cap each connection's response bandwidth (one S3 connection tops out near 100 MB/s)
 *   --discard               acknowledge uploads without keeping their bytes (memory benchmarks)
 *   --tls-key, --tls-cert   answer HTTPS with this PEM key and certificate
 */
import { createHash, type Hash } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { parseArgs } from "node:util"
import { algorithms, compositeOf, headerOf } from "../src/internal/core/checksums.js"
import type { ChecksumAlgorithm } from "../src/S3Po.js"

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    latency: { type: "string", default: "0" },
    "connection-mbps": { type: "string", default: "0" },
    discard: { type: "boolean", default: false },
    "tls-key": { type: "string" },
    "tls-cert": { type: "string" }
  }
})
const latencyMs = Number(values.latency)
const bytesPerMs = Number(values["connection-mbps"]) * 1000
const discard = values.discard === true

interface Stored {
  readonly body: Buffer
  readonly size: number
  readonly etag: string
  readonly lastModified?: Date
  readonly metadata?: http.OutgoingHttpHeaders
  readonly checksum?: StoredChecksum | undefined
}

interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm
  readonly value: string
  readonly type: "FULL_OBJECT" | "COMPOSITE"
}

/** The checksum a request carries in `x-amz-checksum-<algorithm>`, as S3 takes it from a PUT, a part or a Complete. */
const sentChecksum = (request: http.IncomingMessage): StoredChecksum | undefined => {
  for (const algorithm of algorithms) {
    const value = request.headers[headerOf(algorithm)]
    if (typeof value === "string") return { algorithm, value, type: "FULL_OBJECT" }
  }
  return undefined
}

/** The headers that answer a checksum: on writes always, on reads in checksum mode. */
const checksumHeaders = (checksum: StoredChecksum | undefined): http.OutgoingHttpHeaders =>
  checksum === undefined
    ? {}
    : { [headerOf(checksum.algorithm)]: checksum.value, "x-amz-checksum-type": checksum.type }

/**
 * A completed upload's checksum: the full-object one Complete sent, else the composite of its parts'
 * checksums (each part's digest, hashed again, then `-N`) when every part sent one of the same algorithm.
 */
const completedChecksum = (
  request: http.IncomingMessage,
  parts: ReadonlyArray<Stored>
): StoredChecksum | undefined => {
  const whole = sentChecksum(request)
  if (whole !== undefined) return whole
  const algorithm = parts[0]?.checksum?.algorithm
  if (algorithm === undefined || parts.some((part) => part.checksum?.algorithm !== algorithm)) return undefined
  const composite = compositeOf(algorithm, parts.map((part) => Buffer.from(part.checksum!.value, "base64")))
  return { algorithm, value: composite.value, type: "COMPOSITE" }
}

const objects = new Map<string, Stored>()
/** The keys of `objects` in order, made again after a change when a listing asks. */
let sortedIds: Array<string> | undefined
const orderedIds = () => sortedIds ??= [...objects.keys()].sort()
const store = (id: string, stored: Stored) => {
  if (!objects.has(id)) sortedIds = undefined
  objects.set(id, stored)
}
const remove = (id: string) => {
  if (objects.delete(id)) sortedIds = undefined
}
const uploads = new Map<string, { readonly parts: Map<number, Stored>; readonly metadata: http.OutgoingHttpHeaders }>()
let counter = 0
const nextETag = () => `"${(++counter).toString(16).padStart(32, "0")}"`
const empty = Buffer.alloc(0)

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${body}`

const send = (
  response: http.ServerResponse,
  status: number,
  headers: http.OutgoingHttpHeaders,
  body?: string | Buffer
) => {
  const bytes = body === undefined ? empty : typeof body === "string" ? Buffer.from(body) : body
  response.writeHead(status, { "content-length": bytes.length, ...headers })
  if (bytesPerMs <= 0 || bytes.length < 65536) return response.end(bytes)
  // Paced writes: about bytesPerMs per millisecond, in 64 KiB slices.
  let at = 0
  const started = performance.now()
  const pump = () => {
    while (at < bytes.length) {
      const allowed = (performance.now() - started) * bytesPerMs
      if (at >= allowed) return void setTimeout(pump, Math.max(1, (at - allowed) / bytesPerMs))
      const end = Math.min(bytes.length, at + 65536)
      const ok = response.write(bytes.subarray(at, end))
      at = end
      if (!ok) return void response.once("drain", pump)
    }
    response.end()
  }
  pump()
}

const notFound = (response: http.ServerResponse, code: string, method: string) =>
  send(
    response,
    404,
    { "content-type": "application/xml" },
    method === "HEAD" ? undefined : xml(`<Error><Code>${code}</Code></Error>`)
  )

const metadataOf = (request: http.IncomingMessage): http.OutgoingHttpHeaders => {
  const metadata: http.OutgoingHttpHeaders = {}
  for (const name in request.headers) {
    if (name.startsWith("x-amz-meta-")) metadata[name] = request.headers[name]
  }
  return metadata
}

const escapeXml = (text: string) => text.replace(/[&<>]/g, (character) => `&#${character.charCodeAt(0)};`)

/** ListObjects V1 (`marker`) or V2 (`list-type=2`, continuation tokens), with a delimiter or not. */
const listing = (bucket: string, query: URLSearchParams): string => {
  const v2 = query.get("list-type") === "2"
  const prefix = query.get("prefix") ?? ""
  const delimiter = query.get("delimiter") ?? ""
  const maxKeys = Math.min(Number(query.get("max-keys") ?? 1000), 1000)
  const after = v2 ? (query.get("continuation-token") ?? query.get("start-after") ?? "") : query.get("marker") ?? ""
  const ids = orderedIds()
  const from = `${bucket}/${prefix}`
  // The first id after both the prefix's start and the marker: a binary search.
  const first = `${bucket}/${after > prefix ? after : prefix}`
  let low = 0
  let high = ids.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (ids[middle]! < first || (after !== "" && ids[middle] === first)) low = middle + 1
    else high = middle
  }
  // After a common prefix: past every key under it.
  if (delimiter !== "" && after.endsWith(delimiter)) {
    while (low < ids.length && ids[low]!.startsWith(`${bucket}/${after}`)) low++
  }
  const contents: Array<string> = []
  const prefixes: Array<string> = []
  let last = ""
  let truncated = false
  for (let at = low; at < ids.length && ids[at]!.startsWith(from); at++) {
    if (contents.length + prefixes.length === maxKeys) {
      truncated = true
      break
    }
    const key = ids[at]!.slice(bucket.length + 1)
    const rolled = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length)
    if (rolled !== -1) {
      const common = key.slice(0, rolled + delimiter.length)
      if (prefixes.at(-1) !== common) prefixes.push(common)
      last = common
      // Past every key under this common prefix.
      while (at + 1 < ids.length && ids[at + 1]!.startsWith(`${bucket}/${common}`)) at++
      continue
    }
    const stored = objects.get(ids[at]!)!
    contents.push(
      `<Contents><Key>${escapeXml(key)}</Key><LastModified>${
        (stored.lastModified ?? new Date(0)).toISOString()
      }</LastModified><ETag>${
        escapeXml(stored.etag)
      }</ETag><Size>${stored.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`
    )
    last = key
  }
  const next = truncated
    ? (v2
      ? `<NextContinuationToken>${escapeXml(last)}</NextContinuationToken>`
      : `<NextMarker>${escapeXml(last)}</NextMarker>`)
    : ""
  return `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${
    contents.length + prefixes.length
  }</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${contents.join("")}${
    prefixes.map((common) => `<CommonPrefixes><Prefix>${escapeXml(common)}</Prefix></CommonPrefixes>`).join("")
  }</ListBucketResult>`
}

const handle = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  body: Buffer,
  bodySize: number,
  md5: Hash | undefined
) => {
  const url = new URL(request.url ?? "/", "http://fixture")
  const [, bucket = "", ...rest] = url.pathname.split("/")
  const key = decodeURIComponent(rest.join("/"))
  const id = `${bucket}/${key}`
  const method = request.method ?? "GET"
  const query = url.searchParams

  if (key === "") {
    if (method === "PUT") return send(response, 200, {})
    if (method === "POST" && query.has("delete")) {
      const keys = [...body.toString().matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1]!)
      for (const deleted of keys) remove(`${bucket}/${deleted}`)
      return send(
        response,
        200,
        { "content-type": "application/xml" },
        xml(
          `<DeleteResult>${keys.map((deleted) => `<Deleted><Key>${deleted}</Key></Deleted>`).join("")}</DeleteResult>`
        )
      )
    }
    if (method === "GET") return send(response, 200, { "content-type": "application/xml" }, xml(listing(bucket, query)))
  }
  if (method === "POST" && query.has("uploads")) {
    const uploadId = `upload-${++counter}`
    uploads.set(uploadId, { parts: new Map(), metadata: metadataOf(request) })
    return send(
      response,
      200,
      { "content-type": "application/xml" },
      xml(
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`
      )
    )
  }
  if (query.has("uploadId")) {
    const uploadId = query.get("uploadId")!
    const upload = uploads.get(uploadId)
    if (upload === undefined) return notFound(response, "NoSuchUpload", method)
    const parts = upload.parts
    if (method === "PUT") {
      const etag = nextETag()
      const checksum = sentChecksum(request)
      parts.set(Number(query.get("partNumber")), { body, size: bodySize, etag, checksum })
      return send(response, 200, { etag, ...checksumHeaders(checksum) })
    }
    if (method === "DELETE") {
      uploads.delete(uploadId)
      return send(response, 204, {})
    }
    if (method === "POST") {
      const numbers = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1]))
      const chosen = numbers.map((number) => parts.get(number)!)
      const etag = `"${(++counter).toString(16).padStart(32, "0")}-${chosen.length}"`
      const joined = discard ? empty : Buffer.concat(chosen.map((part) => part.body))
      const checksum = completedChecksum(request, chosen)
      store(id, {
        body: joined,
        size: chosen.reduce((total, part) => total + part.size, 0),
        etag,
        lastModified: new Date(),
        metadata: upload.metadata,
        checksum
      })
      uploads.delete(uploadId)
      return send(
        response,
        200,
        { "content-type": "application/xml" },
        xml(
          `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>${
            etag.replaceAll("\"", "&quot;")
          }</ETag>${
            checksum === undefined
              ? ""
              : `<Checksum${checksum.algorithm}>${checksum.value}</Checksum${checksum.algorithm}><ChecksumType>${checksum.type}</ChecksumType>`
          }</CompleteMultipartUploadResult>`
        )
      )
    }
  }
  if (method === "PUT") {
    const etag = md5 === undefined ? nextETag() : `"${md5.digest("hex")}"`
    const checksum = sentChecksum(request)
    store(id, { body, size: bodySize, etag, lastModified: new Date(), metadata: metadataOf(request), checksum })
    return send(response, 200, { etag, ...checksumHeaders(checksum) })
  }
  if (method === "DELETE") {
    remove(id)
    return send(response, 204, {})
  }
  const stored = objects.get(id)
  if (stored === undefined) return notFound(response, "NoSuchKey", method)
  const headers = {
    ...stored.metadata,
    etag: stored.etag,
    "last-modified": (stored.lastModified ?? new Date(0)).toUTCString(),
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes"
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "")
  // S3 answers the object's checksum on a HEAD or a GET of the whole object, not on a range of it.
  const checksum = request.headers["x-amz-checksum-mode"] === "ENABLED" && range === null
    ? checksumHeaders(stored.checksum)
    : {}
  if (method === "HEAD") {
    response.writeHead(200, { ...headers, ...checksum, "content-length": stored.size })
    return response.end()
  }
  if (range !== null) {
    const start = Number(range[1])
    const end = Math.min(range[2] === "" ? stored.size - 1 : Number(range[2]), stored.size - 1)
    return send(
      response,
      206,
      { ...headers, "content-range": `bytes ${start}-${end}/${stored.size}` },
      stored.body.subarray(start, end + 1)
    )
  }
  return send(response, 200, { ...headers, ...checksum }, stored.body)
}

const serve = (request: http.IncomingMessage, response: http.ServerResponse) => {
  const chunks: Array<Buffer> = []
  let size = 0
  // Uploaded bodies in discard mode are only counted: XML request bodies (Complete, DeleteObjects) are kept.
  const keep = !discard || request.method === "POST"
  // A single PUT's ETag is its MD5, hashed as it arrives; a part's is a counter.
  const md5 = request.method === "PUT" && !(request.url ?? "").includes("uploadId=") ? createHash("md5") : undefined
  request.on("data", (chunk: Buffer) => {
    size += chunk.length
    md5?.update(chunk)
    if (keep) chunks.push(chunk)
  })
  request.on("end", () => {
    const body = keep ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) : Buffer.alloc(0)
    const answer = () => handle(request, response, body, size, md5)
    if (latencyMs > 0) setTimeout(answer, latencyMs)
    else answer()
  })
}
const server = values["tls-key"] === undefined || values["tls-cert"] === undefined
  ? http.createServer(serve)
  : https.createServer({ key: fs.readFileSync(values["tls-key"]), cert: fs.readFileSync(values["tls-cert"]) }, serve)
server.keepAliveTimeout = 60_000
// The benchmark holds this process's stdin: when the benchmark ends, however it ends, so does the fixture.
process.stdin.on("end", () => process.exit(0)).resume()
server.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`PORT=${(server.address() as AddressInfo).port}`)
})
