"""Keep the Jupyter server's full garbage collections short once Google's libraries are in.

With jupyter_server, the AI Platform, Monitoring and Notebooks client libraries loaded, the
server holds ~430,000 objects tracked by the garbage collector, and a full collection walks
them all: ~215 ms measured here, holding the GIL, so the event loop stops that long (seen as
270-770 ms stalls while predictions ran: sustained traffic makes enough survivors to trigger
one every few thousand requests). Those objects are modules, classes and descriptors that
live as long as the server; ``gc.freeze()`` moves them out of the collector's way (O(1)),
and later full collections walk only what came after.
"""

from __future__ import annotations

import gc

__all__ = ["freeze_long_lived"]

_frozen = False


def freeze_long_lived() -> None:
    """Freeze what the process holds now, once (call after the client libraries loaded)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
