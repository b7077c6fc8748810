"""Email backends that crash the sender at a chosen moment, as a killed process would: the exception unwinds the
open transaction (as PostgreSQL rolls back a dead connection's), and nothing after it runs."""

from django.core.mail.backends.smtp import EmailBackend


class SimulatedCrash(BaseException):
    """Not an Exception: nothing in the sender may catch it, as nothing survives a SIGKILL."""


class CrashAfterAccepted(EmailBackend):
    """The SMTP server accepts the email; the sender dies before it can mark the delivery sent."""

    def send_messages(self, email_messages):
        super().send_messages(email_messages)
        raise SimulatedCrash


class CrashBeforeSending(EmailBackend):
    """The sender dies after claiming a delivery and before the server has the email."""

    def send_messages(self, email_messages):
        raise SimulatedCrash
