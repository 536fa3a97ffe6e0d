import t from 'tap'

import { RepoError as GitProtocolError } from '../../../repos/errors.js'
import { encodePktLine, MAX_PKT_PAYLOAD, parsePktLines, pktLineText } from '../../../repos/smart-http/pkt-line.js'

const parse = (text: string): ReturnType<typeof parsePktLines> => parsePktLines(Buffer.from(text, 'latin1'))

t.test('encodes a payload with its total length in four hex digits', async (t) => {
  t.equal(encodePktLine('hello\n').toString(), '000ahello\n')
  t.equal(encodePktLine('').toString(), '0004')
  t.equal(encodePktLine(Buffer.alloc(MAX_PKT_PAYLOAD)).subarray(0, 4).toString(), 'fff0')
  t.throws(() => encodePktLine(Buffer.alloc(MAX_PKT_PAYLOAD + 1)), RangeError)
})

t.test('parses data, flush, delim and response-end packets', async (t) => {
  const lines = parse('000ahello\n' + '0000' + '0001' + '0002' + '000bworld!\n')
  t.same(
    lines.map((line) => line.kind),
    ['data', 'flush', 'delim', 'response-end', 'data'],
  )
  const last = lines[4]
  t.equal(last?.kind === 'data' ? pktLineText(last.payload) : '', 'world!')
  t.same(parse(''), [], 'an empty body is no lines')
  t.same(
    parse('0004').map((line) => line.kind),
    ['data'],
    'an empty data line is allowed',
  )
})

t.test('accepts upper-case hex lengths, as git does', async (t) => {
  const lines = parse(`000A${'x'.repeat(6)}`)
  t.equal(lines.length, 1)
})

t.test('round-trips binary payloads', async (t) => {
  const payload = Buffer.from([0, 1, 2, 255, 10])
  const [line] = parsePktLines(encodePktLine(payload))
  t.same(line?.kind === 'data' ? [...line.payload] : [], [...payload])
})

t.test('refuses malformed framing with a GitProtocolError that says what is wrong', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['00', /truncated pkt-line length/],
    ['zzzz', /invalid pkt-line length "zzzz"/],
    ['0003', /invalid pkt-line length 0003/],
    ['00-1', /invalid pkt-line length/],
    ['0010short', /truncated pkt-line at byte 0: 16 bytes announced, 9 left/],
    ['0000000', /truncated pkt-line length at byte 4/],
    ['fff1' + 'x'.repeat(65521), /exceeds 65520/],
    [' 00a', /invalid pkt-line length/],
  ]
  for (const [body, message] of cases) {
    const error = t.throws(() => parse(body)) as unknown
    t.ok(error instanceof GitProtocolError, `${JSON.stringify(body.slice(0, 12))} is a GitProtocolError`)
    t.match((error as Error).message, message)
    t.equal((error as GitProtocolError).code, 'GIT_BAD_REQUEST')
  }
})

t.test('pktLineText drops only one trailing newline', async (t) => {
  t.equal(pktLineText(Buffer.from('done\n')), 'done')
  t.equal(pktLineText(Buffer.from('done')), 'done')
  t.equal(pktLineText(Buffer.from('a\n\n')), 'a\n')
})
