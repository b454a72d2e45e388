import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { S3PoLive, S3PoMock } from "s3po"
import { run, S3Layer } from "../../src/Cli.js"
import { makeCli, tempDir } from "./harness.js"

/** A site as `aws s3 cp` sees it: what aws-cli 2.9 stores for each (but `.js`: see docs/transfers.md). */
const site: Record<string, string> = {
  "index.html": "text/html",
  "main.css": "text/css",
  "app.js": "text/javascript",
  "data.json": "application/json",
  "logo.svg": "image/svg+xml",
  "logo.png": "image/png",
  "notes.txt": "text/plain",
  "module.wasm": "application/wasm",
  "README": "application/octet-stream",
  "data.unknownext": "application/octet-stream"
}

const writeSite = async () => {
  const dir = await tempDir()
  for (const name of Object.keys(site)) await fs.writeFile(path.join(dir, name), name)
  return dir
}

const withBucket = async (bucket: string) => {
  const cli = await makeCli()
  await cli.s3((s3) => s3.createBucket(bucket))
  return cli
}

describe("content types on upload", () => {
  it("cp and sync store each file with its extension's type; files without a known one as octet-stream", async () => {
    const cli = await withBucket("types")
    const dir = await writeSite()
    for (const name of Object.keys(site)) {
      const copied = await cli.s3po("cp", path.join(dir, name), `s3://types/cp/${name}`)
      assert.isTrue(copied.ok, copied.stderr.join("\n"))
    }
    const synced = await cli.s3po("sync", dir, "s3://types/sync/")
    assert.isTrue(synced.ok, synced.stderr.join("\n"))
    for (const prefix of ["cp/", "sync/"]) {
      const stored: Record<string, string> = {}
      for (const name of Object.keys(site)) {
        stored[name] = (await cli.s3((s3) => s3.head("types", prefix + name))).contentType
      }
      assert.deepStrictEqual(stored, site, prefix)
    }
    await cli.close()
  })

  it("--content-type is every file's; --no-guess-mime-type stores application/octet-stream", async () => {
    const cli = await withBucket("types")
    const dir = await writeSite()
    await cli.s3po("cp", path.join(dir, "app.js"), "s3://types/given.js", "--content-type", "application/javascript")
    await cli.s3po("sync", dir, "s3://types/given/", "--content-type", "text/x-all")
    await cli.s3po("cp", dir, "s3://types/off/", "--recursive", "--no-guess-mime-type")
    await cli.s3po("mv", path.join(dir, "index.html"), "s3://types/moved.html", "--no-guess-mime-type")
    const typeOf = async (key: string) => (await cli.s3((s3) => s3.head("types", key))).contentType
    assert.strictEqual(await typeOf("given.js"), "application/javascript")
    assert.strictEqual(await typeOf("given/index.html"), "text/x-all")
    assert.strictEqual(await typeOf("given/README"), "text/x-all")
    assert.strictEqual(await typeOf("off/index.html"), "application/octet-stream")
    assert.strictEqual(await typeOf("moved.html"), "application/octet-stream")
    await cli.close()
  })
})

