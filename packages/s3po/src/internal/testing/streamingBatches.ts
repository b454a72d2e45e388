import { assert, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { batchStream } from "../../Batch.js"
import { S3Po } from "../../S3Po.js"
import { freshBucket } from "./fixtures.js"

const listAll = (bucket: string) =>
  Effect.flatMap(S3Po, (s3) => Stream.runCollect(s3.list(bucket))).pipe(Effect.map(Chunk.toArray))

/** `deleteManyStream` and `batchStream` over any `S3Po` layer: the same results on the mock and a real server. */
export const streamingBatchesSuite = (name: string, s3Layer: Layer.Layer<S3Po, unknown>) =>
  layer(s3Layer, { timeout: "180 seconds", excludeTestServices: true })(name, (it) => {
    it.effect("deleteManyStream deletes a stream of keys, each result in the order of the keys; listObjects feeds batchStream in order", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("delete-stream")
        const stored = Array.from({ length: 2100 }, (_, i) => `k-${String(i).padStart(4, "0")}`)
        stored.push("control\u0001key", "tab\tcr\rlf\n")
        const uploaded = yield* batchStream(stored, (key) => s3.upload(bucket, key, key), { concurrency: 32 }).pipe(
          Stream.runCollect
        )
        assert.isTrue(Chunk.every(uploaded, (outcome) => Either.isRight(outcome.result)))

        // The listing fed into an ordered batch: every object once, in S3's order, items finishing out of order.
        const listed = yield* batchStream(
          s3.listObjects(bucket),
          (entry, index) => Effect.as(Effect.sleep(`${index % 3} millis`), entry),
          { concurrency: 16, ordered: true }
        ).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
        assert.deepStrictEqual(listed.map((outcome) => outcome.index), stored.map((_, i) => i))
        assert.deepStrictEqual(
          listed.map((outcome) => outcome.item._tag === "Object" && outcome.item.key),
          yield* listAll(bucket)
        )
        assert.isTrue(listed.every((outcome) => Either.getOrThrow(outcome.result) === outcome.item))

        // Keys 1000 apart land in different requests; "missing" never existed, and S3 reports it deleted.
        const given = [...stored.slice(1000).reverse(), "missing", ...stored.slice(0, 1000), "k-0001", "k-0001"]
        const results = yield* Stream.runCollect(s3.deleteManyStream(bucket, Stream.fromIterable(given)))
        assert.deepStrictEqual(Chunk.toArray(results), given.map((key) => ({ key, deleted: true })))
        assert.deepStrictEqual(yield* listAll(bucket), [])
      }))

    it.effect("batchStream yields every item's outcome once, failures included", () =>
      Effect.gen(function*() {
        const s3 = yield* S3Po
        const bucket = yield* freshBucket("batch-stream")
        yield* s3.upload(bucket, "there", "here I am")
        const keys = Stream.fromIterable(["there", "not-there", "there"])
        const outcomes = yield* batchStream(keys, (key) => s3.downloadString(bucket, key), { concurrency: 2 }).pipe(
          Stream.runCollect,
          Effect.map((all) => Chunk.toArray(all).sort((a, b) => a.index - b.index))
        )
        assert.deepStrictEqual(outcomes.map((outcome) => [outcome.index, outcome.item]), [
          [0, "there"],
          [1, "not-there"],
          [2, "there"]
        ])
        assert.deepStrictEqual(outcomes[0]?.result, Either.right("here I am"))
        assert.strictEqual(Either.isLeft(outcomes[1]!.result) && outcomes[1]!.result.left._tag, "NoSuchKey")
      }))
  })
