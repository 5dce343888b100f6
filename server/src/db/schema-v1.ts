/**
 * The first schema. Every synced table carries `version` (the global version of the push that
 * last wrote the row) and `deleted_at` (soft delete: a tombstone still travels in pulls), plus an
 * index on (version, id) that the pull's keyset paging walks.
 */
export const SCHEMA_V1 = `
CREATE TABLE meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO meta (key, value) VALUES ('database_id', gen_random_uuid()::text);

-- One global row, bumped once per write transaction; a row lock on it orders the writers so
-- versions become visible in increasing order (a pull never misses a lower version later).
CREATE TABLE server_version (
  id int PRIMARY KEY CHECK (id = 1),
  value bigint NOT NULL
);
INSERT INTO server_version (id, value) VALUES (1, 0);

CREATE TABLE technicians (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('technician', 'lead')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

CREATE TABLE devices (
  id uuid PRIMARY KEY,
  technician_id uuid NOT NULL REFERENCES technicians (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX devices_technician ON devices (technician_id);

-- Refresh tokens are kept after use (spent_at) so that a replayed one is recognised as reuse.
CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (id),
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  spent_at timestamptz
);
CREATE INDEX refresh_tokens_device ON refresh_tokens (device_id);

CREATE TABLE access_tokens (
  token_hash text PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (id),
  expires_at timestamptz NOT NULL
);
CREATE INDEX access_tokens_device ON access_tokens (device_id);

CREATE TABLE collectivites (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  insee text,
  demo boolean NOT NULL DEFAULT false,
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX collectivites_version ON collectivites (version, id);

CREATE TABLE conventions (
  id uuid PRIMARY KEY,
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  number text NOT NULL UNIQUE,
  signed_on date NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  units_purchased int NOT NULL CHECK (units_purchased > 0),
  cost_euros double precision,
  inventory_convention_number text,
  policy jsonb NOT NULL,
  terminated_on date,
  demo boolean NOT NULL DEFAULT false,
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX conventions_version ON conventions (version, id);
CREATE INDEX conventions_scope ON conventions (collectivite_id, version, id);

CREATE TABLE sites (
  id uuid PRIMARY KEY,
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  name text NOT NULL,
  address text,
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX sites_version ON sites (version, id);
CREATE INDEX sites_scope ON sites (collectivite_id, version, id);

CREATE TABLE assets (
  id uuid PRIMARY KEY,
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  site_id uuid REFERENCES sites (id),
  name text NOT NULL,
  category text NOT NULL,
  critical boolean NOT NULL DEFAULT false,
  os text,
  addresses jsonb,
  notes text,
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX assets_version ON assets (version, id);
CREATE INDEX assets_scope ON assets (collectivite_id, version, id);

-- History is kept: unassigning sets unassigned_at, so "was X assigned to Y at time T" stays
-- answerable (time entries started before a reassignment are still accepted).
CREATE TABLE assignments (
  id uuid PRIMARY KEY,
  technician_id uuid NOT NULL REFERENCES technicians (id),
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  assigned_at timestamptz NOT NULL DEFAULT now(),
  unassigned_at timestamptz
);
CREATE INDEX assignments_technician ON assignments (technician_id, collectivite_id);
CREATE UNIQUE INDEX assignments_current
  ON assignments (technician_id, collectivite_id) WHERE unassigned_at IS NULL;

CREATE TABLE interventions (
  id uuid PRIMARY KEY,
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  convention_id uuid NOT NULL REFERENCES conventions (id),
  kind text NOT NULL,
  origin text NOT NULL,
  priority text NOT NULL,
  status text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  site_id uuid,
  asset_ids jsonb NOT NULL DEFAULT '[]',
  scheduled_for date,
  resolution text,
  notes text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  seconds double precision NOT NULL DEFAULT 0,
  units int NOT NULL DEFAULT 0,
  -- Per editable field: the version and technician of its last write (last writer wins).
  field_versions jsonb NOT NULL DEFAULT '{}',
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX interventions_version ON interventions (version, id);
CREATE INDEX interventions_scope ON interventions (collectivite_id, version, id);
CREATE INDEX interventions_convention ON interventions (convention_id);

CREATE TABLE time_entries (
  id uuid PRIMARY KEY,
  intervention_id uuid NOT NULL REFERENCES interventions (id),
  -- Denormalised from the intervention so scope filters need no join.
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  technician_id text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  mode text NOT NULL,
  source text NOT NULL,
  asset_id uuid,
  note text,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  future_dated boolean NOT NULL DEFAULT false,
  voided_at timestamptz,
  void_reason text,
  voided_by text,
  version bigint NOT NULL,
  deleted_at timestamptz,
  CHECK (ended_at > started_at)
);
CREATE INDEX time_entries_version ON time_entries (version, id);
CREATE INDEX time_entries_scope ON time_entries (collectivite_id, version, id);
CREATE INDEX time_entries_intervention ON time_entries (intervention_id);

CREATE TABLE balances (
  convention_id uuid PRIMARY KEY REFERENCES conventions (id),
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  units_purchased int NOT NULL,
  -- Sum of the interventions' server-computed units, plus any audited adjustment.
  units_consumed int NOT NULL DEFAULT 0,
  units_adjustment int NOT NULL DEFAULT 0,
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX balances_version ON balances (version, convention_id);
CREATE INDEX balances_scope ON balances (collectivite_id, version, convention_id);

CREATE TABLE conflicts (
  id bigserial PRIMARY KEY,
  intervention_id uuid NOT NULL REFERENCES interventions (id),
  field text NOT NULL,
  old_value jsonb,
  new_value jsonb,
  old_written_by text,
  old_version bigint,
  written_by text NOT NULL,
  base_version bigint NOT NULL,
  version bigint NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflicts_intervention ON conflicts (intervention_id);

CREATE TABLE clients (
  client_id uuid PRIMARY KEY,
  client_group_id uuid NOT NULL,
  technician_id uuid NOT NULL REFERENCES technicians (id),
  last_mutation_id bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clients_group ON clients (client_group_id);

CREATE TABLE rejections (
  id text PRIMARY KEY,
  client_group_id uuid NOT NULL,
  client_id uuid NOT NULL,
  technician_id uuid NOT NULL,
  mutation_id bigint NOT NULL,
  name text NOT NULL,
  code text NOT NULL,
  reason text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX rejections_scope ON rejections (client_group_id, version, id);

CREATE TABLE blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size int NOT NULL,
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid
);
`
