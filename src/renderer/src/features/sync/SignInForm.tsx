import { useState, type FormEvent } from 'react'
import { attempt } from '../../app/errors-store'
import { repo, session } from '../../app/session'
import { useT } from '../../i18n'
import { signIn } from '../../sync/account'

/** Where `npm start` runs its local server (see scripts/start-with-server.mjs). */
export const LOCAL_SERVER_URL = 'http://127.0.0.1:8787'

export function SignInForm() {
  const t = useT()
  const [serverUrl, setServerUrl] = useState(LOCAL_SERVER_URL)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [deviceName, setDeviceName] = useState('Portable Carnet')

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (session().demo && !window.confirm(t('sync.demoWipe'))) return
    void attempt('sync.signIn', async () => {
      await signIn(repo().db, { serverUrl, email, password, deviceName })
      // A fresh page opens the session as the signed-in technician and starts the sync loop.
      location.hash = '#/sync'
      location.reload()
    })
  }

  return (
    <form className="sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('sync.signInTitle')}</h2>
      <label>
        {t('sync.serverUrl')}
        <input
          type="url"
          required
          value={serverUrl}
          onChange={(e) => setServerUrl(e.target.value)}
        />
      </label>
      <label>
        {t('sync.email')}
        <input
          type="email"
          required
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        {t('sync.password')}
        <input
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <label>
        {t('sync.deviceName')}
        <input
          required
          maxLength={200}
          value={deviceName}
          onChange={(e) => setDeviceName(e.target.value)}
        />
      </label>
      <button type="submit" className="primary">
        {t('sync.signIn')}
      </button>
    </form>
  )
}
