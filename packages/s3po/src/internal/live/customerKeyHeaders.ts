import type { CustomerKey } from "../../S3Po.js"
import { algorithm, encoded } from "../core/customerKeys.js"

/**
 * A customer key (SSE-C) as S3's three headers carry it: the algorithm, the key in base64 and the
 * key's MD5 in base64. They are made when a request is sent, from the `Redacted` key, and go only
 * into that request's headers: no error, span, call record or log is given them.
 */

const headerValues = (customerKey: CustomerKey) => {
  const { key, md5 } = encoded(customerKey)
  return { algorithm, key, keyMd5: md5 }
}

const prefix = "x-amz-server-side-encryption-customer-"

/** No headers: what a request without a key (or a lock) adds, allocated once. */
export const noHeaders: Readonly<Record<string, string>> = Object.freeze({})

const headersWith = (name: string, customerKey: CustomerKey | undefined): Record<string, string> => {
  if (customerKey === undefined) return noHeaders
  const { algorithm, key, keyMd5 } = headerValues(customerKey)
  return { [`${name}algorithm`]: algorithm, [`${name}key`]: key, [`${name}key-md5`]: keyMd5 }
}

/** The headers of a request on an object encrypted with the key (or to be). */
export const customerKeyHeaders = (customerKey: CustomerKey | undefined): Record<string, string> =>
  headersWith(prefix, customerKey)

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
  const { algorithm, key, keyMd5 } = headerValues(customerKey)
  return { SSECustomerAlgorithm: algorithm, SSECustomerKey: key, SSECustomerKeyMD5: keyMd5 }
}

/** The SDK's input fields of a copy whose source is encrypted with the key. */
export const copySourceCustomerKeyInput = (customerKey: CustomerKey | undefined) => {
  if (customerKey === undefined) return {}
  const { algorithm, key, keyMd5 } = headerValues(customerKey)
  return {
    CopySourceSSECustomerAlgorithm: algorithm,
    CopySourceSSECustomerKey: key,
    CopySourceSSECustomerKeyMD5: keyMd5
  }
}
