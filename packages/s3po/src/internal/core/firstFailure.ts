import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * Parallel requests that fail together leave a cause of several failures (and the interruptions of
 * the rest). The caller gets the first failure alone, as one typed error; a defect or a plain
 * interruption is kept as it is.
 */
const toFirstFailure = <E>(cause: Cause.Cause<E>): Cause.Cause<E> => {
  if (Cause.isDie(cause)) return cause
  return Option.match(Cause.failureOption(cause), { onNone: () => cause, onSome: Cause.fail })
}

export const firstFailure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.catchAllCause(effect, (cause) => Effect.failCause(toFirstFailure(cause)))

export const firstFailureStream = <A, E, R>(stream: Stream.Stream<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.catchAllCause(stream, (cause) => Stream.failCause(toFirstFailure(cause)))
