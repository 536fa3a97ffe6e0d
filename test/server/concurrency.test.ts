import t from 'tap'

import { fsck } from '../../engine/admin/fsck.js'
import { functionForm, startServer } from '../helpers/server.js'
import { makeZip } from '../helpers/zip.js'

const zip = (label: string) => makeZip([{ name: 'main.py', content: `def main():\n  return '${label}'\n` }])

function packageForm(bytes: Buffer): FormData {
  const form = new FormData()
  form.append('package', new Blob([new Uint8Array(bytes)]), 'package.zip')
  return form
}

const ROUNDS = 3
const CREATORS = 8

t.test(
  '8 parallel creators, each after its own package update, get distinct consecutive numbers or a 403',
  async (t) => {
    const server = await startServer({ dataDir: t.testdir() })
    t.teardown(() => server.close())
    const created = await fetch(`${server.url}/v1/functions`, { method: 'POST', body: functionForm(zip('start')) })
    t.equal(created.status, 201)
    const { id } = (await created.json()) as { id: string }

    const numbers: number[] = []
    const statuses: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const creators = Array.from({ length: CREATORS }, async (_, i) => {
        const put = await fetch(`${server.url}/v1/functions/${id}`, {
          method: 'PUT',
          body: packageForm(zip(`r${round}c${i}`)),
        })
        statuses.push(put.status)
        const post = await fetch(`${server.url}/v1/functions/${id}/versions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ description: `r${round}c${i}` }),
        })
        statuses.push(post.status)
        const body = (await post.json()) as { version_number?: number; error?: string }
        if (post.status === 201) numbers.push(body.version_number!)
        else
          t.equal(body.error, 'VERSION_UNCHANGED', `a refused create is the unchanged 403, not ${JSON.stringify(body)}`)
      })
      await Promise.all(creators)
    }
    t.notOk(
      statuses.some((s) => s >= 500),
      'never a 5xx',
    )
    t.ok(
      statuses.every((s) => [200, 201, 403].includes(s)),
      `only 200, 201 and 403: ${[...new Set(statuses)].join(', ')}`,
    )
    const sorted = [...numbers].sort((a, b) => a - b)
    t.same(
      sorted,
      Array.from({ length: numbers.length }, (_, i) => i + 1),
      'distinct and consecutive from 1: no duplicate, no gap',
    )
    t.ok(numbers.length >= ROUNDS, 'each round made at least one version')

    const listed = (await (await fetch(`${server.url}/v1/functions/${id}/versions`)).json()) as {
      function_versions: Array<{ version_number: number; tree: string }>
    }
    t.same(
      listed.function_versions.map((v) => v.version_number),
      sorted,
    )
    const trees = listed.function_versions.map((v) => v.tree)
    for (let i = 1; i < trees.length; i++) t.not(trees[i], trees[i - 1], `version ${i + 1} differs from version ${i}`)
    t.same((await fsck(server.engine.deps)).problems, [])
  },
)

t.test('8 parallel creates on unchanged code: exactly one 201, the rest 403, and no number used up', async (t) => {
  const server = await startServer({ dataDir: t.testdir() })
  t.teardown(() => server.close())
  const created = await fetch(`${server.url}/v1/functions`, { method: 'POST', body: functionForm(zip('same')) })
  const { id } = (await created.json()) as { id: string }
  const replies = await Promise.all(
    Array.from({ length: CREATORS }, () => fetch(`${server.url}/v1/functions/${id}/versions`, { method: 'POST' })),
  )
  const statuses = replies.map((r) => r.status).sort()
  t.same(statuses, [201, ...Array(CREATORS - 1).fill(403)])
  await fetch(`${server.url}/v1/functions/${id}`, { method: 'PUT', body: packageForm(zip('changed')) })
  const next = await fetch(`${server.url}/v1/functions/${id}/versions`, { method: 'POST' })
  t.match(await next.json(), { version_number: 2 }, 'the refused creates took no number')
})
