/**
 * `pnpm bench`: s3po side by side with the raw AWS SDK and `@aws-sdk/lib-storage`, against the
 * benchmark fixture (`fixture.ts`, a minimal S3 endpoint in its own process), plus S3PoMock.
 * Sides alternate run by run, in rotating order; each figure is the median of several runs, and
 * each ratio the median of the ratios of runs made side by side. Prints a table and writes the
 * figures to `bench-results.json` at the repository root.
 */
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import { execFile } from "node:child_process"
import { rmSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { batch, type ChecksumAlgorithm, S3Po } from "../src/index.js"
import { selfSignedCertificate } from "../test/utils/tls.js"
import { credentials, rawClient, s3poLayer, signedUndiciGet } from "./clients.js"
import { type Fixture, startFixture } from "./fixtureProcess.js"
import { hashingSpeeds, implementations } from "./hashing.js"
import { nodeArgsFor, repositoryRoot } from "./launch.js"
import { cpuPerOpUs, measure, type Measurement, median, opsPerSecond, round } from "./measure.js"
import { makeSmallOpsSides, promisePool } from "./smallOps.js"
import { measureStartup } from "./startup.js"
import { measureSyncMemory } from "./syncMemory.js"
import {
  buildCli,
  ensureTools,
  flushToDisk,
  makeLargeFile,
  makeTree,
  syncWith,
  type ToolRun,
  tools
} from "./syncTools.js"

const MiB = 1024 * 1024
const GiB = 1024 * MiB
const quick = process.env.S3PO_BENCH_QUICK === "1"
// Small-object figures move by 20% from run to run on a 2-core machine: nine runs give a steadier median.
const runs = quick ? 3 : 9
const bigBytes = quick ? 256 * MiB : GiB
const root = repositoryRoot()
const results: Record<string, Record<string, unknown>> = {}
const rows: Array<[string, string, string, string]> = []
const log = (line: string) => console.error(line)

const withFixture = async <A>(options: Parameters<typeof startFixture>[0], f: (fixture: Fixture) => Promise<A>) => {
  const fixture = await startFixture(options)
  try {
    return await f(fixture)
  } finally {
    await fixture.stop()
  }
}

/**
 * Collects the garbage a section left (`pnpm bench` runs node with `--expose-gc`), so that the next
 * section does not pay for it. Not between runs: a full collection also shrinks the young
 * generation, and every run after one would pay for regrowing it.
 */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.()

/**
 * Runs the sides alternately `times` times after one warm-up each, the order rotating from run to
 * run (the side that runs next inherits what the one before left for the collector); returns each
 * side's measurements, run `i` of each side made next to run `i` of the others.
 */
const alternate = async <K extends string, M extends Measurement>(sides: Record<K, () => Promise<M>>, times = runs) => {
  const names = Object.keys(sides) as Array<K>
  for (const name of names) await sides[name]()
  const out = Object.fromEntries(names.map((name) => [name, [] as Array<M>])) as Record<K, Array<M>>
  for (let run = 0; run < times; run++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(run + i) % names.length]!
      out[name].push(await sides[name]())
    }
  }
  return out
}

/**
 * The median of the ratios `figure(a) / figure(b)` of runs made side by side. The speed of these
 * machines drifts by up to 40% over minutes: a ratio of two medians would mix that drift in, a
 * ratio of neighbouring runs does not.
 */
const pairedRatio = <M>(a: ReadonlyArray<M>, b: ReadonlyArray<M>, figure: (m: M) => number) =>
  median(a.map((m, i) => figure(m) / figure(b[i]!)))

