import * as Order from "effect/Order"

/**
 * S3 lists keys in UTF-8 byte order, which is Unicode code point order. JavaScript compares UTF-16
 * code units, which sorts surrogate pairs (U+10000 and above) before U+E000..U+FFFF. Lifting
 * U+E000..U+FFFF below the surrogates restores code point order without encoding the strings.
 */
const codePointRank = (unit: number): number => unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000

export const compareKeys = (left: string, right: string): -1 | 0 | 1 => {
  const length = Math.min(left.length, right.length)
  for (let i = 0; i < length; i++) {
    const a = left.charCodeAt(i)
    const b = right.charCodeAt(i)
    if (a !== b) {
      return codePointRank(a) < codePointRank(b) ? -1 : 1
    }
  }
  return left.length === right.length ? 0 : left.length < right.length ? -1 : 1
}

export const keyOrder: Order.Order<string> = Order.make(compareKeys)

/** The least string greater than every string that starts with `prefix`, or undefined if there is none. */
export const prefixUpperBound = (prefix: string): string | undefined => {
  const codePoints = Array.from(prefix)
  while (codePoints.length > 0) {
    const last = codePoints.pop()!.codePointAt(0)!
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1
      return codePoints.join("") + String.fromCodePoint(next)
    }
  }
  return undefined
}
