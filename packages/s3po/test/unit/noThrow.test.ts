/**
 * Every public function, called with arbitrary arguments, never throws where it is called and never
 * dies: what it cannot take is a typed failure (an `S3PoError`, or a `ConfigError` of a layer read
 * from configuration).
 */
import type { S3Client } from "@aws-sdk/client-s3"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  batch,
  batchStream,
  isS3PoError,
  layerLive,
  layerLiveConfig,
  layerLiveFromClient,
  layerMock,
  type LiveClientOptions,
  liveConfig,
  type LiveOptions,
  MockFault,
  type MockLatency,
  type MockOptions,
  type MockSeed,
  Retry,
  S3Po,
  S3PoMockControl,
  Sync,
  ValidationError
} from "s3po"

const runs = Number(process.env.NOTHROW_RUNS ?? 60)
const timeout = 30_000

/** Numbers a size, count or offset must not be, and a few it may. */
const numbers = fc.constantFrom(-1, 0, 1, 0.5, -0, NaN, Infinity, -Infinity, 2 ** 53, 1e308, Number.MAX_SAFE_INTEGER)
/** Texts that break naive code: empty, controls, a lone surrogate, traversal, prototype names, very long. */
const hostileText = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "\r\nX-Injected: 1",
    "\ud800",
    "../../etc/passwd",
    "__proto__",
    "constructor",
    "%E0%A4%A",
    "a".repeat(2000),
    "€".repeat(400)
  ),
  fc.string(),
  fc.string({ unit: "binary" })
)
const badDurations = fc.constantFrom<unknown>("soon", "5 parsecs", "-1 seconds", [1e300, 0], [NaN, 1], {}, -5, NaN)
/** Anything, and values of the right type that are wrong. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: "small" },
  fc.anything(),
  numbers,
  hostileText,
  badDurations,
  fc.constant(Symbol("s")),
  fc.constant(Object.create(null)),
  fc.constant(() => Effect.void),
  fc.constant(new Date(NaN))
)

const optionNames = [
  "contentType",
  "metadata",
  "tags",
  "partSize",
  "partConcurrency",
  "multipartThreshold",
  "onProgress",
  "cacheControl",
  "contentDisposition",
  "contentEncoding",
  "contentLanguage",
  "expires",
  "storageClass",
  "serverSideEncryption",
  "ifNoneMatch",
  "ifMatch",
  "ifModifiedSince",
  "ifUnmodifiedSince",
  "concurrency",
  "range",
  "prefix",
  "delimiter",
  "startAfter",
  "method",
  "expiresIn",
  "responseContentType",
  "responseContentDisposition",
  "key",
  "keyPrefix",
  "anyKey",
  "maxBytes",
  "minBytes",
  "olderThan",
  "delete",
  "compare",
  "include",
  "exclude",
  "dryRun",
  "followSymlinks",
  "onProgress",
  "customerKey",
  "sourceCustomerKey",
  "versionId",
  "sourceVersionId",
  "bypassGovernanceRetention",
  "retention",
  "legalHold",
  "objectLock",
  "defaultRetention"
] as const

/** An options argument: absent, anything, or an object of known option names with hostile values. */
const options = fc.oneof(
  fc.constant(undefined),
  hostile,
  fc.record(Object.fromEntries(optionNames.map((name) => [name, hostile])), { requiredKeys: [] })
)

/** Buckets and keys: real ones (so requests reach the store), hostile ones and non-strings. */
const bucket = fc.oneof(fc.constant("bkt"), fc.constant("missing-bucket"), hostile)
const key = fc.oneof(fc.constantFrom("k", "dir/k", "k/"), hostile)

let scratch: string

/**
 * Local paths inside this test's own directory (never elsewhere: a download or a sync writes and
 * deletes there), or values that are no path at all.
 */
const localPath = fc.oneof(
  fc.constantFrom("", "f", "missing/dir/f", "dir", "."),
  hostileText.map((name) => name.replace(/\.\./g, "").replace(/\0/g, "")),
  hostile.filter((value) => typeof value !== "string")
).map((name) => typeof name === "string" ? path.join(scratch, name) : name)

const keys = fc.oneof(
  fc.array(key, { maxLength: 5 }),
  fc.array(key, { maxLength: 5 }).map((given) => Stream.fromIterable(given)),
  hostile
)
const location = fc.oneof(fc.record({ bucket, key }), hostile)
const prefixLocation = fc.oneof(
  fc.record({ bucket, prefix: fc.oneof(fc.constantFrom("", "dir/", "dir/k"), hostile) }, { requiredKeys: ["bucket"] }),
  hostile
)
const body = fc.oneof(hostile, fc.uint8Array({ maxLength: 64 }), fc.constant(Stream.make(new Uint8Array(3))))

