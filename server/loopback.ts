import { BlockList, isIP } from 'node:net'

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

/** Whether a listen address only reaches this machine: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
  if (bare === 'localhost') return true
  const family = isIP(bare)
  if (family === 4) return loopback.check(bare, 'ipv4')
  if (family === 6) return loopback.check(bare, 'ipv6')
  return false
}
