import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'

import t from 'tap'

/**
 * Imports go server -> engine -> repos, never back, and server reaches repositories only through
 * the engine; cli calls server and engine, not repos; bench may use anything, and nothing imports
 * bench, cli or test. isomorphic-git lives in repos only (in its one module there),
 * better-sqlite3 in engine only, Fastify nowhere below server.
 */
const ROOT = resolve(import.meta.dirname, '..', '..')
const LAYERS = ['repos', 'engine', 'server', 'cli', 'bench'] as const
/** The one module of repos/ that may import isomorphic-git. */
const ISOMORPHIC_GIT_MODULE = join('repos', 'git', 'isomorphic.ts')
type Layer = (typeof LAYERS)[number]

/** Every module a TypeScript source names: static and dynamic imports, re-exports, requires. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
  const found: string[] = []
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!)
  return found
}

/** The top folder a specifier leads to (for relative ones), or the package it names. */
function target(fromFile: string, specifier: string): { folder?: string; pkg?: string } {
  if (specifier.startsWith('.')) {
    const path = relative(ROOT, resolve(dirname(fromFile), specifier))
    return { folder: path.split(sep)[0] ?? '' }
  }
  if (specifier.startsWith('node:')) return {}
  const parts = specifier.split('/')
  return { pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] }
}

/** What is wrong with one import of a file in `layer`, or undefined. */
function violation(layer: Layer, fromFile: string, specifier: string): string | undefined {
  const { folder, pkg } = target(fromFile, specifier)
  if (folder && ['bench', 'cli', 'test'].includes(folder) && folder !== layer) return `${layer} imports ${folder}`
  if (layer === 'bench') return undefined
  if (layer === 'repos' && folder && ['engine', 'server', 'cli'].includes(folder)) return `repos imports ${folder}`
  if (layer === 'engine' && folder && ['server', 'cli'].includes(folder)) return `engine imports ${folder}`
  if (layer === 'server' && folder === 'repos') return 'server imports repos (it goes through the engine)'
  if (layer === 'cli' && folder === 'repos') return 'cli imports repos (it goes through the engine)'
  if (layer === 'engine' && pkg && (pkg === 'fastify' || pkg.startsWith('@fastify/'))) return `engine imports ${pkg}`
  if (pkg === 'isomorphic-git' && layer !== 'repos') return `${layer} imports isomorphic-git (repos only)`
  if (pkg === 'isomorphic-git' && relative(ROOT, fromFile) !== ISOMORPHIC_GIT_MODULE) {
    return `isomorphic-git imported outside ${ISOMORPHIC_GIT_MODULE}`
  }
  if (pkg === 'better-sqlite3' && layer !== 'engine') return `${layer} imports better-sqlite3 (engine only)`
  return undefined
}

async function sourcesOf(layer: Layer): Promise<string[]> {
  const entries = await readdir(join(ROOT, layer), { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name))
}