/** Schemas of JSON documents, and values that are none. */
const schema = fc.oneof(
  fc.constantFrom<unknown>(Schema.Unknown, Schema.String, Schema.Struct({ n: Schema.Number })),
  hostile
)
/** Functions of `updateJson`: returning a value or an effect of one, and values that are none. */
const update = fc.oneof(
  fc.constantFrom<unknown>(
    () => ({ n: 1 }),
    (current: Option.Option<unknown>) => Option.getOrElse(current, () => "new"),
    () => Effect.succeed({ n: 2 })
  ),
  hostile
)

/** The arguments of every service method: a method missing here fails the suite. */
const argumentsOf: { readonly [Method in keyof S3Po.Service]: fc.Arbitrary<ReadonlyArray<unknown>> } = {
  createBucket: fc.tuple(bucket, options),
  upload: fc.tuple(bucket, key, body, options),
  uploadFile: fc.tuple(bucket, key, localPath, options),
  download: fc.tuple(bucket, key, options),
  downloadString: fc.tuple(bucket, key, options),
  downloadStream: fc.tuple(bucket, key, options),
  downloadFile: fc.tuple(bucket, key, localPath, options),
  get: fc.tuple(bucket, key, options),
  getStream: fc.tuple(bucket, key, options),
  getJson: fc.tuple(bucket, key, schema, options),
  putJson: fc.tuple(bucket, key, schema, hostile, options),
  updateJson: fc.tuple(bucket, key, schema, update, options),
  head: fc.tuple(bucket, key, options),
  getTags: fc.tuple(bucket, key),
  setTags: fc.tuple(bucket, key, hostile),
  exists: fc.tuple(bucket, key),
  list: fc.tuple(bucket, options),
  listObjects: fc.tuple(bucket, options),
  delete: fc.tuple(bucket, key, options),
  deleteMany: fc.tuple(bucket, keys),
  deleteManyStream: fc.tuple(bucket, keys),
  copy: fc.tuple(location, location, options),
  move: fc.tuple(location, location, options),
  copyPrefix: fc.tuple(prefixLocation, prefixLocation, options),
  movePrefix: fc.tuple(prefixLocation, prefixLocation, options),
  presign: fc.tuple(bucket, key, options),
  presignPost: fc.tuple(bucket, options),
  // Returns a handle, whose methods are tried below.
  bucket: fc.tuple(bucket),
  listBuckets: fc.tuple(),
  bucketExists: fc.tuple(bucket),
  deleteBucket: fc.tuple(bucket),
  deletePrefix: fc.tuple(bucket, hostile),
  emptyBucket: fc.tuple(bucket),
  listPendingUploads: fc.tuple(bucket, options),
  abortPendingUploads: fc.tuple(bucket, options),
  putLifecycle: fc.tuple(bucket, hostile),
  getLifecycle: fc.tuple(bucket),
  deleteLifecycle: fc.tuple(bucket),
  setBucketVersioning: fc.tuple(bucket, fc.oneof(fc.constantFrom("Enabled", "Suspended"), hostile)),
  getBucketVersioning: fc.tuple(bucket),
  listObjectVersions: fc.tuple(bucket, options),
  getObjectLockConfiguration: fc.tuple(bucket),
  setObjectLockConfiguration: fc.tuple(bucket, options),
  getRetention: fc.tuple(bucket, key, options),
  setRetention: fc.tuple(bucket, key, hostile, options),
  getLegalHold: fc.tuple(bucket, key, options),
  setLegalHold: fc.tuple(bucket, key, hostile, options)
}

/** Why `exit` is not a success or a typed failure, or `undefined` when it is one of them. */
const untyped = (exit: Exit.Exit<unknown, unknown>, isTyped: (error: unknown) => boolean) => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some" && isTyped(failure.value)) return undefined
  return Cause.pretty(exit.cause)
}

/**
 * Calls `call` (which must not throw), runs what it returns (an effect, or a stream drained) for at
 * most 5 seconds, and fails the property with the reason when it threw, died or hung.
 */
const check = async (
  call: () => unknown,
  isTyped: (error: unknown) => boolean = isS3PoError
) => {
  let made: unknown
  try {
    made = call()
  } catch (error) {
    throw new Error(`threw where it was called: ${String(error)}`)
  }
  const effect = Stream.StreamTypeId in (made as object)
    ? Stream.runDrain(Stream.take(made as Stream.Stream<unknown, unknown, S3Po>, 1000))
    : made as Effect.Effect<unknown, unknown, S3Po>
  const exit = await onMock(Effect.timeoutFail(effect, { duration: "5 seconds", onTimeout: () => "hung" as const }))
  const reason = untyped(exit, isTyped)
  if (reason !== undefined) throw new Error(reason)
}