describe("what uploads store: aws's flags", () => {
  const attributes = [
    "--cache-control",
    "max-age=60",
    "--content-disposition",
    "attachment",
    "--content-encoding",
    "gzip",
    "--storage-class",
    "STANDARD_IA"
  ]

  it("cp, mv, cp --recursive and sync store the attributes given", async () => {
    const cli = await withBucket("attrs")
    const dir = await writeSite()
    const runs = [
      ["cp", path.join(dir, "notes.txt"), "s3://attrs/cp.txt", "--metadata", "team=web,stage=prod"],
      ["cp", dir, "s3://attrs/tree/", "--recursive", "--metadata", "{\"team\":\"web\",\"stage\":\"prod\"}"],
      ["sync", dir, "s3://attrs/sync/", "--metadata", "team=web,stage=prod"],
      ["mv", path.join(dir, "notes.txt"), "s3://attrs/mv.txt", "--metadata", "team=web,stage=prod"]
    ]
    for (const args of runs) {
      const result = await cli.s3po(...args, ...attributes)
      assert.isTrue(result.ok, `${args.join(" ")}: ${result.stderr.join("\n")}`)
    }
    for (const key of ["cp.txt", "tree/notes.txt", "sync/index.html", "mv.txt"]) {
      const info = await cli.s3((s3) => s3.head("attrs", key))
      assert.deepStrictEqual(
        [info.cacheControl, info.contentDisposition, info.contentEncoding, info.storageClass, info.metadata],
        ["max-age=60", "attachment", "gzip", "STANDARD_IA", { team: "web", stage: "prod" }],
        key
      )
    }
    await cli.close()
  })

  it("a copy in S3, of one object, of a prefix or by a sync between prefixes, stores the attributes given", async () => {
    const cli = await withBucket("attrs")
    await cli.s3((s3) => s3.upload("attrs", "from.txt", "x", { contentType: "text/plain", cacheControl: "no-cache" }))
    await cli.s3((s3) => s3.createBucket("copies"))
    const copied = await cli.s3po("cp", "s3://attrs/from.txt", "s3://attrs/to.txt", "--cache-control", "max-age=5")
    assert.isTrue(copied.ok, copied.stderr.join("\n"))
    assert.strictEqual((await cli.s3((s3) => s3.head("attrs", "to.txt"))).cacheControl, "max-age=5")
    const tree = await cli.s3po(
      "cp",
      "s3://attrs/",
      "s3://copies/tree/",
      "--recursive",
      "--exclude",
      "*",
      "--include",
      "from.txt",
      "--content-type",
      "text/x-copied"
    )
    assert.isTrue(tree.ok, tree.stderr.join("\n"))
    assert.strictEqual((await cli.s3((s3) => s3.head("copies", "tree/from.txt"))).contentType, "text/x-copied")
    const synced = await cli.s3po("sync", "s3://attrs/", "s3://copies/synced/", "--cache-control", "max-age=9")
    assert.isTrue(synced.ok, synced.stderr.join("\n"))
    assert.strictEqual((await cli.s3((s3) => s3.head("copies", "synced/from.txt"))).cacheControl, "max-age=9")
    await cli.close()
  })

  it("--metadata that is no key=value list nor JSON object of strings is a usage error (2), nothing sent", async () => {
    const cli = await withBucket("attrs")
    const dir = await writeSite()
    for (const metadata of ["novalue", "=x", "{\"a\":1}", "{not json", "[\"a\"]"]) {
      const result = await cli.s3po("cp", path.join(dir, "notes.txt"), "s3://attrs/bad.txt", "--metadata", metadata)
      assert.strictEqual(result.code, 2, metadata)
    }
    assert.isFalse(await cli.s3((s3) => s3.exists("attrs", "bad.txt")))
    await cli.close()
  })
})

