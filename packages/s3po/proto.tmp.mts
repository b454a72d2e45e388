import { S3Client, PutObjectCommand, GetObjectCommand, CreateBucketCommand } from "@aws-sdk/client-s3"
import { Pool } from "undici"
import { readFileSync } from "node:fs"
const env = Object.fromEntries(readFileSync("/tmp/devrgw/env", "utf8").trim().split("\n").map((l) => l.split("=", 2)))
const endpoint = process.env.EP ?? env.S3PO_ENDPOINT
const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } })
await client.send(new CreateBucketCommand({ Bucket: "proto" })).catch(() => {})
await client.send(new PutObjectCommand({ Bucket: "proto", Key: "k", Body: new Uint8Array(1024) }))
const c: any = client.config
const ep = c.endpointProvider({ Bucket: "proto", Region: "us-east-1", ForcePathStyle: true, Endpoint: endpoint, UseFIPS: false, UseDualStack: false, Accelerate: false })
const scheme = ep.properties.authSchemes[0]
const signer = await c.signer(scheme)
console.log(ep.url, scheme, signer.constructor.name)
const url = new URL(ep.url)
const pool = new Pool(url.origin, { connections: 64 })
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
const get = async () => {
  const req = { method: "GET", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname + "/k", query: {}, headers: { host: url.host, "x-amz-content-sha256": emptyHash } }
  const signed = await signer.sign(req, { signingRegion: scheme.signingRegion, signingService: scheme.signingName })
  const res = await pool.request({ method: "GET", path: signed.path, headers: signed.headers })
  const body = await res.body.arrayBuffer()
  if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${Buffer.from(body).toString()}`)
  return body.byteLength
}
console.log(await get())
const run = async (n: number, f: () => Promise<unknown>, conc = 32) => {
  const t = performance.now(); const cpu = process.cpuUsage()
  let next = 0
  await Promise.all(Array.from({ length: conc }, async () => { while (next++ < n) await f() }))
  const used = process.cpuUsage(cpu); const ms = performance.now() - t
  return { opsPerSec: Math.round(n / ms * 1000), cpuUs: Math.round((used.user + used.system) / n) }
}
for (let i = 0; i < 3; i++) {
  console.log("lean", await run(5000, get, 64))
  console.log("sdk", await run(5000, async () => { const r = await client.send(new GetObjectCommand({ Bucket: "proto", Key: "k" })); await r.Body!.transformToByteArray() }))
}
await pool.close(); client.destroy()
{
  const req = { method: "GET", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname + "/k", query: {}, headers: { host: url.host, "x-amz-content-sha256": emptyHash } }
  for (let r = 0; r < 3; r++) {
    const t = process.cpuUsage()
    for (let i = 0; i < 5000; i++) await signer.sign(req, { signingRegion: scheme.signingRegion, signingService: scheme.signingName })
    const u = process.cpuUsage(t); console.log("sign µs", Math.round((u.user + u.system) / 5000))
  }
}
