/**
 * Review fixes: what the server needs to know to keep scope, sessions and attachments tight.
 */
export const SCHEMA_V2 = `
-- Server arrival time of an intervention (created_at is the creator's clock, which is data).
-- A late time entry after an unassignment is accepted only on an intervention that reached the
-- server before the unassignment. Existing rows take updated_at, a server time never earlier
-- than their arrival: the safe side.
ALTER TABLE interventions ADD COLUMN received_at timestamptz;
UPDATE interventions SET received_at = updated_at;
ALTER TABLE interventions ALTER COLUMN received_at SET NOT NULL;
ALTER TABLE interventions ALTER COLUMN received_at SET DEFAULT now();

-- The refresh token issued when this one was spent: a retry of a lost refresh answer is told
-- from the reuse of an older token by this link (docs/server.md, "Security notes").
ALTER TABLE refresh_tokens ADD COLUMN replaced_by text;

-- Which devices uploaded (so hold) a blob. Until attachment metadata ties blobs to
-- interventions, only they and leads may read it. Existing blobs go to their uploader's devices.
CREATE TABLE blob_uploads (
  sha256 text NOT NULL REFERENCES blobs (sha256),
  device_id uuid NOT NULL REFERENCES devices (id),
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sha256, device_id)
);
INSERT INTO blob_uploads (sha256, device_id)
  SELECT b.sha256, d.id FROM blobs b JOIN devices d ON d.technician_id = b.created_by;
`
