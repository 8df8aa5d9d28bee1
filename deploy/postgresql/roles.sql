-- Least privilege: one owner for migrations, one role per process.
-- Run as a superuser once, then, as the owner:
--   UTVAG_DATABASE_URL=postgresql+psycopg://utvag_owner@/utvag utvag init
-- and run the GRANT block below again after every migration that adds tables.
CREATE ROLE utvag_owner LOGIN;
CREATE ROLE utvag_intake LOGIN;
CREATE ROLE utvag_console LOGIN;
CREATE ROLE utvag_worker LOGIN;
CREATE DATABASE utvag OWNER utvag_owner;

\connect utvag
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO utvag_intake, utvag_console, utvag_worker;

-- The public app: reads teams, public keys, closures, extra open days and a contact's
-- status by receipt hash; inserts contacts, follow-ups and their outbox rows;
-- counts its rate limits. It never sees key grants, staff, sessions, cases or
-- the audit trail.
-- teams includes each team's own hotline number (teams.hotline_number): the
-- hotline picks the team a call is for by the number called.
GRANT SELECT ON teams, team_keys, closed_days, extra_open_days TO utvag_intake;
-- Each team's own public words: read, never written, from the public side.
GRANT SELECT ON public_text_versions TO utvag_intake;
GRANT SELECT, INSERT ON contacts, contact_messages, outbox TO utvag_intake;
GRANT UPDATE (enqueued_at, enqueue_count) ON outbox TO utvag_intake;
GRANT SELECT, INSERT, UPDATE ON network_throttles TO utvag_intake;
-- A follow-up marks its contact as having news; nothing else of a contact
-- can change from the public side.
GRANT UPDATE (unseen_follow_up_at, queue_due_at) ON contacts TO utvag_intake;
GRANT SELECT, INSERT ON spent_proofs TO utvag_intake;
-- A hotline call answered by the duty phone is logged as a reached attempt in
-- the same transaction as its contact: insert only, never read or change.
GRANT INSERT ON call_attempts TO utvag_intake;
-- The hotline: a forwarded call the duty phone took (an HMAC of its id).
GRANT SELECT, INSERT ON answered_calls TO utvag_intake;
GRANT USAGE ON SEQUENCE contacts_id_seq, contact_messages_id_seq, outbox_id_seq,
  network_throttles_id_seq, call_attempts_id_seq TO utvag_intake;

