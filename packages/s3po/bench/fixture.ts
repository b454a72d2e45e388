/**
 * Benchmark fixture, not an S3 implementation: a minimal S3-speaking HTTP server that answers from
 * memory as cheaply as it can, so that a benchmark measures the client, not the server. It runs in
 * its own process and prints `PORT=<n>` when ready.
 *
 * It answers CreateBucket, PutObject, GetObject (one Range), HeadObject, DeleteObject(s),
 * ListObjectsV2 (no delimiter, first page), and multipart create/part/complete/abort. It does not
 * check signatures, does not hash bodies (ETags are counters) and keeps no metadata.
 *
 *   --latency <ms>          wait this long before answering each request (S3's first-byte latency)
 *   --connection-mbps <n>   cap each connection's response bandwidth (one S3 connection tops out near 100 MB/s)
 *   --discard               acknowledge uploads without keeping their bytes (memory benchmarks)
 *   --tls-key, --tls-cert   answer HTTPS with this PEM key and certificate
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as https from "node:https"
import type { AddressInfo } from "node:net"
import { parseArgs } from "node:util"

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
}

const objects = new Map<string, Stored>()
const uploads = new Map<string, Map<number, Stored>>()
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

const handle = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer, bodySize: number) => {
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
      for (const deleted of keys) objects.delete(`${bucket}/${deleted}`)
      return send(
        response,
        200,
        { "content-type": "application/xml" },
        xml(
          `<DeleteResult>${keys.map((deleted) => `<Deleted><Key>${deleted}</Key></Deleted>`).join("")}</DeleteResult>`
        )
      )
    }
    if (method === "GET") {
      const prefix = `${bucket}/${query.get("prefix") ?? ""}`
      const keys = [...objects.keys()].filter((stored) => stored.startsWith(prefix)).sort().slice(0, 1000)
      return send(
        response,
        200,
        { "content-type": "application/xml" },
        xml(
          `<ListBucketResult><IsTruncated>false</IsTruncated>${
            keys.map((stored) => `<Contents><Key>${stored.slice(bucket.length + 1)}</Key></Contents>`).join("")
          }</ListBucketResult>`
        )
      )
    }
  }
  if (method === "POST" && query.has("uploads")) {
    const uploadId = `upload-${++counter}`
    uploads.set(uploadId, new Map())
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
    const parts = uploads.get(uploadId)
    if (parts === undefined) return notFound(response, "NoSuchUpload", method)
    if (method === "PUT") {
      const etag = nextETag()
      parts.set(Number(query.get("partNumber")), { body, size: bodySize, etag })
      return send(response, 200, { etag })
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
      objects.set(id, { body: joined, size: chosen.reduce((total, part) => total + part.size, 0), etag })
      uploads.delete(uploadId)
      return send(
        response,
        200,
        { "content-type": "application/xml" },
        xml(
          `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>${
            etag.replaceAll("\"", "&quot;")
          }</ETag></CompleteMultipartUploadResult>`
        )
      )
    }
  }
  if (method === "PUT") {
    const etag = nextETag()
    objects.set(id, { body, size: bodySize, etag })
    return send(response, 200, { etag })
  }
  if (method === "DELETE") {
    objects.delete(id)
    return send(response, 204, {})
  }
  const stored = objects.get(id)
  if (stored === undefined) return notFound(response, "NoSuchKey", method)
  const headers = {
    etag: stored.etag,
    "last-modified": new Date(0).toUTCString(),
    "content-type": "application/octet-stream",
    "accept-ranges": "bytes"
  }
  if (method === "HEAD") {
    response.writeHead(200, { ...headers, "content-length": stored.size })
    return response.end()
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "")
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
  return send(response, 200, headers, stored.body)
}

const serve = (request: http.IncomingMessage, response: http.ServerResponse) => {
  const chunks: Array<Buffer> = []
  let size = 0
  // Uploaded bodies in discard mode are only counted: XML request bodies (Complete, DeleteObjects) are kept.
  const keep = !discard || request.method === "POST"
  request.on("data", (chunk: Buffer) => {
    size += chunk.length
    if (keep) chunks.push(chunk)
  })
  request.on("end", () => {
    const body = keep ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)) : Buffer.alloc(0)
    const answer = () => handle(request, response, body, size)
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
