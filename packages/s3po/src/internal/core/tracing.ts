import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/** The tracer a program has when it installs none: it keeps no span it is given. */
const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Runs `effect` in the leaf span `S3Po.<operation>`, with the bucket and key as attributes.
 *
 * `useSpan` rather than `withSpan`: a leaf does not need to become the parent span of the context,
 * and not making it one halves its cost. Under Effect's built-in tracer no span is made at all: that
 * tracer keeps none, a leaf span is visible to nothing else, and making one costs more than a whole
 * request to the in-memory mock (two random ids, a map of attributes, two clock readings).
 */
export const traced =
  (operation: string, bucket: string, key?: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.tracerWith((tracer) =>
      tracer === builtInTracer ? effect : Effect.useSpan(`S3Po.${operation}`, {
        attributes: key === undefined ? { "s3.bucket": bucket } : { "s3.bucket": bucket, "s3.key": key },
        captureStackTrace: false
      }, () => effect)
    )
