// dependency-cruiser config for `pnpm lint`, which runs: depcruise packages/s3po/src --config .dependency-cruiser.mjs
// Public modules are the files directly in packages/s3po/src (S3Po.ts, S3PoError.ts, ...); src/internal/** is internal.

// the public modules other than $1 ($1 = the importing public module's name, captured by `from.path`)
const otherPublicModule = "^packages/s3po/src/(?!$1\\.ts$)[^/]+\\.ts$"

export default {
  forbidden: [
    {
      name: "no-circle-between-public-modules",
      severity: "error",
      comment:
        "Each public module is its own entry point (s3po/S3Po, s3po/S3PoError, ...). An import circle that joins "
        + "two of them, directly or through src/internal/**, and even by `import type`, ties them together: neither "
        + "can be loaded, typed or changed on its own and load order starts to matter. A circle between one public "
        + "module and its own internal modules is allowed.",
      from: { path: "^packages/s3po/src/([^/]+)\\.ts$" },
      // dependency-cruiser gives, for each import that is part of a circle, one circle back to the importer
      to: { circular: true, via: { path: otherPublicModule } }
    },
    {
      name: "no-value-circle-between-internal-modules",
      severity: "error",
      comment: "A circle of value imports among internal modules makes what a module sees at load time depend on which "
        + "module was loaded first: a bundle that enters the circle elsewhere finds a constant still undefined "
        + "(the CLI's bundle once found argumentShapes' table holding no duration check). Type-only imports are "
        + "erased and may circle.",
      from: { path: "^packages/s3po/src/internal/" },
      to: {
        circular: true,
        dependencyTypesNot: ["type-only"],
        viaOnly: { path: "^packages/s3po/src/internal/", dependencyTypesNot: ["type-only"] }
      }
    },
    {
      // an import that does not resolve is left out of the graph and could hide a circle
      name: "no-unresolvable-import",
      severity: "error",
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // count `import type` and type-only re-exports too
    tsPreCompilationDeps: true,
    // the package's tsconfig (NodeNext), so that `./x.js` specifiers resolve to the `./x.ts` sources
    tsConfig: { fileName: `${import.meta.dirname}/packages/s3po/tsconfig.json` }
  }
}
