import { randomBytes } from "node:crypto"

const suffix = ".s3po-partial"
/** Random bytes in a name: 128 bits, so that no name is guessed ahead or made twice. */
const randomLength = 16
const hexDigits = /^[0-9a-f]+$/

/**
 * A file name cut to 200 bytes of UTF-8 (whole characters): the partial file's name adds 47 to it,
 * and a name the file system takes (up to 255 bytes) must leave room for them.
 */
const shortened = (name: string): string => {
  if (Buffer.byteLength(name) <= 200) return name
  let cut = ""
  for (const character of name) {
    if (Buffer.byteLength(cut + character) > 200) break
    cut += character
  }
  return cut
}

/**
 * The name of the file a download writes beside `destinationName` until it is complete: a dot, the
 * name, 32 random hex digits and `.s3po-partial` (`.report.pdf.<32 hex>.s3po-partial`). A name that
 * merely ends in `.s3po-partial` is a user's file like any other.
 */
export const partialFileName = (destinationName: string): string =>
  `.${shortened(destinationName)}.${randomBytes(randomLength).toString("hex")}${suffix}`

/** Whether `name` has the shape `partialFileName` gives: a download's, in progress or left by a killed run. */
export const isPartialFileName = (name: string): boolean => {
  const hexEnd = name.length - suffix.length
  const hexStart = hexEnd - randomLength * 2
  return name.startsWith(".") && name.endsWith(suffix) && hexStart >= 2 && name[hexStart - 1] === "." &&
    hexDigits.test(name.slice(hexStart, hexEnd))
}
