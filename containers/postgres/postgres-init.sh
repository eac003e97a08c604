#!/bin/bash
# Set the gnocchi role's password (single-user mode: nothing listens yet), then run the server.
set -euo pipefail
pw="${GNOCCHI_DB_PASSWORD:?GNOCCHI_DB_PASSWORD is not set}"
case "$pw" in *[!A-Za-z0-9]*) echo "GNOCCHI_DB_PASSWORD must be alphanumeric" >&2; exit 1;; esac
bin=/usr/lib/postgresql/15/bin
data=/var/lib/postgresql/15/main
conf=/etc/postgresql/15/main/postgresql.conf
mkdir -p /var/run/postgresql/15-main.pg_stat_tmp
printf "ALTER ROLE gnocchi PASSWORD '%s';\n" "$pw" | "$bin/postgres" --single -D "$data" -c config_file="$conf" postgres >/dev/null
exec "$bin/postgres" -D "$data" -c config_file="$conf"
