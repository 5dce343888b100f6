import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import '@xterm/xterm/css/xterm.css'
import { useEffect, useRef } from 'react'
import { attempt } from '../../app/errors-store'
import { hrefOf } from '../../app/router'
import { api } from '../../lib/api'
import { useT } from '../../i18n'
import { useRemote } from './store'
import { attachTerminal } from './terminal-bus'

function TerminalView({ sessionId, label }: { sessionId: string; label: string }) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!host.current) return
    const term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontSize: 14,
      scrollback: 5000
    })
    const fit = new FitAddon()
    term.loadAddon(fit)
    term.open(host.current)
    fit.fit()
    // Ctrl+Shift+C copies the selection (Ctrl+C stays the shell's interrupt); pasting goes
    // through the browser's own paste event, which xterm handles.
    term.attachCustomKeyEventHandler((event) => {
      if (event.type === 'keydown' && event.ctrlKey && event.shiftKey && event.code === 'KeyC') {
        void navigator.clipboard?.writeText(term.getSelection()).catch(() => undefined)
        return false
      }
      return true
    })
    const detach = attachTerminal(sessionId, (data) => term.write(data))
    const input = term.onData((data) => void api.sshWrite(sessionId, data).catch(() => undefined))
    const resized = term.onResize(
      ({ cols, rows }) => void api.sshResize(sessionId, cols, rows).catch(() => undefined)
    )
    void api.sshResize(sessionId, term.cols, term.rows).catch(() => undefined)
    const observer = new ResizeObserver(() => fit.fit())
    observer.observe(host.current)
    term.focus()
    return () => {
      observer.disconnect()
      input.dispose()
      resized.dispose()
      detach()
      term.dispose()
    }
  }, [sessionId])
  return (
    <div
      className="terminal"
      ref={host}
      role="application"
      aria-label={label}
      data-testid="terminal"
    />
  )
}

/** SSH terminals as tabs; each tab's output keeps flowing while another is shown. */
export function TerminalPage({ id }: { id: string | null }) {
  const t = useT()
  const active = useRemote((s) => s.active)
  const terminals = Object.values(active).filter((s) => s.protocol === 'ssh')
  const current = terminals.find((s) => s.sessionId === id) ?? terminals[0]
  return (
    <section className="terminals" aria-labelledby="terminals-title">
      <h1 id="terminals-title">{t('terminal.title')}</h1>
      {terminals.length === 0 && <p className="empty">{t('terminal.none')}</p>}
      <nav className="tabs" aria-label={t('terminal.title')}>
        {terminals.map((s) => (
          <a
            key={s.sessionId}
            href={hrefOf({ page: 'terminal', id: s.sessionId })}
            aria-current={s === current ? 'page' : undefined}
          >
            {s.assetName}
          </a>
        ))}
      </nav>
      {current && (
        <>
          <TerminalView
            key={current.sessionId}
            sessionId={current.sessionId}
            label={t('terminal.label', { asset: current.assetName })}
          />
          <button
            type="button"
            onClick={() => void attempt('ssh.close', () => api.remoteEnd(current.sessionId))}
          >
            {t('terminal.close')}
          </button>
        </>
      )}
    </section>
  )
}
