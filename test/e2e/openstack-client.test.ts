import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import t from 'tap'

import { md5 } from '../helpers/api.js'
import { type CliResult, openstack, parseJson } from '../helpers/openstack.js'
import { startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

interface Fn {
  id: string
  name: string
  code: string
  runtime_id: string
  entry: string
  updated_at: string | null
}
interface Version {
  id: string
  function_id: string
  description: string
  version_number: number
}
interface Alias {
  name: string
  function_id: string
  description: string
  function_version: number
}

const output = (r: CliResult) => `${r.stdout}${r.stderr}`

t.test('the openstack client drives a whole lifecycle', async (t) => {
  const cwd = t.testdir({ data: {} })
  const server = await startServer({ dataDir: join(cwd, 'data') })
  t.teardown(() => server.close())
  const os = (...args: string[]) => openstack(server.url, args, { cwd })
  const ok = async (args: string[]) => {
    const result = await os(...args)
    if (result.code !== 0) t.fail(`openstack ${args.join(' ')} exited ${result.code}: ${output(result)}`)
    return result
  }

  const p1 = makeZip([{ name: 'main.py', content: 'def main():\n    return "one"\n' }])
  const p2 = makeZip([
    { name: 'main.py', content: 'def main():\n    return "two"\n' },
    { name: 'run.sh', content: '#!/bin/sh\n', mode: 0o100755 },
  ])
  await writeFile(join(cwd, 'p1.zip'), p1)
  await writeFile(join(cwd, 'p2.zip'), p2)
  const runtime = randomUUID()

  const created = parseJson<Fn>(
    await ok([
      'function',
      'create',
      '--runtime',
      runtime,
      '--name',
      'hello',
      '--entry',
      'main.main',
      '--package',
      'p1.zip',
      '-f',
      'json',
    ]),
    'function create',
  )
  t.match(created, { name: 'hello', runtime_id: runtime, entry: 'main.main', updated_at: null })
  t.same(JSON.parse(created.code), { source: 'package', md5sum: md5(p1) }, 'the client sent its md5sum and it matched')
  const id = created.id

  const v1 = parseJson<Version>(
    await ok(['function', 'version', 'create', id, '--description', 'first', '-f', 'json']),
    'version create',
  )
  t.match(v1, { version_number: 1, description: 'first', function_id: id })

  const refused = await os('function', 'version', 'create', id, '--description', 'again')
  t.not(refused.code, 0, 'a version of unchanged code fails')
  t.match(output(refused), 'Function package not changed since the latest version 1.', 'and the client prints why')

  const updated = parseJson<Fn>(
    await ok(['function', 'update', id, '--package', 'p2.zip', '-f', 'json']),
    'function update',
  )
  t.equal(JSON.parse(updated.code).md5sum, md5(p2), "the new package is the function's code")
  t.match(updated, { name: 'hello', entry: 'main.main' }, 'the rest stays')

  const v2 = parseJson<Version>(
    await ok(['function', 'version', 'create', 'hello', '-f', 'json']),
    'version create by name',
  )
  t.match(v2, { version_number: 2, description: '' }, 'found by name; no description is the empty one')

  const list = parseJson<Array<Record<string, unknown>>>(
    await ok(['function', 'version', 'list', id, '-f', 'json']),
    'version list',
  )
  t.same(
    list.map((v) => [v.Version_number, v.Description]),
    [
      [1, 'first'],
      [2, ''],
    ],
    'both versions, ascending',
  )
  const shown = parseJson<Version>(await ok(['function', 'version', 'show', id, '1', '-f', 'json']), 'version show')
  t.match(shown, { id: v1.id, version_number: 1, description: 'first' })

  const alias = parseJson<Alias>(
    await ok(['function', 'alias', 'create', 'prod', '--function', id, '--function-version', '1', '-f', 'json']),
    'alias create',
  )
  t.match(alias, { name: 'prod', function_id: id, function_version: 1, description: '' })
  const moved = parseJson<Alias>(
    await ok(['function', 'alias', 'update', 'prod', '--function-version', '2', '-f', 'json']),
    'alias update version',
  )
  t.match(
    moved,
    { function_id: id, function_version: 2, description: '' },
    'the unset function and description stay as they were',
  )
  const described = parseJson<Alias>(
    await ok(['function', 'alias', 'update', 'prod', '--description', 'live', '-f', 'json']),
    'alias update description',
  )
  t.match(described, { function_id: id, function_version: 2, description: 'live' }, 'the unset version stays 2, not 0')
  t.match(parseJson<Alias>(await ok(['function', 'alias', 'show', 'prod', '-f', 'json']), 'alias show'), {
    function_version: 2,
    description: 'live',
  })

  const held = await os('function', 'version', 'delete', id, '2')
  t.not(held.code, 0, 'an aliased version cannot be deleted')
  t.match(output(held), 'Version 2 is used by alias(es) prod')
  t.match(
    (await ok(['function', 'alias', 'delete', 'prod'])).stdout,
    'Request to delete function_alias prod has been accepted.',
  )
  await ok(['function', 'version', 'delete', id, '1'])
  const after = parseJson<Array<Record<string, unknown>>>(
    await ok(['function', 'version', 'list', id, '-f', 'json']),
    'version list after delete',
  )
  t.same(
    after.map((v) => v.Version_number),
    [2],
    'v1 is gone',
  )

  t.equal(
    (await ok(['function', 'version', 'detach', id, '2'])).stdout.trim(),
    `Request to detach function ${id}(version 2) has been accepted.`,
  )
  t.equal((await ok(['function', 'detach', id])).stdout.trim(), `Request to detach function ${id} has been accepted.`)

  t.match(
    (await ok(['function', 'download', id, '-o', 'out.zip'])).stdout,
    `Code package downloaded to ${join(cwd, 'out.zip')}`,
  )
  const downloaded = await readFile(join(cwd, 'out.zip'))
  t.equal(md5(downloaded), md5(p2), 'the downloaded file is the upload, byte for byte')
  await ok(['function', 'download', 'hello'])
  t.equal(md5(await readFile(join(cwd, `${id}.zip`))), md5(p2), 'by name, saved as <id>.zip')

  const functions = parseJson<Array<Record<string, unknown>>>(
    await ok(['function', 'list', '-f', 'json']),
    'function list',
  )
  t.same(
    functions.map((f) => f.Id),
    [id],
  )

  t.match((await ok(['function', 'delete', id])).stdout, `Request to delete function ${id} has been accepted.`)
  const gone = await os('function', 'show', id)
  t.not(gone.code, 0, 'the function is gone')
  t.match(output(gone), `Function ${id} not found.`)
})

t.test('metadata updates and --file uploads from the client', async (t) => {
  const cwd = t.testdir({ data: {}, 'main.py': 'def main():\n    return "from a file"\n' })
  const server = await startServer({ dataDir: join(cwd, 'data') })
  t.teardown(() => server.close())
  const os = (...args: string[]) => openstack(server.url, args, { cwd })

  const created = await os(
    'function',
    'create',
    '--runtime',
    randomUUID(),
    '--name',
    'filed',
    '--file',
    'main.py',
    '-f',
    'json',
  )
  t.equal(created.code, 0, output(created))
  const fn = parseJson<Fn>(created, 'function create --file')
  const download = await os('function', 'download', fn.id, '-o', 'got.zip')
  t.equal(download.code, 0, output(download))
  t.equal(
    md5(await readFile(join(cwd, 'got.zip'))),
    JSON.parse(fn.code).md5sum,
    'the zip the client made is kept byte for byte',
  )

  const updated = await os(
    'function',
    'update',
    fn.id,
    '--description',
    'tuned',
    '--cpu',
    '200',
    '--memory-size',
    '67108864',
    '--timeout',
    '30',
    '-f',
    'json',
  )
  t.equal(updated.code, 0, output(updated))
  t.match(parseJson<Record<string, unknown>>(updated, 'function update'), {
    description: 'tuned',
    cpu: 200,
    memory_size: 67108864,
    timeout: 30,
    code: fn.code,
  })

  const bad = await os('function', 'update', fn.id, '--cpu', '5000')
  t.not(bad.code, 0, 'an out-of-range cpu is refused')
  t.match(output(bad), 'Invalid cpu: must be between 100 and 300.')
})
