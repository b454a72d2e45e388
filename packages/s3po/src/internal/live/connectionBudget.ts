import * as http from "node:http"
import * as https from "node:https"
import type { Duplex } from "node:stream"

/**
 * The connections a live layer holds at once, `maxSockets`, over both request paths (the SDK's
 * HTTP agents and s3po's own `undici` pools) and every origin they reach. A connection counts from
 * the moment it is opened until its socket closes. One asked for past the budget waits: idle
 * connections are closed to make room (a kept-alive connection to another origin, or of the other
 * path), and a busy one is waited for.
 */
export interface ConnectionBudget {
  /**
   * Calls `open(true)` once a connection may be opened (`close` must then be called once, when it
   * has closed), or `open(false)` when the budget has ended.
   */
  readonly take: (open: (allowed: boolean) => void) => void
  readonly close: () => void
  /** Refuses the connections that wait and any asked for later: the layer is closed. */
  readonly end: () => void
  /** A way to close an idle connection for a waiting one: it returns whether it closed one. */
  readonly closesIdle: (closeIdle: () => boolean) => void
}

/** How often a waiting connection looks again for an idle one to close. */
const idleCheckMillis = 50

export const make = (limit: number): ConnectionBudget => {
  let held = 0
  let ended = false
  const waiting: Array<(allowed: boolean) => void> = []
  const idleClosers: Array<() => boolean> = []
  let idleCheck: ReturnType<typeof setInterval> | undefined

  const closeIdle = () => {
    if (waiting.length === 0) {
      clearInterval(idleCheck)
      idleCheck = undefined
      return
    }
    for (const closer of idleClosers) if (closer()) return
  }

  return {
    take: (open) => {
      if (ended) return open(false)
      if (held < limit) {
        held++
        return open(true)
      }
      waiting.push(open)
      closeIdle()
      // A busy connection that turns idle is not announced: it is looked for while a connection waits.
      idleCheck ??= setInterval(closeIdle, idleCheckMillis)
    },
    close: () => {
      const next = waiting.shift()
      if (next === undefined) held--
      else next(true)
    },
    end: () => {
      ended = true
      clearInterval(idleCheck)
      for (const refused of waiting.splice(0)) refused(false)
    },
    closesIdle: (closer) => {
      idleClosers.push(closer)
    }
  }
}

type AgentOptions = http.AgentOptions & https.AgentOptions

/** Closes one of an agent's kept-alive sockets not in use; whether it found one. */
const closeFreeSocket = (agent: http.Agent): boolean => {
  for (const sockets of Object.values(agent.freeSockets)) {
    const socket = sockets?.[0]
    if (socket !== undefined) {
      socket.destroy()
      return true
    }
  }
  return false
}

/** A Node HTTP agent (the SDK's handler takes one) whose sockets are opened within the budget. */
export const agent = <A extends http.Agent>(
  Agent: new(options: AgentOptions) => A,
  options: AgentOptions,
  budget: ConnectionBudget
): A => {
  const made = new Agent(options)
  const connect = made.createConnection.bind(made)
  made.createConnection = (connectOptions, created) => {
    budget.take((allowed) => {
      if (!allowed) return created?.(new Error("the layer is closed"), undefined as never)
      let socket: Duplex | null | undefined
      try {
        socket = connect(connectOptions)
      } catch (error) {
        budget.close()
        return created?.(error as Error, undefined as never)
      }
      if (socket == null) {
        budget.close()
        return created?.(new Error("no connection was made"), undefined as never)
      }
      socket.once("close", budget.close)
      created?.(null, socket)
    })
    return undefined
  }
  budget.closesIdle(() => closeFreeSocket(made))
  return made
}

/** The SDK handler's agents for plain HTTP and HTTPS, within the budget. */
export const agents = (options: AgentOptions, budget: ConnectionBudget) => ({
  httpAgent: agent(http.Agent, options, budget),
  httpsAgent: agent(https.Agent, options, budget)
})
