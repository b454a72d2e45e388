/**
 * Paginated listings over random page splits of a random set of names, with random protocol
 * faults, against a scripted server: a listing either yields every name once, in order, or fails
 * with `BrokenListing` naming the request, having yielded only the pages before the broken one. It
 * never hangs: a run that takes too long fails.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import { S3Po, type ValidationError } from "s3po"
import { layerAgainst, type ScriptedPage, type ScriptedS3, startScriptedS3 } from "../utils/scriptedS3.js"

type Fault =
  /** The server behaves. */
  | { readonly _tag: "None" }
  /** The last page is not truncated but carries a token all the same: harmless, the listing ends there. */
  | { readonly _tag: "StrayToken" }
  /** Page `at` hands out the token that asked for page `to` (`to === at`: the same token again; before it: a cycle). */
  | { readonly _tag: "Repeat"; readonly at: number; readonly to: number }
  /** Page `at` says it is truncated but gives no token. */
  | { readonly _tag: "NoToken"; readonly at: number }
  /** Page `at` says it is truncated and gives an empty token. */
  | { readonly _tag: "EmptyToken"; readonly at: number }

interface Listing {
  readonly pages: ReadonlyArray<ReadonlyArray<string>>
  readonly fault: Fault
}

const byUtf8 = (left: string, right: string) => Buffer.compare(Buffer.from(left), Buffer.from(right))

const names = fc.uniqueArray(
  fc.string({ unit: fc.constantFrom("a", "b", "/", "é", "~", "0"), minLength: 1, maxLength: 5 }),
  { maxLength: 40 }
).map((all) => [...all].sort(byUtf8))

/** The names cut into pages at random places: empty pages included, as S3 may answer them. */
const splitIntoPages = (all: ReadonlyArray<string>) =>
  fc.array(fc.nat({ max: all.length }), { maxLength: 10 }).map((cuts) => {
    const bounds = [0, ...[...cuts].sort((left, right) => left - right), all.length]
    return bounds.slice(1).map((end, index) => all.slice(bounds[index], end))
  })

const faultFor = (pageCount: number, detectable: ReadonlyArray<Fault["_tag"]>) =>
  fc.constantFrom(...detectable).chain((tag): fc.Arbitrary<Fault> => {
    switch (tag) {
      case "None":
      case "StrayToken":
        return fc.constant({ _tag: tag })
      case "Repeat":
        // Page 0 is asked for without a token, so only a later page can repeat one.
        return pageCount < 2 ?
          fc.constant({ _tag: "None" }) :
          fc.integer({ min: 1, max: pageCount - 1 }).chain((at) =>
            fc.integer({ min: 1, max: at }).map((to): Fault => ({ _tag: "Repeat", at, to }))
          )
      case "NoToken":
      case "EmptyToken":
        return fc.integer({ min: 0, max: pageCount - 1 }).map((at): Fault => ({ _tag: tag, at }))
    }
  })

const listings = (detectable: ReadonlyArray<Fault["_tag"]>) =>
  names.chain(splitIntoPages).chain((pages) =>
    faultFor(pages.length, detectable).map((fault): Listing => ({ pages, fault }))
  )

/** The script of a listing; `tokenOf(i)` is the token that asks for page `i` (i >= 1). */
const scriptOf = (listing: Listing, tokenOf: (index: number) => string): Map<string, ScriptedPage> => {
  const { fault, pages } = listing
  const script = new Map<string, ScriptedPage>()
  pages.forEach((page, index) => {
    const last = index === pages.length - 1
    const sound: ScriptedPage = last ? { names: page } : { names: page, next: tokenOf(index + 1) }
    const broken = "at" in fault && fault.at === index
    script.set(
      index === 0 ? "" : tokenOf(index),
      !broken
        ? last && fault._tag === "StrayToken" ? { names: page, truncated: false, next: "stray" } : sound
        : fault._tag === "Repeat"
        ? { names: page, next: tokenOf(fault.to) }
        : fault._tag === "NoToken"
        ? { names: page, truncated: true }
        : { names: page, truncated: true, next: "" }
    )
  })
  return script
}

