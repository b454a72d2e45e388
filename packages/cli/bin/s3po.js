#!/usr/bin/env node
// The bundled command line (`pnpm build` makes dist/).
import "../dist/s3po.js"