const smallOps = async () => {
  results.smallOps = {}
  for (const latencyMs of [0, 20]) {
    await withFixture({ latencyMs }, async (fixture) => {
      const sides = makeSmallOpsSides(fixture.endpoint, "bench")
      await sides.setup()
      for (const concurrency of [1, 16, 64]) {
        const items = latencyMs === 0 ? 1000 : Math.min(600, concurrency * 25)
        const measured = await alternate({
          sdk: () => sides.sdk(items, concurrency),
          s3po: () => sides.s3po(items, concurrency)
        })
        const sdkCpu = median(measured.sdk.map(cpuPerOpUs))
        const s3poCpu = median(measured.s3po.map(cpuPerOpUs))
        const figures = {
          s3poOpsPerSec: round(median(measured.s3po.map(opsPerSecond)), 0),
          sdkOpsPerSec: round(median(measured.sdk.map(opsPerSecond)), 0),
          s3poCpuPerOpUs: round(s3poCpu, 0),
          sdkCpuPerOpUs: round(sdkCpu, 0),
          cpuRatio: round(pairedRatio(measured.s3po, measured.sdk, cpuPerOpUs), 3)
        }
        results.smallOps[`latency${latencyMs}ms`] = {
          ...(results.smallOps[`latency${latencyMs}ms`] as object),
          [`c${concurrency}`]: figures
        }
        if (latencyMs === 0) results.smallOps[`c${concurrency}`] = figures
        rows.push([
          `1 KiB PUT+GET, c=${concurrency}, ${latencyMs} ms`,
          `${figures.s3poOpsPerSec} ops/s, ${figures.s3poCpuPerOpUs} µs CPU/op`,
          `${figures.sdkOpsPerSec} ops/s, ${figures.sdkCpuPerOpUs} µs CPU/op (raw SDK)`,
          `CPU ${figures.cpuRatio}×`
        ])
        log(`small ops ${latencyMs} ms c${concurrency}: ${JSON.stringify(figures)}`)
      }
      await sides.close()
    })
  }
}

const run = promisify(execFile)

/**
 * A 1 GiB stream upload, s3po against lib-storage, each side in a process of its own
 * (`multipartWorker.ts`). Over HTTPS as well: there s3po leaves the bytes out of the signature, as
 * the AWS SDKs for Java, Go and Python do, and lib-storage hashes them.
 */
const multipartUploadOver = (protocol: "http" | "https") => async () => {
  const certificate = protocol === "https" ? await certificateFiles() : undefined
  const name = protocol === "http" ? "multipartUpload" : "multipartUploadHttps"
  await withFixture({ discard: true, tls: certificate }, async (fixture) => {
    const worker = (side: string) => async (): Promise<Measurement & { peakAboveIdleMiB: number }> => {
      const { stdout } = await run(process.execPath, [
        "--expose-gc",
        ...nodeArgsFor("multipartWorker"),
        side,
        fixture.endpoint,
        String(bigBytes)
      ], {
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
          ...(certificate === undefined ? {} : { NODE_EXTRA_CA_CERTS: certificate.certFile })
        },
        maxBuffer: 1 << 20
      })
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!)
      return {
        ops: bigBytes / MiB,
        seconds: out.seconds,
        cpuSeconds: out.cpuSeconds,
        peakAboveIdleMiB: out.peakRssMiB - out.idleRssMiB
      }
    }
    const times = quick ? 2 : protocol === "http" ? 5 : 3
    const measured = await alternate({ s3po: worker("s3po"), libStorage: worker("lib-storage") }, times)
    const mibs = (side: keyof typeof measured) => median(measured[side].map((m) => m.ops / m.seconds))
    const rss = (side: keyof typeof measured) => median(measured[side].map((m) => m.peakAboveIdleMiB))
    const cpu = (side: keyof typeof measured) => median(measured[side].map((m) => m.cpuSeconds))
    const r = {
      bytes: bigBytes,
      s3poMiBs: round(mibs("s3po"), 1),
      libStorageMiBs: round(mibs("libStorage"), 1),
      throughputRatio: round(pairedRatio(measured.s3po, measured.libStorage, (m) => m.ops / m.seconds), 3),
      s3poCpuSeconds: round(cpu("s3po")),
      libStorageCpuSeconds: round(cpu("libStorage")),
      s3poPeakRssMiB: round(rss("s3po"), 1),
      libStoragePeakRssMiB: round(rss("libStorage"), 1)
    }
    results[name] = r
    rows.push([
      `${bigBytes / GiB} GiB stream upload, 8 MiB × 4, ${protocol.toUpperCase()}`,
      `${r.s3poMiBs} MiB/s, ${r.s3poCpuSeconds} s CPU, peak +${r.s3poPeakRssMiB} MiB`,
      `${r.libStorageMiBs} MiB/s, ${r.libStorageCpuSeconds} s CPU, peak +${r.libStoragePeakRssMiB} MiB (lib-storage)`,
      `${r.throughputRatio}×`
    ])
    log(`${name}: ${JSON.stringify(r)}`)
  })
}

