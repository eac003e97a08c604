#!/bin/bash
# Gnocchi start-up: config from the environment, schema upgrade, then API and metricd together.
#   GNOCCHI_DB_URL   postgresql://gnocchi:PASSWORD@HOST/gnocchi
set -euo pipefail
: "${GNOCCHI_DB_URL:?GNOCCHI_DB_URL is not set}"
cat > /etc/gnocchi/gnocchi.conf <<CONF
[DEFAULT]
debug = false
[api]
auth_mode = basic
[indexer]
url = ${GNOCCHI_DB_URL}
[storage]
driver = file
file_basepath = /var/lib/gnocchi/storage
[incoming]
driver = file
file_basepath = /var/lib/gnocchi/storage
[metricd]
# One worker: a lab's load is tiny, and every worker is a Python process importing all of Gnocchi.
workers = 1
CONF
chmod 0600 /etc/gnocchi/gnocchi.conf
mkdir -p /var/lib/gnocchi/storage

python3 /usr/local/lib/resops/wait-for-db.py "${GNOCCHI_DB_URL}" 60
# gnocchi-upgrade hangs instead of failing on some indexer problems: bound it.
timeout 180 gnocchi-upgrade --config-file /etc/gnocchi/gnocchi.conf

uwsgi --plugin python3 --http-socket :8041 --wsgi-file /usr/lib/python3/dist-packages/gnocchi/rest/wsgi.py \
  --master --processes 1 --threads 4 --die-on-term \
  --add-header "Connection: close" --env GNOCCHI_CONFIG_FILE=/etc/gnocchi/gnocchi.conf \
  --disable-logging &

# metricd only after the API answers: both import all of Gnocchi, and on a busy machine the API
# (what `up` waits for) comes first. Bash's /dev/tcp, so waiting starts no process.
for _ in $(seq 1 240); do
  if (exec 3<>/dev/tcp/127.0.0.1/8041 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && read -r -t 10 _ <&3) 2>/dev/null; then
    break
  fi
  sleep 0.5
done
gnocchi-metricd --config-file /etc/gnocchi/gnocchi.conf &

# Either process ending ends the container, so Docker's restart policy restarts both.
wait -n
exit 1
