import { promisify } from 'node:util'
import zlib from 'node:zlib'

import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

import type { GitRepository } from '../../engine/git-repository.js'
import { RequestError, toFault } from '../errors.js'

export interface GitRoutesOptions {
  /** Checks the caller may read the function's history; returns its repository. */
  authorizeGit: (request: FastifyRequest, functionId: string) => Promise<GitRepository>
  /** Hears of each pack sent whole, for metrics. */
  onPackSent?: NonNullable<Parameters<GitRepository['uploadPack']>[1]>['onPackSent']
}

const REPO_NAME = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\.git$/
const MiB = 1024 * 1024
/** A negotiation body is want and have lines; even a long history fits easily. */
const MAX_BODY_BYTES = 8 * MiB
const MAX_INFLATED_BODY_BYTES = 32 * MiB

const READ_ONLY_MESSAGE =
  'tagstone repositories are read-only: versions are made through the REST API ' +
  '(POST /v1/functions/<id>/versions), not with git push.\n'

const DEFAULT_MESSAGE: Record<number, string> = {
  400: 'Bad git request.',
  401: 'Authentication required.',
  403: 'Forbidden.',
  404: 'Repository not found.',
  413: 'Request body too large.',
}

const gunzip = promisify(zlib.gunzip)

const EXAMPLE_ID = '202ee911-803d-4ebd-b0e7-36102e22f249'
/** What the API description says of every git route: its tag, its auth, the repository parameter. */
const GIT_DOC = {
  tags: ['git'],
  security: [{ gitBasic: [] }],
  // No pattern here: a name that is not `<uuid>.git` is a 404 the git way, not a validation 400.
  params: Type.Object({ repo: Type.String({ description: '<function_id>.git', examples: [`${EXAMPLE_ID}.git`] }) }),
}
const gitText = (description: string) => ({
  description,
  content: { 'text/plain': { schema: Type.String({ description: 'printed by git after "remote:"' }) } },
})
const gitAnswers = (mediaType: string) => ({
  200: { description: 'pkt-lines', content: { [mediaType]: { schema: Type.String({ format: 'binary' }) } } },
  400: gitText('a malformed git request'),
  401: gitText('no valid token (missing, unknown, revoked or expired); the answer carries WWW-Authenticate: Basic'),
  403: gitText('push asked for'),
  404: gitText('no such repository, or not one the token may read'),
  413: gitText('a request body over the limit'),
})

/**
 * Read-only git smart HTTP (protocol v0, stateless RPC) under `/git/<function_id>.git`. Bodies
 * are taken raw by a parser that exists only inside this plugin, so other routes keep theirs.
 */
export async function gitRoutes(app: FastifyInstance, opts: GitRoutesOptions): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => {
    done(null, body)
  })
  app.setErrorHandler(async (error, request, reply) => await sendError(request, reply, error))

  const repositoryFor = async (request: FastifyRequest<{ Params: { repo: string } }>): Promise<GitRepository> => {
    const match = REPO_NAME.exec(request.params.repo)
    if (match?.[1] === undefined) throw new RequestError('ROUTE_NOT_FOUND', 'Repository not found.')
    return await opts.authorizeGit(request, match[1].toLowerCase())
  }

  app.get<{ Params: { repo: string }; Querystring: { service?: string } }>(
    '/git/:repo/info/refs',
    {
      schema: {
        ...GIT_DOC,
        summary: 'git smart HTTP: the ref advertisement (git clone and fetch start here)',
        querystring: Type.Object({ service: Type.Optional(Type.String({ examples: ['git-upload-pack'] })) }),
        response: gitAnswers('application/x-git-upload-pack-advertisement'),
      },
    },
    async (request, reply) => {
      const service = request.query.service
      if (service === 'git-receive-pack') return await sendText(reply, 403, READ_ONLY_MESSAGE)
      if (!REPO_NAME.test(request.params.repo)) return await sendText(reply, 404, 'Repository not found.\n')
      if (service !== 'git-upload-pack') {
        return await sendText(reply, 400, 'Only the smart HTTP protocol is served: ask for ?service=git-upload-pack.\n')
      }
      const body = await (await repositoryFor(request)).advertiseRefs()
      return await reply
        .header('Content-Type', 'application/x-git-upload-pack-advertisement')
        .header('Cache-Control', 'no-cache')
        .send(body)
    },
  )

  app.post<{ Params: { repo: string } }>(
    '/git/:repo/git-upload-pack',
    {
      bodyLimit: MAX_BODY_BYTES,
      schema: {
        ...GIT_DOC,
        summary: 'git smart HTTP: want/have negotiation, then the pack',
        response: gitAnswers('application/x-git-upload-pack-result'),
      },
    },
    async (request, reply) => {
      const repository = await repositoryFor(request)
      const body = await requestBody(request)
      const result = await repository.uploadPack(body, {
        onError: (error) => {
          request.log.error({ err: error }, 'git upload-pack failed while sending a pack')
        },
        ...(opts.onPackSent ? { onPackSent: opts.onPackSent } : {}),
      })
      return await reply
        .header('Content-Type', 'application/x-git-upload-pack-result')
        .header('Cache-Control', 'no-cache')
        .send(result)
    },
  )

  app.post(
    '/git/:repo/git-receive-pack',
    {
      schema: {
        ...GIT_DOC,
        summary: 'git push: always refused (versions are made through the API)',
        response: { 403: gitText('tagstone repositories are read-only') },
      },
    },
    async (_request, reply) => await sendText(reply, 403, READ_ONLY_MESSAGE),
  )
}

/** The request's pkt-lines: checks the media type and undoes the gzip git applies past 1 KiB. */
async function requestBody(request: FastifyRequest): Promise<Buffer> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-git-upload-pack-request') {
    throw new RequestError('BAD_REQUEST', 'expected Content-Type application/x-git-upload-pack-request')
  }
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (encoding === 'identity') return body
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new RequestError('BAD_REQUEST', `unsupported Content-Encoding ${JSON.stringify(encoding)}`)
  }
  try {
    return await gunzip(body, { maxOutputLength: MAX_INFLATED_BODY_BYTES })
  } catch {
    throw new RequestError('BAD_REQUEST', 'request body is not valid gzip, or inflates too large')
  }
}

async function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  const fault = toFault(error)
  if (fault.status >= 500) {
    request.log.error({ err: error }, 'git request failed')
    return await sendText(reply, 500, 'Internal server error.\n')
  }
  if (fault.status === 401) reply.header('WWW-Authenticate', 'Basic realm="tagstone"')
  const text = fault.body.faultstring || (DEFAULT_MESSAGE[fault.status] ?? 'Request refused.')
  return await sendText(reply, fault.status, text.endsWith('\n') ? text : `${text}\n`)
}

/** Plain text, which the git client prints to the user prefixed with "remote:". */
async function sendText(reply: FastifyReply, status: number, text: string): Promise<FastifyReply> {
  return await reply
    .status(status)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .header('Cache-Control', 'no-cache')
    .send(text)
}