/** A self-signed certificate for the HTTPS fixture, in files: the workers trust it through `NODE_EXTRA_CA_CERTS`. */
const certificateFiles = async () => {
  const { key, cert } = selfSignedCertificate()
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "s3po-bench-tls-"))
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }))
  const keyFile = path.join(dir, "key.pem")
  const certFile = path.join(dir, "cert.pem")
  await fs.writeFile(keyFile, key)
  await fs.writeFile(certFile, cert)
  return { keyFile, certFile }
}

const rangedDownload = async () => {
  const connectionMbps = 100
  await withFixture({ connectionMbps }, async (fixture) => {
    const runtime = ManagedRuntime.make(s3poLayer(fixture.endpoint))
    const client = new S3Client({ endpoint: fixture.endpoint, region: "us-east-1", forcePathStyle: true, credentials })
    await runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
      Effect.zipRight(
        s3.createBucket("bench"),
        s3.upload("bench", "big", Stream.repeatValue(new Uint8Array(MiB).fill(1)).pipe(Stream.take(bigBytes / MiB)))
      )))
    const s3po = () =>
      measure(
        bigBytes / MiB,
        () =>
          runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
            Stream.runDrain(s3.downloadStream("bench", "big", { partSize: 8 * MiB, concurrency: 8 }))))
      )
    const sdk = () =>
      measure(bigBytes / MiB, async () => {
        const response = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "big" }))
        for await (const _ of response.Body as AsyncIterable<Uint8Array>) { /* drain */ }
      })
    const measured = await alternate({ s3po, sdk }, 3)
    const s3poMiBs = median(measured.s3po.map(opsPerSecond))
    const sdkMiBs = median(measured.sdk.map(opsPerSecond))
    results.rangedDownload = {
      bytes: bigBytes,
      connectionMbps,
      s3poMiBs: round(s3poMiBs, 1),
      singleGetMiBs: round(sdkMiBs, 1),
      throughputRatio: round(pairedRatio(measured.s3po, measured.sdk, opsPerSecond), 3)
    }
    rows.push([
      `${bigBytes / GiB} GiB download, ${connectionMbps} MB/s per connection`,
      `${round(s3poMiBs, 1)} MiB/s (8 ranged GETs × 8 MiB)`,
      `${round(sdkMiBs, 1)} MiB/s (one GetObject stream)`,
      `${round(results.rangedDownload.throughputRatio as number, 2)}×`
    ])
    log(`ranged download: ${JSON.stringify(results.rangedDownload)}`)
    client.destroy()
    await runtime.dispose()
  })
}

/**
 * MB/s of each checksum implementation s3po uses, and of the alternatives it was chosen against
 * (`hashing.ts`): medians of runs taking turns, so that a neighbour's load spreads over all of them.
 */
const checksums = async () => {
  const { all, missing } = await implementations()
  const measured = await hashingSpeeds(all, quick ? 3 : 7)
  results.checksums = {
    inputMiB: 64,
    chunkKiB: 64,
    notInstalled: missing,
    ...Object.fromEntries(measured.map(({ implementation, mbPerSecond, runs }) => [
      implementation.name,
      { algorithm: implementation.algorithm, used: implementation.used, mbPerSecond, runs }
    ]))
  }
  for (const { implementation, mbPerSecond } of measured) {
    rows.push([
      `hash ${implementation.algorithm}: ${implementation.name}`,
      `${mbPerSecond} MB/s`,
      implementation.used ? "s3po uses it" : "alternative",
      ""
    ])
    log(`checksums ${implementation.name}: ${mbPerSecond} MB/s`)
  }
  if (missing.length > 0) log(`checksums: not measured (not in S3PO_BENCH_PACKAGES): ${missing.join(", ")}`)
}

