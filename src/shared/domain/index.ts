// The single entry point of the domain core, shared by the renderer, Electron main and the server.
export * from './errors'
export * from './units'
export * from './paris-time'
export * from './status'
export * from './balance'
export * from './entities'
export * from './format'
export * from './ids'
