import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { LocalFiles, printable } from "s3po"
import { localFailure } from "./location.js"

/** What `file` names, a link itself rather than what it points to: what a move compares before and after its copy. */
export const entryAt = (
  file: string
): Effect.Effect<Option.Option<LocalFiles.FileInfo>, { readonly message: string }> =>
  Effect.flatMap(
    LocalFiles.LocalFiles,
    (files) => Effect.mapError(files.stat(file, { followLinks: false }), localFailure(file))
  )

const same = (before: LocalFiles.FileInfo, after: LocalFiles.FileInfo) =>
  before.identity === after.identity && before.type === after.type && before.size === after.size &&
  before.modified.getTime() === after.modified.getTime()

/**
 * Removes the source of a move once it is copied, if `file` still names what it named before the
 * copy (`before`, from `entryAt`): the same file, unchanged. Replaced in between (by another file,
 * or a link to one) or written to, it names what was not copied: it is kept, and the move fails.
 */
export const removeSource = (
  file: string,
  before: Option.Option<LocalFiles.FileInfo>
): Effect.Effect<void, { readonly message: string }> =>
  Effect.gen(function*() {
    const now = yield* entryAt(file)
    if (Option.isNone(before) || Option.isNone(now) || !same(before.value, now.value)) {
      return yield* Effect.fail({ message: `${printable(file)}: changed while it was copied: kept` })
    }
    const files = yield* LocalFiles.LocalFiles
    yield* Effect.mapError(files.remove(file), localFailure(file))
  })
