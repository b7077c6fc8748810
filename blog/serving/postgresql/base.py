"""Django's PostgreSQL backend whose connection health check looks at the socket instead of asking the server.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request that reuses a
connection: on a page answered from the page cache, or a 304, that doubles the round trips. A connection the
server closed (a restart, pg_terminate_backend, an idle timeout) has its socket readable (the closing
message, then end of file) while an idle healthy one has nothing to read: so a readable or closed socket
means "replace it", at the cost of one non-blocking poll.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # An idle connection in autocommit mode is sent nothing; anything waiting means it is going away.
        return not readable
