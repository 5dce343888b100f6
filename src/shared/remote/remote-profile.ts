import { z } from 'zod'
import { isRemoteError } from './remote-error'
import { validateDomain, validateHost, validateRemoteId, validateUser } from './remote-validate'

/**
 * A remote-control profile attached to an asset. The same validators as the launchers run here,
 * so a profile that parses can always be launched without tripping the `.rdp` builder later.
 */
export const REMOTE_PROTOCOLS = [
  'rdp',
  'ssh',
  'vnc',
  'web',
  'anydesk',
  'rustdesk',
  'teamviewer'
] as const
export type RemoteProtocol = (typeof REMOTE_PROTOCOLS)[number]
export const THIRD_PARTY_PROTOCOLS = ['anydesk', 'rustdesk', 'teamviewer'] as const
export type ThirdPartyTool = (typeof THIRD_PARTY_PROTOCOLS)[number]

export const DEFAULT_PORTS: Partial<Record<RemoteProtocol, number>> = {
  rdp: 3389,
  ssh: 22,
  vnc: 5900,
  web: 443
}

/** Turns a throwing validator into a zod check that reports the validator's code. */
function checked<T>(validate: (v: unknown) => T) {
  return z.string().transform((value, ctx) => {
    try {
      return validate(value)
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: e instanceof Error ? e.message : 'invalid value',
        params: { code: isRemoteError(e) ? e.code : 'remote.invalidValue' }
      })
      return z.NEVER
    }
  })
}

export const hostSchema = checked((v) => validateHost(v))
export const userSchema = checked((v) => validateUser(v))
export const domainSchema = checked((v) => validateDomain(v))
export const remoteIdSchema = checked((v) => validateRemoteId(v))
export const portSchema = z.number().int().min(1).max(65535)

export const gatewaySchema = z.strictObject({ host: hostSchema, port: portSchema.optional() })

export const remoteOptionsSchema = z.strictObject({
  gateway: gatewaySchema.optional(),
  width: z.number().int().min(200).max(8192).optional(),
  height: z.number().int().min(200).max(8192).optional(),
  fullscreen: z.boolean().default(false),
  multimon: z.boolean().default(false),
  // Every redirection hands the remote machine something of the laptop's: all off by default.
  redirectClipboard: z.boolean().default(false),
  redirectDrives: z.boolean().default(false),
  redirectPrinters: z.boolean().default(false),
  redirectSmartCards: z.boolean().default(false),
  redirectWebAuthn: z.boolean().default(false)
})
export type RemoteOptions = z.infer<typeof remoteOptionsSchema>

export const remoteProfileSchema = z
  .strictObject({
    protocol: z.enum(REMOTE_PROTOCOLS),
    host: hostSchema.optional(),
    port: portSchema.optional(),
    username: userSchema.optional(),
    domain: domainSchema.optional(),
    options: remoteOptionsSchema.default(remoteOptionsSchema.parse({})),
    /** Key of the secret in the main-process vault; the secret itself never sits in a profile. */
    credentialRef: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[A-Za-z0-9_.:-]+$/)
      .optional(),
    remoteId: remoteIdSchema.optional(),
    /** Web admin page; checked again by the URL builder (http/https only, no credentials). */
    url: z.string().max(2048).optional()
  })
  .superRefine((p, ctx) => {
    const isThirdParty = (THIRD_PARTY_PROTOCOLS as readonly string[]).includes(p.protocol)
    if (isThirdParty && !p.remoteId) {
      ctx.addIssue({ code: 'custom', path: ['remoteId'], message: 'remoteId is required' })
    }
    if (!isThirdParty && p.protocol !== 'web' && !p.host) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'host is required' })
    }
    if (p.protocol === 'web' && !p.host && !p.url) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'url or host is required' })
    }
  })
export type RemoteProfile = z.infer<typeof remoteProfileSchema>
export type RemoteProfileInput = z.input<typeof remoteProfileSchema>

/** The port to connect to: the profile's, or the protocol's well-known one. */
export function effectivePort(profile: Pick<RemoteProfile, 'protocol' | 'port'>): number {
  return profile.port ?? DEFAULT_PORTS[profile.protocol] ?? 0
}
