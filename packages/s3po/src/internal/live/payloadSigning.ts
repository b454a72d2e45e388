import type { PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3"

/** The payload hash that leaves an upload's bytes out of its signature. */
export const unsignedPayload = "UNSIGNED-PAYLOAD"

interface OutgoingRequest {
  readonly headers: Record<string, string>
}

/**
 * Signs `command` with `payloadHash` for its bytes instead of letting the SDK hash them: the
 * SHA-256 computed beforehand (`payloadHasher.ts`), or `unsignedPayload`. The SDK's signer takes an
 * `x-amz-content-sha256` header as given.
 */
export const withPayloadHash = <C extends PutObjectCommand | UploadPartCommand>(command: C, payloadHash: string): C => {
  ;(command as UploadPartCommand).middlewareStack.add(
    (next) => (args) => {
      ;(args as { readonly request: OutgoingRequest }).request.headers["x-amz-content-sha256"] = payloadHash
      return next(args)
    },
    { step: "build", name: "s3poPayloadHash" }
  )
  return command
}
