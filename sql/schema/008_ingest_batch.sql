-- Small objects are loaded together: their rows go into the requests table
-- in one insert (one part) instead of one part per object, which spares the
-- merges of many small parts. batch names that insert; it is written (with
-- status loading) before the insert, so that after a crash a restart knows
-- the object's rows may already be in: it looks for them (the insert is
-- atomic, one part) and records the object done, or loads it again.
ALTER TABLE ingest_objects ADD COLUMN IF NOT EXISTS batch String AFTER batch_rows;
