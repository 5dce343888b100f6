import { attempt } from '../../app/errors-store'
import { Dialog } from '../../app/Dialog'
import { api } from '../../lib/api'
import { useT } from '../../i18n'
import { useRemote } from './store'

/** A host key never seen before: the technician compares the fingerprint, then decides. */
export function HostKeyDialog() {
  const t = useT()
  const prompt = useRemote((s) => s.hostKeyPrompts[0])
  if (!prompt) return null
  const answer = (accept: boolean) =>
    void attempt('ssh.hostKey', () => api.sshHostKeyAnswer(prompt.promptId, accept)).finally(() =>
      useRemote.setState((s) => ({
        hostKeyPrompts: s.hostKeyPrompts.filter((p) => p.promptId !== prompt.promptId)
      }))
    )
  return (
    <Dialog open dismissable={false} title={t('hostKey.title')} onClose={() => undefined}>
      <p>{t('hostKey.body', { host: prompt.host, port: prompt.port })}</p>
      <p>
        <code data-testid="host-key-fingerprint">
          {t('hostKey.fingerprint', { keyType: prompt.keyType, fingerprint: prompt.fingerprint })}
        </code>
      </p>
      <div className="buttons">
        <button type="button" onClick={() => answer(false)}>
          {t('hostKey.refuse')}
        </button>
        <button type="button" className="primary" onClick={() => answer(true)}>
          {t('hostKey.accept')}
        </button>
      </div>
    </Dialog>
  )
}