/**
 * What verifying a download costs: 1 GiB by one GET and by 8 ranged GETs of 8 MiB, each with and
 * without verification (`verify: false`), side by side, at 100 MB/s per connection as in
 * `rangedDownload`. The object is uploaded with the default checksum (CRC32, full-object), which
 * the fixture keeps and answers in checksum mode; CRC64NVME, the slowest CRC, as well when not quick.
 */
const verifiedDownload = async () => {
  const connectionMbps = 100
  results.verifiedDownload = { bytes: bigBytes, connectionMbps }
  await withFixture({ connectionMbps }, async (fixture) => {
    const runtime = ManagedRuntime.make(s3poLayer(fixture.endpoint))
    const objects: ReadonlyArray<readonly [ChecksumAlgorithm, string]> = [
      ["CRC32", "big-crc32"],
      ...(quick ? [] : [["CRC64NVME", "big-crc64nvme"] as const])
    ]
    await runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
      Effect.zipRight(
        s3.createBucket("bench"),
        Effect.forEach(objects, ([checksumAlgorithm, key]) =>
          s3.upload(
            "bench",
            key,
            Stream.repeatValue(new Uint8Array(MiB).fill(1)).pipe(Stream.take(bigBytes / MiB)),
            { checksumAlgorithm }
          ))
      )))
    for (const [algorithm, key] of objects) {
      const download = (concurrency: number, verify: boolean) => () =>
        measure(
          bigBytes / MiB,
          () =>
            runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
              Stream.runDrain(s3.downloadStream("bench", key, { partSize: 8 * MiB, concurrency, verify }))))
        )
      // The single GET is bound by its one connection's 100 MB/s: measured for the CRC32 object only.
      const single = algorithm === "CRC32"
      const sides: Record<string, () => Promise<Measurement>> = {
        rangedVerified: download(8, true),
        rangedUnverified: download(8, false)
      }
      if (single) Object.assign(sides, { singleVerified: download(1, true), singleUnverified: download(1, false) })
      const measured = await alternate(sides, quick ? 2 : 5)
      const figures: Record<string, number> = {}
      for (const [shape, label] of [["single", "one GET"], ["ranged", "8 ranged GETs × 8 MiB"]] as const) {
        const verified = measured[`${shape}Verified`]
        const unverified = measured[`${shape}Unverified`]
        if (verified === undefined || unverified === undefined) continue
        const verifiedMiBs = round(median(verified.map(opsPerSecond)), 1)
        const unverifiedMiBs = round(median(unverified.map(opsPerSecond)), 1)
        const ratio = round(pairedRatio(verified, unverified, opsPerSecond), 3)
        figures[`${shape}VerifiedMiBs`] = verifiedMiBs
        figures[`${shape}UnverifiedMiBs`] = unverifiedMiBs
        figures[`${shape}ThroughputRatio`] = ratio
        figures[`${shape}VerifiedCpuSeconds`] = round(median(verified.map((m) => m.cpuSeconds)))
        figures[`${shape}UnverifiedCpuSeconds`] = round(median(unverified.map((m) => m.cpuSeconds)))
        rows.push([
          `${bigBytes / GiB} GiB download, ${label}, ${algorithm}, ${connectionMbps} MB/s per connection`,
          `${verifiedMiBs} MiB/s verified, ${figures[`${shape}VerifiedCpuSeconds`]} s CPU`,
          `${unverifiedMiBs} MiB/s with verify: false, ${figures[`${shape}UnverifiedCpuSeconds`]} s CPU`,
          `${ratio}× (cost ${round((1 - ratio) * 100, 1)}%)`
        ])
      }
      results.verifiedDownload[algorithm] = figures
      log(`verified download ${algorithm}: ${JSON.stringify(figures)}`)
    }
    await runtime.dispose()
  })
}

