"""The Swedish words staff read for codes and clear fields: contacts and
calls, cases, and the audit trail's details."""
