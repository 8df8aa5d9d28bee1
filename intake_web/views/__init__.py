"""The public site's pages, one blueprint per area: information pages, the
two forms, the receipt page, and Twilio's voice webhooks (the hotline, the
number that names nothing, Twilio's status reports)."""