/**
 * S3PoMock in a process of its own (`mockWorker.ts`), as in a test process: after the sections that
 * drive the SDK, the same code measured 20% fewer puts a second in this process.
 */
const mock = async () => {
  const { stdout } = await run(process.execPath, ["--expose-gc", ...nodeArgsFor("mockWorker")], {
    env: process.env,
    maxBuffer: 1 << 20
  })
  const figures = JSON.parse(stdout.trim().split("\n").at(-1)!)
  results.mock = {
    putsPerSec: round(figures.putsPerSec, 0),
    getsPerSec: round(figures.getsPerSec, 0),
    listPageMsAt1M: round(figures.listPageMsAt1M, 3)
  }
  rows.push([
    "S3PoMock 1 KiB upload / download",
    `${results.mock.putsPerSec} puts/s, ${results.mock.getsPerSec} gets/s`,
    "",
    ""
  ])
  rows.push(["S3PoMock list one 1000-key page of 1M", `${results.mock.listPageMsAt1M} ms`, "", ""])
  log(`mock: ${JSON.stringify(results.mock)}`)
}

const scaling = async () => {
  const latencyMs = 20
  await withFixture({ latencyMs }, async (fixture) => {
    const runtime = ManagedRuntime.make(s3poLayer(fixture.endpoint))
    const client = rawClient(fixture.endpoint)
    const signedUndici = await signedUndiciGet(fixture.endpoint, "bench", "small")
    await runtime.runPromise(
      Effect.flatMap(
        S3Po,
        (s3) => Effect.zipRight(s3.createBucket("bench"), s3.upload("bench", "small", new Uint8Array(1024)))
      )
    )
    results.scaling = { latencyMs }
    for (const concurrency of [1, 4, 16, 64, 256]) {
      const items = Math.max(50, concurrency * 12)
      // The raw SDK over the same GETs, driven by a promise pool: where the client itself tops out.
      const measured = await alternate({
        s3po: () =>
          measure(
            items,
            () =>
              runtime.runPromise(Effect.flatMap(S3Po, (s3) =>
                batch(Array.from({ length: items }), () =>
                  s3.download("bench", "small"), { concurrency })))
          ),
        sdk: () =>
          measure(items, () =>
            promisePool(items, concurrency, async () => {
              const got = await client.send(new GetObjectCommand({ Bucket: "bench", Key: "small" }))
              await got.Body!.transformToByteArray()
            })),
        signedUndici: () => measure(items, () => promisePool(items, concurrency, signedUndici.get))
      }, 3)
      const opsPerSec = median(measured.s3po.map(opsPerSecond))
      const sdkOpsPerSec = median(measured.sdk.map(opsPerSecond))
      const signedUndiciOpsPerSec = median(measured.signedUndici.map(opsPerSecond))
      const ideal = concurrency / (latencyMs / 1000)
      results.scaling[`c${concurrency}`] = {
        opsPerSec: round(opsPerSec, 0),
        idealOpsPerSec: ideal,
        fractionOfIdeal: round(opsPerSec / ideal, 3),
        cpuPerOpUs: round(median(measured.s3po.map(cpuPerOpUs)), 0),
        sdkOpsPerSec: round(sdkOpsPerSec, 0),
        sdkFractionOfIdeal: round(sdkOpsPerSec / ideal, 3),
        sdkCpuPerOpUs: round(median(measured.sdk.map(cpuPerOpUs)), 0),
        signedUndiciFractionOfIdeal: round(signedUndiciOpsPerSec / ideal, 3),
        signedUndiciCpuPerOpUs: round(median(measured.signedUndici.map(cpuPerOpUs)), 0)
      }
      rows.push([
        `batch of 1 KiB GETs, c=${concurrency}, ${latencyMs} ms`,
        `${round(opsPerSec, 0)} ops/s`,
        `ideal ${ideal} ops/s; raw SDK ${round(sdkOpsPerSec, 0)} ops/s; SDK-signed undici ${
          round(signedUndiciOpsPerSec, 0)
        } ops/s`,
        `${round(opsPerSec / ideal, 2)} of ideal (SDK ${round(sdkOpsPerSec / ideal, 2)}, SDK-signed undici ${
          round(signedUndiciOpsPerSec / ideal, 2)
        })`
      ])
      log(`scaling c${concurrency}: ${JSON.stringify(results.scaling[`c${concurrency}`])}`)
    }
    client.destroy()
    await signedUndici.close()
    await runtime.dispose()
  })
  // The same batches over an operation that only waits 20 ms: what batch itself can reach.
  for (const concurrency of [64, 256]) {
    const items = concurrency * 12
    const once = () =>
      measure(
        items,
        () =>
          Effect.runPromise(
            batch(Array.from({ length: items }), () => Effect.sleep(`${latencyMs} millis`), { concurrency })
          )
      )
    const measured = await alternate({ once }, 3)
    const opsPerSec = median(measured.once.map(opsPerSecond))
    const ideal = concurrency / (latencyMs / 1000)
    results.scaling[`batchOnlyC${concurrency}`] = {
      opsPerSec: round(opsPerSec, 0),
      fractionOfIdeal: round(opsPerSec / ideal, 3)
    }
    rows.push([
      `batch of 20 ms waits, c=${concurrency}`,
      `${round(opsPerSec, 0)} ops/s`,
      `ideal ${ideal} ops/s`,
      `${round(opsPerSec / ideal, 2)} of ideal`
    ])
  }
}

