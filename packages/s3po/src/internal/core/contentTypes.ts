import * as Effect from "effect/Effect"
import type { ObjectAttributes } from "../../S3Po.js"
import { ValidationError } from "../../S3PoError.js"

/** Whether an upload of a local file takes its content type from the file's extension. */
export interface ContentTypeGuess {
  readonly guessContentType?: boolean | undefined
}

type Database = { readonly getType: (path: string) => string | null }

let database: Promise<Database> | undefined
/** The database once loaded: a guess then costs no wait (a sync of small files makes one per file). */
let ready: Database | undefined

// The MIME database (about 45 kB of JavaScript) is loaded by the first upload that guesses, not by
// `import "s3po"`.
const loaded = (): Promise<Database> => {
  if (database === undefined) {
    database = import("mime").then((module) => {
      ready = module.default
      return ready
    })
  }
  return database
}

/**
 * The content type the MIME database gives a file name's extension (case aside), or `undefined`
 * for a name without one, or with one it does not know.
 */
export const fromExtension = (path: string): Effect.Effect<string | undefined> => {
  const name = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1)
  // `.bashrc` and `txt` have no extension: the name is all they are (the database takes a bare `txt` as one).
  if (name.lastIndexOf(".") <= 0) return Effect.succeed(undefined)
  if (ready !== undefined) return Effect.succeed(ready.getType(name) ?? undefined)
  return Effect.map(Effect.promise(loaded), (mime) => mime.getType(name) ?? undefined)
}

export const guessProblem = (operation: string, options: ContentTypeGuess): ValidationError | undefined =>
  options.guessContentType === undefined || typeof options.guessContentType === "boolean"
    ? undefined
    : new ValidationError({ operation, field: "guessContentType", reason: "must be true or false" })

/**
 * The options of an upload of the file at `path`, with the content type of its extension unless
 * the caller gave one or said not to guess. A file the database does not know is left to the
 * upload's default (`application/octet-stream`).
 */
export const withGuessedType = <Options extends ObjectAttributes & ContentTypeGuess>(
  path: string,
  options: Options
): Effect.Effect<Options> =>
  options.contentType !== undefined || options.guessContentType === false
    ? Effect.succeed(options)
    : Effect.map(
      fromExtension(path),
      (contentType) => contentType === undefined ? options : { ...options, contentType }
    )
