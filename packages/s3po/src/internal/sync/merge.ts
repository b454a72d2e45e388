import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { compareKeys } from "../core/keyOrder.js"

/** The same key on both sides of a sync, or on one of them. */
export type Paired<L, R> =
  | { readonly left: L; readonly right: undefined }
  | { readonly left: undefined; readonly right: R }
  | { readonly left: L; readonly right: R }

const pairsPerChunk = 256

/** One element at a time from a stream: `None` once it has ended. */
const pullOneByOne = <A, E>(
  stream: Stream.Stream<A, E>
): Effect.Effect<Effect.Effect<Option.Option<A>, E>, never, Scope.Scope> =>
  Effect.map(Stream.toPull(stream), (pull) => {
    let chunk: Chunk.Chunk<A> = Chunk.empty()
    let at = 0
    let ended = false
    const next: Effect.Effect<Option.Option<A>, E> = Effect.suspend(() => {
      if (at < chunk.length) return Effect.succeed(Option.some(Chunk.unsafeGet(chunk, at++)))
      if (ended) return Effect.succeed(Option.none())
      return Effect.matchEffect(pull, {
        onFailure: Option.match({
          onNone: () => {
            ended = true
            return Effect.succeed(Option.none<A>())
          },
          onSome: (error) => Effect.fail(error)
        }),
        onSuccess: (pulled) => {
          chunk = pulled
          at = 0
          return next
        }
      })
    })
    return next
  })

/**
 * `stream` as it is, failing with `disorder` at the first element whose key is not after the one
 * before it. A merge of a stream out of order would pair nothing right: a sync would upload a file
 * and delete it as missing in the same run.
 */
export const inKeyOrder = <A, E, E2>(
  stream: Stream.Stream<A, E>,
  keyOf: (element: A) => string,
  disorder: (previous: string, next: string) => E2
): Stream.Stream<A, E | E2> =>
  Stream.suspend(() => {
    let previous: string | undefined
    return Stream.mapChunksEffect(stream, (chunk) => {
      for (const element of chunk) {
        const key = keyOf(element)
        if (previous !== undefined && compareKeys(previous, key) >= 0) return Effect.fail(disorder(previous, key))
        previous = key
      }
      return Effect.succeed(chunk)
    })
  })

/**
 * Two streams sorted by key (S3's order, UTF-8 bytes), walked side by side: each key once, with
 * what each side has under it. Neither side is held whole, only the element each is at.
 */
export const mergeByKey = <L, R, E1, E2>(
  left: Stream.Stream<L, E1>,
  right: Stream.Stream<R, E2>,
  keyOfLeft: (element: L) => string,
  keyOfRight: (element: R) => string
): Stream.Stream<Paired<L, R>, E1 | E2> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const nextLeft = yield* pullOneByOne(left)
    const nextRight = yield* pullOneByOne(right)
    let leftAt: Option.Option<L> | undefined
    let rightAt: Option.Option<R> | undefined
    // Pairs go downstream a chunk at a time: a stream step per element costs more than a comparison.
    const step = Effect.gen(function*() {
      const pairs: Array<Paired<L, R>> = []
      while (pairs.length < pairsPerChunk) {
        if (leftAt === undefined) leftAt = yield* nextLeft
        if (rightAt === undefined) rightAt = yield* nextRight
        const l = leftAt
        const r = rightAt
        if (Option.isNone(l) && Option.isNone(r)) break
        const order = Option.isNone(l)
          ? 1
          : Option.isNone(r)
          ? -1
          : compareKeys(keyOfLeft(l.value), keyOfRight(r.value))
        if (order <= 0) leftAt = undefined
        if (order >= 0) rightAt = undefined
        pairs.push({
          left: order <= 0 ? Option.getOrUndefined(l) : undefined,
          right: order >= 0 ? Option.getOrUndefined(r) : undefined
        } as Paired<L, R>)
      }
      return pairs
    })
    return Stream.repeatEffectChunkOption(
      Effect.flatMap(Effect.mapError(step, Option.some), (pairs) =>
        pairs.length > 0 ? Effect.succeed(Chunk.unsafeFromArray(pairs)) : Effect.fail(Option.none()))
    )
  }))
