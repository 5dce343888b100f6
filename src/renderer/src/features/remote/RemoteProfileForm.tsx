import { useState, type FormEvent } from 'react'
import {
  REMOTE_PROTOCOLS,
  remoteProfileSchema,
  THIRD_PARTY_PROTOCOLS,
  type RemoteProtocol
} from '../../../../shared/remote/remote-profile'
import { DomainError } from '../../../../shared/domain/errors'
import { attempt } from '../../app/errors-store'
import { repo } from '../../app/session'
import { saveRemoteProfile } from '../../db/repos/remote'
import type { AssetRow } from '../../db/rows'
import { api } from '../../lib/api'
import { useT } from '../../i18n'

/** A labelled whole-number input; the text is kept as typed and parsed when the form is saved. */
function NumberField(props: {
  label: string
  min: number
  max: number
  value: string
  onChange: (value: string) => void
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min}
        max={props.max}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  )
}

const REDIRECTIONS = [
  'redirectClipboard',
  'redirectDrives',
  'redirectPrinters',
  'redirectSmartCards',
  'redirectWebAuthn'
] as const

const DISPLAY = ['fullscreen', 'multimon'] as const

/** One checkbox per boolean option of the profile, each labelled by its own key. */
function OptionChecks(props: {
  keys: ReadonlyArray<(typeof DISPLAY)[number] | (typeof REDIRECTIONS)[number]>
  options: Record<string, boolean>
  onChange: (options: Record<string, boolean>) => void
}) {
  const t = useT()
  return props.keys.map((key) => (
    <label key={key} className="check">
      <input
        type="checkbox"
        checked={props.options[key] === true}
        onChange={(e) => props.onChange({ ...props.options, [key]: e.target.checked })}
      />
      {t(`profile.${key}`)}
    </label>
  ))
}

/** Adds a remote-access profile to an asset; the secret goes straight to the main process's vault. */
export function RemoteProfileForm({ asset, onDone }: { asset: AssetRow; onDone: () => void }) {
  const t = useT()
  const [protocol, setProtocol] = useState<RemoteProtocol>('rdp')
  const [label, setLabel] = useState('')
  const [host, setHost] = useState(asset.addresses?.[0] ?? '')
  const [port, setPort] = useState('')
  const [username, setUsername] = useState('')
  const [domain, setDomain] = useState('')
  const [secret, setSecret] = useState('')
  const [remoteId, setRemoteId] = useState('')
  const [url, setUrl] = useState('')
  const [options, setOptions] = useState<Record<string, boolean>>({})
  const [gateway, setGateway] = useState('')
  const [width, setWidth] = useState('')
  const [height, setHeight] = useState('')
  const thirdParty = (THIRD_PARTY_PROTOCOLS as readonly string[]).includes(protocol)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void attempt('remote.profile', async () => {
      const draft = {
        protocol,
        ...(host && !thirdParty ? { host } : {}),
        ...(port ? { port: Number(port) } : {}),
        ...(username ? { username } : {}),
        ...(domain && protocol === 'rdp' ? { domain } : {}),
        ...(remoteId && thirdParty ? { remoteId } : {}),
        ...(url && protocol === 'web' ? { url } : {}),
        options:
          protocol === 'rdp'
            ? {
                ...options,
                ...(gateway ? { gateway: { host: gateway } } : {}),
                ...(width && height ? { width: Number(width), height: Number(height) } : {})
              }
            : {}
      }
      // Validate before the secret is stored, so a refused profile leaves no orphan secret.
      const checked = remoteProfileSchema.safeParse(draft)
      if (!checked.success) {
        const issue = checked.error.issues[0]
        throw new DomainError(
          'validation.failed',
          `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`
        )
      }
      const credentialRef = secret
        ? (await api.credentialSave(secret, `${asset.name} ${protocol}`)).credentialRef
        : null
      await saveRemoteProfile(repo(), {
        assetId: asset.id,
        label: label.trim() || t(`protocol.${protocol}`),
        ...draft,
        host: draft.host ?? '',
        credentialRef
      })
      setSecret('')
      onDone()
    })
  }

  return (
    <form className="remote-profile" onSubmit={submit}>
      <label>
        {t('profile.protocol')}
        <select value={protocol} onChange={(e) => setProtocol(e.target.value as RemoteProtocol)}>
          {REMOTE_PROTOCOLS.map((p) => (
            <option key={p} value={p}>
              {t(`protocol.${p}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('profile.label')}
        <input value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
      </label>
      {thirdParty ? (
        <label>
          {t('profile.remoteId', { tool: t(`protocol.${protocol}`) })}
          <input required value={remoteId} onChange={(e) => setRemoteId(e.target.value)} />
        </label>
      ) : (
        <div className="row">
          <label>
            {t('profile.host')}
            <input
              required={protocol !== 'web'}
              value={host}
              onChange={(e) => setHost(e.target.value)}
            />
          </label>
          <NumberField
            label={t('profile.port')}
            min={1}
            max={65535}
            value={port}
            onChange={setPort}
          />
        </div>
      )}
      {protocol === 'web' && (
        <label>
          {t('profile.url')}
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
      )}
      {(protocol === 'rdp' || protocol === 'ssh' || protocol === 'vnc') && (
        <div className="row">
          {protocol !== 'vnc' && (
            <label>
              {t('profile.username')}
              <input
                value={username}
                autoComplete="off"
                onChange={(e) => setUsername(e.target.value)}
              />
            </label>
          )}
          {protocol === 'rdp' && (
            <label>
              {t('profile.domain')}
              <input value={domain} onChange={(e) => setDomain(e.target.value)} />
            </label>
          )}
        </div>
      )}
      {(protocol === 'rdp' || protocol === 'ssh' || protocol === 'vnc') && (
        <label>
          {t('profile.secret')}
          {protocol === 'ssh' ? (
            <textarea
              rows={3}
              value={secret}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setSecret(e.target.value)}
            />
          ) : (
            <input
              type="password"
              value={secret}
              autoComplete="new-password"
              onChange={(e) => setSecret(e.target.value)}
            />
          )}
        </label>
      )}
      {protocol === 'vnc' && <p className="warning">{t('profile.vncWarning')}</p>}
      {protocol === 'rdp' && (
        <div className="row">
          <label>
            {t('profile.gateway')}
            <input value={gateway} onChange={(e) => setGateway(e.target.value)} />
          </label>
          <NumberField
            label={t('profile.width')}
            min={200}
            max={8192}
            value={width}
            onChange={setWidth}
          />
          <NumberField
            label={t('profile.height')}
            min={200}
            max={8192}
            value={height}
            onChange={setHeight}
          />
          <OptionChecks keys={DISPLAY} options={options} onChange={setOptions} />
        </div>
      )}
      {protocol === 'rdp' && (
        <fieldset>
          <legend>{t('profile.redirections')}</legend>
          <OptionChecks keys={REDIRECTIONS} options={options} onChange={setOptions} />
        </fieldset>
      )}
      {protocol === 'rdp' && <p className="hint">{t('profile.rdpNotice')}</p>}
      <button type="submit" className="primary">
        {t('profile.save')}
      </button>
    </form>
  )
}