const seed = { bkt: { k: "hello", "dir/k": "nested", "k/": "" } }

/** Requests through a layer, each ending as it may: what a fault rule or latency it took is tried on. */
const requests = Effect.flatMap(
  S3Po,
  (s3) =>
    Effect.all([s3.exists("bkt", "k"), s3.upload("bkt", "new", "x"), s3.downloadString("bkt", "k")], {
      mode: "either"
    })
).pipe(Effect.timeout("200 millis"), Effect.ignore)

const built = <E>(layer: Layer.Layer<S3Po, E>) => Effect.scoped(Layer.build(layer))

/** A call of the test kit's control on a mock of its own, then requests through that mock. */
const withControl = <A, E>(f: (control: S3PoMockControl.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(S3PoMockControl, f).pipe(
    Effect.zipLeft(requests),
    Effect.provide(layerMock({ seed, retry: "off" }))
  )
let runtime: ManagedRuntime.ManagedRuntime<S3Po, unknown>
let service: S3Po.Service

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "s3po-nothrow-"))
  fs.writeFileSync(path.join(scratch, "f"), "local")
  fs.mkdirSync(path.join(scratch, "dir"))
  runtime = ManagedRuntime.make(layerMock({ seed, retry: "off" }))
  service = await runtime.runPromise(S3Po)
})

afterAll(async () => {
  await runtime.dispose()
  fs.rmSync(scratch, { recursive: true, force: true })
})

const onMock = (effect: Effect.Effect<unknown, unknown, S3Po>) => runtime.runPromiseExit(effect)

/** Faults as the test kit makes them, from arbitrary options: a bad one must be refused by the layer given it. */
const fault = fc.oneof(
  fc.constantFrom(MockFault.internalError, MockFault.connectionReset, MockFault.timeout, MockFault.truncatedBody),
  fc.record({ status: hostile, code: hostile, message: hostile, retryAfter: hostile }, { requiredKeys: [] }).map((
    options
  ) => MockFault.errorResponse(options as Parameters<typeof MockFault.errorResponse>[0])),
  fc.oneof(hostile, fc.record({ retryAfter: hostile })).map((options) =>
    MockFault.throttled(options as Parameters<typeof MockFault.throttled>[0])
  ),
  hostile
)

