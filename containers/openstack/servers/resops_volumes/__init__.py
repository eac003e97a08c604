"""Cinder volume driver of the rehearsal cloud when servers are containers (issue #13)."""
