"""Values the server extension and the embedded Vertex must agree on, said once.

A leaf module: it imports nothing from the package, so both sides (and the emulator's own
process, which never imports the extension) may use it.
"""

from __future__ import annotations

import ipaddress

# The project and region of the embedded Vertex when none is configured.
LOCAL_PROJECT = "local-project"
LOCAL_REGION = "us-central1"

# The line the embedded Vertex prints on stdout once it serves, followed by a JSON object
# (url, storage url, ports); its supervisor and tests read it.
READY_PREFIX = "JUPYTER_VERTEX_EMULATOR_READY"


def staging_bucket_name(project: str, region: str) -> str:
    """The local staging bucket ``{project}-vertex-staging-{region}`` (63 characters at most)."""
    return f"{project}-vertex-staging-{region}"[:63].rstrip("-")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
