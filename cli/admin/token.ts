import { parseArgs } from 'node:util'

import { openTokenStore } from '../../engine/open-token-store.js'
import type { TokenRecord } from '../../engine/tokens.js'
import type { AdminCommand } from '../admin.js'

const USAGE = `usage:
  tagstone admin token create --project P [--role member|admin] [--label TEXT] [--data DIR] [--json]
  tagstone admin token list [--data DIR] [--json]
  tagstone admin token revoke <id> [--data DIR] [--json]
`

const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean' },
  project: { type: 'string' },
  role: { type: 'string' },
  label: { type: 'string' },
} as const

class UsageError extends Error {}

/**
 * `tagstone admin token create|list|revoke`: works on the data directory's
 * SQLite file directly, also while a server runs on it. `create` prints the
 * secret and nothing else; nothing else ever prints a secret.
 */
export const tokenCommand: AdminCommand = async (args) => {
  let parsed
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    return usage((err as Error).message)
  }
  const { values, positionals } = parsed
  const [action, ...operands] = positionals
  const dataDir = values.data ?? process.env.TAGSTONE_DATA ?? './data'
  try {
    switch (action) {
      case 'create':
        return create(dataDir, operands, values)
      case 'list':
        return list(dataDir, operands, values.json ?? false)
      case 'revoke':
        return revoke(dataDir, operands, values.json ?? false)
      default:
        return usage(action === undefined ? 'a token command is needed' : `unknown token command '${action}'`)
    }
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message)
    process.stderr.write(`tagstone admin token: ${(err as Error).message}\n`)
    return 1
  }
}

function create(
  dataDir: string,
  operands: string[],
  values: { project?: string; role?: string; label?: string; json?: boolean },
): number {
  noOperands(operands)
  if (!values.project) throw new UsageError('--project is required')
  const role = values.role ?? 'member'
  if (role !== 'member' && role !== 'admin') throw new UsageError(`--role must be member or admin, not '${role}'`)
  const store = openTokenStore(dataDir, { create: true })
  try {
    const made = store.createToken({
      projectId: values.project,
      role,
      ...(values.label !== undefined ? { label: values.label } : {}),
    })
    const out = values.json
      ? JSON.stringify({
          id: made.id,
          project: made.project_id,
          role: made.role,
          label: made.label,
          created_at: made.created_at,
          token: made.token,
        })
      : made.token
    process.stdout.write(`${out}\n`)
    return 0
  } finally {
    store.close()
  }
}

function list(dataDir: string, operands: string[], json: boolean): number {
  noOperands(operands)
  const store = openTokenStore(dataDir)
  try {
    const tokens = store.listTokens()
    process.stdout.write(json ? `${JSON.stringify({ tokens: tokens.map(listed) })}\n` : table(tokens))
    return 0
  } finally {
    store.close()
  }
}

function revoke(dataDir: string, operands: string[], json: boolean): number {
  const [id, ...extra] = operands
  if (!id) throw new UsageError('revoke needs the id of a token (see `token list`)')
  noOperands(extra)
  const store = openTokenStore(dataDir)
  try {
    const revoked = store.revokeToken(id)
    if (!revoked) {
      process.stderr.write(`tagstone admin token: no token with id ${id}\n`)
      return 1
    }
    process.stdout.write(
      json
        ? `${JSON.stringify(listed(revoked))}\n`
        : `revoked ${revoked.id} (project ${revoked.project_id}, ${revoked.role}) at ${revoked.revoked_at}\n`,
    )
    return 0
  } finally {
    store.close()
  }
}

const listed = (t: TokenRecord) => ({
  id: t.id,
  project: t.project_id,
  role: t.role,
  label: t.label,
  created_at: t.created_at,
  revoked_at: t.revoked_at,
})

function table(tokens: TokenRecord[]): string {
  const rows = [
    ['ID', 'PROJECT', 'ROLE', 'CREATED', 'REVOKED', 'LABEL'],
    ...tokens.map((t) => [t.id, t.project_id, t.role, t.created_at, t.revoked_at ?? '-', t.label ?? '']),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('')
}

function noOperands(operands: string[]): void {
  if (operands.length > 0) throw new UsageError(`unexpected argument '${operands[0]}'`)
}

function usage(message: string): number {
  process.stderr.write(`tagstone admin token: ${message}\n${USAGE}`)
  return 2
}