describe("--dryrun on cp, mv and rm", () => {
  it("prints what aws prints, (dryrun) first, and changes nothing", async () => {
    const cli = await withBucket("dry")
    const dir = await writeSite()
    await cli.s3((s3) => s3.upload("dry", "keep/a.txt", "a"))
    await cli.s3((s3) => s3.upload("dry", "keep/b.txt", "b"))
    const file = path.join(dir, "notes.txt")
    const cp = await cli.s3po("cp", file, "s3://dry/notes.txt", "--dryrun")
    assert.isTrue(cp.ok, cp.stderr.join("\n"))
    assert.match(cp.stdout[0]!, /^\(dryrun\) upload: .*notes\.txt to s3:\/\/dry\/notes\.txt$/)
    const mv = await cli.s3po("mv", file, "s3://dry/notes.txt", "--dryrun")
    assert.match(mv.stdout[0]!, /^\(dryrun\) move: .*notes\.txt to s3:\/\/dry\/notes\.txt$/)
    const tree = await cli.s3po("cp", dir, "s3://dry/tree/", "--recursive", "--dryrun")
    assert.strictEqual(tree.stdout.filter((line) => line.startsWith("(dryrun) upload: ")).length, 10)
    const down = await cli.s3po("cp", "s3://dry/keep/a.txt", path.join(dir, "a.txt"), "--dryrun")
    assert.match(down.stdout[0]!, /^\(dryrun\) download: s3:\/\/dry\/keep\/a\.txt to .*a\.txt$/)
    const rm = await cli.s3po("rm", "s3://dry/keep/a.txt", "--dryrun")
    assert.deepStrictEqual(rm.stdout, ["(dryrun) delete: s3://dry/keep/a.txt"])
    const rmAll = await cli.s3po("rm", "s3://dry/keep/", "--recursive", "--dryrun")
    assert.deepStrictEqual(rmAll.stdout, [
      "(dryrun) delete: s3://dry/keep/a.txt",
      "(dryrun) delete: s3://dry/keep/b.txt"
    ])
    assert.isFalse(await cli.s3((s3) => s3.exists("dry", "notes.txt")))
    assert.isFalse(await cli.s3((s3) => s3.exists("dry", "tree/index.html")))
    assert.isTrue(await cli.s3((s3) => s3.exists("dry", "keep/a.txt")))
    assert.isTrue(await cli.s3((s3) => s3.exists("dry", "keep/b.txt")))
    await fs.access(file)
    assert.isFalse(await fs.access(path.join(dir, "a.txt")).then(() => true, () => false))
    await cli.close()
  })
})

describe("sync --size-only and --exact-timestamps", () => {
  it("--size-only leaves a newer file of the same size; --exact-timestamps fetches one whose time differs", async () => {
    const cli = await withBucket("cmp")
    const dir = await writeSite()
    const file = path.join(dir, "notes.txt")
    await cli.s3po("sync", dir, "s3://cmp/")
    const later = new Date(Date.now() + 3_600_000)
    await fs.utimes(file, later, later)
    const uploadsOf = (result: { stdout: ReadonlyArray<string> }) =>
      result.stdout.filter((line) => line.startsWith("(dryrun) upload: ")).length
    assert.strictEqual(uploadsOf(await cli.s3po("sync", dir, "s3://cmp/", "--dryrun")), 1)
    assert.strictEqual(uploadsOf(await cli.s3po("sync", dir, "s3://cmp/", "--dryrun", "--size-only")), 0)

    const down = await tempDir()
    await cli.s3po("sync", "s3://cmp/", down)
    const earlier = new Date(Date.now() - 3_600_000)
    await fs.utimes(path.join(down, "notes.txt"), earlier, earlier)
    const downloadsOf = (result: { stdout: ReadonlyArray<string> }) =>
      result.stdout.filter((line) => line.startsWith("(dryrun) download: ")).length
    assert.strictEqual(downloadsOf(await cli.s3po("sync", "s3://cmp/", down, "--dryrun", "--size-only")), 0)
    assert.strictEqual(downloadsOf(await cli.s3po("sync", "s3://cmp/", down, "--dryrun", "--exact-timestamps")), 1)
    await fs.utimes(path.join(down, "notes.txt"), later, later)
    assert.strictEqual(downloadsOf(await cli.s3po("sync", "s3://cmp/", down, "--dryrun")), 0)
    assert.strictEqual(downloadsOf(await cli.s3po("sync", "s3://cmp/", down, "--dryrun", "--exact-timestamps")), 1)
    await cli.close()
  })

  it("two ways to compare at once are a usage error", async () => {
    const cli = await withBucket("cmp")
    const dir = await writeSite()
    for (const flags of [["--size-only", "--checksum"], ["--size-only", "--exact-timestamps"]]) {
      const result = await cli.s3po("sync", dir, "s3://cmp/", ...flags)
      assert.strictEqual(result.code, 2, flags.join(" "))
      assert.match(result.stderr.join("\n"), /do not go together/)
    }
    await cli.close()
  })
})

