import t from 'tap'

import { EngineError } from '../../engine/errors.js'
import { boundedInteger, optionalText, parseCode, parseFunctionFields } from '../../engine/function-fields.js'
import { DEFAULT_LIMITS } from '../../engine/limits.js'

/** The code and message an engine call fails with. */
function failure(fn: () => unknown): { code: string; message: string } | 'ok' {
  try {
    fn()
    return 'ok'
  } catch (err) {
    if (err instanceof EngineError) return { code: err.code, message: err.message }
    throw err
  }
}

t.test('optionalText: null and absent are "not given", never ""', async (t) => {
  t.equal(optionalText('name', undefined), undefined)
  t.equal(optionalText('name', null), undefined)
  t.equal(optionalText('name', ''), '', 'an empty string is a value')
  t.equal(optionalText('name', 'x'.repeat(255)), 'x'.repeat(255), '255 characters fit')
  t.match(
    failure(() => optionalText('description', 'x'.repeat(256))),
    { code: 'INVALID_FIELD', message: 'Invalid description: must be at most 255 characters.' },
  )
  t.match(
    failure(() => optionalText('name', 5)),
    { code: 'INVALID_FIELD', message: /Invalid name: must be a string/ },
  )
  t.match(
    failure(() => optionalText('name', true)),
    { code: 'INVALID_FIELD' },
  )
  t.equal(optionalText('entry', 'x'.repeat(300), 400), 'x'.repeat(300), 'a longer limit when asked')
  t.equal(optionalText('name', '名'.repeat(255)), '名'.repeat(255), 'the limit counts characters, not bytes')
})

t.test('boundedInteger: numbers and numeric strings within range', async (t) => {
  const range = { min: 1, max: 300 }
  t.equal(boundedInteger('timeout', 5, range), 5)
  t.equal(boundedInteger('timeout', '5', range), 5, 'a form sends strings')
  t.equal(boundedInteger('timeout', ' 7 ', range), 7, 'surrounding blanks are forgiven')
  t.equal(boundedInteger('timeout', 1, range), 1, 'the minimum is allowed')
  t.equal(boundedInteger('timeout', 300, range), 300, 'the maximum is allowed')
  t.equal(boundedInteger('timeout', null, range), undefined, 'null: not given (never 0)')
  t.equal(boundedInteger('timeout', undefined, range), undefined)
  t.equal(boundedInteger('timeout', '', range), undefined, 'an empty form field: not given')
  for (const bad of ['abc', '5.5', '1e2', '0x10', '5s', 5.5, Number.NaN, Number.POSITIVE_INFINITY, true]) {
    t.match(
      failure(() => boundedInteger('timeout', bad, range)),
      { code: 'INVALID_FIELD', message: 'Invalid timeout: must be a whole number.' },
      `${String(bad)} is not a whole number`,
    )
  }
  t.match(
    failure(() => boundedInteger('timeout', '9'.repeat(20), range)),
    { code: 'INVALID_FIELD', message: `Invalid timeout: is too large (at most ${range.max}).` },
    'twenty nines are a whole number, only too large',
  )
  for (const out of [0, 301, -1, '0', '301', '-5']) {
    t.match(
      failure(() => boundedInteger('timeout', out, range)),
      { code: 'INVALID_FIELD', message: 'Invalid timeout: must be between 1 and 300.' },
      `${String(out)} is out of range`,
    )
  }
})

