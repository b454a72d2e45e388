/** Credentials as the signer takes them. */
interface AwsCredentialIdentity {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

type DeriveKey = (
  credentials: AwsCredentialIdentity,
  region: string,
  shortDate: string,
  service?: string
) => Promise<Uint8Array>

interface KeptKey {
  readonly scope: string
  readonly secretAccessKey: string
  readonly sessionToken: string | undefined
  readonly key: Promise<Uint8Array>
}

const deriveKeyOf = (signer: object): { readonly owner: object; readonly derive: DeriveKey } | undefined => {
  const owner: unknown = "sigv4Signer" in signer ? signer.sigv4Signer : signer
  if (typeof owner !== "object" || owner === null || !("getSigningKey" in owner)) return undefined
  const derive: unknown = owner.getSigningKey
  return typeof derive === "function" ? { owner, derive: derive.bind(owner) as DeriveKey } : undefined
}

/**
 * Keeps the SigV4 signing key the SDK's signer derives. The signer looks its key up in a cache by
 * an HMAC of the credentials, computed on every request: a third of what signing a small request
 * costs. The key depends only on the credentials, the day, the region and the service, so it is
 * kept per credentials object (a refreshed identity is a new object) and derived again, by the
 * signer itself, when any of them changes. A signer of another shape is left as it is.
 */
export const keepSigningKeys = <S extends object>(signer: S): S => {
  const found = deriveKeyOf(signer)
  if (found === undefined) return signer
  const kept = new WeakMap<AwsCredentialIdentity, KeptKey>()
  const getSigningKey: DeriveKey = (credentials, region, shortDate, service) => {
    const scope = `${shortDate}/${region}/${service ?? ""}`
    const known = kept.get(credentials)
    if (
      known !== undefined && known.scope === scope && known.secretAccessKey === credentials.secretAccessKey &&
      known.sessionToken === credentials.sessionToken
    ) {
      return known.key
    }
    const key = found.derive(credentials, region, shortDate, service)
    key.catch(() => kept.delete(credentials))
    kept.set(credentials, {
      scope,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      key
    })
    return key
  }
  Object.defineProperty(found.owner, "getSigningKey", { value: getSigningKey, configurable: true, writable: true })
  return signer
}
