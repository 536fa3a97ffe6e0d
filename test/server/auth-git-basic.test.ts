import t from 'tap'

import { openTokenStore } from '../../engine/open-token-store.js'
import { authenticateGitBasic } from '../../server/token-auth.js'

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

t.test('git over HTTP: Basic auth whose password is a token, any user name', async (t) => {
  const tokens = openTokenStore(t.testdir(), { create: true })
  t.teardown(() => tokens.close())
  const member = tokens.createToken({ projectId: 'alpha' })
  const revoked = tokens.createToken({ projectId: 'alpha', role: 'admin' })
  tokens.revokeToken(revoked.id)

  for (const user of ['x', '', 'alice@example.org', 'ünïcode']) {
    t.same(
      authenticateGitBasic(tokens, basic(user, member.token)),
      { projectId: 'alpha', role: 'member', actor: member.id },
      `user ${JSON.stringify(user)}`,
    )
  }
  t.same(
    authenticateGitBasic(tokens, `basic   ${Buffer.from(`x:${member.token}`).toString('base64')}`),
    { projectId: 'alpha', role: 'member', actor: member.id },
    'the scheme is case-insensitive',
  )

  const refused = [
    undefined,
    '',
    'Basic',
    'Basic !!!',
    `Bearer ${member.token}`,
    basic(member.token, ''),
    basic('x', revoked.token),
    basic('x', `${member.token}x`),
    `Basic ${Buffer.from(member.token).toString('base64')}`,
  ]
  for (const header of refused) {
    t.throws(
      () => authenticateGitBasic(tokens, header),
      { code: 'UNAUTHENTICATED', message: /^Authentication required/ },
      `refused: ${String(header).slice(0, 12)}`,
    )
    try {
      authenticateGitBasic(tokens, header)
    } catch (err) {
      t.notOk((err as Error).message.includes(member.token), 'the refusal never echoes a token')
    }
  }
})
