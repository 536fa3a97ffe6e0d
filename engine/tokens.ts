import { hash as digestOf, randomBytes, timingSafeEqual } from 'node:crypto'

import { CLI_ACTOR, type RequestContext } from './context.js'
import { EngineError } from './errors.js'
import { appendEvent } from './events.js'
import { newId } from './ids.js'
import type { Db } from './store/open-database.js'
import { prepareTokenStatements, type TokenRow, type TokenStatements } from './store/token-statements.js'
import { formatTime, MAX_DURATION_MS, parseTime } from './time.js'

export type Role = RequestContext['role']

/** A token as listed: everything but the secret, which is never kept. */
export interface TokenRecord {
  id: string
  project_id: string
  role: Role
  label: string | null
  created_at: string
  revoked_at: string | null
  /** When it stops working; null: never. */
  expires_at: string | null
}

/** A token just made: the only moment its secret is known. */
export interface NewToken extends TokenRecord {
  token: string
}

export interface TokenRequest {
  projectId: string
  role?: Role
  label?: string
  /** Milliseconds from now until it stops working (rounded up to a whole second); never, without it. */
  expiresInMs?: number
}

/** A proven token: who it acts as, and until when (epoch milliseconds; null: for good). */
interface ProvenToken {
  ctx: RequestContext
  expiresAt: number | null
}

const PREFIX = 'tgs_'
/** The secret's length: the prefix and 32 random bytes in base64url. */
const SECRET_LENGTH = PREFIX.length + 43
const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

const sha256 = (secret: string) => digestOf('sha256', secret, 'buffer')

/**
 * Bytes the cache of proven tokens may hold, at about 256 bytes an entry (a 64-digit hex key and
 * a frozen context): 1,024 live tokens in use at once before the oldest are looked up again.
 */
const PROVEN_CACHE_BYTES = 256 * 1024
const PROVEN_ENTRY_BYTES = 256

/**
 * Token writes made on a connection, counted per connection: SQLite's `data_version` only moves
 * for commits by other connections, so a revoke on this one must say so itself, to every token
 * store that shares the connection.
 */
const localTokenWrites = new WeakMap<Db, number>()

/**
 * API tokens: random secrets handed out once, kept in SQLite only as sha256
 * hashes, each bound to a project and a role. Only the admin commands (and the
 * first start) make or revoke them, so their audit events name the actor `cli`.
 */
