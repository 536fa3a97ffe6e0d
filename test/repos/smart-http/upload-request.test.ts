import t from 'tap'

import { RepoError as GitProtocolError } from '../../../repos/errors.js'
import { encodePktLine, FLUSH_PKT } from '../../../repos/smart-http/pkt-line.js'
import { parseUploadRequest } from '../../../repos/smart-http/upload-request.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)

function body(...parts: Array<string | null>): Buffer {
  return Buffer.concat(parts.map((part) => (part === null ? FLUSH_PKT : encodePktLine(part))))
}

t.test('reads wants with the capabilities of the first line, haves and done', async (t) => {
  const request = parseUploadRequest(
    body(
      `want ${A} multi_ack_detailed side-band-64k ofs-delta agent=git/2.39.5\n`,
      `want ${B}\n`,
      null,
      `have ${C}\n`,
      `have ${A.toUpperCase()}\n`,
      'done\n',
    ),
  )
  t.same(request.wants, [A, B])
  t.same(request.capabilities, ['multi_ack_detailed', 'side-band-64k', 'ofs-delta', 'agent=git/2.39.5'])
  t.same(request.haves, [C, A], 'ids are normalised to lower case')
  t.equal(request.end, 'done')
})

t.test('a round of haves ended by a flush asks for ACK/NAK only', async (t) => {
  const request = parseUploadRequest(body(`want ${A}\n`, null, `have ${B}\n`, null))
  t.equal(request.end, 'flush')
  t.same(request.haves, [B])
})

t.test('a clone sends wants, a flush and done; duplicate wants count once', async (t) => {
  const request = parseUploadRequest(body(`want ${A}\n`, `want ${A}\n`, null, 'done'))
  t.same(request.wants, [A])
  t.same(request.haves, [])
  t.equal(request.end, 'done')
})

t.test('a lone flush wants nothing', async (t) => {
  t.equal(parseUploadRequest(FLUSH_PKT).end, 'empty')
})

t.test('a trailing flush after done is tolerated', async (t) => {
  t.equal(parseUploadRequest(body(`want ${A}\n`, null, 'done\n', null)).end, 'done')
})

t.test('malformed requests are GitProtocolErrors that name the problem', async (t) => {
  const cases: Array<[Buffer, RegExp]> = [
    [Buffer.alloc(0), /empty upload-pack request/],
    [body(`want ${A}\n`), /not ended by a flush/],
    [body(`want ${A}\n`, null), /without a flush packet or done/],
    [body(`want ${A}\n`, null, `have ${B}\n`), /without a flush packet or done/],
    [body('want 1234\n', null, 'done'), /invalid object id/],
    [body(`want ${'g'.repeat(40)}\n`, null, 'done'), /invalid object id/],
    [body(`have ${A}\n`, null, 'done'), /expected a want line/],
    [body(`want ${A}\n`, null, 'hello\n'), /expected a have line or done/],
    [body(`want ${A}\n`, null, 'have xyz\n', 'done'), /have line has an invalid object id/],
    [body(`want ${A}\n`, 'deepen 1\n', null, 'done'), /shallow and partial clones are not offered/],
    [body(`want ${A}\n`, `shallow ${B}\n`, null, 'done'), /not supported/],
    [body(`want ${A} filter\n`, 'filter blob:none\n', null, 'done'), /not supported/],
    [Buffer.concat([body(`want ${A}\n`), Buffer.from('0001'), body(null, 'done')]), /unexpected special packet/],
    [body(`want ${A}\n`, null, 'done\n', 'have x\n'), /lines after done/],
    [body(null, `want ${A}\n`), /lines after an empty want list/],
    [Buffer.from('GET / HTTP/1.1\r\n\r\n'), /invalid pkt-line length/],
  ]
  for (const [request, message] of cases) {
    const error = t.throws(() => parseUploadRequest(request)) as unknown
    t.ok(error instanceof GitProtocolError, `${message} is a GitProtocolError`)
    t.match((error as Error).message, message)
  }
})
