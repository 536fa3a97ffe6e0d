import t from 'tap'

import { EngineError, TagstoneError } from '../../engine/errors.js'
import { corruptRepository, objectNotFound, RepoError } from '../../repos/errors.js'
import { RequestError, toFault } from '../../server/errors.js'
import { startServer } from '../helpers/server.js'

t.test('every layer throws the one error class, each with its own codes', async (t) => {
  const thrown = [
    new RepoError('PACKAGE_NOT_ZIP', 'not a zip'),
    new EngineError('VERSION_NOT_FOUND', 'no such version', { version: 3 }),
    new RequestError('INVALID_JSON', 'bad JSON'),
    objectNotFound('ab'.repeat(20)),
    corruptRepository('damaged pack'),
  ]
  for (const err of thrown) {
    t.ok(err instanceof TagstoneError, `${err.code} is a TagstoneError`)
    t.ok(err instanceof Error, `${err.code} is an Error with a stack`)
  }
  t.same(thrown[1]?.details, { version: 3 }, 'structured details travel with the error')
})

t.test("a repository's own faults are 500s that show nothing of themselves", async (t) => {
  for (const fault of [objectNotFound('cd'.repeat(20)), corruptRepository('/srv/data/repos/x.git: bad pack')]) {
    t.same(toFault(fault), { status: 500, body: { faultstring: 'Internal server error.', error: 'INTERNAL' } })
  }
})

t.test('REST and git routes map the same error to the same status and message', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const unknown = '00000000-0000-4000-8000-000000000000'
  const rest = await fetch(`${server.url}/v1/functions/${unknown}`)
  const git = await fetch(`${server.url}/git/${unknown}.git/info/refs?service=git-upload-pack`)
  const fault = (await rest.json()) as { faultstring: string; error: string }
  t.equal(rest.status, 404)
  t.equal(git.status, 404, 'the git route answers with the status of the same table')
  t.equal(fault.error, 'FUNCTION_NOT_FOUND')
  t.equal(await git.text(), `${fault.faultstring}\n`, 'and with the same faultstring, as text for the git client')
})
