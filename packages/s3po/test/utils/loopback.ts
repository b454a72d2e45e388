import type * as http from "node:http"
import type { AddressInfo } from "node:net"

/** A test's HTTP server listening on a free loopback port. */
export interface Loopback {
  readonly port: number
  readonly endpoint: string
  /** Closes every connection, then the server. */
  readonly close: () => Promise<void>
}

export const listenOnLoopback = async (server: http.Server): Promise<Loopback> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