t.test('parseFunctionFields: Qinling limits, absent fields stay absent', async (t) => {
  t.same(parseFunctionFields({}, DEFAULT_LIMITS), {}, 'nothing given, nothing set')
  t.same(
    parseFunctionFields({ name: null, description: null, cpu: null, timeout: null }, DEFAULT_LIMITS),
    {},
    'nulls leave everything as is',
  )
  t.same(
    parseFunctionFields(
      { name: 'fn', description: 'd', entry: 'app.handler', cpu: '150', memory_size: '33554432', timeout: '300' },
      DEFAULT_LIMITS,
    ),
    { name: 'fn', description: 'd', entry: 'app.handler', cpu: 150, memory_size: 33554432, timeout: 300 },
  )
  t.same(
    parseFunctionFields({ cpu: 100, memory_size: 134217728, timeout: 1 }, DEFAULT_LIMITS),
    { cpu: 100, memory_size: 134217728, timeout: 1 },
    'the bounds themselves',
  )
  const cases: Array<[Record<string, string | number>, RegExp]> = [
    [{ cpu: 99 }, /^Invalid cpu: must be between 100 and 300\.$/],
    [{ cpu: '301' }, /^Invalid cpu/],
    [{ memory_size: 33554431 }, /^Invalid memory_size: must be between 33554432 and 134217728\.$/],
    [{ memory_size: '134217729' }, /^Invalid memory_size/],
    [{ timeout: 0 }, /^Invalid timeout/],
    [{ timeout: 'five' }, /^Invalid timeout: must be a whole number\.$/],
    [{ entry: '' }, /^Invalid entry: must not be empty\.$/],
    [{ name: 'n'.repeat(256) }, /^Invalid name/],
    [{ description: 'd'.repeat(256) }, /^Invalid description/],
  ]
  for (const [input, message] of cases) {
    t.match(
      failure(() => parseFunctionFields(input, DEFAULT_LIMITS)),
      { code: 'INVALID_FIELD', message },
      JSON.stringify(input),
    )
  }
  const narrow = { ...DEFAULT_LIMITS, timeout: { min: 1, max: 10, default: 5 } }
  t.match(
    failure(() => parseFunctionFields({ timeout: 11 }, narrow)),
    { code: 'INVALID_FIELD' },
    'configured limits apply',
  )
})

t.test('parseCode: only packages, md5sum optional and checked for form', async (t) => {
  const md5 = 'D41D8CD98F00B204E9800998ECF8427E'
  t.same(parseCode(undefined), {})
  t.same(parseCode(null), {})
  t.same(parseCode(''), {})
  t.same(parseCode('{"source": "package"}'), {})
  t.same(parseCode({ source: 'package' }), {}, 'an object, as a JSON update sends it')
  t.same(parseCode({ source: null, md5sum: null }), {}, 'nulls, as a form update without them gives')
  t.same(
    parseCode(`{"source": "package", "md5sum": "${md5}"}`),
    { md5sum: md5.toLowerCase() },
    'md5sum normalised to lower case',
  )
  t.same(parseCode({ md5sum: '' }), {}, 'an empty md5sum is none')
  t.match(
    failure(() => parseCode('{"source": "swift", "swift": {"container": "c", "object": "o"}}')),
    {
      code: 'UNSUPPORTED_CODE_SOURCE',
      message: `Code source 'swift' is not supported: tagstone stores packages only (source "package").`,
    },
  )
  t.match(
    failure(() => parseCode({ source: 'image', image: 'busybox' })),
    { code: 'UNSUPPORTED_CODE_SOURCE', message: /'image'/ },
  )
  for (const bad of ['not json', '[1,2]', '"package"', '42', 'null x']) {
    t.match(
      failure(() => parseCode(bad)),
      { code: 'INVALID_FIELD', message: /^Invalid code: must be a JSON object/ },
      JSON.stringify(bad),
    )
  }
  for (const bad of ['abc', 'g'.repeat(32), 'a'.repeat(31), 'a'.repeat(33)]) {
    t.match(
      failure(() => parseCode({ md5sum: bad })),
      { code: 'INVALID_FIELD', message: 'Invalid md5sum: must be 32 hexadecimal digits.' },
      bad,
    )
  }
  t.match(
    failure(() => parseCode({ md5sum: 123 } as Record<string, unknown>)),
    { code: 'INVALID_FIELD' },
    'an md5sum that is not a string',
  )
})
