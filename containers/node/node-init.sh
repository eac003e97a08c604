#!/bin/bash
# Start-up of a learner "VM" container (PID 2, under tini).
#   RESOPS_USER      learner user to create (gets the roster key and passwordless sudo)
#   RESOPS_SSH_KEY   the learner's OpenSSH public key line
#   RESOPS_SSH_ADDR  address sshd listens on: the VM's address on its learner network, so SSH is
#                    not reachable over the shared monitoring network
#   RESOPS_EXPORTER_ON_OTHER_NET=1  node-exporter listens on the one address that is not
#                    RESOPS_SSH_ADDR (the monitoring network); otherwise on 127.0.0.1 only
#   RESOPS_ADMIN_USER, RESOPS_ADMIN_KEY  optional: the course's admin user (the cloud image's
#                    default user) with this public key and passwordless sudo, as cloud-init gives
#                    it on the openstack target; `configure` logs in with it
set -euo pipefail

user="${RESOPS_USER:?RESOPS_USER is not set}"
key="${RESOPS_SSH_KEY:?RESOPS_SSH_KEY is not set}"
ssh_addr="${RESOPS_SSH_ADDR:-0.0.0.0}"

if ! id "$user" >/dev/null 2>&1; then
  # useradd leaves the password field as "!": no password can ever match, keys still work (PAM).
  useradd --create-home --shell /bin/bash "$user"
fi
home="$(getent passwd "$user" | cut -d: -f6)"
install -d -m 0700 -o "$user" -g "$user" "$home/.ssh"
printf '%s\n' "$key" > "$home/.ssh/authorized_keys"
chown "$user:$user" "$home/.ssh/authorized_keys"
chmod 0600 "$home/.ssh/authorized_keys"
printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$user" > /etc/sudoers.d/90-resops-learner
chmod 0440 /etc/sudoers.d/90-resops-learner

admin="${RESOPS_ADMIN_USER:-}"
admin_key="${RESOPS_ADMIN_KEY:-}"
if [ -n "$admin" ] && [ -n "$admin_key" ]; then
  id "$admin" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$admin"
  admin_home="$(getent passwd "$admin" | cut -d: -f6)"
  install -d -m 0700 -o "$admin" -g "$admin" "$admin_home/.ssh"
  if [ "$admin" = "$user" ]; then
    printf '%s\n%s\n' "$key" "$admin_key" > "$admin_home/.ssh/authorized_keys"
  else
    printf '%s\n' "$admin_key" > "$admin_home/.ssh/authorized_keys"
  fi
  chown "$admin:$admin" "$admin_home/.ssh/authorized_keys"
  chmod 0600 "$admin_home/.ssh/authorized_keys"
  printf '%s ALL=(ALL) NOPASSWD:ALL\n' "$admin" > /etc/sudoers.d/90-resops-admin
  chmod 0440 /etc/sudoers.d/90-resops-admin
fi

# Host keys are made per container at first start. Ed25519 and ECDSA only: an RSA key costs
# seconds of CPU at every start of a fresh VM, and every current client has ed25519.
for type in ed25519 ecdsa; do
  [ -f "/etc/ssh/ssh_host_${type}_key" ] || ssh-keygen -q -t "$type" -N '' -f "/etc/ssh/ssh_host_${type}_key"
done
mkdir -p /run/sshd

# The data disk is a tmpfs that Docker mounts with mode=1777 on the first start only: after a stop
# and start it comes back 0755 and root's, and the learner can no longer write to it.
if mountpoint -q /data 2>/dev/null; then chmod 1777 /data; fi

exporter_addr=127.0.0.1
if [ "${RESOPS_EXPORTER_ON_OTHER_NET:-0}" = 1 ]; then
  for addr in $(hostname -I); do
    if [ "$addr" != "$ssh_addr" ] && [ "${addr#*:}" = "$addr" ]; then exporter_addr="$addr"; break; fi
  done
fi

# node-exporter is restarted if it dies; sshd is the container's main process (if it exits, the
# container stops and Docker's restart policy brings the "VM" back).
(
  while true; do
    prometheus-node-exporter --no-collector.systemd --web.listen-address="$exporter_addr:9100" \
      || true
    sleep 1
  done
) &

echo "resops node: user $user, sshd on $ssh_addr:22, node-exporter on $exporter_addr:9100"
exec /usr/sbin/sshd -D -e -o "ListenAddress=$ssh_addr"
