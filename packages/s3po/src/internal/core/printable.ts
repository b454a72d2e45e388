/**
 * What a terminal must not be sent raw: C0 controls (NUL, ESC, CR, LF, TAB, ...), DEL and C1
 * controls (U+0080..U+009F, CSI and OSC among them) drive it; the bidirectional marks, embeddings,
 * overrides and isolates (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line and
 * paragraph separators (U+2028, U+2029) reorder or break what it shows. The backslash is escaped as
 * well, so that an escape cannot be mistaken for the text it stands for.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const unprintable = /[\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const escapeOne = (char: string): string => {
  if (char === "\\") return "\\\\"
  const code = char.charCodeAt(0)
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`
}

/** `text` with each unprintable character written as a JavaScript string literal writes it: `\x1b`, `\u202e`, `\\`. */
export const printable = (text: string): string => text.replace(unprintable, escapeOne)