t.test('the checker itself: finds imports and flags the wrong ones', async (t) => {
  const source = [
    "import git from 'isomorphic-git'",
    "import { x } from '../engine/x.js'",
    "import type { Y } from '../server/y.js'",
    "export { z } from './z.js'",
    "import './side-effect.js'",
    "const later = await import('better-sqlite3')",
    "import {\n  a,\n  b,\n} from 'fastify'",
    "// import nothing from 'commented-out'",
    "/* import { gone } from 'block-comment' */",
    "const url = 'http://example.com' // from 'trailing-comment'",
  ].join('\n')
  t.same(
    importsOf(source).sort(),
    [
      '../engine/x.js',
      '../server/y.js',
      './side-effect.js',
      './z.js',
      'better-sqlite3',
      'fastify',
      'isomorphic-git',
    ].sort(),
  )
  const file = join(ROOT, 'repos', 'a.ts')
  t.equal(violation('repos', file, '../engine/x.js'), 'repos imports engine')
  t.equal(violation('repos', file, '../server/y.js'), 'repos imports server')
  t.equal(violation('repos', join(ROOT, ISOMORPHIC_GIT_MODULE), 'isomorphic-git'), undefined)
  t.equal(violation('repos', file, 'isomorphic-git'), `isomorphic-git imported outside ${ISOMORPHIC_GIT_MODULE}`)
  t.equal(violation('repos', file, '../test/helpers/git.js'), 'repos imports test')
  t.equal(
    violation('server', join(ROOT, 'server', 'routes', 'g.ts'), '../../repos/smart-http/upload-pack.js'),
    'server imports repos (it goes through the engine)',
  )
  const cliFile = join(ROOT, 'cli', 'c.ts')
  t.equal(violation('cli', cliFile, '../server/main.js'), undefined, 'cli may import server')
  t.equal(violation('cli', cliFile, '../engine/engine.js'), undefined, 'cli may import engine')
  t.equal(violation('cli', cliFile, '../repos/repo-store.js'), 'cli imports repos (it goes through the engine)')
  t.equal(violation('cli', cliFile, '../bench/clone.js'), 'cli imports bench')
  const benchFile = join(ROOT, 'bench', 'b.ts')
  for (const anything of ['../repos/git/refs.js', '../server/routes/git.js', '../engine/engine.js', 'isomorphic-git']) {
    t.equal(violation('bench', benchFile, anything), undefined, `bench may import ${anything}`)
  }
  t.equal(violation('bench', benchFile, '../test/helpers/git.js'), 'bench imports test')
  t.equal(violation('engine', join(ROOT, 'engine', 'e.ts'), '../cli/main.js'), 'engine imports cli')
  t.equal(violation('server', join(ROOT, 'server', 's.ts'), '../bench/clone.js'), 'server imports bench')
  t.equal(violation('repos', file, 'better-sqlite3'), 'repos imports better-sqlite3 (engine only)')
  const engineFile = join(ROOT, 'engine', 'store', 'b.ts')
  t.equal(violation('engine', engineFile, '../../server/app.js'), 'engine imports server')
  t.equal(violation('engine', engineFile, '../../repos/objects.js'), undefined, 'engine may import repos')
  t.equal(violation('engine', engineFile, 'fastify'), 'engine imports fastify')
  t.equal(violation('engine', engineFile, '@fastify/multipart'), 'engine imports @fastify/multipart')
  t.equal(
    violation('engine', engineFile, 'isomorphic-git/http/node'),
    'engine imports isomorphic-git (repos only)',
    'a subpath is the package',
  )
  t.equal(
    violation('server', join(ROOT, 'server', 'c.ts'), 'better-sqlite3'),
    'server imports better-sqlite3 (engine only)',
  )
  t.equal(violation('server', join(ROOT, 'server', 'c.ts'), '../engine/engine.js'), undefined)
})

t.test('no import goes the wrong way', async (t) => {
  let files = 0
  const seen = { isomorphicGit: 0, betterSqlite: 0 }
  for (const layer of LAYERS) {
    for (const file of await sourcesOf(layer)) {
      files += 1
      const problems: string[] = []
      for (const specifier of importsOf(await readFile(file, 'utf8'))) {
        if (specifier === 'isomorphic-git' || specifier.startsWith('isomorphic-git/')) seen.isomorphicGit += 1
        if (specifier === 'better-sqlite3') seen.betterSqlite += 1
        const wrong = violation(layer, file, specifier)
        if (wrong) problems.push(`${wrong} ('${specifier}')`)
      }
      if (problems.length > 0) t.fail(`${relative(ROOT, file)}: ${problems.join('; ')}`)
    }
  }
  t.ok(files > 30, `read every source of ${LAYERS.join('/, ')}/ (${files} files)`)
  t.ok(seen.isomorphicGit > 0, 'isomorphic-git is imported somewhere in repos/, so the check can bite')
  t.ok(seen.betterSqlite > 0, 'better-sqlite3 is imported somewhere in engine/, so the check can bite')
})
