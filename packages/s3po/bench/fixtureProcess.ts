import { type ChildProcess, spawn } from "node:child_process"
import { nodeArgsFor } from "./launch.js"

export interface FixtureOptions {
  readonly latencyMs?: number
  readonly connectionMbps?: number
  readonly discard?: boolean
  /** Answer HTTPS with this PEM key and certificate (files). */
  readonly tls?: { readonly keyFile: string; readonly certFile: string } | undefined
}

export interface Fixture {
  readonly endpoint: string
  readonly process: ChildProcess
  stop(): Promise<void>
}

/** Starts the benchmark fixture (`fixture.ts`) in its own process, so it does not compete for this one's event loop. */
export const startFixture = (options: FixtureOptions = {}): Promise<Fixture> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      ...nodeArgsFor("fixture"),
      "--latency",
      String(options.latencyMs ?? 0),
      "--connection-mbps",
      String(options.connectionMbps ?? 0),
      ...(options.discard === true ? ["--discard"] : []),
      ...(options.tls === undefined ? [] : ["--tls-key", options.tls.keyFile, "--tls-cert", options.tls.certFile])
    ], { stdio: ["pipe", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout!.setEncoding("utf8").on("data", (line: string) => {
      const port = /PORT=(\d+)/.exec(line)?.[1]
      if (port === undefined) return
      resolve({
        endpoint: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            child.once("exit", () => done())
            child.kill()
          })
      })
    })
  })
