"""ML2 mechanism driver that binds every port, for a cloud without agents.

Stock ML2 only binds a port when an agent (OVS, linuxbridge, OVN...) reports the host; this
cloud has none, so servers would fail with "binding failed". The rehearsal cloud runs Nova's
fake virt driver, which plugs nothing, so binding every segment as OVS and marking the port
ACTIVE is all Nova needs to take a server to ACTIVE.
"""
from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class BindAllMechanismDriver(api.MechanismDriver):
    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False},
                status=constants.PORT_STATUS_ACTIVE,
            )
            return
