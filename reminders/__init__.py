"""Due-reminder dispatch and manager digests (the APScheduler wiring lives here).

The reminders table is the source of truth (docs/design.md, "Reliability"); the dispatcher
that claims and sends due reminders arrives with issue 4, digests with issue 8.
"""
