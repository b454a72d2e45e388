import { constants } from "node:buffer"

export const KiB = 1024
export const MiB = 1024 * KiB
export const GiB = 1024 * MiB

export const maxKeyBytes = 1024
export const maxSinglePutBytes = 5 * GiB
export const minPartBytes = 5 * MiB
export const maxPartBytes = 5 * GiB
export const maxParts = 10_000
export const maxKeysPerPage = 1000
export const maxKeysPerDelete = 1000
/** User metadata, names and values together, in UTF-8 bytes. */
export const maxUserMetadataBytes = 2 * KiB
export const maxTags = 10
/** Tag keys and values, in characters (code points). */
export const maxTagKeyLength = 128
export const maxTagValueLength = 256

export const defaultMultipartThreshold = 8 * MiB
export const defaultPartSize = 8 * MiB
export const defaultPartConcurrency = 4
export const defaultBatchConcurrency = 20
/** The highest concurrency s3po itself runs: the live layer's HTTP agent gets at least this many sockets. */
export const maxSockets = 256
/** The most bytes one `Uint8Array` holds in this Node.js: `download` cannot gather a larger object. */
export const maxBytesInMemory = constants.MAX_LENGTH
