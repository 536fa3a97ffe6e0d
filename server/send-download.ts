import type { FastifyReply } from 'fastify'

import type { Download } from '../engine/records.js'

/** A package as the very bytes uploaded: never compressed, with its md5 for checking. */
export function sendDownload(reply: FastifyReply, download: Download): FastifyReply {
  return reply
    .code(200)
    .type('application/zip')
    .header('Content-Disposition', `attachment; filename="${download.filename}"`)
    .header('Content-MD5', Buffer.from(download.md5sum, 'hex').toString('base64'))
    .send(download.bytes)
}

/** A git-format patch: bytes as they are (file contents keep their own encoding). */
export function sendPatch(reply: FastifyReply, patch: Buffer): FastifyReply {
  return reply.code(200).type('text/x-diff').send(patch)
}
