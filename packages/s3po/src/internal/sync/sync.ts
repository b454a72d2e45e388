import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as path from "node:path"
import type { LocalFiles } from "../../LocalFiles.js"
import { type ObjectAttributes, S3Po } from "../../S3Po.js"
import { LocalFileError, type S3PoError, ValidationError } from "../../S3PoError.js"
import * as ArgumentShapes from "../core/argumentShapes.js"
import { anyGiven, attributesOf } from "../core/attributes.js"
import * as ContentTypes from "../core/contentTypes.js"
import { defaultMultipartThreshold } from "../core/limits.js"
import * as Validate from "../core/validation.js"
import * as LocalFilesTag from "../localFiles/tag.js"
import { filterProblem } from "./filters.js"
import type { SyncAction, SyncError, SyncFailure, SyncLocation, SyncOptions, SyncSummary } from "./model.js"
import * as Plan from "./plan.js"
import { isWithin } from "./safePath.js"
import { deleteFailure, Tally } from "./tally.js"

const defaultConcurrency = 16
/** Large files at once among the others: each sends several parts at a time already. */
const largeFilesAtOnce = 2
/** Keys per DeleteObjects request, S3's most. */
const deleteBatch = 1000

const problemOf = (operation: string, localDir: string, location: SyncLocation, options: SyncOptions) =>
  ArgumentShapes.argumentsProblem(operation, [
    ["localDir", "string"],
    [operation === "syncUp" ? "destination" : "source", "prefixLocation"],
    ["options", "options"]
  ], [localDir, location, options]) ??
    Validate.bucket(operation, location.bucket) ??
    Validate.text(operation, "prefix", location.prefix) ??
    Validate.concurrency(operation, "concurrency", options.concurrency) ??
    Validate.objectAttributes(operation, options) ??
    ContentTypes.guessProblem(operation, options) ??
    (localDir === ""
      ? new ValidationError({ operation, field: "localDir", reason: "must not be empty" })
      : undefined) ??
    globProblem(operation, options)

const globProblem = (operation: string, options: SyncOptions) => {
  const problem = filterProblem(options)
  return problem === undefined ? undefined : new ValidationError({ operation, ...problem })
}

/**
 * The local directory of a sync, as a real path. When it is missing: made (`create`), taken as
 * empty (`empty`: a plan or a dry run down into it), or an error (`fail`: a sync up from it).
 */
const directoryOf = (
  files: LocalFiles,
  operation: string,
  localDir: string,
  whenMissing: "create" | "empty" | "fail"
): Effect.Effect<string, LocalFileError> => {
  const failed = (cause: unknown) =>
    new LocalFileError({ operation, path: localDir, reason: "is not a directory to sync", cause })
  return Effect.gen(function*() {
    if (whenMissing === "create") yield* files.makeDirectory(localDir)
    const real = yield* files.realPath(localDir)
    if (Option.isNone(real)) {
      if (whenMissing === "empty") return path.resolve(localDir)
      return yield* failed("no such directory")
    }
    const info = yield* files.stat(real.value)
    if (Option.isNone(info) || info.value.type !== "Directory") return yield* failed("not a directory")
    return real.value
  }).pipe(Effect.mapError((error) => error instanceof LocalFileError ? error : failed(error)))
}

const sizeOf = (action: SyncAction) => action._tag === "Upload" || action._tag === "Download" ? action.size : 0

interface Run {
  readonly s3: S3Po.Service
  readonly files: LocalFiles
  readonly operation: "syncUp" | "syncDown"
  readonly bucket: string
  /** The local directory, as a real path. */
  readonly root: string
  readonly options: SyncOptions
  /** What every upload stores (the options' attributes) and whether it guesses its content type: made once. */
  readonly uploadOptions: ObjectAttributes & ContentTypes.ContentTypeGuess
  readonly tally: Tally<SyncFailure>
}

const reported = (run: Run) =>
  run.options.onProgress === undefined ? Effect.void : run.options.onProgress(run.tally.progress())

