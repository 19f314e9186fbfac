"""Alembic migrations for the store; run them with :func:`allege.store.db.upgrade_to_head`."""
