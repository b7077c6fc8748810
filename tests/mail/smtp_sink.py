"""An SMTP server for the tests, run by aiosmtpd's command line: `-c tests.mail.smtp_sink.Recorder DIRECTORY`.

It keeps every message it accepts as a file in DIRECTORY and answers recipients as real servers do: an address
whose local part starts with `bounce` does not exist (550), one starting with `busy` is greylisted (451).
"""

import time
import uuid
from pathlib import Path


class Recorder:
    def __init__(self, directory):
        self.directory = Path(directory)

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local_part = address.split("@")[0]
        if local_part.startswith("bounce"):
            return "550 5.1.1 Mailbox unavailable"
        if local_part.startswith("busy"):
            return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        (self.directory / name).write_bytes(envelope.original_content)
        return "250 Message accepted for delivery"
