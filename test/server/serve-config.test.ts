import { readFileSync } from 'node:fs'

import t from 'tap'

import { DEFAULT_LIMITS } from '../../engine/limits.js'
import { cacheLimitsWithin, DEFAULT_CACHE_LIMITS } from '../../repos/smart-http/caches.js'
import { readServeConfig, SERVE_SETTINGS } from '../../server/config.js'
import { Api, expectFault } from '../helpers/api.js'
import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

t.test('every setting is a flag with an environment twin; the flag wins', async (t) => {
  const samples: Record<string, [string, string]> = {
    host: ['::1', '127.0.0.2'],
    port: ['8080', '9090'],
    'log-level': ['warn', 'debug'],
    'shutdown-timeout': ['5', '7'],
    'pack-after': ['0', '120'],
    'max-versions': ['9', '11'],
    'max-package-bytes': ['2M', '3145728'],
    'max-unpacked-bytes': ['1G', '2048'],
    'max-package-entries': ['10', '20'],
    'min-cpu': ['50', '60'],
    'max-cpu': ['500', '600'],
    'min-memory-size': ['1000', '2000'],
    'max-memory-size': ['999999999', '888888888'],
    'min-timeout': ['2', '3'],
    'max-timeout': ['30', '40'],
    'archive-cache-bytes': ['1M', '2M'],
    'git-cache-bytes': ['64M', '32M'],
  }
  for (const s of SERVE_SETTINGS) {
    if (s.flag === 'data' || s.flag === 'no-auth') continue
    const sample = samples[s.flag]
    if (!sample) {
      t.fail(`a sample for --${s.flag}`)
      continue
    }
    const [byFlag, byEnv] = sample
    const defaults = JSON.stringify(readServeConfig([], {}))
    const fromEnv = JSON.stringify(readServeConfig([], { [s.env]: byEnv }))
    const fromFlag = JSON.stringify(readServeConfig([`--${s.flag}`, byFlag], { [s.env]: byEnv }))
    t.not(fromEnv, defaults, `${s.env} changes the configuration`)
    t.not(fromFlag, fromEnv, `--${s.flag} wins over ${s.env}`)
  }
  t.equal(readServeConfig(['--no-auth'], {}).noAuth, true)
  t.equal(readServeConfig([], { TAGSTONE_NO_AUTH: '1' }).noAuth, true)
  t.equal(readServeConfig(['--data', '/x'], { TAGSTONE_DATA: '/y' }).dataDir, '/x')
})

t.test('limits reach the engine: sizes with suffixes, ranges, the caches shared as by default', async (t) => {
  const config = readServeConfig(
    ['--max-package-bytes', '2M', '--max-unpacked-bytes', '1g', '--min-timeout', '10', '--max-timeout', '20'],
    { TAGSTONE_GIT_CACHE_BYTES: '116M' },
  )
  t.equal(config.limits.maxPackageBytes, 2 * 1024 * 1024)
  t.equal(config.limits.maxUnpackedBytes, 1024 ** 3)
  t.same(
    config.limits.timeout,
    { min: 10, max: 20, default: 10 },
    'a default the range leaves out moves to the nearer end',
  )
  t.same(config.limits.cpu, DEFAULT_LIMITS.cpu, 'untouched ranges stay as they were')
  t.equal(config.gitCacheBytes, 116 * 1024 * 1024)
  const shares = cacheLimitsWithin(config.gitCacheBytes)
  t.equal(shares.objectBytes, DEFAULT_CACHE_LIMITS.objectBytes / 2, 'half the bytes, half of each cache')
  t.equal(shares.deflatedBytes, DEFAULT_CACHE_LIMITS.deflatedBytes / 2)
})

t.test('a value serve cannot use names the flag and what it takes', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--max-package-bytes', '0'], /--max-package-bytes must be a positive size in bytes .*got '0'/],
    [['--max-package-bytes', '5T'], /--max-package-bytes must be a positive size/],
    [['--max-versions=-1'], /--max-versions must be a positive whole number, got '-1'/],
    [['--max-versions', '-1'], /^option '--max-versions' needs a value; for a value that starts with '-', write/],
    [['--min-cpu', '300', '--max-cpu', '200'], /--min-cpu \(300\) must not be above --max-cpu \(200\)/],
    [['--bogus'], /^unknown option '--bogus'$/],
    [['--port'], /^option '--port' needs a value$/],
    [['--no-auth=yes'], /^option '--no-auth' takes no value$/],
  ]
  for (const [args, message] of cases) {
    t.throws(() => readServeConfig(args, {}), { code: 'INVALID_CONFIG', message }, args.join(' '))
  }
  t.throws(() => readServeConfig([], { TAGSTONE_MAX_TIMEOUT: 'lots' }), { message: /--max-timeout must be/ })
})

t.test('the README lists every setting, with its twin and default', async (t) => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const rows = [...readme.matchAll(/^\| `--([a-z-]+)[^`]*` \| `([^`]+)` \| `([^`]+)` \|/gm)].map((m) => m.slice(1, 4))
  t.same(
    rows,
    SERVE_SETTINGS.map((s) => [s.flag, s.env, s.default]),
  )
})

t.test('a range set by flag is what the API enforces', async (t) => {
  const { limits } = readServeConfig(['--max-timeout', '10', '--max-package-entries', '2'], {})
  const server = await startServer({ dataDir: t.testdir(), limits })
  t.teardown(() => server.close())
  const api = new Api(server.url, t)
  const fn = await api.createFunction(makeZip([{ name: 'main.py', content: 'x = 1\n' }]))
  expectFault(t, await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 11 } }), 400, /timeout/)
  t.equal((await api.put(`/v1/functions/${fn.id}`, { json: { timeout: 10 } })).status, 200)
  const three = makeZip(['a', 'b', 'c'].map((name) => ({ name, content: name })))
  expectFault(t, await api.post('/v1/functions', { form: functionForm(three) }), 400, /entries|files/)
})
