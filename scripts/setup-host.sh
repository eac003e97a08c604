#!/usr/bin/env bash
# Prepares a fresh Debian machine for resops-lab: the only host prerequisites are Node and Docker;
# debootstrap lets the toolkit build debian:bookworm-slim itself where Docker Hub is unreachable.
# Idempotent: installs only what is missing and starts dockerd only when it is not answering.
set -euo pipefail

# Run as root, or as a user with sudo: the README's commands work either way (a root shell in a
# fresh container has no sudo at all).
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup-host: installing packages and starting dockerd needs root: run this as root, or install sudo" >&2
    exit 1
  fi
  exec sudo --preserve-env=CI bash "$0" "$@"
fi

# command → Debian package. Ansible, ansible-lint and promtool are optional for the toolkit (it
# falls back to its toolbox image) but the tests lint and check with the host's copies.
declare -A wanted=(
  [dockerd]=docker.io
  [debootstrap]=debootstrap
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
  [ansible-playbook]=ansible
  [ansible-lint]=ansible-lint
  [promtool]=prometheus
  [rsvg-convert]=librsvg2-bin
  # The OpenStack provider ships xz-compressed for the mirror the tests and CI use.
  [xz]=xz-utils
  # The dashboard's tests drive a real browser (playwright-core needs one on the machine).
  [chromium]=chromium
)
missing=()
for command in "${!wanted[@]}"; do
  command -v "$command" >/dev/null 2>&1 || missing+=("${wanted[$command]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The prometheus package would start a server on :9090 (the lab's own port); only promtool is
  # wanted from it, so no package may start a service during this install.
  policy=/usr/sbin/policy-rc.d
  had_policy=false
  [ -e "$policy" ] && had_policy=true
  $had_policy || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; }
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $had_policy || rm -f "$policy"
fi
# Servers that an earlier install did start would hold the lab's ports. Containers' processes
# are visible from the host too, so only processes in this PID namespace are stopped.
own_ns=$(readlink /proc/self/ns/pid)
for unit in prometheus prometheus-pushgateway prometheus-alertmanager prometheus-node-exporter; do
  for pid in $(pgrep -f "^/usr/bin/$unit( |$)" || true); do
    [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$own_ns" ] || continue
    echo "setup-host: stopping the host's $unit (pid $pid holds a port the lab publishes)"
    if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
      systemctl disable --now "$unit" >/dev/null 2>&1 || true
    fi
    kill "$pid" 2>/dev/null || true
  done
done

if ! docker info >/dev/null 2>&1; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    systemctl start docker
  else
    echo "setup-host: starting dockerd"
    nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup-host: dockerd did not start, see /var/log/dockerd.log" >&2; exit 1; }
fi
echo "setup-host: node $(node --version), $(docker --version)"
