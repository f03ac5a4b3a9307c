"""Persistence: SQLAlchemy models, the unit of work the core talks to, Alembic migrations."""