/**
 * `s3po sync` beside `aws s3 sync` and `rclone sync` against the fixture: 10,000 files of 4 KiB,
 * then one of 1 GiB, each synced into an empty prefix and then again with nothing changed.
 */
const syncTools = async () => {
  await ensureTools()
  const cli = await buildCli(root)
  const cases = [
    {
      name: "files10kx4KiB",
      label: `${quick ? "1,000" : "10,000"} files of 4 KiB`,
      make: () => makeTree(quick ? 1000 : 10_000, 4096)
    },
    { name: "file1GiB", label: `one file of ${bigBytes / MiB} MiB`, make: () => makeLargeFile(bigBytes) }
  ]
  results.syncTools = {}
  // The fixture keeps no uploaded bytes (only sizes, times, metadata and single PUTs' MD5s): what is
  // measured is the tools, not the fixture copying 1 GiB into one buffer.
  await withFixture({ discard: true }, async (fixture) => {
    const client = rawClient(fixture.endpoint)
    for (const { label, make, name } of cases) {
      const source = await make()
      await flushToDisk()
      try {
        const figures: Record<string, { first: ToolRun; again: ToolRun }> = {}
        for (const tool of tools) {
          const bucket = `sync-${tool}-${name.toLowerCase()}`
          await client.send(new CreateBucketCommand({ Bucket: bucket }))
          const first = await syncWith(tool, cli, fixture.endpoint, source, bucket, "copy")
          const again = await syncWith(tool, cli, fixture.endpoint, source, bucket, "copy")
          figures[tool] = { first, again }
          log(`sync ${label}, ${tool}: ${JSON.stringify(figures[tool])}`)
        }
        results.syncTools[name] = figures
        for (const pass of ["first", "again"] as const) {
          const fastestOther = Math.min(figures.aws![pass].seconds, figures.rclone![pass].seconds)
          const s3po = figures.s3po![pass]
          rows.push([
            `sync ${label}${pass === "first" ? "" : ", nothing changed"}`,
            `${s3po.seconds} s, ${round(s3po.cpuSeconds, 1)} s CPU`,
            `aws ${figures.aws![pass].seconds} s (${round(figures.aws![pass].cpuSeconds, 1)} CPU); rclone ${
              figures.rclone![pass].seconds
            } s (${round(figures.rclone![pass].cpuSeconds, 1)} CPU)`,
            `${round(fastestOther / s3po.seconds, 2)}× the fastest other, ${
              round(figures.aws![pass].seconds / s3po.seconds, 2)
            }× aws`
          ])
        }
      } finally {
        await fs.rm(source, { recursive: true, force: true })
      }
    }
    client.destroy()
  })
}

