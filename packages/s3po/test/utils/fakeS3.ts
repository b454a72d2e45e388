/**
 * A fake S3 server that answers as a test scripts it, for what the test server does not do as AWS
 * documents (Ceph RGW ignores If-Match on DeleteObject, answers 404 where AWS answers 405 or
 * NoSuchVersion): it records every request, method, path, query and headers, and answers each
 * with what `answer` gives for it.
 */
import * as http from "node:http"
import { listenOnLoopback } from "./loopback.js"

export interface FakeRequest {
  readonly method: string
  /** The path, decoded: `/bucket/key`. */
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface FakeAnswer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: string | undefined
}

export interface FakeS3 {
  readonly endpoint: string
  /** What the server answers each request with; set by the test (200 with no body by default). */
  answer: (request: FakeRequest) => FakeAnswer
  readonly requests: Array<FakeRequest>
  readonly close: () => Promise<void>
}

/** An S3 error document, as AWS answers it. */
export const errorDocument = (code: string, message: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAKE0001</RequestId></Error>`

export const startFakeS3 = async (): Promise<FakeS3> => {
  const requests: Array<FakeRequest> = []
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Array<Buffer> = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", () => {
      const url = new URL(incoming.url ?? "/", "http://fake")
      const request: FakeRequest = {
        method: incoming.method ?? "GET",
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8")
      }
      requests.push(request)
      const answer = fake.answer(request)
      const body = request.method === "HEAD" ? undefined : answer.body
      outgoing.writeHead(answer.status, {
        "x-amz-request-id": "FAKE0001",
        ...(answer.body === undefined ? {} : { "content-type": "application/xml" }),
        "content-length": String(Buffer.byteLength(answer.body ?? "")),
        ...answer.headers
      })
      outgoing.end(body)
    })
  })
  const loopback = await listenOnLoopback(server)
  const fake: FakeS3 = {
    endpoint: loopback.endpoint,
    answer: () => ({ status: 200 }),
    requests,
    close: loopback.close
  }
  return fake
}
