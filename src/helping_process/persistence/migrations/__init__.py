"""Alembic migrations of the helping_process schema."""
