import type { Bench } from './bench-row.js'
import { bench as clone } from './clone.js'
import { bench as disk } from './disk.js'
import { bench as gitCore } from './git-core.js'
import { bench as pack } from './pack.js'
import { bench as reads } from './reads.js'
import { bench as scale } from './scale.js'
import { bench as upload } from './upload.js'
import { bench as writePath } from './write-path.js'

/** Every benchmark `npm run bench` runs, in order. A new benchmark is one line here. */
export const SUITE: ReadonlyArray<{ name: string; bench: Bench }> = [
  { name: 'reads', bench: reads },
  { name: 'write-path', bench: writePath },
  { name: 'upload', bench: upload },
  { name: 'scale', bench: scale },
  { name: 'disk', bench: disk },
  { name: 'clone', bench: clone },
  { name: 'pack', bench: pack },
  { name: 'git-core', bench: gitCore },
]
