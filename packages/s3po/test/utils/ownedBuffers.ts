/** Whether `bytes` is all of its `buffer`: passing the buffer on hands out nothing else. */
export const ownsItsMemory = (bytes: Uint8Array): boolean =>
  bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength

/** Whether the memory behind `bytes` (all of its `buffer`, not only its own bytes) holds `secret`. */
export const secretIn = (bytes: Uint8Array, secret: string): boolean => Buffer.from(bytes.buffer).includes(secret)