describe("--quiet, --only-show-errors, --no-progress", () => {
  it("--quiet and --only-show-errors print no transfer line; --no-progress keeps them", async () => {
    const cli = await withBucket("quiet")
    const dir = await writeSite()
    for (const flag of ["--quiet", "--only-show-errors"]) {
      for (const args of [["cp", dir, "s3://quiet/cp/", "--recursive"], ["sync", dir, `s3://quiet/${flag}/`]]) {
        const result = await cli.s3po(...args, flag)
        assert.isTrue(result.ok, result.stderr.join("\n"))
        assert.deepStrictEqual([result.stdout, result.stderr], [[], []], `${args[0]} ${flag}`)
      }
      const rm = await cli.s3po("rm", "s3://quiet/cp/", "--recursive", flag)
      assert.deepStrictEqual(rm.stdout, [], `rm ${flag}`)
    }
    const shown = await cli.s3po("sync", dir, "s3://quiet/shown/", "--no-progress")
    assert.strictEqual(shown.stdout.filter((line) => line.startsWith("upload: ")).length, 10)
    await cli.close()
  })

  it("--only-show-errors and --quiet still say why the command failed, on stderr, and exit 1", async () => {
    const cli = await makeCli()
    const dir = await writeSite()
    const errors = await cli.s3po("cp", dir, "s3://no-such-bucket/", "--recursive", "--only-show-errors")
    assert.strictEqual(errors.code, 1)
    assert.deepStrictEqual(errors.stdout, [])
    assert.match(errors.stderr.join("\n"), /no such bucket/)
    const quiet = await cli.s3po("cp", dir, "s3://no-such-bucket/", "--recursive", "--quiet")
    assert.strictEqual(quiet.code, 1)
    assert.deepStrictEqual(quiet.stdout, [])
    assert.strictEqual(quiet.stderr.length, 1)
    assert.match(quiet.stderr[0]!, /no such bucket/)
    await cli.close()
  })
})

/** Runs the command line with an `S3Layer` that records the options it is asked for. */
const optionsGiven = (...args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const asked: Array<{ endpoint: Option.Option<string>; profile: Option.Option<string> }> = []
    const s3Layer = Layer.succeed(S3Layer, (options) => {
      asked.push({ endpoint: options.endpoint, profile: options.profile })
      return S3PoMock.layer()
    })
    const exit = yield* Effect.exit(run(["node", "s3po", ...args]).pipe(Effect.provide([NodeContext.layer, s3Layer])))
    return { ok: Exit.isSuccess(exit), asked }
  }).pipe(Effect.runPromise)

describe("--endpoint-url, --endpoint and --profile", () => {
  it("--endpoint-url is aws's name; --endpoint is still taken; --profile reaches the layer", async () => {
    const url = await optionsGiven("ls", "s3://b", "--endpoint-url", "http://127.0.0.1:9000", "--profile", "dev")
    assert.deepStrictEqual(url.asked, [{ endpoint: Option.some("http://127.0.0.1:9000"), profile: Option.some("dev") }])
    const alias = await optionsGiven("ls", "s3://b", "--endpoint", "http://127.0.0.1:9001")
    assert.deepStrictEqual(alias.asked, [{ endpoint: Option.some("http://127.0.0.1:9001"), profile: Option.none() }])
  })
})

describe("presign --expires-in", () => {
  const signingOnly = S3PoLive.layer({
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    credentials: {
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: Redacted.make("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    }
  })

  it("takes seconds, as aws does, over --expires", async () => {
    const cli = await makeCli(signingOnly)
    const expiresOf = (url: string) => new URL(url).searchParams.get("X-Amz-Expires")
    const presigned = await cli.s3po("presign", "s3://bkt/k", "--expires-in", "60")
    assert.isTrue(presigned.ok, presigned.stderr.join("\n"))
    assert.strictEqual(expiresOf(presigned.stdout[0]!), "60")
    assert.strictEqual(expiresOf((await cli.s3po("presign", "s3://bkt/k", "--expires-in", "120")).stdout[0]!), "120")
    assert.strictEqual((await cli.s3po("presign", "s3://bkt/k", "--expires-in", "1h")).code, 2)
    await cli.close()
  })
})
