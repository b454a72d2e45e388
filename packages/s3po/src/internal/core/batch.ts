import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import type { BatchItemResult, BatchOptions } from "../../Batch.js"
import { ValidationError } from "../../S3PoError.js"
import { defaultBatchConcurrency } from "./limits.js"
import * as Validate from "./validation.js"

/** An item and its place in the input, or none when the input is exhausted. */
type Next<I, E, R> = Effect.Effect<Option.Option<readonly [I, number]>, E, R>

const none = Effect.succeed(Option.none())

/** Items of an iterable, taken one at a time: one step of its iterator, synchronously, so never two at once. */
const fromIterable = <I>(items: Iterable<I>): Next<I, never, never> => {
  const iterator = items[Symbol.iterator]()
  let index = 0
  let done = false
  return Effect.suspend(() => {
    if (done) return none
    const step = iterator.next()
    if (step.done === true) {
      done = true
      return none
    }
    return Effect.succeed(Option.some([step.value, index++] as const))
  })
}

/**
 * Items of a stream, pulled a chunk at a time as workers ask for them. An item of the chunk in hand
 * is taken synchronously; one worker at a time pulls the next chunk.
 */
const fromStream = <I, E, R>(items: Stream.Stream<I, E, R>): Effect.Effect<Next<I, E, R>, never, Scope.Scope | R> =>
  Effect.gen(function*() {
    const pull = yield* Stream.toPull(items)
    const lock = yield* Effect.makeSemaphore(1)
    let chunk = Chunk.empty<I>()
    let at = 0
    let index = 0
    let done = false
    const inHand = (): Option.Option<readonly [I, number]> | undefined => {
      if (at < chunk.length) return Option.some([Chunk.unsafeGet(chunk, at++), index++] as const)
      return done ? Option.none() : undefined
    }
    const refill: Next<I, E, R> = Effect.suspend(() => {
      const taken = inHand()
      if (taken !== undefined) return Effect.succeed(taken)
      return Effect.matchEffect(pull, {
        onFailure: Option.match({
          onNone: () => {
            done = true
            return none
          },
          onSome: Effect.fail
        }),
        onSuccess: (pulled) => {
          chunk = pulled
          at = 0
          return refill
        }
      })
    })
    const refillAlone = lock.withPermits(1)(refill)
    return Effect.suspend(() => {
      const taken = inHand()
      return taken === undefined ? refillAlone : Effect.succeed(taken)
    })
  })

/**
 * Runs `f` over every item `next` gives, each outcome (a failure as `Left`) handed to `done`. With a
 * number, that many workers each take the next item as they finish one: forking a fiber costs more
 * than a small request to the mock. With "unbounded", each item starts on a fiber of its own as it
 * is taken, through `Stream.mapEffect`. A defect or an interruption stops the run.
 */
const run = <I, A, E, R, SE, SR>(
  next: Next<I, SE, SR>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions,
  workers: number | "unbounded",
  done: (result: BatchItemResult<I, A, E>) => Effect.Effect<void>
): Effect.Effect<void, SE, R | SR> => {
  const onProgress = options.onProgress
  const progress = { completed: 0, succeeded: 0, failed: 0 }
  const finish = (item: I, index: number) => (result: Either.Either<A, E>) => {
    progress.completed++
    if (Either.isRight(result)) progress.succeeded++
    else progress.failed++
    const handed = done({ index, item, result })
    return onProgress === undefined ? handed : Effect.zipRight(onProgress({ ...progress }), handed)
  }
  const process = ([item, index]: readonly [I, number]) =>
    Effect.flatMap(Effect.either(f(item, index)), finish(item, index))

  if (workers === "unbounded") {
    const taken = Stream.repeatEffectOption(
      Effect.flatMap(
        Effect.mapError(next, Option.some),
        (item) => Option.isSome(item) ? Effect.succeed(item.value) : Effect.fail(Option.none())
      )
    )
    return Stream.runDrain(Stream.mapEffect(taken, process, { concurrency: "unbounded", unordered: true }))
  }
  let exhausted = false
  const worker = Effect.whileLoop({
    while: () => !exhausted,
    body: () =>
      Effect.flatMap(next, (taken) => {
        if (Option.isSome(taken)) return process(taken.value)
        exhausted = true
        return Effect.void
      }),
    step: () => {}
  })
  return Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
}

/** `Batch.batch`: every outcome, in input order. */
export const collect = <I, A, E, R>(
  items: Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions
): Effect.Effect<
  { readonly results: ReadonlyArray<Either.Either<A, E>>; readonly success: boolean },
  ValidationError,
  R
> =>
  Validate.guard(
    Validate.concurrency("batch", "concurrency", options.concurrency),
    Effect.suspend(() => {
      const all = Array.from(items)
      const concurrency = options.concurrency ?? defaultBatchConcurrency
      const results: Array<Either.Either<A, E>> = new Array(all.length)
      const store = (outcome: BatchItemResult<I, A, E>) =>
        Effect.sync(() => {
          results[outcome.index] = outcome.result
        })
      const workers = concurrency === "unbounded" ? all.length : Math.min(concurrency, all.length)
      return Effect.map(
        run(fromIterable(all), f, options, workers, store),
        () => ({ results, success: results.every(Either.isRight) })
      )
    })
  )

/** A stream that fails with `problem`: for callers that import no `Stream` of their own. */
export const failed = (problem: ValidationError): Stream.Stream<never, ValidationError> => Stream.fail(problem)

/** `batchStream`: each outcome as it completes, with as many items in memory as run at once (and a few queued). */
export const stream = <I, A, E, R, SE, SR>(
  items: Stream.Stream<I, SE, SR> | Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions
): Stream.Stream<BatchItemResult<I, A, E>, ValidationError | SE, R | SR> => {
  const isStream = Stream.StreamTypeId in Object(items)
  const problem =
    isStream || typeof items === "string" || (typeof items === "object" && items !== null && Symbol.iterator in items)
      ? Validate.concurrency("batchStream", "concurrency", options.concurrency)
      : new ValidationError({ operation: "batchStream", field: "items", reason: "must be a Stream or an iterable" })
  if (problem !== undefined) return Stream.fail(problem)
  const concurrency = options.concurrency ?? defaultBatchConcurrency
  return Stream.unwrapScoped(Effect.gen(function*() {
    const next = isStream
      ? yield* fromStream(items as Stream.Stream<I, SE, SR>)
      : fromIterable(items as Iterable<I>)
    // A consumer that stops reading stops the workers: each waits to hand over its outcome.
    const outcomes = yield* Effect.acquireRelease(
      Queue.bounded<Take.Take<BatchItemResult<I, A, E>, SE>>(concurrency === "unbounded" ? 16 : concurrency),
      Queue.shutdown
    )
    yield* run(next, f, options, concurrency, (outcome) => Queue.offer(outcomes, Take.of(outcome))).pipe(
      Effect.exit,
      Effect.flatMap((exit) => Queue.offer(outcomes, Exit.isSuccess(exit) ? Take.end : Take.failCause(exit.cause))),
      Effect.forkScoped
    )
    return Stream.flattenTake(Stream.fromQueue(outcomes))
  }))
}
