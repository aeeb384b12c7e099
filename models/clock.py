"""One source of time for the whole app: timezone-aware UTC (SQLModel stores and returns it)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
