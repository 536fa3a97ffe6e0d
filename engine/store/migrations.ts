/**
 * Numbered, up-only migrations. Each runs in one transaction with the bump of
 * `user_version`, so a crash leaves the schema wholly at one version.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
      CREATE TABLE functions (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT,
        description TEXT,
        runtime_id TEXT,
        entry TEXT NOT NULL,
        cpu INTEGER NOT NULL,
        memory_size INTEGER NOT NULL,
        timeout INTEGER NOT NULL,
        head_commit TEXT,
        -- The last version number ever handed out; only ever goes up.
        version_counter INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('creating', 'active', 'deleting')),
        created_at TEXT NOT NULL,
        updated_at TEXT
      );
      CREATE INDEX functions_by_project ON functions (project_id, created_at);

      -- One row per upload: the commit it made and the archive kept beside it.
      CREATE TABLE packages (
        function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
        commit_oid TEXT NOT NULL,
        tree_oid TEXT NOT NULL,
        parent_commit TEXT,
        archive_blob TEXT NOT NULL,
        md5sum TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (function_id, commit_oid)
      );

      -- Deleted versions stay as tombstones, so the unique key itself forbids reuse.
      CREATE TABLE versions (
        id TEXT PRIMARY KEY,
        function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
        version_number INTEGER NOT NULL CHECK (version_number > 0),
        project_id TEXT NOT NULL,
        description TEXT NOT NULL,
        commit_oid TEXT NOT NULL,
        tree_oid TEXT NOT NULL,
        tag_oid TEXT,
        status TEXT NOT NULL CHECK (status IN ('available', 'detached')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'live', 'deleting', 'deleted')),
        created_at TEXT NOT NULL,
        updated_at TEXT,
        deleted_at TEXT,
        UNIQUE (function_id, version_number)
      );

      CREATE TABLE aliases (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        function_id TEXT NOT NULL REFERENCES functions (id),
        function_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT,
        UNIQUE (project_id, name)
      );
      CREATE INDEX aliases_by_function ON aliases (function_id, function_version);

      -- Operations that touch both SQLite and git, between reserve and confirm.
      CREATE TABLE operations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        function_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    sql: `
      -- API tokens. Only a sha256 of each secret is kept; \`lookup\` (the hash's first
      -- 16 hex digits) finds the candidates, the whole hash is compared in constant time.
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('member', 'admin')),
        lookup TEXT NOT NULL,
        hash TEXT NOT NULL,
        label TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX tokens_by_lookup ON tokens (lookup);
    `,
  },
  {
    version: 3,
    sql: `
      -- The function's config as it was when the version was made (spec 8, config snapshot).
      -- NULL in every column for versions made before this migration: their config was never kept.
      ALTER TABLE versions ADD COLUMN config_entry TEXT;
      ALTER TABLE versions ADD COLUMN config_runtime_id TEXT;
      ALTER TABLE versions ADD COLUMN config_cpu INTEGER;
      ALTER TABLE versions ADD COLUMN config_memory_size INTEGER;
      ALTER TABLE versions ADD COLUMN config_timeout INTEGER;
    `,
  },
  {
    version: 4,
    sql: `
      -- Bumped by every change a client can see, so an ETag made from it changes with each.
      ALTER TABLE functions ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      -- At most this many live versions (0: no limit); older unreferenced ones go as a version is made.
      ALTER TABLE functions ADD COLUMN version_retention INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE versions ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE aliases ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      -- JSON {"additional_version_weights": {"<n>": w}}, or NULL when the alias routes to one version.
      ALTER TABLE aliases ADD COLUMN routing_config TEXT;

      -- Who asked for an operation: settling that finishes it (a delete) logs its event for them.
      ALTER TABLE operations ADD COLUMN project_id TEXT;
      ALTER TABLE operations ADD COLUMN actor TEXT;

      -- The audit log: one row per change, written in the transaction that makes the change. Never updated.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        project_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        function_id TEXT,
        version INTEGER,
        alias TEXT,
        details TEXT NOT NULL
      );
      CREATE INDEX events_by_project ON events (project_id, id);
      CREATE INDEX events_by_function ON events (function_id, id);
    `,
  },
  {
    version: 5,
    sql: `
      -- When a token stops working (UTC, YYYY-MM-DD HH:MM:SS); NULL: never, as for every token made before.
      ALTER TABLE tokens ADD COLUMN expires_at TEXT;
    `,
  },
  {
    version: 6,
    sql: `
      -- Lists are pages in (created_at, key) order: with the key in the index a page is read in order
      -- and stops at its limit, instead of every row of the project being read and sorted (rows made
      -- in the same second tie on created_at).
      DROP INDEX functions_by_project;
      CREATE INDEX functions_by_project ON functions (project_id, created_at, id);
      CREATE INDEX functions_by_created ON functions (created_at, id);
      CREATE INDEX aliases_by_project ON aliases (project_id, created_at, name);
    `,
  },
  {
    version: 7,
    sql: `
      -- Live versions in number order, with what names their answer's state (id, revision): a page of
      -- a version list, and a function's newest live version (its latest_version, looked up once per
      -- function on a page of 1,000 functions), are read from this index alone.
      CREATE INDEX live_versions ON versions (function_id, version_number, id, revision) WHERE state = 'live';
    `,
  },
]
