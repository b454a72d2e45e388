import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import type { DownloadOptions, S3Po, S3PoError } from "s3po"

/** A read path, as a function to the bytes it hands out; the directory is the test's own. */
export interface ReadPath {
  readonly name: string
  readonly read: (
    s3: S3Po.Service,
    bucket: string,
    key: string,
    dir: string,
    options?: DownloadOptions
  ) => Effect.Effect<Uint8Array, S3PoError>
}

const toFile = (name: string, extra: DownloadOptions): ReadPath => ({
  name,
  read: (s3, bucket, key, dir, options) => {
    const file = path.join(dir, `${name}.bin`)
    return Effect.zipRight(
      s3.downloadFile(bucket, key, file, { ...extra, ...options }),
      Effect.promise(() => fs.readFile(file).then((bytes) => new Uint8Array(bytes)))
    )
  }
})

/** Every whole-object read that hands out bytes, the ranged ones in parts of `partSize`, three at once. */
export const readPathsWith = (partSize: number): ReadonlyArray<ReadPath> => {
  const ranged = { concurrency: 3, partSize }
  return [
    { name: "download", read: (s3, bucket, key, _, options) => s3.download(bucket, key, options) },
    {
      name: "downloadString",
      read: (s3, bucket, key, _, options) =>
        Effect.map(s3.downloadString(bucket, key, options), (text) => new TextEncoder().encode(text))
    },
    toFile("downloadFile", {}),
    {
      name: "ranged download",
      read: (s3, bucket, key, _, options) => s3.download(bucket, key, { ...ranged, ...options })
    },
    toFile("ranged downloadFile", ranged)
  ]
}
