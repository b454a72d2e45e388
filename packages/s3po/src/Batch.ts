/**
 * Run one effect per item, many at once, and collect every outcome.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { argumentsProblem } from "./internal/core/argumentShapes.js"
import { defaultBatchConcurrency } from "./internal/core/limits.js"
import * as Validate from "./internal/core/validation.js"
import type { ValidationError } from "./S3PoError.js"

/**
 * @since 0.1.0
 * @category options
 */
export interface BatchOptions {
  /** Items processed at once. Default 20. */
  readonly concurrency?: number | "unbounded"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BatchResult<A, E> {
  /** One result per item, in the order of the input. */
  readonly results: ReadonlyArray<Either.Either<A, E>>
  /** True only when every item succeeded. */
  readonly success: boolean
}

/**
 * Runs `f` over every item with bounded concurrency. A failure does not stop the batch: each item's
 * outcome is kept, in input order. A defect or an interruption stops it. For a callback per item,
 * compose it into `f` with `Effect.tap` or `Effect.tapError`. Items run on `concurrency` fibers, each
 * taking the next item as it finishes one.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { S3Po, batch } from "s3po"
 *
 * const program = Effect.gen(function*() {
 *   const s3 = yield* S3Po
 *   const { results, success } = yield* batch(
 *     ["a.txt", "b.txt"],
 *     (key) => s3.downloadString("my-bucket", key).pipe(Effect.tap((text) => Effect.log(key, text.length))),
 *     { concurrency: 50 }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const batch = <I, A, E, R>(
  items: Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions = {}
): Effect.Effect<BatchResult<A, E>, ValidationError, R> =>
  Validate.guard(
    argumentsProblem("batch", [["items", "iterable"], ["f", "function"], ["options", "options"]], [items, f, options]) ??
      Validate.concurrency("batch", "concurrency", options.concurrency),
    Effect.suspend(() => {
      const all = Array.from(items)
      const concurrency = options.concurrency ?? defaultBatchConcurrency
      const results: Array<Either.Either<A, E>> = new Array(all.length)
      let next = 0
      // A few fibers that each take the next item until none is left, rather than a fiber per item:
      // forking and joining a fiber costs more than running a small request against the mock.
      const worker = Effect.whileLoop({
        while: () => next < all.length,
        body: () => {
          const index = next++
          return Effect.map(Effect.either(f(all[index]!, index)), (result) => {
            results[index] = result
          })
        },
        step: () => {}
      })
      const workers = concurrency === "unbounded" ? all.length : Math.min(concurrency, all.length)
      return Effect.map(
        Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true }),
        () => ({ results, success: results.every(Either.isRight) })
      )
    })
  )
