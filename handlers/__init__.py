"""The platform-neutral core of crmbot.

Nothing in this package knows about Telegram, Slack, SQL or schedulers: it speaks to the
outside world through the ports in :mod:`handlers.ports` (an import contract enforces it).
"""
