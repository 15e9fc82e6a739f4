-- Entries that cannot be loaded are recorded, not passed over in silence:
-- status skipped, reason one of symlink (a folder's symbolic link, not
-- followed), not a file (a named pipe, socket or device), unreadable
-- (permission denied, or gone after it was listed), not a log (no format
-- opsbot reads); error says what was found and how to fix it. A skipped
-- entry is not tried again until it changes (its etag), or a re-ingest
-- names it.
ALTER TABLE ingest_objects ADD COLUMN IF NOT EXISTS reason LowCardinality(String) AFTER error;
