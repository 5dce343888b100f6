import { seed } from './seed'
import {
  actionBench,
  filterBaseline,
  holdRows,
  liveToArray,
  openAndToArray,
  releaseRows
} from './measures'
import { clearPages, loadPages, parsePages, rawApply, slicedApply, syncApply } from './sync'

/*
 * Development-only page (out/renderer/bench.html), driven by `npm run bench`: it runs the real
 * store and repository code on the app's own origin, so it reads and writes the app's IndexedDB.
 * Never packaged (electron-builder.yml excludes it).
 */
const api = {
  seed,
  openAndToArray,
  liveToArray,
  holdRows,
  releaseRows,
  filterBaseline,
  actionBench,
  loadPages,
  parsePages,
  clearPages,
  syncApply,
  rawApply,
  slicedApply
}

export type CarnetBench = typeof api

declare global {
  interface Window {
    carnetBench?: CarnetBench
  }
}

window.carnetBench = api
document.body.dataset['benchReady'] = 'true'
