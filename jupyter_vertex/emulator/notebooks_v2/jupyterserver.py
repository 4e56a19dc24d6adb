"""Run one Workbench instance's Jupyter server, ending it with the embedded Vertex.

Started as a *script* (``python .../jupyterserver.py PARENT_PID ARGS...``), not as a module,
so it imports only the standard library and ``jupyter_server``: the instance's interpreter
(``--instance-python``) needs Jupyter, not jupyter_vertex. It runs in its own session; a
thread stops the server (which stops its kernels) once the embedded Vertex
that started it is gone, even when that one was SIGKILLed, so no server outlives it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

PARENT_CHECK_SECONDS = 1.0


def _end_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    # Jupyter's own SIGTERM handling stops its kernels; exit anyway if that hangs.
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
    os._exit(0)


def main() -> None:
    parent = int(sys.argv[1])
    threading.Thread(target=_end_with_parent, args=(parent,), daemon=True).start()
    from jupyter_server.serverapp import ServerApp

    ServerApp.launch_instance(argv=sys.argv[2:])


if __name__ == "__main__":
    main()
