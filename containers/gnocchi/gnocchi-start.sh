#!/bin/bash
# Gnocchi start-up: config from the environment, schema upgrade, then API and metricd together.
#   GNOCCHI_DB_URL   postgresql://gnocchi:PASSWORD@HOST/gnocchi
#   GNOCCHI_USERS    space-separated user:password pairs (alphanumeric), `admin` first
set -euo pipefail
: "${GNOCCHI_DB_URL:?GNOCCHI_DB_URL is not set}"
: "${GNOCCHI_USERS:?GNOCCHI_USERS is not set: Gnocchi would accept anyone as anyone}"
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

# Gnocchi's basic mode trusts the user name it is given; uWSGI checks the password first. Every
# pair but the last may fall through to the next (basicauth-next); the last answers 401.
read -r -a pairs <<< "${GNOCCHI_USERS}"
{
  echo '[uwsgi]'
  for i in "${!pairs[@]}"; do
    [[ ${pairs[$i]} =~ ^[A-Za-z0-9._-]+:[A-Za-z0-9]+$ ]] || { echo "GNOCCHI_USERS entry $((i + 1)) is not user:alphanumeric-password" >&2; exit 1; }
    if (( i + 1 < ${#pairs[@]} )); then echo "route-run = basicauth-next:Gnocchi,${pairs[$i]}"; else echo "route-run = basicauth:Gnocchi,${pairs[$i]}"; fi
  done
} > /etc/gnocchi/api-auth.ini
chmod 0600 /etc/gnocchi/api-auth.ini
mkdir -p /var/lib/gnocchi/storage

python3 /usr/local/lib/resops/wait-for-db.py "${GNOCCHI_DB_URL}" 60
# gnocchi-upgrade hangs instead of failing on some indexer problems: bound it.
timeout 180 gnocchi-upgrade --config-file /etc/gnocchi/gnocchi.conf

uwsgi --plugin python3,router_basicauth --ini /etc/gnocchi/api-auth.ini --http-socket :8041 --wsgi-file /usr/lib/python3/dist-packages/gnocchi/rest/wsgi.py \
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
