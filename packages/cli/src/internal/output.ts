import { MultiBar, Presets, type SingleBar } from "cli-progress"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as path from "node:path"
import { isS3PoError, printable, type Sync } from "s3po"

/**
 * What a command prints. On a terminal, a progress bar on stderr with each line printed above it;
 * otherwise plain lines, or with `--json` one JSON object per line, on stdout (Effect's `Console`).
 * Errors go to stderr. Lines are given printable: keys, paths and names in them escaped with
 * `printable`, error messages with `messageOf`.
 */
export interface Output {
  readonly json: boolean
  /** A line of human output (left out with `--json`). */
  readonly line: (text: string) => Effect.Effect<void>
  /** A record for `--json` (left out without it). */
  readonly record: (value: Record<string, unknown>) => Effect.Effect<void>
  /** A line of human output, or its record with `--json`. */
  readonly report: (text: string, value: Record<string, unknown>) => Effect.Effect<void>
  readonly error: (text: string) => Effect.Effect<void>
  /**
   * A failure: its line on stderr, and with `--json` its record on stdout, `fields` and what
   * `errorRecord` says of the error.
   */
  readonly failure: (
    text: string,
    error: { readonly message: string },
    fields?: Record<string, unknown>
  ) => Effect.Effect<void>
  /** Shows a sync's progress; `done` ends the bar at its final figures. */
  readonly progress: (progress: Sync.SyncProgress) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/**
 * An error's message as a line shows it. s3po's errors escape their own messages; any other (the
 * command line's, a configuration error) is escaped here.
 */
export const messageOf = (error: { readonly message: string }): string =>
  isS3PoError(error) ? error.message : printable(error.message)

/** The S3 error code an error of s3po stands for, where it has no `code` of its own. */
const codeOfTag: Readonly<Record<string, string>> = {
  NoSuchKey: "NoSuchKey",
  NoSuchBucket: "NoSuchBucket",
  BucketNotEmpty: "BucketNotEmpty",
  PreconditionFailed: "PreconditionFailed",
  NotModified: "NotModified"
}

/**
 * What `--json` says of a failure: `error`, the error's tag (`Error` for one without a tag), its
 * `message` as a line shows it, and what it names, exact: `operation`, `bucket`, `key`, the local
 * `path`, the S3 error `code`, the HTTP `status` and the server's `requestId`. Only the fields the
 * error has; nothing else of it (no cause, no request's headers).
 */
export const errorRecord = (error: { readonly message: string }): Record<string, unknown> => {
  const fields: Partial<Record<string, unknown>> = { ...error }
  const text = (name: string): string | undefined => {
    const value = fields[name]
    return typeof value === "string" && value !== "" ? value : undefined
  }
  const tag = text("_tag") ?? "Error"
  const record: Record<string, unknown> = {
    error: tag,
    message: messageOf(error),
    operation: text("operation"),
    bucket: text("bucket"),
    key: text("key"),
    path: text("path"),
    code: text("code") ?? (isS3PoError(error) ? codeOfTag[tag] : undefined),
    status: typeof fields["status"] === "number" ? fields["status"] : undefined,
    requestId: text("requestId")
  }
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))
}

/**
 * A record as one line of JSON in ASCII: every other character a `\u` escape, so that no control
 * character or bidirectional override reaches a terminal raw, and the record parses back exact.
 */
const asciiJson = (value: Record<string, unknown>): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * A local path as aws prints it in a transfer line, however it was typed: its folder relative to
 * the working directory, then its name (`./c.txt`, `site/a.txt`, `../../etc/hostname`).
 */
export const shownPath = (file: string): string => {
  const absolute = path.resolve(file)
  const folder = path.relative(process.cwd(), path.dirname(absolute))
  return path.isAbsolute(folder)
    ? absolute
    : `${folder === "" ? "." : folder}${path.sep}${path.basename(absolute)}`
}

/** A file below a transfer's directory, as `shownPath` shows it: the directory as typed, not resolved. */
export const shownFile = (localDir: string, relative: string): string => shownPath(path.join(localDir, relative))

const twoDigits = (value: number) => String(value).padStart(2, "0")

