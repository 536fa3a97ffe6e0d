import { setTimeout as sleep } from 'node:timers/promises'

import { type EventFilter, listEvents } from '../events.js'
import type { EventRecord } from '../records.js'
import { withAdminDeps } from './admin-deps.js'

/**
 * Hands every event of every project that `filter` lets through to `onEvent`,
 * oldest first, on a read-only connection of its own. With `follow` it then
 * polls the table every `pollMs` for new ones until `signal` aborts.
 */
export function readEvents(
  dataDir: string,
  filter: Pick<EventFilter, 'functionId'>,
  onEvent: (e: EventRecord) => void,
  options: { follow?: boolean; pollMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  return withAdminDeps(dataDir, async (d) => {
    let marker = 0
    for (;;) {
      const page = listEvents(d, null, { ...filter, marker })
      page.items.forEach(onEvent)
      marker = page.items.at(-1)?.id ?? marker
      if (page.nextMarker !== undefined) continue
      if (!options.follow || options.signal?.aborted) return
      await sleep(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => {})
    }
  })
}
