/**
 * A fake S3 server for listings: it answers ListObjectsV2, ListMultipartUploads and ListBuckets
 * with the pages a test scripts, however wrong (a token given twice, a truncated page without
 * one), takes DeleteObjects and AbortMultipartUpload without acting on them, and records every
 * request. Pages are found by the token or markers the request carries, so a script that hands
 * out an earlier token sends the client round in a loop, as a broken proxy would.
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type { S3Po, ValidationError } from "s3po"
import * as S3PoLive from "s3po/S3PoLive"

/** One scripted page. `next` is the token (or `key uploadId` marker) it hands out; `truncated` defaults to whether it has one. */
export interface ScriptedPage {
  readonly names: ReadonlyArray<string>
  readonly truncated?: boolean
  readonly next?: string | undefined
}

/** Pages by the token that asks for them: `""` is the first request's (no token or marker). */
export type Script = ReadonlyMap<string, ScriptedPage>

export interface ScriptedRequest {
  readonly operation: string
  readonly query: URLSearchParams
  readonly body: string
}

export interface ScriptedS3 {
  readonly endpoint: string
  /** What the server answers each listing with; set by the test. */
  objects: Script
  uploads: Script
  buckets: Script
  readonly requests: Array<ScriptedRequest>
  readonly close: () => Promise<void>
}

/** When every listed object was last modified: long ago, so that a sync finds local files newer. */
export const listedModified = "2000-01-01T00:00:00.000Z"

const escaped = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const element = (name: string, value: string | undefined) =>
  value === undefined ? "" : `<${name}>${escaped(value)}</${name}>`