/** Counts an action as done (or failed) and reports it. */
const settled = (run: Run, action: SyncAction, error: SyncError | undefined, bytesCounted: number) =>
  Effect.suspend(() => {
    const tally = run.tally
    tally.filesDone++
    if (error !== undefined) tally.failed.push({ action, error })
    else if (action._tag === "Upload" || action._tag === "Download") {
      tally.copied++
      tally.copiedBytes += action.size
    } else if (action._tag === "Skip") tally.skipped++
    else tally.deleted++
    tally.bytesDone += sizeOf(action) - bytesCounted
    const onAction = run.options.onAction
    return Effect.zipRight(onAction === undefined ? Effect.void : onAction(action, error), reported(run))
  })

/** A file under the multipart threshold, read whole: a sync of small files is mostly that. */
const readSmallFile = (run: Run, file: string): Effect.Effect<Uint8Array, LocalFileError> =>
  Effect.mapError(
    run.files.readFile(file),
    (cause) => new LocalFileError({ operation: run.operation, path: file, reason: "cannot read the file", cause })
  )

/** A small file's upload, with the sync's attributes and the content type of its extension. */
const uploadSmall = (run: Run, action: Extract<SyncAction, { _tag: "Upload" }>) =>
  Effect.flatMap(
    Effect.zip(readSmallFile(run, action.path), ContentTypes.withGuessedType(action.path, run.uploadOptions)),
    ([bytes, { guessContentType: _, ...attributes }]) =>
      // Without options, an upload checks none.
      !anyGiven(attributes)
        ? run.s3.upload(run.bucket, action.key, bytes)
        : run.s3.upload(run.bucket, action.key, bytes, attributes)
  )

/** A large file's upload, its bytes counted as each part is acknowledged: progress moves within it. */
const uploadLarge = (run: Run, action: Extract<SyncAction, { _tag: "Upload" }>, counted: { bytes: number }) =>
  run.s3.uploadFile(run.bucket, action.key, action.path, {
    ...run.uploadOptions,
    onProgress: (progress) =>
      Effect.suspend(() => {
        run.tally.bytesDone += progress.bytes - counted.bytes
        counted.bytes = progress.bytes
        return reported(run)
      })
  })

/**
 * Fails unless `folder`, below the real `root`, is reached without a symbolic link: a sync writes and
 * deletes only in its directory and never through a link, not even one that points back inside.
 */
const reachedWithoutLink = (files: LocalFiles, root: string, folder: string): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    if (!isWithin(root, folder)) return yield* Effect.fail(`${folder} is outside ${root}`)
    if (Option.getOrUndefined(yield* files.realPath(folder)) === folder) return
    // A real path may differ only in the case the file system keeps (Windows): each folder on the way tells.
    let at = root
    for (const name of path.relative(root, folder).split(path.sep)) {
      at = path.join(at, name)
      const info = yield* files.stat(at, { followLinks: false })
      if (Option.isSome(info) && info.value.type === "SymbolicLink") {
        return yield* Effect.fail(`${at} is a symbolic link`)
      }
    }
  })

/** A download's progress, its bytes counted as they arrive: progress moves within a file. */
const downloadProgress = (run: Run, counted: { bytes: number }) =>
  run.options.onProgress === undefined ? {} : {
    onProgress: (progress: { readonly bytes: number }) =>
      Effect.suspend(() => {
        run.tally.bytesDone += progress.bytes - counted.bytes
        counted.bytes = progress.bytes
        return reported(run)
      })
  }

/** Downloads into place, atomically, with the object's last-modified time. */
const download = (
  run: Run,
  action: Extract<SyncAction, { _tag: "Download" }>,
  counted: { bytes: number }
): Effect.Effect<void, S3PoError> => {
  const localError = (reason: string) => (cause: unknown) =>
    new LocalFileError({ operation: run.operation, path: action.path, reason, cause })
  const { files, root } = run
  const folder = Effect.gen(function*() {
    // Most downloads go to a folder an earlier one made: one `realpath` finds it, with no link on the way.
    const target = path.dirname(action.path)
    if (isWithin(root, target) && Option.getOrUndefined(yield* files.realPath(target)) === target) return
    let existing = path.dirname(target)
    while (Option.isNone(yield* files.stat(existing))) existing = path.dirname(existing)
    yield* reachedWithoutLink(files, root, existing)
    yield* files.makeDirectory(target)
    yield* reachedWithoutLink(files, root, target)
  }).pipe(Effect.mapError(localError("cannot make its folder inside the directory without a symbolic link")))
  const touch = Effect.mapError(
    files.setModified(action.path, action.lastModified),
    localError("cannot set its modification time")
  )
  return folder.pipe(
    Effect.zipRight(run.s3.downloadFile(run.bucket, action.key, action.path, downloadProgress(run, counted))),
    Effect.zipRight(touch)
  )
}

