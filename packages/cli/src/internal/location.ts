import { printable } from "s3po"

/** Where a command reads or writes: an S3 location (`s3://bucket/key`) or a local path. */
export type Location =
  | { readonly _tag: "S3"; readonly bucket: string; readonly key: string }
  | { readonly _tag: "Local"; readonly path: string }

const s3Url = /^s3:\/\/([^/]*)\/?(.*)$/s

/** Reads `s3://bucket/key` (the key may be empty or a prefix) or a local path. */
export const parseLocation = (text: string): Location => {
  const match = s3Url.exec(text)
  return match === null ? { _tag: "Local", path: text } : { _tag: "S3", bucket: match[1]!, key: match[2]! }
}

/** A prefix as a folder: `photos` and `photos/` both name `photos/...`. */
export const folder = (prefix: string) => prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`

/** A local file system failure as a command reports it. */
export const localFailure = (subject: string) => (cause: unknown) => ({
  message: `${subject}: ${cause instanceof Error ? cause.message : String(cause)}`
})

/** An S3 location as a line shows it: control characters escaped (`printable`). */
export const formatS3 = (bucket: string, key: string) => printable(`s3://${bucket}/${key}`)

/** The last name of a key or path: what a copy into a folder names its file or object. */
export const baseName = (keyOrPath: string) => keyOrPath.replace(/\/+$/, "").split("/").at(-1) ?? ""
