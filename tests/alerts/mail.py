"""E-mail backends for the delivery tests.

``SlowFileBackend`` writes each message to its own file (surviving the worker process that sent
it) and takes its time: before each message it leaves a ``started-*`` marker, waits, then writes
the ``.eml``. A test that kills the worker while a marker has no message yet kills it mid-send,
before the SMTP server would have accepted anything. ``FailingBackend`` refuses mail to some
addresses (an SMTP server rejecting them) and keeps the rest in ``mail.outbox``."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from smtplib import SMTPRecipientsRefused
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

DELAY_S = float(os.environ.get("CSU_TEST_EMAIL_DELAY", "0.5"))


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        directory = Path(settings.EMAIL_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = uuid.uuid4().hex
            (directory / f"started-{name}").touch()
            time.sleep(DELAY_S)
            (directory / f"{name}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


class FailingBackend(LocmemBackend):
    refused: set[str] = set()

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            bad = [to for to in message.to if to in self.refused]
            if bad:
                raise SMTPRecipientsRefused(dict.fromkeys(bad, (550, b"mailbox unavailable")))
        return super().send_messages(messages)
