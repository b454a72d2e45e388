// Run as `node --import tsx test/utils/importedModules.ts <specifier>`: imports the specifier and
// prints, as JSON, how long the import took, every ES module URL resolved while it loaded, and every
// CommonJS module it loaded (the AWS SDK's packages are CommonJS: their own requires pass no hook).
import { createRequire, register } from "node:module"
import { MessageChannel } from "node:worker_threads"

const { port1, port2 } = new MessageChannel()
const resolved: Array<string> = []
port1.on("message", (url: string) => resolved.push(url))
const hooks = `
let port
export async function initialize(data) { port = data.port }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  port.postMessage(result.url)
  return result
}`
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  parentURL: import.meta.url,
  data: { port: port2 },
  transferList: [port2]
})
const started = performance.now()
await import(process.argv[2]!)
const importMillis = performance.now() - started
// The hooks post from their own thread: let the last messages arrive.
await new Promise((resolve) => setTimeout(resolve, 200))
port1.close()
const commonJs = Object.keys(createRequire(import.meta.url).cache)
console.log(JSON.stringify({ importMillis, resolved, commonJs }))
