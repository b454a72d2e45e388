import type * as Effect from "effect/Effect"
import type { Output } from "./output.js"

/**
 * The bar of a one-file `cp` or `mv`, moved by the bytes the library reports (`uploadFile`'s
 * `onProgress` as S3 acknowledges each part, `downloadFile`'s as the bytes arrive), as a sync's.
 */
export const oneFileProgress = (output: Output) => {
  const started = Date.now()
  return (progress: { readonly bytes: number; readonly totalBytes?: number | undefined }): Effect.Effect<void> => {
    const total = progress.totalBytes ?? progress.bytes
    const seconds = (Date.now() - started) / 1000
    return output.progress({
      filesDone: total > 0 && progress.bytes >= total ? 1 : 0,
      filesTotal: 1,
      bytesDone: progress.bytes,
      bytesTotal: total,
      bytesPerSecond: seconds > 0 ? progress.bytes / seconds : 0,
      planned: true
    })
  }
}
