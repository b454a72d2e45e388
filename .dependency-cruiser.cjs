// dependency-cruiser config for `pnpm lint` (run as: depcruise packages/s3po/src).
// Public modules = files directly in packages/s3po/src; src/internal/** is internal.

// A public module, capturing its name as $1.
const publicModule = "^packages/s3po/src/([^/]+)\\.ts$"

module.exports = {
  forbidden: [
    {
      name: "no-circle-between-public-modules",
      severity: "error",
      comment: "Public modules are separate entry points (s3po/S3Po, s3po/S3PoError, ...): an import circle joining "
        + "two of them, even through src/internal/** and even by `import type`, couples them so that neither can "
        + "be loaded, typed or changed on its own and makes load order matter. A circle between one public module "
        + "and its own internals is allowed.",
      from: { path: publicModule },
      // the circle (which ends at the importing module $1) passes through another public module
      to: { circular: true, via: { path: "^packages/s3po/src/(?!$1\\.ts$)[^/]+\\.ts$" } }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // count `import type` / type-only re-exports too: they are circles for tsc and the declaration files
    tsPreCompilationDeps: true,
    // resolve the `./x.js` specifiers (NodeNext) to the `.ts` sources
    tsConfig: { fileName: `${__dirname}/packages/s3po/tsconfig.json` }
  }
}
