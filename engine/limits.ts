export { DEFAULT_CACHE_TOTAL as DEFAULT_GIT_CACHE_BYTES } from '../repos/smart-http/caches.js'

/** What a deployment allows; all configurable, defaults as Qinling's. */
export interface Limits {
  maxVersions: number
  maxPackageBytes: number
  maxUnpackedBytes: number
  maxPackageEntries: number
  cpu: { min: number; max: number; default: number }
  memorySize: { min: number; max: number; default: number }
  timeout: { min: number; max: number; default: number }
}

export const DEFAULT_LIMITS: Limits = {
  maxVersions: 1000,
  maxPackageBytes: 50 * 1024 * 1024,
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxPackageEntries: 20000,
  cpu: { min: 100, max: 300, default: 100 },
  memorySize: { min: 33554432, max: 134217728, default: 33554432 },
  timeout: { min: 1, max: 300, default: 5 },
}