describe("every public function, given arbitrary arguments, fails typed and never throws or dies", () => {
  it("every method of the service has an argument generator", () => {
    const methods = Object.keys(service).sort()
    assert.deepStrictEqual(methods.filter((name) => !(name in argumentsOf)), [])
    assert.isAbove(methods.length, 20)
  })

  for (const method of Object.keys(argumentsOf) as ReadonlyArray<keyof S3Po.Service>) {
    if (method === "bucket") continue
    it(`S3Po.${method}`, async () => {
      await fc.assert(
        fc.asyncProperty(
          argumentsOf[method],
          (args) =>
            check(() => {
              const made = (service[method] as (...args: ReadonlyArray<unknown>) => unknown)(...args)
              // What `getStream` opens is held by a scope: its stream is run in it.
              return method === "getStream"
                ? Effect.scoped(
                  Effect.flatMap(
                    made as ReturnType<S3Po.Service["getStream"]>,
                    (opened) => Stream.runDrain(Stream.take(opened.stream, 1000))
                  )
                )
                : made
            })
        ),
        { numRuns: runs }
      )
    }, timeout)
  }

  it("S3Po.bucket(name).prefix(prefix), each of its methods", async () => {
    const methods = Object.keys(service.bucket("bkt")).filter((name) => !["name", "path", "prefix"].includes(name))
    assert.isAbove(methods.length, 20)
    /** A handle method's arguments: the service method's without the bucket; copies and moves take two keys. */
    const argumentsOfHandle = (method: string): fc.Arbitrary<ReadonlyArray<unknown>> =>
      ["copy", "move", "copyPrefix", "movePrefix"].includes(method)
        ? fc.tuple(key, key, options)
        : ["syncUp", "syncDown", "planUp", "planDown"].includes(method)
        ? fc.tuple(localPath, options)
        : argumentsOf[method as keyof S3Po.Service].map((args) => args.slice(1))
    const call = fc.tuple(
      bucket,
      fc.oneof(fc.constant(undefined), fc.constantFrom("p/", "tenant", "a/b"), hostile),
      fc.constantFrom(...methods)
    ).chain(([name, prefix, method]) => argumentsOfHandle(method).map((args) => ({ name, prefix, method, args })))
    await fc.assert(
      fc.asyncProperty(call, ({ args, method, name, prefix }) =>
        check(() => {
          const root = service.bucket(name as string)
          const handle = (prefix === undefined ? root : root.prefix(prefix as string)) as unknown as Record<
            string,
            (...args: ReadonlyArray<unknown>) => unknown
          >
          const made = handle[method]!(...args)
          return method === "getStream"
            ? Effect.scoped(
              Effect.flatMap(
                made as ReturnType<S3Po.Service["getStream"]>,
                (opened) => Stream.runDrain(Stream.take(opened.stream, 1000))
              )
            )
            : made
        })),
      { numRuns: runs * 4 }
    )
  }, timeout * 4)

  const rule = fc.oneof(
    hostile,
    fc.record(
      { fault, operation: hostile, nth: hostile, rate: hostile, times: hostile, key: hostile, match: hostile },
      {
        requiredKeys: ["fault"]
      }
    )
  )
  const controlCalls: ReadonlyArray<readonly [string, fc.Arbitrary<() => unknown>]> = [
    [
      "S3PoMockControl.addFault",
      rule.map((given) => () => withControl((control) => control.addFault(given as MockFault.FaultRule)))
    ],
    [
      "S3PoMockControl.setLatency",
      hostile.map((given) => () => withControl((control) => control.setLatency(given as MockLatency)))
    ],
    [
      "S3PoMockControl.restore",
      hostile.map((given) => () => withControl((control) => control.restore(given as MockSeed)))
    ],
    [
      "S3PoMockControl.fetch",
      fc.tuple(fc.oneof(hostileText, hostile), hostile).map(([input, init]) => () =>
        withControl((control) => control.fetch(input as string, init as RequestInit))
      )
    ]
  ]
  for (const [name, calls] of controlCalls) {
    it(name, async () => {
      await fc.assert(fc.asyncProperty(calls, (call) => check(call)), { numRuns: runs })
    }, timeout)
  }

  const syncLocation = fc.oneof(fc.record({ bucket, prefix: fc.oneof(fc.constant(undefined), hostile) }), hostile)
  const moduleFunctions: ReadonlyArray<readonly [string, fc.Arbitrary<() => unknown>]> = [
    [
      "Sync.syncUp",
      fc.tuple(localPath, syncLocation, options).map((args) => () =>
        Sync.syncUp(...(args as Parameters<typeof Sync.syncUp>))
      )
    ],
    [
      "Sync.syncDown",
      fc.tuple(syncLocation, localPath, options).map((args) => () =>
        Sync.syncDown(...(args as Parameters<typeof Sync.syncDown>))
      )
    ],
    [
      "Sync.planUp",
      fc.tuple(localPath, syncLocation, options).map((args) => () =>
        Sync.planUp(...(args as Parameters<typeof Sync.planUp>))
      )
    ],
    [
      "Sync.planDown",
      fc.tuple(syncLocation, localPath, options).map((args) => () =>
        Sync.planDown(...(args as Parameters<typeof Sync.planDown>))
      )
    ],
    [
      "batch",
      fc.tuple(
        fc.oneof(fc.array(hostile, { maxLength: 5 }), hostile),
        fc.oneof(fc.constant((item: unknown) => Effect.succeed(item)), hostile),
        options
      ).map((args) => () => batch(...(args as Parameters<typeof batch>)))
    ],
    [
      "batchStream",
      fc.tuple(
        fc.oneof(fc.array(hostile, { maxLength: 5 }), fc.constant(Stream.make(1, 2)), hostile),
        fc.oneof(fc.constant((item: unknown) => Effect.succeed(item)), hostile),
        options
      ).map((args) => () => batchStream(...(args as Parameters<typeof batchStream>)))
    ],
    [
      "Retry.exponential",
      fc.tuple(
        options,
        fc.record({ base: hostile, factor: hostile, maxDelay: hostile, maxRetries: hostile }, { requiredKeys: [] })
      ).map(([, retry]) => () =>
        S3Po.pipe(
          Effect.flatMap((s3) => s3.exists("bkt", "k")),
          Effect.provide(layerMock({ retry: Retry.exponential(retry as Retry.ExponentialRetryOptions) }))
        )
      )
    ]
  ]
  for (const [name, calls] of moduleFunctions) {
    it(name, async () => {
      await fc.assert(fc.asyncProperty(calls, (call) => check(call)), { numRuns: runs })
    }, timeout)
  }

  const isLayerFailure = (error: unknown) =>
    isS3PoError(error) || (typeof error === "object" && error !== null && "_op" in error)
  const liveOptions = fc.oneof(
    hostile,
    fc.record({
      endpoint: fc.oneof(fc.constant("http://127.0.0.1:9"), hostile),
      region: hostile,
      credentials: hostile,
      forcePathStyle: hostile,
      requestChecksumCalculation: hostile,
      retry: hostile,
      multipart: fc.oneof(
        hostile,
        fc.record({ partSize: hostile, partConcurrency: hostile, multipartThreshold: hostile }, { requiredKeys: [] })
      ),
      maxSockets: hostile,
      requestTimeout: hostile,
      connectionTimeout: hostile,
      idleTimeout: hostile,
      signPayloadOverHttps: hostile,
      extraCaCertificates: hostile,
      faults: hostile,
      randomSeed: hostile,
      transport: hostile
    }, { requiredKeys: [] })
  )
  const mockOptions = fc.oneof(
    hostile,
    fc.record({
      seed: fc.oneof(
        hostile,
        fc.dictionary(hostileText, fc.dictionary(hostileText, hostile, { maxKeys: 3 }), { maxKeys: 3 })
      ),
      faults: fc.oneof(
        fc.array(fault.map((made) => ({ fault: made })), { maxLength: 2 }),
        hostile,
        fc.array(fc.record({ operation: hostile, nth: hostile, rate: hostile, fault: hostile }, { requiredKeys: [] }), {
          maxLength: 3
        })
      ),
      latency: hostile,
      randomSeed: hostile,
      retry: hostile,
      multipart: fc.oneof(
        hostile,
        fc.record({ partSize: hostile, partConcurrency: hostile, multipartThreshold: hostile }, { requiredKeys: [] })
      ),
      callLogLimit: hostile
    }, { requiredKeys: [] })
  )
  const layers: ReadonlyArray<readonly [string, fc.Arbitrary<() => unknown>]> = [
    ["layerLive", liveOptions.map((given) => () => built(layerLive(given as LiveOptions)))],
    [
      "layerLiveFromClient",
      fc.tuple(hostile, liveOptions).map(([client, given]) => () =>
        built(layerLiveFromClient(client as S3Client, given as LiveClientOptions))
      )
    ],
    [
      "layerLiveConfig",
      fc.dictionary(
        fc.constantFrom(
          "S3PO_ENDPOINT",
          "AWS_REGION",
          "S3PO_FORCE_PATH_STYLE",
          "AWS_REQUEST_CHECKSUM_CALCULATION",
          "S3PO_MAX_RETRIES"
        ),
        hostileText
      ).map((env) => () =>
        built(layerLiveConfig(liveConfig)).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
        )
      )
    ],
    // The mock is built and used: a rule or a latency it took must not break a request.
    ["layerMock", mockOptions.map((given) => () => Effect.provide(requests, layerMock(given as MockOptions)))]
  ]
  for (const [name, calls] of layers) {
    it(name, async () => {
      await fc.assert(fc.asyncProperty(calls, (call) => check(call, isLayerFailure)), { numRuns: runs })
    }, timeout)
  }
})

