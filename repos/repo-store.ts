import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

import { ensureDirectory, syncDirectory, writeFileDurably } from './durable-fs.js'

/**
 * Where the bare repositories live: `<root>/repos/<id>.git`. New repositories are
 * built in `<root>/tmp` and renamed into place, and removed ones are renamed out
 * before they are deleted, so `repos/` only ever holds whole repositories.
 */
export class RepoStore {
  readonly reposDir: string
  readonly tmpDir: string

  /** `forget` is told of every repository removed, e.g. so that a git server closes its files. */
  constructor(
    dataDir: string,
    private readonly removed: { forget(gitdir: string): void } = { forget: () => {} },
  ) {
    this.reposDir = join(dataDir, 'repos')
    this.tmpDir = join(dataDir, 'tmp')
  }

  async prepare(): Promise<void> {
    await ensureDirectory(this.reposDir)
    // Leftovers of interrupted builds and removals: never referenced by anything.
    await rm(this.tmpDir, { recursive: true, force: true })
    await mkdir(this.tmpDir, { recursive: true })
  }

  gitdir(id: string): string {
    return join(this.reposDir, `${id}.git`)
  }

  async exists(id: string): Promise<boolean> {
    try {
      return (await stat(this.gitdir(id))).isDirectory()
    } catch {
      return false
    }
  }

  /** Creates an empty bare repository with HEAD on `main`, durably. */
  async create(id: string): Promise<string> {
    const building = join(this.tmpDir, `${id}-${randomBytes(4).toString('hex')}.git`)
    // What git needs to call it a repository, no more (no `description`, no `objects/info`): every
    // file and folder takes a disk block, and a small function's repository is mostly these. Synced as
    // they are made: refs written later must not lose their folder to a power cut.
    for (const dir of ['objects/pack', 'refs/heads', 'refs/tags']) {
      await ensureDirectory(join(building, dir))
    }
    await writeFileDurably(join(building, 'HEAD'), 'ref: refs/heads/main\n')
    await writeFileDurably(
      join(building, 'config'),
      '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n',
    )
    await syncDirectory(building)
    const target = this.gitdir(id)
    await rename(building, target)
    await syncDirectory(this.reposDir)
    return target
  }

  /** Removes a repository; safe to repeat. */
  async remove(id: string): Promise<void> {
    const trash = join(this.tmpDir, `removed-${id}-${randomBytes(4).toString('hex')}`)
    try {
      await rename(this.gitdir(id), trash)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    await syncDirectory(this.reposDir)
    // Clones hold the repository's pack files open; nothing would ask for it again to close them.
    this.removed.forget(this.gitdir(id))
    await rm(trash, { recursive: true, force: true })
  }

  /**
   * Removes the temporary files of writes a crash cut short (`tmp_ref_*`,
   * `tmp_obj_*`). Only while no write runs on this repository.
   */
  async sweepTemporaryFiles(id: string): Promise<void> {
    const gitdir = this.gitdir(id)
    for (const [dir, prefix] of [
      [gitdir, 'tmp_ref_'],
      [join(gitdir, 'objects'), 'tmp_obj_'],
    ] as const) {
      const names = await readdir(dir).catch(() => [] as string[])
      await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dir, n), { force: true })))
    }
  }

  /** Ids of every repository on disk. */
  async list(): Promise<string[]> {
    const names = await readdir(this.reposDir).catch(() => [] as string[])
    return names.filter((n) => n.endsWith('.git')).map((n) => n.slice(0, -4))
  }
}
