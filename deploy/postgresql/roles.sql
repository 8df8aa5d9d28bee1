-- Least privilege: one owner for migrations, one role per process.
-- Run as a superuser once, then `UTVAG_DATABASE_URL=postgresql+psycopg://utvag_owner@/utvag utvag init`,
-- then run the GRANT block below again after every migration that adds tables.
CREATE ROLE utvag_owner LOGIN;
CREATE ROLE utvag_intake LOGIN;
CREATE ROLE utvag_console LOGIN;
CREATE ROLE utvag_worker LOGIN;
CREATE DATABASE utvag OWNER utvag_owner;

\connect utvag
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO utvag_intake, utvag_console, utvag_worker;

-- The public app: reads teams and public keys, inserts contacts and their
-- outbox rows, reads a contact's status by receipt digest. It never sees key
-- wraps, staff, sessions or the audit trail.
GRANT SELECT ON teams, team_keys TO utvag_intake;
GRANT SELECT, INSERT ON contacts, outbox TO utvag_intake;
GRANT UPDATE (enqueued_at, enqueue_count) ON outbox TO utvag_intake;
GRANT USAGE ON SEQUENCE contacts_id_seq, outbox_id_seq TO utvag_intake;

-- The console: everything it works with; the audit trail append-only.
GRANT SELECT ON teams, team_keys, key_wraps, contacts TO utvag_console;
GRANT SELECT, UPDATE ON staff_members TO utvag_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_sessions TO utvag_console;
GRANT SELECT, INSERT ON audit_events TO utvag_console;
GRANT USAGE ON SEQUENCE audit_events_id_seq TO utvag_console;

-- The worker: the outbox and the clear queue fields of contacts.
GRANT SELECT, UPDATE ON outbox TO utvag_worker;
GRANT SELECT ON contacts TO utvag_worker;
GRANT UPDATE (notified_at) ON contacts TO utvag_worker;