describe("a wrong argument is a ValidationError that names it", () => {
  it("on the service, a layer and a retry policy", async () => {
    const fieldOf = async (effect: Effect.Effect<unknown, unknown, S3Po>) => {
      const exit = await onMock(effect)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
      const error = failure?._tag === "Some" ? failure.value : undefined
      return error instanceof ValidationError ? [error.operation, error.field] : String(exit)
    }
    const wrong = <A>(value: unknown) => value as A
    assert.deepStrictEqual(await fieldOf(service.copy(wrong(null), { bucket: "bkt", key: "k" })), ["copy", "from"])
    assert.deepStrictEqual(await fieldOf(service.presignPost("bkt", wrong(undefined))), ["presignPost", "options"])
    assert.deepStrictEqual(await fieldOf(service.download("bkt", "k", wrong({ range: false }))), ["download", "range"])
    assert.deepStrictEqual(
      await fieldOf(Stream.runDrain(service.list("bkt", wrong({ prefix: 7 })))),
      ["list", "prefix"]
    )
    assert.deepStrictEqual(
      await fieldOf(built(layerMock({ retry: Retry.exponential({ maxDelay: wrong("soon") }) }))),
      ["S3PoMock.layer", "retry"]
    )
    assert.deepStrictEqual(
      await fieldOf(built(layerMock({ faults: [{ fault: MockFault.throttled({ retryAfter: wrong("soon") }) }] }))),
      ["S3PoMock.layer", "faults"]
    )
  })
})
