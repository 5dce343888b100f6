import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/*
 * security.md item 1: every window and view is created with the hardened web preferences, written
 * literally where it is created so a reader (and this test) can see them. The check walks the
 * TypeScript AST of every main-process and preload source.
 */

const ROOT = join(__dirname, '..', '..', '..')
const SOURCE_DIRS = ['src/main', 'src/preload']
const WINDOW_CLASSES = new Set(['BrowserWindow', 'BrowserView', 'WebContentsView'])

/** Preferences that must be present with exactly this literal value. */
const REQUIRED: Record<string, boolean> = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false
}
/** Preferences that may only appear with this literal value (their safe default). */
const ONLY_IF: Record<string, boolean> = {
  webviewTag: false,
  nodeIntegrationInSubFrames: false,
  nodeIntegrationInWorker: false
}
/** Preferences that must not appear at all: their defaults are the safe ones. */
const FORBIDDEN = [
  'webSecurity',
  'experimentalFeatures',
  'enableBlinkFeatures',
  'allowRunningInsecureContent'
]

interface Creation {
  file: string
  line: number
  className: string
}

interface CheckResult {
  creations: Creation[]
  violations: string[]
}

function listTsFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listTsFiles(path))
    else if (/\.(c|m)?tsx?$/.test(entry.name)) out.push(path)
  }
  return out
}

function propertyName(name: ts.PropertyName): string | null {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name))
    return name.text
  if (ts.isNumericLiteral(name)) return name.text
  return null
}

function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression
  while (
    ts.isParenthesizedExpression(e) ||
    ts.isAsExpression(e) ||
    ts.isSatisfiesExpression(e) ||
    ts.isTypeAssertionExpression(e) ||
    ts.isNonNullExpression(e)
  )
    e = e.expression
  return e
}

/** Reads an object literal into name → initializer; anything unverifiable is a violation. */
function readObject(
  object: ts.ObjectLiteralExpression,
  what: string,
  report: (message: string) => void
): Map<string, ts.Expression> {
  const props = new Map<string, ts.Expression>()
  for (const prop of object.properties) {
    if (ts.isPropertyAssignment(prop)) {
      const name = propertyName(prop.name)
      if (name === null) report(`${what} has a computed key; write every key literally`)
      else props.set(name, unwrap(prop.initializer))
    } else if (ts.isSpreadAssignment(prop)) {
      report(`${what} uses a spread; write every preference literally`)
    } else if (ts.isShorthandPropertyAssignment(prop)) {
      report(`${what} uses the shorthand "${prop.name.text}"; write the value literally`)
    } else {
      report(`${what} has a method or accessor; write every preference literally`)
    }
  }
  return props
}

function literalBoolean(expression: ts.Expression | undefined): boolean | undefined {
  if (!expression) return undefined
  if (expression.kind === ts.SyntaxKind.TrueKeyword) return true
  if (expression.kind === ts.SyntaxKind.FalseKeyword) return false
  return undefined
}

/** Local names under which the window classes are imported from 'electron'. */
function importedAliases(source: ts.SourceFile): Map<string, string> {
  const aliases = new Map<string, string>()
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement)) continue
    if (!ts.isStringLiteral(statement.moduleSpecifier)) continue
    if (statement.moduleSpecifier.text !== 'electron') continue
    const bindings = statement.importClause?.namedBindings
    if (!bindings || !ts.isNamedImports(bindings)) continue
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text
      if (WINDOW_CLASSES.has(imported)) aliases.set(element.name.text, imported)
    }
  }
  return aliases
}

function windowClassOf(callee: ts.Expression, aliases: Map<string, string>): string | null {
  const e = unwrap(callee)
  if (ts.isIdentifier(e)) {
    if (aliases.has(e.text)) return aliases.get(e.text) ?? null
    return WINDOW_CLASSES.has(e.text) ? e.text : null
  }
  // electron.BrowserWindow, require('electron').BrowserWindow, ...
  if (ts.isPropertyAccessExpression(e) && WINDOW_CLASSES.has(e.name.text)) return e.name.text
  if (ts.isElementAccessExpression(e) && ts.isStringLiteral(e.argumentExpression)) {
    return WINDOW_CLASSES.has(e.argumentExpression.text) ? e.argumentExpression.text : null
  }
  return null
}

function checkCreation(node: ts.NewExpression, report: (message: string) => void): void {
  const first = node.arguments?.[0]
  if (!first) {
    report('created without options (so without webPreferences)')
    return
  }
  const options = unwrap(first)
  if (!ts.isObjectLiteralExpression(options)) {
    report('options are not an object literal, so they cannot be checked; write them inline')
    return
  }
  const props = readObject(options, 'options', report)
  const prefsNode = props.get('webPreferences')
  if (!prefsNode) {
    report('has no webPreferences')
    return
  }
  if (!ts.isObjectLiteralExpression(prefsNode)) {
    report('webPreferences is not an object literal; write it inline')
    return
  }
  const prefs = readObject(prefsNode, 'webPreferences', report)
  for (const [key, value] of Object.entries(REQUIRED)) {
    if (literalBoolean(prefs.get(key)) !== value) report(`webPreferences.${key} must be ${value}`)
  }
  for (const [key, value] of Object.entries(ONLY_IF)) {
    if (prefs.has(key) && literalBoolean(prefs.get(key)) !== value)
      report(`webPreferences.${key} may only be ${value}`)
  }
  for (const key of FORBIDDEN) {
    if (prefs.has(key)) report(`webPreferences.${key} must not be set`)
  }
}