export class TokenStore {
  private readonly sql: TokenStatements
  /**
   * Tokens proven since the table last changed, by the hex sha256 of their secret: a hit skips
   * the lookup and the comparison. Valid while neither SQLite's `data_version` (a commit by
   * another process, e.g. `tagstone admin token revoke` beside a running server) nor this
   * connection's own token writes have moved; checked on every call, so a revoked token fails on
   * its very next request. Each keeps its expiry, checked on every hit, so a token proven before
   * it expired fails on its first request after. Unknown secrets are never kept.
   */
  private readonly proven = new Map<string, ProvenToken>()
  private provenAt = { dataVersion: -1, localWrites: -1 }

  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
    private readonly provenCacheBytes = PROVEN_CACHE_BYTES,
  ) {
    this.sql = prepareTokenStatements(db)
  }

  /** Makes a token for `projectId` (role `member` unless told) and returns it with its secret. */
  createToken(request: TokenRequest): NewToken {
    const projectId = request.projectId
    if (!PROJECT_ID.test(projectId)) {
      throw new EngineError(
        'INVALID_FIELD',
        `Invalid project '${projectId}': use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit.`,
        { field: 'project_id' },
      )
    }
    const role = request.role ?? 'member'
    if (role !== 'member' && role !== 'admin') {
      throw new EngineError('INVALID_FIELD', `Invalid role '${String(role)}': must be member or admin.`, {
        field: 'role',
      })
    }
    if (request.label !== undefined && request.label.length > 255) {
      throw new EngineError('INVALID_FIELD', 'Invalid label: must be at most 255 characters.', { field: 'label' })
    }
    const expiresInMs = request.expiresInMs
    if (expiresInMs !== undefined && !(expiresInMs > 0 && expiresInMs <= MAX_DURATION_MS)) {
      throw new EngineError('INVALID_FIELD', 'Invalid expiry: must be more than zero and at most 36500 days.', {
        field: 'expires_in',
      })
    }
    const now = this.now()
    const token = PREFIX + randomBytes(32).toString('base64url')
    const hash = sha256(token).toString('hex')
    const row = {
      id: newId(),
      project_id: projectId,
      role,
      lookup: hash.slice(0, 16),
      hash,
      label: request.label ?? null,
      created_at: formatTime(now),
      // Rounded up: a token never stops working before it was asked to.
      expires_at:
        expiresInMs === undefined ? null : formatTime(new Date(Math.ceil((now.getTime() + expiresInMs) / 1000) * 1000)),
    }
    const made = { ...present({ ...row, revoked_at: null }), token }
    this.db.transaction(() => {
      this.sql.insertToken(row)
      this.log('token.create', made)
    })()
    return made
  }

  private log(action: 'token.create' | 'token.revoke', token: TokenRecord): void {
    appendEvent(this.sql, { projectId: token.project_id, actor: CLI_ACTOR }, this.now(), {
      action,
      details: {
        token_id: token.id,
        role: token.role,
        label: token.label,
        ...(token.expires_at !== null ? { expires_at: token.expires_at } : {}),
      },
    })
  }

  /** Every token ever made, revoked ones included, oldest first; never a secret. */
  listTokens(): TokenRecord[] {
    return this.sql.allTokens().map(present)
  }

  /** Revokes a token for good; revoking it again changes nothing. Undefined when there is no such token. */
  revokeToken(id: string): TokenRecord | undefined {
    return this.db.transaction(() => {
      const revoked = this.sql.revokeToken({ id, revoked_at: formatTime(this.now()) }).changes > 0
      localTokenWrites.set(this.db, (localTokenWrites.get(this.db) ?? 0) + 1)
      const row = this.sql.tokenById({ id })
      const token = row && present(row)
      // Revoking again changes nothing, so it is no event.
      if (token && revoked) this.log('token.revoke', token)
      return token
    })()
  }

  /**
   * Who a secret acts as, or null when it is unknown or revoked. Throws `TOKEN_EXPIRED` for a
   * token past its expiry (only a caller who holds the secret learns when that was).
   */
  authenticateToken(secret: string): RequestContext | null {
    if (secret.length !== SECRET_LENGTH || !secret.startsWith(PREFIX)) return null
    const hash = sha256(secret)
    const key = hash.toString('hex')
    this.dropProvenIfStale()
    let proven = this.proven.get(key)
    if (!proven) {
      proven = this.lookUp(key, hash)
      if (!proven) return null
      this.keepProven(key, proven)
    }
    // Checked on every call, cached or not: a token proven before it expired fails on its next request.
    if (proven.expiresAt !== null && this.now().getTime() >= proven.expiresAt) {
      this.proven.delete(key)
      throw tokenExpired(new Date(proven.expiresAt))
    }
    return proven.ctx
  }

  /**
   * The live token whose secret hashes to `hash`. The lookup prefix only narrows the search; the
   * whole hash decides, compared in constant time.
   */
  private lookUp(key: string, hash: Buffer): ProvenToken | undefined {
    for (const row of this.sql.liveTokensByLookup({ lookup: key.slice(0, 16) })) {
      if (timingSafeEqual(Buffer.from(row.hash, 'hex'), hash)) {
        const ctx = Object.freeze({ projectId: row.project_id, role: row.role, actor: row.id })
        return { ctx, expiresAt: row.expires_at === null ? null : parseTime(row.expires_at).getTime() }
      }
    }
    return undefined
  }

  private dropProvenIfStale(): void {
    const now = {
      dataVersion: this.sql.dataVersion()?.data_version ?? -1,
      localWrites: localTokenWrites.get(this.db) ?? 0,
    }
    if (now.dataVersion === this.provenAt.dataVersion && now.localWrites === this.provenAt.localWrites) return
    this.proven.clear()
    this.provenAt = now
  }

  private keepProven(key: string, proven: ProvenToken): void {
    if (this.proven.size >= this.provenCacheBytes / PROVEN_ENTRY_BYTES) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.proven.keys().next()
      if (!oldest.done) this.proven.delete(oldest.value)
    }
    this.proven.set(key, proven)
  }

  /** Whether any token was ever made (revoked ones count). */
  hasTokens(): boolean {
    return this.sql.anyToken() !== undefined
  }

  /**
   * Makes the first admin token if there is no token at all, and hands its
   * secret to `keep` inside the same transaction: if `keep` throws, no token is
   * made. Returns the token, or undefined when tokens already exist.
   */
  createFirstAdminToken(projectId: string, keep: (secret: string) => void): NewToken | undefined {
    return this.db
      .transaction(() => {
        if (this.hasTokens()) return undefined
        const made = this.createToken({ projectId, role: 'admin', label: 'first start' })
        keep(made.token)
        return made
      })
      .immediate()
  }
}

/** Whether a token has stopped working by `now` (a revoked one is a different matter). */
export function isExpired(token: Pick<TokenRecord, 'expires_at'>, now: Date): boolean {
  return token.expires_at !== null && now.getTime() >= parseTime(token.expires_at).getTime()
}

const tokenExpired = (expiresAt: Date) =>
  new EngineError('TOKEN_EXPIRED', `The token expired at ${formatTime(expiresAt)} UTC; ask for a new one.`, {
    expires_at: formatTime(expiresAt),
  })

function present(row: Omit<TokenRow, 'lookup' | 'hash'>): TokenRecord {
  return {
    id: row.id,
    project_id: row.project_id,
    role: row.role,
    label: row.label,
    created_at: row.created_at,
    revoked_at: row.revoked_at,
    expires_at: row.expires_at,
  }
}
