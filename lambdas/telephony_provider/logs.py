"""Structured log lines: one JSON object per line so CloudWatch Logs Insights can filter on fields."""

import json
import logging

logger = logging.getLogger("telephony_provider")
# The Lambda runtime's root logger defaults to WARNING; deploy decisions are worth keeping at INFO.
logger.setLevel(logging.INFO)


def log(level: int, message: str, **fields: object) -> None:
    """Log ``message`` with ``fields`` as one JSON line (values that aren't JSON become strings)."""
    logger.log(level, json.dumps({"message": message, **fields}, default=str, sort_keys=True))


def info(message: str, **fields: object) -> None:
    log(logging.INFO, message, **fields)


def warning(message: str, **fields: object) -> None:
    log(logging.WARNING, message, **fields)


def error(message: str, **fields: object) -> None:
    log(logging.ERROR, message, **fields)