/** What the listing must yield before it ends or fails: every name, or the pages before the broken one. */
const expectedOf = (listing: Listing) =>
  "at" in listing.fault
    ? { fails: true, yielded: listing.pages.slice(0, listing.fault.at).flat() }
    : { fails: false, yielded: listing.pages.flat() }

let server: ScriptedS3
let runtime: ManagedRuntime.ManagedRuntime<S3Po, ValidationError>

beforeAll(async () => {
  server = await startScriptedS3()
  runtime = ManagedRuntime.make(layerAgainst(server))
})

afterAll(async () => {
  await runtime.dispose()
  await server.close()
})

/** Runs a listing to its end or its failure, collecting what it yielded; too long a run is a hang. */
const run = <A>(listing: (s3: S3Po.Service) => Stream.Stream<A, unknown>) =>
  runtime.runPromise(Effect.gen(function*() {
    const s3 = yield* S3Po
    const yielded: Array<A> = []
    const outcome = yield* Effect.either(
      Stream.runForEach(listing(s3), (item) => Effect.sync(() => yielded.push(item)))
    ).pipe(
      Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("the listing never ended") })
    )
    return { outcome, yielded }
  }))

const check = (
  operation: string,
  outcome: Either.Either<void, unknown>,
  yielded: ReadonlyArray<string>,
  expected: ReturnType<typeof expectedOf>
) => {
  assert.deepStrictEqual(yielded, expected.yielded)
  if (!expected.fails) {
    assert.isTrue(Either.isRight(outcome), `expected the whole listing, got ${String(Either.getLeft(outcome))}`)
    return
  }
  if (Either.isRight(outcome)) return assert.fail("expected BrokenListing, the listing succeeded")
  const error = outcome.left as { readonly _tag: string; readonly operation: string; readonly bucket: string }
  assert.strictEqual(error._tag, "BrokenListing")
  assert.strictEqual(error.operation, operation)
}

const everyFault: ReadonlyArray<Fault["_tag"]> = ["None", "StrayToken", "Repeat", "NoToken", "EmptyToken"]

describe("paginated listings over random pages and protocol faults", () => {
  it("ListObjectsV2: every key once, in order, or BrokenListing", async () => {
    await fc.assert(
      fc.asyncProperty(listings(everyFault), async (listing) => {
        server.objects = scriptOf(listing, (index) => `token-${index}`)
        const { outcome, yielded } = await run((s3) => s3.list("bkt"))
        check("ListObjectsV2", Either.map(outcome, () => undefined), yielded, expectedOf(listing))
      }),
      { numRuns: 80 }
    )
  })

  it("ListMultipartUploads: every upload once, in order, or BrokenListing", async () => {
    await fc.assert(
      fc.asyncProperty(listings(everyFault), async (listing) => {
        // An upload is scripted as `key uploadId`; markers are opaque pairs the server pages by.
        server.uploads = scriptOf(
          { ...listing, pages: listing.pages.map((page) => page.map((key) => `${key} upload-of-${key}`)) },
          (index) => `marker-${index} id-${index}`
        )
        const { outcome, yielded } = await run((s3) => s3.listPendingUploads("bkt"))
        check(
          "ListMultipartUploads",
          Either.map(outcome, () => undefined),
          yielded.map((upload) => upload.uploadId === `upload-of-${upload.key}` ? upload.key : `${upload.key}?`),
          expectedOf(listing)
        )
      }),
      { numRuns: 50 }
    )
  })

  // ListBuckets has no IsTruncated: a page without a token is the last, so only repeats are faults.
  it("ListBuckets: every bucket once, in order, or BrokenListing", async () => {
    await fc.assert(
      fc.asyncProperty(listings(["None", "Repeat"]), async (listing) => {
        server.buckets = scriptOf(listing, (index) => `token-${index}`)
        const { outcome, yielded } = await run((s3) => Stream.flattenIterables(Stream.fromEffect(s3.listBuckets())))
        // listBuckets is one effect: it gives nothing unless every page came.
        const expected = expectedOf(listing)
        check(
          "ListBuckets",
          Either.map(outcome, () => undefined),
          yielded.map((bucket) => bucket.name),
          expected.fails ? { fails: true, yielded: [] } : expected
        )
      }),
      { numRuns: 50 }
    )
  })
})
