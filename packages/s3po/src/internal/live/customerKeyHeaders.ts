import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import type { CustomerKey } from "../../S3Po.js"

/**
 * A customer key (SSE-C) as S3's three headers carry it: the algorithm, the key in base64 and the
 * key's MD5 in base64. They are made when a request is sent, from the `Redacted` key, and go only
 * into that request's headers: no error, span, call record or log is given them.
 */
export interface CustomerKeyHeaders {
  readonly algorithm: "AES256"
  readonly key: string
  readonly keyMd5: string
}

export const customerKeyHeadersOf = (customerKey: CustomerKey): CustomerKeyHeaders => {
  const key = Buffer.from(Redacted.value(customerKey))
  return {
    algorithm: "AES256",
    key: key.toString("base64"),
    keyMd5: createHash("md5").update(key).digest("base64")
  }
}

const prefix = "x-amz-server-side-encryption-customer-"
const copySourcePrefix = "x-amz-copy-source-server-side-encryption-customer-"

const headersWith = (name: string, customerKey: CustomerKey | undefined): Record<string, string> => {
  if (customerKey === undefined) return {}
  const { algorithm, key, keyMd5 } = customerKeyHeadersOf(customerKey)
  return { [`${name}algorithm`]: algorithm, [`${name}key`]: key, [`${name}key-md5`]: keyMd5 }
}

/** The headers of a request on an object encrypted with the key (or to be). */
export const customerKeyHeaders = (customerKey: CustomerKey | undefined): Record<string, string> =>
  headersWith(prefix, customerKey)

/** The headers of a copy whose source is encrypted with the key. */
export const copySourceCustomerKeyHeaders = (customerKey: CustomerKey | undefined): Record<string, string> =>
  headersWith(copySourcePrefix, customerKey)

/**
 * The names of the three headers: a presigned URL signs them (S3 refuses `x-amz-*` headers sent
 * unsigned) as headers, never moved into its query, where the key would be in the URL.
 */
export const customerKeyHeaderNames: ReadonlySet<string> = new Set(
  ["algorithm", "key", "key-md5"].map((name) => `${prefix}${name}`)
)

/** The SDK's input fields of a request on an object encrypted with the key. */
export const customerKeyInput = (customerKey: CustomerKey | undefined) => {
  if (customerKey === undefined) return {}
  const { algorithm, key, keyMd5 } = customerKeyHeadersOf(customerKey)
  return { SSECustomerAlgorithm: algorithm, SSECustomerKey: key, SSECustomerKeyMD5: keyMd5 }
}

/** The SDK's input fields of a copy whose source is encrypted with the key. */
export const copySourceCustomerKeyInput = (customerKey: CustomerKey | undefined) => {
  if (customerKey === undefined) return {}
  const { algorithm, key, keyMd5 } = customerKeyHeadersOf(customerKey)
  return {
    CopySourceSSECustomerAlgorithm: algorithm,
    CopySourceSSECustomerKey: key,
    CopySourceSSECustomerKeyMD5: keyMd5
  }
}
