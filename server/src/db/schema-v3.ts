/**
 * The remote-session log (issue 4) and pull indexes that match the pull's keyset exactly.
 */
export const SCHEMA_V3 = `
-- One row per remote-control session a technician ran (who, when, asset, protocol, outcome).
-- The time itself is billed only through a time entry the technician confirmed.
CREATE TABLE remote_sessions (
  id uuid PRIMARY KEY,
  asset_id uuid NOT NULL REFERENCES assets (id),
  intervention_id uuid REFERENCES interventions (id),
  -- Denormalised from the asset so scope filters need no join.
  collectivite_id uuid NOT NULL REFERENCES collectivites (id),
  technician_id uuid NOT NULL REFERENCES technicians (id),
  protocol text NOT NULL,
  started_at timestamptz NOT NULL,
  ended_at timestamptz NOT NULL,
  outcome text NOT NULL,
  detail text,
  received_at timestamptz NOT NULL DEFAULT now(),
  version bigint NOT NULL,
  deleted_at timestamptz,
  CHECK (ended_at >= started_at)
);
CREATE INDEX remote_sessions_version ON remote_sessions (version, id);
CREATE INDEX remote_sessions_scope ON remote_sessions (collectivite_id, version, id);
CREATE INDEX remote_sessions_asset ON remote_sessions (asset_id);

-- Rejection keys are text compared as bytes (COLLATE "C") by the pull, whatever the database's
-- collation: only an index with that collation serves its ORDER BY and keyset bound.
CREATE INDEX rejections_pull ON rejections (client_group_id, version, id COLLATE "C");
DROP INDEX rejections_scope;
`