/** Runs one action: the error it failed with, if it did. Deletions of objects are gathered first. */
const makeExecute = (run: Run) =>
  Effect.map(Effect.makeSemaphore(largeFilesAtOnce), (largeFiles) => {
    const pendingDeletes: Array<Extract<SyncAction, { _tag: "DeleteObject" }>> = []
    const flushDeletes = Effect.suspend(() => {
      const batch = pendingDeletes.splice(0, pendingDeletes.length)
      if (batch.length === 0) return Effect.void
      return Effect.matchEffect(run.s3.deleteMany(run.bucket, batch.map((action) => action.key)), {
        onFailure: (error) => Effect.forEach(batch, (action) => settled(run, action, error, 0), { discard: true }),
        onSuccess: (result) => {
          const failures = new Map(result.failed.map((failed) => [failed.key, failed]))
          return Effect.forEach(batch, (action) => {
            const failed = failures.get(action.key)
            return settled(run, action, failed === undefined ? undefined : deleteFailure(run.bucket, failed), 0)
          }, { discard: true })
        }
      })
    })
    const perform = (action: SyncAction, counted: { bytes: number }): Effect.Effect<void, SyncError> => {
      switch (action._tag) {
        case "Upload":
          return action.size >= defaultMultipartThreshold
            ? largeFiles.withPermits(1)(uploadLarge(run, action, counted))
            : uploadSmall(run, action)
        case "Download":
          return action.size >= defaultMultipartThreshold
            ? largeFiles.withPermits(1)(download(run, action, counted))
            : download(run, action, counted)
        case "DeleteFile":
          return Effect.zipRight(
            reachedWithoutLink(run.files, run.root, path.dirname(action.path)),
            run.files.remove(action.path)
          ).pipe(
            Effect.mapError((cause) =>
              new LocalFileError({ operation: run.operation, path: action.path, reason: "cannot remove it", cause })
            )
          )
        case "Refuse":
          return Effect.fail(action.error)
        default:
          return Effect.void
      }
    }
    const execute = (action: SyncAction): Effect.Effect<void> => {
      if (action._tag === "DeleteObject" && run.options.dryRun !== true) {
        pendingDeletes.push(action)
        return pendingDeletes.length >= deleteBatch ? flushDeletes : Effect.void
      }
      const counted = { bytes: 0 }
      const performed = run.options.dryRun === true && action._tag !== "Refuse" ? Effect.void : perform(action, counted)
      return Effect.matchEffect(performed, {
        onFailure: (error) => settled(run, action, error, counted.bytes),
        onSuccess: () => settled(run, action, undefined, counted.bytes)
      })
    }
    return { execute, flushDeletes }
  })

/**
 * Runs `execute` on each action as the plan yields it, on `concurrency` fibers that each take the
 * next from a small queue. (`Stream.mapEffect` with concurrency costs about a millisecond an element
 * here, more than a small file's upload on the mock.)
 */
const workOff = <E>(
  plan: Stream.Stream<SyncAction, E>,
  execute: (action: SyncAction) => Effect.Effect<void>,
  concurrency: number
): Effect.Effect<void, E> =>
  Effect.acquireUseRelease(Queue.bounded<Option.Option<SyncAction>>(concurrency * 4), (queue) => {
    const worker = Effect.iterate(true, {
      while: (more) => more,
      body: () =>
        Effect.flatMap(
          Queue.take(queue),
          (next) => Option.isSome(next) ? Effect.as(execute(next.value), true) : Effect.succeed(false)
        )
    })
    // One end marker per worker once the plan is done. The plan and the workers run side by side:
    // when either fails or is interrupted, the other is interrupted, and the queue shut down.
    const producer = Effect.zipRight(
      Stream.runForEach(plan, (action) => Queue.offer(queue, Option.some(action))),
      Queue.offerAll(queue, Array.from({ length: concurrency }, () => Option.none()))
    )
    const workers = Effect.all(Array.from({ length: concurrency }, () => worker), {
      concurrency: "unbounded",
      discard: true
    })
    return Effect.all([producer, workers], { concurrency: 2, discard: true })
  }, Queue.shutdown)

