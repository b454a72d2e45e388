import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

/** A tracer that makes spans as Effect's own does and keeps every one, for a test to read. */
export const recordingTracer = Effect.map(Effect.tracer, (builtIn) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args: Parameters<Tracer.Tracer["span"]>) => {
      const span = builtIn.span(...args)
      spans.push(span)
      return span
    },
    context: builtIn.context
  })
  return { tracer, spans }
})
