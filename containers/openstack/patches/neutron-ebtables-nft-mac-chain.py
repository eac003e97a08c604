#!/usr/bin/env python3
"""Neutron 21's Linux bridge agent (Debian 12) with ebtables-nft, the only ebtables this kernel
has (no legacy `nat` table): a port's MAC anti-spoofing rule can never be deleted.

When a port is wired again (a server's stop and start, a reboot), the agent deletes the port's
`--among-src <mac>` rule by its spec, as it lists it. ebtables-nft 1.8.9 refuses every such
delete (RULE_DELETE failed, Invalid argument; by rule number it works), and the agent's tenacity
retry has no stop: the agent hangs on that port for good, and a later delete of the server leaves
its iptables rules behind (seen in CI).

The fix does for the MAC chain what the same file already does for the port's ARP chain: flush
it and put back its final DROP rule; the caller then inserts the port's RETURN rules again.
Run once at image build; fails the build if Neutron's code is not the one this was written for.
"""
import sys

PATH = '/usr/lib/python3/dist-packages/neutron/plugins/ml2/drivers/linuxbridge/agent/arp_protect.py'
OLD = """def _delete_vif_mac_rules(vif, current_rules):
    chain = _mac_chain_name(vif)
    for rule in current_rules:
        if '-i %s' % vif in rule and '--among-src' in rule:
            ebtables(['-D', chain] + rule.split())
"""
NEW = """def _delete_vif_mac_rules(vif, current_rules):
    # Patched by resops-lab (containers/openstack/patches): ebtables-nft cannot delete an
    # --among-src rule by its spec; flush the chain and restore its final DROP instead.
    chain = _mac_chain_name(vif)
    if any('-i %s' % vif in rule and '--among-src' in rule
           for rule in current_rules):
        ebtables(['-F', chain])
        ebtables(['-A', chain, '-j', 'DROP'])
"""

source = open(PATH).read()
if source.count(OLD) != 1:
    sys.exit(f'{PATH}: the code this patch replaces is not there (Neutron changed?)')
open(PATH, 'w').write(source.replace(OLD, NEW))
print('patched', PATH)
