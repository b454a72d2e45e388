/**
 * An in-memory S3 that behaves like S3: for tests, demos and local development.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { fromBackend } from "./internal/layer.js"
import * as MockBackend from "./internal/mockBackend.js"
import type { S3Po } from "./S3Po.js"

/**
 * `S3Po` backed by a `Ref` holding an in-memory store, empty each time the layer is built. It
 * follows S3's rules: buckets must exist, keys list in UTF-8 byte order in pages of 1000,
 * delimiters roll keys up into common prefixes, ETags are MD5s, multipart uploads check part sizes
 * and order, and a pending multipart upload stays pending until completed or aborted.
 *
 * @since 0.1.0
 * @category layers
 */
export const S3PoMock: Layer.Layer<S3Po> = fromBackend(
  Effect.map(Ref.make(MockBackend.emptyState), (state) => ({ backend: MockBackend.make(state), settings: {} }))
)
