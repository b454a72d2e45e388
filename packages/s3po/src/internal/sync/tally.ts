import { S3ServiceError } from "../../S3PoError.js"
import type { SyncProgress } from "./model.js"

/** What a sync's progress and summary are counted from, whichever sides it runs between. */
export class Tally<Failure> {
  filesDone = 0
  filesTotal = 0
  bytesDone = 0
  bytesTotal = 0
  planned = false
  copied = 0
  copiedBytes = 0
  skipped = 0
  deleted = 0
  readonly failed: Array<Failure> = []
  private readonly started = Date.now()

  progress(): SyncProgress {
    const seconds = (Date.now() - this.started) / 1000
    return {
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond: seconds > 0 ? this.bytesDone / seconds : 0,
      planned: this.planned
    }
  }

  summary(dryRun: boolean) {
    const { copied, copiedBytes, skipped, deleted, failed } = this
    return { copied, copiedBytes, skipped, deleted, failed, dryRun }
  }
}

/** A key DeleteObjects did not remove, as the error it reported for it. */
export const deleteFailure = (bucket: string, failed: { key: string; code: string; message: string }) =>
  new S3ServiceError({
    operation: "DeleteObjects",
    bucket,
    key: failed.key,
    status: 200,
    code: failed.code,
    detail: failed.message,
    retryable: false
  })
