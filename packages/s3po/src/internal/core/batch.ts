import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { BatchItemResult, BatchOptions, BatchProgress, BatchResult, BatchStreamOptions } from "../../Batch.js"
import { ValidationError } from "../../S3PoError.js"
import { defaultBatchConcurrency } from "./limits.js"
import * as Validate from "./validation.js"

/** An item and its place in the input, or none when the input is exhausted. */
type Next<I, E, R> = Effect.Effect<Option.Option<readonly [I, number]>, E, R>

type Done<I, A, E> = (outcome: BatchItemResult<I, A, E>) => Effect.Effect<void>

const none = Effect.succeed(Option.none())

const isStream = (items: unknown): items is Stream.Stream<unknown, unknown, unknown> =>
  Stream.StreamTypeId in Object(items)

/** Why `items` is neither a stream nor an iterable, if it is not. */
export const itemsProblem = (operation: string, items: unknown): ValidationError | undefined =>
  isStream(items) || typeof items === "string" ||
    (typeof items === "object" && items !== null && Symbol.iterator in items)
    ? undefined
    : new ValidationError({ operation, field: "items", reason: "must be a Stream or an iterable" })

/** How many items an input holds, when it says so without being read: an array's, a Set's or a Map's. */
const sizeOf = (items: unknown): number | undefined =>
  Array.isArray(items) ? items.length : items instanceof Set || items instanceof Map ? items.size : undefined

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
            // The last chunk is let go: a consumer holds what it needs.
            chunk = Chunk.empty()
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

/** The items of a stream or an iterable, one at a time, and their count when it is known before they are read. */
const sourceOf = <I, SE, SR>(
  items: Stream.Stream<I, SE, SR> | Iterable<I>
): Effect.Effect<{ readonly next: Next<I, SE, SR>; readonly total: number | undefined }, never, Scope.Scope | SR> =>
  isStream(items)
    ? Effect.map(fromStream(items as Stream.Stream<I, SE, SR>), (next) => ({ next, total: undefined }))
    : Effect.sync(() => ({ next: fromIterable(items as Iterable<I>), total: sizeOf(items) }))

/**
 * `window` places, each taken by one item and given back once its outcome is handed over: a worker
 * that finds none waits, and a place given back goes to the longest waiting, waking it alone.
 */
const places = (window: number) => {
  let free = window
  const waiting: Array<() => void> = []
  const take: Effect.Effect<void> = Effect.suspend(() => {
    if (free > 0) {
      free--
      return Effect.void
    }
    return Effect.async<void>((resume) => {
      const wake = () => resume(Effect.void)
      waiting.push(wake)
      return Effect.sync(() => {
        const at = waiting.indexOf(wake)
        if (at >= 0) waiting.splice(at, 1)
      })
    })
  })
  const giveBack = () => {
    const next = waiting.shift()
    if (next === undefined) free++
    else next()
  }
  return { take, giveBack }
}

/**
 * Hands outcomes to `done` in the order of the input, each once every outcome before it is handed
 * over, with at most `window` items taken and not yet handed over: `next` waits (so a worker waits)
 * while the window is full. An outcome that completes early is held until its turn.
 */
const inInputOrder = <I, A, E, SE, SR>(next: Next<I, SE, SR>, done: Done<I, A, E>, window: number) => {
  const gate = places(window)
  const held = new Map<number, BatchItemResult<I, A, E>>()
  let handed = 0
  // Whether a worker is handing over held outcomes: it goes on until the next one is not done yet.
  let handing = false
  const handHeld: Effect.Effect<void> = Effect.suspend(() => {
    const outcome = held.get(handed)
    if (outcome === undefined) {
      handing = false
      return Effect.void
    }
    held.delete(handed)
    handed++
    return Effect.zipRight(done(outcome), Effect.suspend(() => (gate.giveBack(), handHeld)))
  })
  const gated: Next<I, SE, SR> = Effect.zipRight(
    gate.take,
    Effect.tap(next, (taken) => Option.isNone(taken) ? Effect.sync(gate.giveBack) : Effect.void)
  )
  const orderedDone: Done<I, A, E> = (outcome) =>
    Effect.suspend(() => {
      held.set(outcome.index, outcome)
      if (handing || outcome.index !== handed) return Effect.void
      handing = true
      return handHeld
    })
  return { next: gated, done: orderedDone }
}