/** A time as `aws s3 ls` prints it: `2026-12-07 09:30:00`, in the local time zone. */
export const localTime = (when: Date): string =>
  `${when.getFullYear()}-${twoDigits(when.getMonth() + 1)}-${twoDigits(when.getDate())} ` +
  `${twoDigits(when.getHours())}:${twoDigits(when.getMinutes())}:${twoDigits(when.getSeconds())}`

const units = ["B", "KiB", "MiB", "GiB", "TiB"]

/** Bytes as people read them: `1.5 MiB`. */
export const formatBytes = (bytes: number): string => {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

const humanUnits = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

/** `%.1f` as Python prints it: a tie (exact in binary, as sizes over powers of 1024 are) rounds to even. */
const oneDecimal = (value: number): string => {
  const tenths = value * 10
  const floor = Math.floor(tenths)
  const rounded = tenths - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(tenths)
  return (rounded / 10).toFixed(1)
}

/**
 * A size as `aws s3 ls --human-readable` prints it: `1 Byte`, `10 Bytes`, then the first unit of
 * base 1024 in which it rounds below 1024, to one decimal (`1.0 KiB`, `1023.9 KiB`, `1.0 MiB`).
 */
export const humanSize = (bytes: number): string => {
  if (bytes === 1) return "1 Byte"
  if (bytes < 1024) return `${bytes} Bytes`
  for (const [index, unit] of humanUnits.entries()) {
    const scaled = bytes / 1024 ** (index + 1)
    if (Math.round(scaled) < 1024 || index === humanUnits.length - 1) {
      return `${oneDecimal(scaled)} ${unit}`
    }
  }
  return `${bytes} Bytes`
}

const barFormat = "{bar} {percentage}% {bytes} {rate}/s ETA {eta_formatted} {files} files"

/** The progress bar of a terminal: bytes, rate, time left, files. */
const makeBar = () => {
  let bars: { readonly multi: MultiBar; readonly bar: SingleBar } | undefined
  const payloadOf = (progress: Sync.SyncProgress) => ({
    bytes: `${formatBytes(progress.bytesDone)} / ${formatBytes(progress.bytesTotal)}`,
    rate: formatBytes(Math.round(progress.bytesPerSecond)),
    files: `${progress.filesDone}/${progress.filesTotal}`
  })
  // Bytes when there are any to copy; files when there are none (a sync that finds nothing to do).
  const figures = (progress: Sync.SyncProgress) =>
    progress.bytesTotal > 0
      ? { value: progress.bytesDone, total: progress.bytesTotal }
      : { value: progress.filesDone, total: Math.max(progress.filesTotal, 1) }
  return {
    update: (progress: Sync.SyncProgress) => {
      const { total, value } = figures(progress)
      if (bars === undefined) {
        const multi = new MultiBar({
          format: barFormat,
          stream: process.stderr,
          hideCursor: true,
          barsize: 20,
          clearOnComplete: false,
          etaBuffer: 50
        }, Presets.shades_classic)
        bars = { multi, bar: multi.create(total, value, payloadOf(progress)) }
        return
      }
      bars.bar.setTotal(total)
      bars.bar.update(value, payloadOf(progress))
    },
    log: (text: string) => {
      if (bars === undefined) process.stdout.write(`${text}\n`)
      else bars.multi.log(`${text}\n`)
    },
    stop: () => {
      if (bars === undefined) return
      bars.bar.update(bars.bar.getTotal())
      bars.multi.stop()
      bars = undefined
    }
  }
}

export const make = (options: { readonly json: boolean }): Output => {
  const bar = !options.json && process.stderr.isTTY === true ? makeBar() : undefined
  const line = (text: string) =>
    options.json ? Effect.void : bar === undefined ? Console.log(text) : Effect.sync(() => bar.log(text))
  const record = (value: Record<string, unknown>) => options.json ? Console.log(asciiJson(value)) : Effect.void
  return {
    json: options.json,
    line,
    record,
    report: (text, value) => options.json ? record(value) : line(text),
    error: (text) => Console.error(text),
    failure: (text, error, fields = {}) =>
      Effect.zipRight(Console.error(text), record({ ...fields, ...errorRecord(error) })),
    progress: (progress) => bar === undefined ? Effect.void : Effect.sync(() => bar.update(progress)),
    done: Effect.sync(() => bar?.stop())
  }
}
