import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { RetryPolicy } from "../../Retry.js"
import type { S3Po } from "../../S3Po.js"
import type { S3PoError } from "../../S3PoError.js"
import type { Backend } from "../core/backend.js"
import { type BackendSettings, fromBackend } from "../core/layer.js"
import { exponential } from "../core/retry.js"
import * as MockPresign from "../mock/presign.js"

/** A backend of its own for each test, acquired in the test's scope and released after it. */
export type BackendSource = Effect.Effect<Backend, unknown, Scope.Scope>

/** Retries quick enough for a test, as many as a flaky part needs. */
export const quickRetry = (maxRetries: number): RetryPolicy =>
  exponential({ base: "2 millis", maxDelay: "20 millis", maxRetries })

/**
 * The service over a backend the test keeps a handle on, to look at what the service did
 * underneath (its presigner is the mock's: these suites do not fetch what they presign).
 */
export const layerOver = (backend: Backend, settings: BackendSettings = {}): Layer.Layer<S3Po> =>
  fromBackend(Effect.succeed({ backend, presigner: MockPresign.make().presigner, settings }))

/** Counts runs of each primitive (each attempt counts) and lets a test fail chosen ones. */
export const instrument = (
  backend: Backend,
  fail: (operation: keyof Backend, call: number, args: ReadonlyArray<unknown>) => S3PoError | undefined = () =>
    undefined
) => {
  const calls = new Map<keyof Backend, number>()
  const wrapped = { ...backend }
  for (const operation of Object.keys(backend) as Array<keyof Backend>) {
    const primitive: unknown = backend[operation]
    if (typeof primitive !== "function") continue
    const counted = (...args: Array<unknown>) =>
      Effect.suspend((): Effect.Effect<unknown, S3PoError> => {
        const call = (calls.get(operation) ?? 0) + 1
        calls.set(operation, call)
        const failure = fail(operation, call, args)
        return failure === undefined ? Reflect.apply(primitive, backend, args) : Effect.fail(failure)
      })
    Object.assign(wrapped, { [operation]: counted })
  }
  return { backend: wrapped, calls: (operation: keyof Backend) => calls.get(operation) ?? 0 }
}