/** Sync at scale on S3PoMock, each in a process of its own (`syncWorker.ts`): peak RSS and time. */
const syncScale = async () => {
  results.syncScale = {}
  for (
    const [mode, count, label] of [
      ["up", quick ? 20_000 : 200_000, "syncUp of empty files"],
      ["store", quick ? 20_000 : 200_000, "the same objects put without a sync (the store alone)"],
      ["plan", quick ? 100_000 : 1_000_000, "planDown of keys into an empty directory"]
    ] as const
  ) {
    const { stdout } = await run(process.execPath, ["--expose-gc", ...nodeArgsFor("syncWorker"), mode, String(count)], {
      maxBuffer: 16 * 1024 * 1024
    })
    const figures = JSON.parse(stdout) as {
      files: number
      seconds: number
      peakRssMiB: number
      baselineRssMiB: number
      heapAfterMiB: number
    }
    results.syncScale[mode] = { count, ...figures }
    rows.push([
      `S3PoMock ${label}: ${count.toLocaleString("en")}`,
      `${round(figures.seconds, 1)} s, peak RSS ${round(figures.peakRssMiB, 0)} MiB`,
      `RSS before ${round(figures.baselineRssMiB, 0)} MiB; JS heap after, store held: ${
        round(figures.heapAfterMiB, 0)
      } MiB`,
      `${figures.files.toLocaleString("en")} done`
    ])
    log(`sync scale ${mode}: ${JSON.stringify(results.syncScale[mode])}`)
  }
}

/** The command line's start-up (`startup.ts`): `--version`, `--help`, a one-object `ls`, beside `node -e 0`, the bare `ls` and aws. */
const startup = async () => {
  const measured = await measureStartup(root, quick ? 5 : 15, log)
  results.startup = measured.figures
  rows.push(...measured.rows)
}

/** Peak RSS and seconds of the command line's `sync` up and down at scale (`syncMemory.ts`). */
const syncMemory = async () => {
  const measured = await measureSyncMemory(root, quick ? [10_000, 100_000] : [100_000, 1_000_000], log)
  results.syncMemory = measured.figures
  rows.push(...measured.rows)
}

const sections = {
  smallOps,
  multipartUpload: multipartUploadOver("http"),
  multipartUploadHttps: multipartUploadOver("https"),
  rangedDownload,
  verifiedDownload,
  checksums,
  mock,
  scaling,
  syncTools,
  syncScale,
  startup,
  syncMemory
}
const chosen = process.argv.slice(2).filter((name): name is keyof typeof sections => name in sections)
const started = performance.now()
for (const name of chosen.length > 0 ? chosen : Object.keys(sections) as Array<keyof typeof sections>) {
  collectGarbage()
  await sections[name]()
}
const seconds = (performance.now() - started) / 1000
const report = {
  ...results,
  meta: {
    node: process.version,
    cpus: os.cpus().length,
    seconds: round(seconds, 1),
    quick,
    date: new Date().toISOString()
  }
}
await fs.writeFile(path.join(root, "bench-results.json"), JSON.stringify(report, null, 2) + "\n")

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), 8))
const line = (cells: ReadonlyArray<string>) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`
console.log(line(["benchmark", "s3po", "baseline", "ratio"]))
console.log(line(widths.map((width) => "-".repeat(width))))
for (const row of rows) console.log(line(row))
console.log(
  `\n${bigBytes / GiB} GiB bodies; ${runs} alternating runs per small-object figure, medians; ${
    round(seconds, 0)
  } s in all. Figures in bench-results.json.`
)
