/** What a benchmark run measured, and the figures drawn from runs. */
export interface Measurement {
  readonly ops: number
  readonly seconds: number
  readonly cpuSeconds: number
}

/** Runs `run`, counting `ops` operations, the wall time and this process's CPU time (all threads). */
export const measure = async (ops: number, run: () => Promise<unknown>): Promise<Measurement> => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  await run()
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  return { ops, seconds, cpuSeconds: (used.user + used.system) / 1e6 }
}

export const opsPerSecond = (m: Measurement): number => m.ops / m.seconds
export const cpuPerOpUs = (m: Measurement): number => (m.cpuSeconds / m.ops) * 1e6

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits))