const document = (root: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`

const pageOf = (script: Script, token: string): ScriptedPage => script.get(token) ?? { names: [], truncated: false }

const truncatedOf = (page: ScriptedPage) => page.truncated ?? page.next !== undefined

const listObjects = (script: Script, bucket: string, query: URLSearchParams) => {
  const page = pageOf(script, query.get("continuation-token") ?? "")
  return document(
    "ListBucketResult",
    element("Name", bucket) + element("Prefix", query.get("prefix") ?? "") +
      element("KeyCount", String(page.names.length)) + element("MaxKeys", "1000") +
      element("IsTruncated", String(truncatedOf(page))) +
      element("NextContinuationToken", page.next) +
      page.names.map((key) =>
        "<Contents>" + element("Key", key) + element("LastModified", listedModified) +
        element("ETag", "\"0cc175b9c0f1b6a831c399e269772661\"") + element("Size", "1") +
        element("StorageClass", "STANDARD") + "</Contents>"
      ).join("")
  )
}

/** An upload's name is `key uploadId`; so is a marker, split the same way. */
const split = (name: string) => {
  const at = name.lastIndexOf(" ")
  return { key: name.slice(0, at), uploadId: name.slice(at + 1) }
}

const listUploads = (script: Script, bucket: string, query: URLSearchParams) => {
  const keyMarker = query.get("key-marker")
  const asked = keyMarker === null ? "" : `${keyMarker} ${query.get("upload-id-marker") ?? ""}`
  const page = pageOf(script, asked)
  const next = page.next === undefined ? undefined : split(page.next)
  return document(
    "ListMultipartUploadsResult",
    element("Bucket", bucket) + element("MaxUploads", "1000") + element("IsTruncated", String(truncatedOf(page))) +
      element("NextKeyMarker", next?.key) + element("NextUploadIdMarker", next?.uploadId) +
      page.names.map((name) =>
        "<Upload>" + element("Key", split(name).key) + element("UploadId", split(name).uploadId) +
        element("Initiated", listedModified) + element("StorageClass", "STANDARD") + "</Upload>"
      ).join("")
  )
}

const listBuckets = (script: Script, query: URLSearchParams) => {
  const page = pageOf(script, query.get("continuation-token") ?? "")
  return document(
    "ListAllMyBucketsResult",
    "<Owner><ID>owner</ID></Owner><Buckets>" +
      page.names.map((name) =>
        "<Bucket>" + element("Name", name) + element("CreationDate", listedModified) + "</Bucket>"
      ).join("") +
      "</Buckets>" + element("ContinuationToken", page.next)
  )
}

const deleted = (body: string) =>
  document(
    "DeleteResult",
    Array.from(body.matchAll(/<Key>([^<]*)<\/Key>/g), (match) => `<Deleted><Key>${match[1]}</Key></Deleted>`).join("")
  )

const operationOf = (method: string, path: string, query: URLSearchParams) => {
  if (method === "GET" && path === "/") return "ListBuckets"
  if (method === "GET" && query.get("list-type") === "2") return "ListObjectsV2"
  if (method === "GET" && query.has("uploads")) return "ListMultipartUploads"
  if (method === "POST" && query.has("delete")) return "DeleteObjects"
  if (method === "DELETE" && query.has("uploadId")) return "AbortMultipartUpload"
  return `${method} ${path}`
}

export const startScriptedS3 = (): Promise<ScriptedS3> =>
  new Promise((resolve) => {
    const requests: Array<ScriptedRequest> = []
    const server = http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        const url = new URL(request.url ?? "/", "http://localhost")
        const bucket = decodeURIComponent(url.pathname.split("/")[1] ?? "")
        const operation = operationOf(request.method ?? "GET", url.pathname, url.searchParams)
        const body = Buffer.concat(chunks).toString("utf8")
        requests.push({ operation, query: url.searchParams, body })
        const answer = (status: number, xml?: string) => {
          response.writeHead(status, xml === undefined ? {} : { "content-type": "application/xml" })
          response.end(xml)
        }
        switch (operation) {
          case "ListObjectsV2":
            return answer(200, listObjects(scripted.objects, bucket, url.searchParams))
          case "ListMultipartUploads":
            return answer(200, listUploads(scripted.uploads, bucket, url.searchParams))
          case "ListBuckets":
            return answer(200, listBuckets(scripted.buckets, url.searchParams))
          case "DeleteObjects":
            return answer(200, deleted(body))
          case "AbortMultipartUpload":
            return answer(204)
          default:
            return answer(501, document("Error", element("Code", "NotImplemented")))
        }
      })
    })
    const scripted: ScriptedS3 = {
      endpoint: "",
      objects: new Map(),
      uploads: new Map(),
      buckets: new Map(),
      requests,
      close: () =>
        new Promise((done) => {
          server.closeAllConnections()
          server.close(() => done())
        })
    }
    server.listen(0, "127.0.0.1", () => {
      Object.assign(scripted, { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
      resolve(scripted)
    })
  })

/** The live layer against a scripted server, without retries, so that each request is one the script answers. */
export const layerAgainst = (server: ScriptedS3): Layer.Layer<S3Po, ValidationError> =>
  S3PoLive.layer({
    endpoint: server.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    retry: "off",
    credentials: { accessKeyId: "scripted", secretAccessKey: Redacted.make("scripted-secret") }
  })

/** A scripted server for the length of a scope. */
export const scriptedS3 = Effect.acquireRelease(
  Effect.promise(startScriptedS3),
  (server) => Effect.promise(server.close)
)

/**
 * Pages in order over `pages` of names, each handing out a fresh token (`t1`, `t2`, ...) but the last.
 * For uploads, a page's token is the marker of its last upload.
 */
export const inOrder = (
  pages: ReadonlyArray<ReadonlyArray<string>>,
  tokenOf: (page: ReadonlyArray<string>, index: number) => string = (_, index) => `t${index + 1}`
): Map<string, ScriptedPage> => {
  const script = new Map<string, ScriptedPage>()
  let asked = ""
  pages.forEach((names, index) => {
    const next = index === pages.length - 1 ? undefined : tokenOf(names, index)
    script.set(asked, { names, next })
    if (next !== undefined) asked = next
  })
  return script
}
