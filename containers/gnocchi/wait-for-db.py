"""Wait (bounded) until the indexer database accepts connections; exit 1 when it never does."""
import sys
import time

import psycopg2

url, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
while True:
    try:
        psycopg2.connect(url, connect_timeout=3).close()
        sys.exit(0)
    except psycopg2.OperationalError as error:
        if time.monotonic() > deadline:
            print(f"indexer database not reachable: {error}".strip(), file=sys.stderr)
            sys.exit(1)
        time.sleep(0.5)
