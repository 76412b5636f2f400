"""Exit 0 when an AMQP broker answers at the given URI."""

import sys

from kombu import Connection

with Connection(sys.argv[1], connect_timeout=3) as connection:
    connection.ensure_connection(max_retries=1)