/**
 * Runs `f` over every item `next` gives, each outcome (a failure as `Left`) handed to `done`. With a
 * number, that many workers each take the next item as they finish one: forking a fiber costs more
 * than a small request to the mock. With "unbounded", each item starts on a fiber of its own as it
 * is taken, through `Stream.mapEffect` (in input order when `ordered`). `total` is the number of items
 * when known, else it becomes known as the input ends. A defect or an interruption stops the run.
 */
const run = <I, A, E, R, SE, SR>(
  next: Next<I, SE, SR>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchStreamOptions,
  workers: number | "unbounded",
  done: Done<I, A, E>,
  total: number | undefined
): Effect.Effect<void, SE, R | SR> => {
  const onProgress = options.onProgress
  const progress = { completed: 0, succeeded: 0, failed: 0, total }
  const report = (): BatchProgress =>
    progress.total === undefined
      ? { completed: progress.completed, succeeded: progress.succeeded, failed: progress.failed }
      : { ...progress }
  let taken = 0
  const counted: Next<I, SE, SR> = Effect.flatMap(next, (item): Effect.Effect<Option.Option<readonly [I, number]>> => {
    if (Option.isSome(item)) {
      taken++
      return Effect.succeed(item)
    }
    const found = progress.total === undefined
    progress.total = taken
    // An end found once every item has completed is reported on its own: the last report has the total.
    return found && progress.completed === taken && onProgress !== undefined
      ? Effect.as(onProgress(report()), item)
      : Effect.succeed(item)
  })
  const outcomeOf = (item: I, index: number) => (result: Either.Either<A, E>): BatchItemResult<I, A, E> => {
    progress.completed++
    if (Either.isRight(result)) progress.succeeded++
    else progress.failed++
    return { index, item, result }
  }
  const reported = (outcome: BatchItemResult<I, A, E>) =>
    onProgress === undefined ? Effect.succeed(outcome) : Effect.as(onProgress(report()), outcome)
  const attempt = ([item, index]: readonly [I, number]) =>
    Effect.flatMap(Effect.either(f(item, index)), (result) => reported(outcomeOf(item, index)(result)))

  if (workers === "unbounded") {
    const items = Stream.repeatEffectOption(
      Effect.flatMap(
        Effect.mapError(counted, Option.some),
        (item) => Option.isSome(item) ? Effect.succeed(item.value) : Effect.fail(Option.none())
      )
    )
    return Stream.runForEach(
      Stream.mapEffect(items, attempt, { concurrency: "unbounded", unordered: options.ordered !== true }),
      done
    )
  }
  let exhausted = false
  const worker = Effect.whileLoop({
    while: () => !exhausted,
    body: () =>
      Effect.flatMap(counted, (item) => {
        if (Option.isSome(item)) return Effect.flatMap(attempt(item.value), done)
        exhausted = true
        return Effect.void
      }),
    step: () => {}
  })
  return Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
}

/** `Batch.batch`: every outcome, in input order, of an iterable or a stream. */
export const collect = <I, A, E, R, SE, SR>(
  items: Stream.Stream<I, SE, SR> | Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchOptions
): Effect.Effect<BatchResult<A, E, I>, ValidationError | SE, R | SR> =>
  Validate.guard(
    itemsProblem("batch", items) ?? Validate.concurrency("batch", "concurrency", options.concurrency),
    Effect.scoped(Effect.gen(function*() {
      const concurrency = options.concurrency ?? defaultBatchConcurrency
      // An iterable is read first, so that its count is known; a stream as workers ask for items.
      const given = isStream(items) ? items : Array.from(items as Iterable<I>)
      const { next, total } = yield* sourceOf(given)
      const outcomes: Array<BatchItemResult<I, A, E>> = total === undefined ? [] : new Array(total)
      const store = (outcome: BatchItemResult<I, A, E>) =>
        Effect.sync(() => {
          outcomes[outcome.index] = outcome
        })
      const workers = concurrency === "unbounded" || total === undefined ? concurrency : Math.min(concurrency, total)
      yield* run(next, f, options, workers, store, total)
      const results = outcomes.map((outcome) => outcome.result)
      return { results, outcomes, success: results.every(Either.isRight) }
    }))
  )

