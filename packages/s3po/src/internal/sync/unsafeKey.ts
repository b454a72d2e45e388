import * as Schema from "effect/Schema"
import { lazyTaggedError, TypeId, where } from "../core/errorClass.js"
import { printable } from "../core/printable.js"

/**
 * A key that would be written outside the directory a sync downloads into (`../x`, `/abs`, `C:\\x`,
 * a NUL byte, ...): the object is left where it is and nothing is written for it. Only a sync
 * (`Sync.syncDown`) fails with it.
 */
export class UnsafeKey extends lazyTaggedError<UnsafeKey>()("UnsafeKey", () => ({
  operation: Schema.String,
  bucket: Schema.String,
  key: Schema.String,
  reason: Schema.String
})) {
  readonly [TypeId]: typeof TypeId = TypeId

  override get message(): string {
    return printable(`${this.operation}: ${where(this.bucket, this.key)}: ${this.reason}`)
  }
}
