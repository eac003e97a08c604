#!/bin/bash
# Swift start-up: the tempauth key comes from the environment (never from the image), then
# memcached, the three storage servers and the proxy. Any one ending ends the container.
#   SWIFT_KEY   key of user resops:pipeline (alphanumeric)
set -euo pipefail
: "${SWIFT_KEY:?SWIFT_KEY is not set}"
[[ "$SWIFT_KEY" =~ ^[A-Za-z0-9]+$ ]] || { echo "SWIFT_KEY must be alphanumeric" >&2; exit 2; }
sed "s/@SWIFT_KEY@/${SWIFT_KEY}/" /etc/swift/proxy-server.conf.in > /etc/swift/proxy-server.conf
chown swift:swift /etc/swift/proxy-server.conf && chmod 0600 /etc/swift/proxy-server.conf
memcached -u memcache -l 127.0.0.1 -m 16 &
for server in account container object; do
  swift-${server}-server /etc/swift/${server}-server.conf --verbose &
done
swift-proxy-server /etc/swift/proxy-server.conf --verbose &
wait -n
exit 1