/** A stream that fails with `problem`: for callers that import no `Stream` of their own. */
export const failed = (problem: ValidationError): Stream.Stream<never, ValidationError> => Stream.fail(problem)

/**
 * Where workers leave outcomes for the consumer: at most `capacity` at a time (a worker that finds it
 * full waits), and the consumer takes all there are at once, as one chunk. Cheaper than a `Queue`
 * by an order of magnitude when items are cheap: nothing is suspended while there is room.
 */
const handOver = <T, E>(capacity: number) =>
  Effect.gen(function*() {
    const ready: Array<T> = []
    let end: Exit.Exit<void, E> | undefined
    const notEmpty = yield* Effect.makeLatch(false)
    const notFull = yield* Effect.makeLatch(true)
    const offer = (outcome: T): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (ready.length >= capacity) return Effect.zipRight(notFull.await, offer(outcome))
        ready.push(outcome)
        if (ready.length === 1) notEmpty.unsafeOpen()
        if (ready.length >= capacity) notFull.unsafeClose()
        return Effect.void
      })
    const finish = (exit: Exit.Exit<void, E>) =>
      Effect.sync(() => {
        end = exit
        notEmpty.unsafeOpen()
      })
    const take: Effect.Effect<Chunk.Chunk<T>, Option.Option<E>> = Effect.suspend(() => {
      if (ready.length > 0) {
        const taken = Chunk.unsafeFromArray(ready.splice(0))
        notEmpty.unsafeClose()
        notFull.unsafeOpen()
        return Effect.succeed(taken)
      }
      if (end === undefined) return Effect.zipRight(notEmpty.await, take)
      return Exit.isSuccess(end) ? Effect.fail(Option.none()) : Effect.failCause(Cause.map(end.cause, Option.some))
    })
    return { offer, finish, take }
  })

/**
 * `batchStream`: each outcome as it completes (or in input order, held back until its turn), with
 * as many items in memory as run at once, the outcomes held for their turn and `concurrency` (16
 * with "unbounded") waiting to be read.
 */
export const stream = <I, A, E, R, SE, SR>(
  items: Stream.Stream<I, SE, SR> | Iterable<I>,
  f: (item: I, index: number) => Effect.Effect<A, E, R>,
  options: BatchStreamOptions
): Stream.Stream<BatchItemResult<I, A, E>, ValidationError | SE, R | SR> => {
  const problem = itemsProblem("batchStream", items) ??
    Validate.concurrency("batchStream", "concurrency", options.concurrency)
  if (problem !== undefined) return Stream.fail(problem)
  const concurrency = options.concurrency ?? defaultBatchConcurrency
  return Stream.unwrapScoped(Effect.gen(function*() {
    const source = yield* sourceOf(items)
    // A consumer that stops reading stops the workers: each waits to hand over its outcome.
    const outcomes = yield* handOver<BatchItemResult<I, A, E>, SE>(concurrency === "unbounded" ? 16 : concurrency)
    const { done, next } = options.ordered === true && concurrency !== "unbounded"
      ? inInputOrder(source.next, outcomes.offer, concurrency)
      : { next: source.next, done: outcomes.offer }
    yield* run(next, f, options, concurrency, done, source.total).pipe(
      Effect.exit,
      Effect.flatMap(outcomes.finish),
      Effect.forkScoped
    )
    return Stream.repeatEffectChunkOption(outcomes.take)
  }))
}