/** Finds every window/view creation in one source text and lists what is wrong with each. */
function checkSource(fileName: string, text: string): CheckResult {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const aliases = importedAliases(source)
  const creations: Creation[] = []
  const violations: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const className = windowClassOf(node.expression, aliases)
      if (className) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
        creations.push({ file: fileName, line, className })
        checkCreation(node, (message) =>
          violations.push(`${fileName}:${line} new ${className}: ${message}`)
        )
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return { creations, violations }
}

function checkProject(): CheckResult & { files: string[] } {
  const files = SOURCE_DIRS.flatMap((dir) => listTsFiles(join(ROOT, dir)))
  const creations: Creation[] = []
  const violations: string[] = []
  for (const file of files) {
    const result = checkSource(relative(ROOT, file), readFileSync(file, 'utf8'))
    creations.push(...result.creations)
    violations.push(...result.violations)
  }
  return { files, creations, violations }
}

describe('window preferences in the main-process and preload sources', () => {
  const project = checkProject()

  it('parses the sources', () => {
    expect(project.files.some((f) => f.endsWith(join('src', 'main', 'window.ts')))).toBe(true)
    expect(project.files.some((f) => f.endsWith(join('src', 'preload', 'index.ts')))).toBe(true)
  })

  it('finds at least one BrowserWindow (the check is not vacuous)', () => {
    expect(project.creations.filter((c) => c.className === 'BrowserWindow').length).toBeGreaterThan(
      0
    )
  })

  it('creates every window and view with the hardened preferences', () => {
    expect(project.violations).toEqual([])
  })
})

describe('the checker itself', () => {
  const good = `
    import { BrowserWindow } from 'electron'
    new BrowserWindow({
      width: 800,
      webPreferences: { preload: 'p.js', contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false }
    })`

  it('accepts a correctly hardened window', () => {
    const result = checkSource('good.ts', good)
    expect(result.creations).toHaveLength(1)
    expect(result.violations).toEqual([])
  })

  it.each([
    ['no options', `new BrowserWindow()`, 'without options'],
    ['no webPreferences', `new BrowserWindow({ width: 1 })`, 'has no webPreferences'],
    ['options in a variable', `const o = {}; new BrowserWindow(o)`, 'not an object literal'],
    [
      'webPreferences in a variable',
      `const p = {}; new BrowserWindow({ webPreferences: p })`,
      'webPreferences is not an object literal'
    ],
    [
      'shorthand webPreferences',
      `const webPreferences = {}; new BrowserWindow({ webPreferences })`,
      'shorthand'
    ],
    [
      'contextIsolation off',
      `new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: true, nodeIntegration: false } })`,
      'contextIsolation must be true'
    ],
    [
      'sandbox missing',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, nodeIntegration: false } })`,
      'sandbox must be true'
    ],
    [
      'sandbox not literal',
      `const yes = true; new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: yes, nodeIntegration: false } })`,
      'sandbox must be true'
    ],
    [
      'nodeIntegration on',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: true } })`,
      'nodeIntegration must be false'
    ],
    [
      'nodeIntegration missing',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true } })`,
      'nodeIntegration must be false'
    ],
    [
      'webSecurity touched',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: false } })`,
      'webSecurity must not be set'
    ],
    [
      'webSecurity quoted',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, 'webSecurity': true } })`,
      'webSecurity must not be set'
    ],
    [
      'webviewTag on',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: true } })`,
      'webviewTag may only be false'
    ],
    [
      'experimental features',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, experimentalFeatures: true } })`,
      'experimentalFeatures must not be set'
    ],
    [
      'Blink features',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, enableBlinkFeatures: 'X' } })`,
      'enableBlinkFeatures must not be set'
    ],
    [
      'insecure content',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, allowRunningInsecureContent: false } })`,
      'allowRunningInsecureContent must not be set'
    ],
    [
      'node in subframes',
      `new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInSubFrames: true } })`,
      'nodeIntegrationInSubFrames may only be false'
    ],
    [
      'spread preferences',
      `const extra = {}; new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, ...extra } })`,
      'spread'
    ],
    [
      'computed key',
      `const k = 'webSecurity'; new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, [k]: false } })`,
      'computed key'
    ],
    [
      'aliased import',
      `import { BrowserWindow as Win } from 'electron'; new Win({ width: 1 })`,
      'has no webPreferences'
    ],
    [
      'namespace access',
      `import * as electron from 'electron'; new electron.BrowserWindow({})`,
      'has no webPreferences'
    ],
    ['BrowserView', `new BrowserView({ webPreferences: {} })`, 'sandbox must be true'],
    ['WebContentsView', `new WebContentsView()`, 'without options'],
    [
      'wrapped in parentheses and a cast',
      `new (BrowserWindow as any)(({ webPreferences: { sandbox: false } }) as object)`,
      'sandbox must be true'
    ]
  ])('reports %s', (_label, source, expected) => {
    const result = checkSource('bad.ts', source)
    expect(result.creations).toHaveLength(1)
    expect(result.violations.length).toBeGreaterThan(0)
    expect(result.violations.join('\n')).toContain(expected)
    expect(result.violations[0]).toMatch(/^bad\.ts:\d+ new \w+: /)
  })

  it('reports every bad window of a file, with its line', () => {
    const source = [good, `new BrowserWindow({ webPreferences: { webSecurity: false } })`].join(
      '\n'
    )
    const result = checkSource('mixed.ts', source)
    expect(result.creations).toHaveLength(2)
    expect(result.violations.length).toBeGreaterThanOrEqual(4)
    const badLine = good.split('\n').length + 1
    expect(result.violations.every((v) => v.startsWith(`mixed.ts:${badLine} `))).toBe(true)
  })

  it('ignores windows that only appear in strings and comments', () => {
    const result = checkSource(
      'text.ts',
      `// new BrowserWindow()\nconst s = 'new BrowserWindow({})'`
    )
    expect(result.creations).toEqual([])
  })
})
