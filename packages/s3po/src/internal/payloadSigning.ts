import type { S3Client, UploadPartCommand } from "@aws-sdk/client-s3"

/** The commands whose payload is the caller's bytes, of any size. */
const uploadCommands = new Set(["PutObjectCommand", "UploadPartCommand"])

interface OutgoingRequest {
  readonly protocol?: string
  readonly headers: Record<string, string>
}

/**
 * Leaves the bytes of uploads over HTTPS out of the request signature (`UNSIGNED-PAYLOAD`), as the
 * AWS SDKs for Java, Go and Python do: TLS already guards them in transit, and S3 checks the CRC32
 * the SDK sends with them (unless `requestChecksumCalculation` is `WHEN_REQUIRED`). The SDK for
 * JavaScript otherwise hashes every uploaded byte with SHA-256 (about 0.7 s of CPU per GiB here, on
 * the event loop). Over plain HTTP, payloads stay signed.
 */
export const unsignUploadsOverHttps = (client: S3Client): void => {
  client.middlewareStack.add(
    (next, context) => (args) => {
      const request = (args as { readonly request: OutgoingRequest }).request
      if (request.protocol === "https:" && uploadCommands.has(context.commandName ?? "")) {
        request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
      }
      return next(args)
    },
    { step: "build", name: "s3poUnsignedUploadsOverHttps" }
  )
}

/** Signs `command` with the SHA-256 of its payload computed beforehand (`payloadHasher.ts`), instead of hashing it again. */
export const withPayloadHash = (command: UploadPartCommand, sha256: string): UploadPartCommand => {
  command.middlewareStack.add(
    (next) => (args) => {
      ;(args as { readonly request: OutgoingRequest }).request.headers["x-amz-content-sha256"] = sha256
      return next(args)
    },
    { step: "build", name: "s3poPayloadHash" }
  )
  return command
}
