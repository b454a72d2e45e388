import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export interface Certificate {
  readonly key: string
  readonly cert: string
}

/** A fresh self-signed certificate for 127.0.0.1 (by the `openssl` command), for loopback HTTPS servers. */
export const selfSignedCertificate = (): Certificate => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3po-tls-"))
  const key = path.join(dir, "key.pem")
  const cert = path.join(dir, "cert.pem")
  try {
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert
    ], { stdio: "ignore" })
    return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
