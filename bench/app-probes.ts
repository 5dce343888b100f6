import type { CDPSession, Page } from '@playwright/test'

/** Moments of one app start, in ms since navigation start (performance.now() in the page). */
export interface StartMarks {
  /** `document.body.dataset.ready`: store opened, demo check done, first render requested. */
  ready: number | null
  /** The list count first shows a number (rows read, indexed, rendered). */
  count: number | null
  /** The count shows every intervention and a first row is laid out. */
  interactive: number | null
  /** The frame after `interactive`: when that state can be on screen. */
  painted: number | null
  domContentLoaded: number | null
}

declare global {
  interface Window {
    __carnetStart?: StartMarks
  }
}

/**
 * Installed with `addInitScript` (it runs before the app's own scripts and is not subject to the
 * page's CSP): watches the DOM from the first moment and stamps each milestone once.
 */
export function startProbe(expected: number): void {
  if (location.pathname !== '/' && !location.pathname.endsWith('index.html')) return
  const marks: StartMarks = {
    ready: null,
    count: null,
    interactive: null,
    painted: null,
    domContentLoaded: null
  }
  window.__carnetStart = marks
  document.addEventListener('DOMContentLoaded', () => (marks.domContentLoaded = performance.now()))
  const check = () => {
    const now = performance.now()
    if (marks.ready === null && document.body?.dataset['ready'] === 'true') marks.ready = now
    const counter = document.querySelector('[data-testid=list-count]')
    const digits = (counter?.textContent ?? '').replace(/\D/g, '')
    if (marks.count === null && digits !== '') marks.count = now
    if (marks.interactive !== null || Number(digits) !== expected) return
    const row = document.querySelector('[role=listitem]')
    if (!row || row.getBoundingClientRect().height === 0) return
    marks.interactive = now
    observer.disconnect()
    requestAnimationFrame(() => setTimeout(() => (marks.painted = performance.now()), 0))
  }
  const observer = new MutationObserver(check)
  observer.observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true
  })
}

/** Waits for the start probe to see the full list on screen, then returns its marks. */
export async function readStart(page: Page, timeoutMs = 60_000): Promise<StartMarks> {
  await page.waitForFunction(() => window.__carnetStart?.painted != null, undefined, {
    timeout: timeoutMs,
    polling: 50
  })
  return page.evaluate(() => window.__carnetStart as StartMarks)
}

export type FilterStep =
  { control: 'text'; value: string } | { control: 'status' | 'kind'; value: string }

export interface FilterAnswer {
  ms: number
  text: string
}

/**
 * One list answer: sets a filter control as the technician would (one input or change event)
 * and times, inside the page, from that event to the list count's DOM update.
 */
export function filterAnswer(page: Page, step: FilterStep): Promise<FilterAnswer> {
  return page.evaluate(
    ({ control, value }) =>
      new Promise<FilterAnswer>((resolve, reject) => {
        const counter = document.querySelector('[data-testid=list-count]')
        if (!counter) return reject(new Error('no list count'))
        const before = counter.textContent
        let element: HTMLInputElement | HTMLSelectElement | undefined
        if (control === 'text') {
          element = document.querySelector<HTMLInputElement>('input[type=search]') ?? undefined
        } else {
          const probe = control === 'status' ? 'signed' : 'curative'
          element = [...document.querySelectorAll('select')].find((s) =>
            [...s.options].some((o) => o.value === probe)
          )
        }
        if (!element) return reject(new Error(`no ${control} control`))
        const proto = control === 'text' ? HTMLInputElement.prototype : HTMLSelectElement.prototype
        const setValue = Object.getOwnPropertyDescriptor(proto, 'value')?.set
        if (!setValue) return reject(new Error('no value setter'))
        if (element.value === value) return reject(new Error(`${control} already "${value}"`))
        let t0 = 0
        const timer = setTimeout(() => {
          observer.disconnect()
          reject(new Error(`list count did not change after ${control}="${value}"`))
        }, 10_000)
        const observer = new MutationObserver(() => {
          if (counter.textContent === before) return
          const ms = performance.now() - t0
          observer.disconnect()
          clearTimeout(timer)
          resolve({ ms, text: counter.textContent ?? '' })
        })
        observer.observe(counter, { subtree: true, childList: true, characterData: true })
        t0 = performance.now()
        setValue.call(element, value)
        element.dispatchEvent(new Event(control === 'text' ? 'input' : 'change', { bubbles: true }))
      }),
    step
  )
}

/** Used JS heap after a forced full collection, in MB. */
export async function heapAfterGc(cdp: CDPSession): Promise<{ usedMb: number; totalMb: number }> {
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage')
  return { usedMb: usedSize / 1024 / 1024, totalMb: totalSize / 1024 / 1024 }
}
