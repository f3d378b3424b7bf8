"""The notifier: reminders of due work, from the work read model and a clock, through
an outbox that makes each one once, to the in-app inbox, e-mail and a webhook."""