-- The console: everything it works with; the audit trail append-only.
-- (teams: the lead sets the team's own hotline number, teams.hotline_number.)
GRANT SELECT, UPDATE ON teams TO utvag_console;
GRANT SELECT, INSERT, UPDATE ON team_keys TO utvag_console;
GRANT SELECT, INSERT, DELETE ON key_wraps TO utvag_console;
GRANT SELECT, INSERT, UPDATE ON staff_members TO utvag_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_sessions, enrolments, closed_days,
  extra_open_days, network_throttles TO utvag_console;
GRANT SELECT, INSERT, UPDATE ON contacts, contact_messages, call_attempts, cases, case_checks,
  checklist_items, outbox, case_assessments, case_meetings, case_consents,
  case_register_checks, case_clock_exceptions TO utvag_console;
-- Voice messages: played after decryption, re-sealed when the key changes.
GRANT SELECT, UPDATE ON voice_messages TO utvag_console;
GRANT SELECT, INSERT ON audit_events TO utvag_console;
-- Follow-up after the case: partner meetings (what was said sealed) and the
-- outcome checks 6, 12 and 24 months after closing (answers only).
GRANT SELECT, INSERT, UPDATE ON case_partner_meetings, case_outcome_checks TO utvag_console;
-- Retention for the lead and an auditor: what the purge deleted (read only)
-- and a reasoned "keep longer" (the reason sealed, re-sealed with the key).
GRANT SELECT ON retention_records TO utvag_console;
GRANT SELECT, INSERT, UPDATE ON case_retention_extensions TO utvag_console;
-- A change, against the person's choice, of the number they may be called
-- from: written with its sealed reason, re-sealed when the key changes.
GRANT SELECT, INSERT, UPDATE ON call_from_changes TO utvag_console;
-- A hand-over to another team: its content-free line (which teams, when,
-- the day of consent); the rows it moves are updated under the grants above.
GRANT SELECT, INSERT ON handovers TO utvag_console;
-- The case's path: the social services' investigation and decision;
-- applications for avhopparmedel; referrals to a service outside.
GRANT SELECT, INSERT, UPDATE ON case_investigations, case_funds_applications,
  outside_referrals TO utvag_console;
GRANT SELECT ON maintenance_runs TO utvag_console;
-- A team's public texts: each save adds a version; none is changed or deleted.
GRANT SELECT, INSERT ON public_text_versions TO utvag_console;
GRANT SELECT ON spent_proofs TO utvag_console;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO utvag_console;

-- kept_team_reports (a removed team's yearly figures, suppressed): written only
-- by the owner (`utvag team remove --keep-counts`); the console may read them.
GRANT SELECT ON kept_team_reports TO utvag_console;

-- The worker: the outbox, the clear queue fields, the retention purge and
-- the eviction of a full unverified list (both empty sealed columns and
-- delete follow-ups), deleting expired
-- staff sessions, its own schedule's record, and audit rows for it.
-- INSERT: reopening a call the person asked for schedules its due notice.
GRANT SELECT, INSERT, UPDATE ON outbox TO utvag_worker;
-- closed_days, extra_open_days: the calendar, to reopen a call the person
-- asked for.
GRANT SELECT ON teams, closed_days, extra_open_days TO utvag_worker;
GRANT SELECT, UPDATE ON contacts, call_attempts, cases, case_checks, case_assessments,
  case_meetings, case_consents, case_register_checks, case_clock_exceptions TO utvag_worker;
-- Retention empties the sealed reason of a decision, a funds note and a
-- referral's note.
GRANT SELECT, UPDATE ON case_investigations, case_funds_applications,
  outside_referrals TO utvag_worker;
-- The hotline's answering machine: the worker seals a message's audio to the
-- active team key and stores it; retention deletes it.
GRANT SELECT ON team_keys TO utvag_worker;
GRANT SELECT, INSERT, DELETE ON voice_messages TO utvag_worker;
-- Retention empties what was said at a partner meeting and why a case was
-- kept longer, and leaves a content-free record of what it deleted.
GRANT SELECT, UPDATE ON case_partner_meetings, case_retention_extensions TO utvag_worker;
GRANT SELECT, INSERT ON retention_records TO utvag_worker;
-- Retention empties the sealed reason of a change to the number we call from.
GRANT SELECT, UPDATE ON call_from_changes TO utvag_worker;
GRANT SELECT, DELETE ON contact_messages, network_throttles, staff_sessions TO utvag_worker;
GRANT SELECT, INSERT, UPDATE ON maintenance_runs TO utvag_worker;
GRANT SELECT, DELETE ON spent_proofs, answered_calls TO utvag_worker;
GRANT SELECT, INSERT ON audit_events TO utvag_worker;
-- A switchboard call's "no answer" or "busy", logged for the member who called
-- (who they are, by id and name only: nothing of their keys or secrets).
GRANT INSERT ON call_attempts TO utvag_worker;
GRANT SELECT (id, team_id, username) ON staff_members TO utvag_worker;
-- Content-free staff notices: who asked for them and where (a work mobile),
-- each notice time decided once, each SMS until Twilio has deleted it; both
-- forgotten after two days.
GRANT SELECT (notice_phone, disabled_at) ON staff_members TO utvag_worker;
GRANT SELECT, INSERT, DELETE ON notice_rounds TO utvag_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_notices TO utvag_worker;
GRANT USAGE ON SEQUENCE audit_events_id_seq, outbox_id_seq, voice_messages_id_seq,
  call_attempts_id_seq, retention_records_id_seq, notice_rounds_id_seq, staff_notices_id_seq
  TO utvag_worker;