/** Plans and runs a sync: actions are taken as the plan finds them, `concurrency` at a time. */
const runSync = (
  operation: "syncUp" | "syncDown",
  localDir: string,
  location: SyncLocation,
  options: SyncOptions,
  plan: (s3: S3Po.Service, files: LocalFiles, root: string) => Stream.Stream<SyncAction, S3PoError>
): Effect.Effect<SyncSummary, S3PoError, S3Po> => {
  // Checked first: the span below reads the location, which may be anything until it is.
  const problem = problemOf(operation, localDir, location, options)
  if (problem !== undefined) return Effect.fail(problem)
  return Effect.gen(function*() {
    const s3 = yield* S3Po
    const files = yield* LocalFilesTag.ofService(s3)
    const root = yield* directoryOf(
      files,
      operation,
      localDir,
      operation === "syncUp" ? "fail" : options.dryRun === true ? "empty" : "create"
    )
    const run: Run = {
      s3,
      files,
      operation,
      bucket: location.bucket,
      root,
      options,
      uploadOptions: { ...attributesOf(options), guessContentType: options.guessContentType },
      tally: new Tally<SyncFailure>()
    }
    const { execute, flushDeletes } = yield* makeExecute(run)
    const counted = plan(s3, files, root).pipe(
      Stream.tap((action) =>
        Effect.sync(() => {
          run.tally.filesTotal++
          run.tally.bytesTotal += sizeOf(action)
        })
      ),
      Stream.onEnd(Effect.sync(() => {
        run.tally.planned = true
      }))
    )
    yield* workOff(counted, execute, options.concurrency ?? defaultConcurrency)
    yield* flushDeletes
    yield* reported(run)
    return run.tally.summary(options.dryRun === true)
  }).pipe(Effect.withSpan(`S3Po.${operation}`, { attributes: { bucket: location.bucket, localDir } }))
}

export const syncUp = (
  localDir: string,
  destination: SyncLocation,
  options: SyncOptions = {}
): Effect.Effect<SyncSummary, S3PoError, S3Po> =>
  runSync(
    "syncUp",
    localDir,
    destination,
    options,
    (s3, files, root) => Plan.planUp(s3, files, root, destination, options)
  )

export const syncDown = (
  source: SyncLocation,
  localDir: string,
  options: SyncOptions = {}
): Effect.Effect<SyncSummary, S3PoError, S3Po> =>
  runSync(
    "syncDown",
    localDir,
    source,
    options,
    (s3, files, root) => Plan.planDown(s3, files, source, root, options)
  )

const planned = (
  operation: "syncUp" | "syncDown",
  localDir: string,
  location: SyncLocation,
  options: SyncOptions,
  plan: (s3: S3Po.Service, files: LocalFiles, root: string) => Stream.Stream<SyncAction, S3PoError>
): Stream.Stream<SyncAction, S3PoError | ValidationError, S3Po> => {
  const problem = problemOf(operation, localDir, location, options)
  if (problem !== undefined) return Stream.fail(problem)
  return Stream.unwrap(
    Effect.gen(function*() {
      const s3 = yield* S3Po
      const files = yield* LocalFilesTag.ofService(s3)
      // A plan down into a missing directory downloads everything; a plan up from one is an error,
      // not a plan to delete everything.
      const root = yield* directoryOf(files, operation, localDir, operation === "syncUp" ? "fail" : "empty")
      return plan(s3, files, root)
    })
  )
}

export const planUp = (localDir: string, destination: SyncLocation, options: SyncOptions = {}) =>
  planned(
    "syncUp",
    localDir,
    destination,
    options,
    (s3, files, root) => Plan.planUp(s3, files, root, destination, options)
  )

export const planDown = (source: SyncLocation, localDir: string, options: SyncOptions = {}) =>
  planned(
    "syncDown",
    localDir,
    source,
    options,
    (s3, files, root) => Plan.planDown(s3, files, source, root, options)
  )
