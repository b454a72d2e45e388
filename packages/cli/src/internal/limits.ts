import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { S3PoLive } from "s3po"

/** The limits the library's layer takes: the CLI only reads them off the command line. */
export type Limits = Pick<S3PoLive.Options, "rateLimit" | "bandwidthLimit">

const binaryUnits: Readonly<Record<string, number>> = {
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5
}

const bandwidthShape = /^(\d+(?:\.\d*)?|\.\d+)(?:([bkmgtp])(?:ib?|b)?)?$/i

/**
 * Bytes a second from `--bwlimit` as rclone reads it: a number with a suffix B, K, M, G, T or P
 * (1024-based: `10M` is 10 MiB/s; `Mi` and `MiB` are the same), a bare number in KiB/s, `off` or 0
 * for none. What it cannot read is a message for the user.
 */
export const parseBandwidth = (text: string): number | undefined | { readonly problem: string } => {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === "off") return undefined
  if (trimmed.includes(":") || trimmed.includes(",") || trimmed.includes(" ")) {
    return {
      problem: `--bwlimit takes one limit for uploads and downloads together (no up:down or timetable), got ${
        JSON.stringify(text)
      }`
    }
  }
  const match = bandwidthShape.exec(trimmed)
  if (match === null) {
    return {
      problem: `--bwlimit must be bytes a second such as 500K, 10M or 1.5G (a bare number is KiB/s), got ${
        JSON.stringify(text)
      }`
    }
  }
  const bytesPerSecond = Number(match[1]) * binaryUnits[(match[2] ?? "k").toLowerCase()]!
  return bytesPerSecond === 0 ? undefined : Math.max(1, Math.round(bytesPerSecond))
}

/**
 * The limits `--bwlimit` and `--tpslimit` ask for, or what is wrong with them. Transactions are
 * spaced evenly, as rclone spaces them: `--tpslimit 10` starts a request every 100 ms.
 */
export const limitsOf = (options: {
  readonly bwlimit: Option.Option<string>
  readonly tpslimit: Option.Option<number>
}): Limits | { readonly problem: string } => {
  const bandwidth = Option.isSome(options.bwlimit) ? parseBandwidth(options.bwlimit.value) : undefined
  if (typeof bandwidth === "object") return bandwidth
  const tps = Option.getOrUndefined(options.tpslimit)
  if (tps !== undefined && !(Number.isFinite(tps) && tps >= 0)) {
    return { problem: `--tpslimit must be a number of requests a second (0 for none), got ${tps}` }
  }
  return {
    ...(bandwidth === undefined ? {} : { bandwidthLimit: { bytesPerSecond: bandwidth } }),
    ...(tps === undefined || tps === 0 ? {} : { rateLimit: { limit: 1, interval: Duration.millis(1000 / tps) } })
  }
}
