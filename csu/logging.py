"""JSON log lines with secrets redacted (ASVS 16.3, A13)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

_SECRET = re.compile(
    r"(?i)(password|passwd|token|otp_token|secret|sessionid|csrftoken|ssn)(['\"]?\s*[:=]\s*['\"]?)"
    r"([^'\"\s&,}]+)"
)


def redact(text: str) -> str:
    return _SECRET.sub(r"\1\2[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: a forged newline in a value cannot start a new entry."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry)
