/**
 * Run one effect per item, many at once: collect every outcome (`batch`), or take each as it
 * completes, over inputs of any length (`batchStream`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Stream from "effect/Stream"
import { argumentsProblem } from "./internal/core/argumentShapes.js"
import * as internal from "./internal/core/batch.js"
import * as Validate from "./internal/core/validation.js"
import type { ValidationError } from "./S3PoError.js"

/**
 * @since 0.1.0
 * @category options
 */
export interface BatchOptions {
  /** Items processed at once. Default 20. */
  readonly concurrency?: number | "unbounded"
  /** Called after each item completes, with the counts so far. */
  readonly onProgress?: ((progress: BatchProgress) => Effect.Effect<void>) | undefined
}

/**
 * @since 0.5.0
 * @category options
 */
export interface BatchStreamOptions extends BatchOptions {
  /**
   * Yield the outcomes in the order of the input rather than as they complete. Memory stays
   * bounded: at most `concurrency` items are taken and not yet yielded, an outcome that completes
   * early is held until those before it are yielded, and a worker waits while the window is full
   * (so one slow item holds the others back, as `Stream.mapEffect` does). Default false.
   */
  readonly ordered?: boolean | undefined
}

/**
 * Where a batch stands, reported after each item completes.
 *
 * @since 0.3.0
 * @category models
 */
export interface BatchProgress {
  /** Items done so far, succeeded or failed. */
  readonly completed: number
  readonly succeeded: number
  readonly failed: number
  /**
   * How many items the input holds, once known: from the start for an array, a `Set` or a `Map`
   * (and for any iterable given to `batch`, which reads it first), else once the input has ended.
   * When a stream's end is found only after its last item completed, one more report gives it.
   *
   * @since 0.5.0
   */
  readonly total?: number | undefined
}

/**
 * One item's outcome: the item, its place in the input and its result.
 *
 * @since 0.3.0
 * @category models
 */
export interface BatchItemResult<I, A, E> {
  /** The item's place in the input, counting from 0. */
  readonly index: number
  readonly item: I
  readonly result: Either.Either<A, E>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BatchResult<A, E, I = unknown> {
  /** One result per item, in the order of the input. */
  readonly results: ReadonlyArray<Either.Either<A, E>>
  /**
   * One outcome per item, in the order of the input: each result with its item.
   *
   * @since 0.5.0
   */
  readonly outcomes: ReadonlyArray<BatchItemResult<I, A, E>>
  /** True only when every item succeeded. */
  readonly success: boolean
}

/**
 * Runs `f` over every item of an iterable or a stream with bounded concurrency. A failure does not
 * stop the batch: each item's outcome is kept, in input order, as `results` and, with its item, as
 * `outcomes`. A defect, an interruption or a failure of the input stream stops it. For a callback per
 * item, compose it into `f` with `Effect.tap` or `Effect.tapError`; for counts as items complete,
 * `onProgress`. Items run on `concurrency` fibers, each taking the next item as it finishes one. The
 * result holds one outcome per item: for inputs too long to hold, `batchStream`.
 *
 * @example
 * ```ts
 * import { Effect, Either } from "effect"
 * import { S3Po, batch } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const { outcomes, success } = yield* batch(
 *     s3.list("my-bucket", { prefix: "reports/" }),
 *     (key) => s3.downloadString("my-bucket", key),
 *     {
 *       concurrency: 50,
 *       onProgress: ({ completed, failed, total }) => Effect.log(`${completed}/${total ?? "?"} done, ${failed} failed`)
 *     }
 *   )
 *   for (const { item, result } of outcomes) {
 *     if (Either.isLeft(result)) yield* Effect.logWarning(`${item}: ${result.left.message}`)
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const batch = <I, A, E, R, InputE = never, InputR = never>(
  items: Stream.Stream<I, InputE, InputR> | Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions = {}
): Effect.Effect<BatchResult<A, E, I>, ValidationError | InputE, R | InputR> =>
  Validate.guard(
    argumentsProblem("batch", [["f", "function"], ["options", "options"]], [f, options]),
    // Suspended: built only once the arguments are known to have their types.
    Effect.suspend(() => internal.collect(items, f, options))
  )

/**
 * Runs `f` over the items of a stream or an iterable of any length, even endless, and yields each
 * item's outcome (`{ index, item, result }`) as it completes, or with `ordered: true` in input
 * order. Memory stays bounded: an item is taken from the input only when one of the `concurrency`
 * workers is free, and a worker waits while `concurrency` outcomes are not yet read (with
 * `"unbounded"`, every item is started as the input gives it, so memory grows with the items in
 * flight). A failure of `f` does not stop the stream; a failure of the input, a defect or an
 * interruption does. Stopping to read (`Stream.take`, ...) interrupts the items in flight.
 *
 * @example
 * ```ts
 * import { Effect, Either, Stream } from "effect"
 * import { batchStream, S3Po } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   yield* s3.list("my-bucket", { prefix: "reports/" }).pipe(
 *     (keys) => batchStream(keys, (key) => s3.downloadString("my-bucket", key), { concurrency: 50, ordered: true }),
 *     Stream.runForEach(({ item, result }) =>
 *       Either.isLeft(result) ? Effect.logWarning(`${item}: ${result.left.message}`) : Effect.log(item, result.right)
 *     )
 *   )
 * })
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export const batchStream = <I, A, E, R, InputE = never, InputR = never>(
  items: Stream.Stream<I, InputE, InputR> | Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchStreamOptions = {}
): Stream.Stream<BatchItemResult<I, A, E>, ValidationError | InputE, R | InputR> => {
  const problem = argumentsProblem("batchStream", [["f", "function"], ["options", "options"]], [f, options])
  return problem === undefined ? internal.stream(items, f, options) : internal.failed(problem)
}
