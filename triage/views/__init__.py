"""The console's pages, one blueprint per area: login, the queue, contacts,
cases, the lead's decisions, accounts, the team's keys, settings, reports,
the audit trail."""
