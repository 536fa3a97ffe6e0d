import t from 'tap'

import { formatTime, parseDuration, parseTime } from '../../engine/time.js'

t.test('parseDuration: a whole number and one unit, in milliseconds', async (t) => {
  const cases: Array<[string, number]> = [
    ['30d', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['45m', 45 * 60_000],
    ['90s', 90_000],
    ['1s', 1000],
    ['36500d', 36_500 * 86_400_000],
    ['876000h', 36_500 * 86_400_000],
  ]
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text)
})

t.test('parseDuration: anything else is INVALID_FIELD, saying why and naming what it was', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['0d', /^Invalid --expires-in '0d': must be more than zero\.$/],
    ['0s', /must be more than zero/],
    ['-1d', /^Invalid --expires-in '-1d': use a whole number and a unit, d, h, m or s \(e\.g\. 30d/],
    ['5x', /use a whole number and a unit/],
    ['1.5d', /use a whole number and a unit/],
    ['', /^Invalid --expires-in '': use a whole number/],
    ['30', /use a whole number and a unit/],
    ['d', /use a whole number and a unit/],
    [' 30d', /use a whole number and a unit/],
    ['30D', /use a whole number and a unit/],
    ['30d5h', /use a whole number and a unit/],
    ['36501d', /^Invalid --expires-in '36501d': must be at most 36500 days\.$/],
    ['876001h', /must be at most 36500 days/],
    ['9'.repeat(400) + 's', /must be at most 36500 days/],
  ]
  for (const [text, message] of cases) {
    t.throws(
      () => parseDuration(text, '--expires-in'),
      { code: 'INVALID_FIELD', message, details: { field: '--expires-in' } },
      JSON.stringify(text),
    )
  }
  t.throws(() => parseDuration('5x'), { message: /^Invalid duration '5x'/ }, 'a duration unless named')
})

t.test('parseTime reads what formatTime writes', async (t) => {
  const at = new Date('2026-12-01T10:00:00Z')
  t.equal(formatTime(at), '2026-12-01 10:00:00')
  t.equal(parseTime(formatTime(at)).getTime(), at.getTime())
})
