"""A training replica's environment: Vertex's variables, the job's own, and little else.

A replica runs the user's code; the embedded Vertex's process environment may hold things it
must not see (whatever the user or JupyterLab started it with: API keys, tokens of other
services). So a replica gets, in this order (later wins):

1. from the embedded Vertex's environment only what running a program needs (:data:`KEPT`,
   :data:`KEPT_PREFIXES`): where programs and libraries are (``PATH``, ``VIRTUAL_ENV``,
   ``LD_LIBRARY_PATH``, ``CUDA_HOME``), the user's home and locale, temporary folders, the
   machine's network settings (proxies, CA bundles) and Docker's client settings (a
   ``containerSpec`` replica is a ``docker run``);
2. the worker pool's ``env``, as the job gives it;
3. the contract: Vertex's variables (:func:`.workerpool.contract_env`), the GPUs it was given,
   and what calling the embedded Vertex needs (:func:`connection_env`): its address and token,
   as a replica on Vertex may call Vertex, and local storage's address (both relayed by the
   replica's wrapper, which adds the token to storage requests itself).

``PYTHONPATH`` is the pool's unpacked packages, then the embedded Vertex's own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ..core.connection import PROJECT_ENV, REGION_ENV, TOKEN_ENV, URL_ENV

KEPT = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "PYTHONHOME",
    "LD_LIBRARY_PATH",
    "CUDA_HOME",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "DOCKER_HOST",
    "DOCKER_CONFIG",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CONTEXT",
)
KEPT_PREFIXES = ("LC_", "XDG_")


def inherited(environ: Mapping[str, str]) -> dict[str, str]:
    """What a replica keeps of the embedded Vertex's environment."""
    return {k: v for k, v in environ.items() if k in KEPT or k.startswith(KEPT_PREFIXES)}


def connection_env(url: str, token: str, project: str, region: str) -> dict[str, str]:
    """What ``jupyter_vertex.emulator.init()`` in a replica reads: the embedded Vertex's
    address and token, the job's project and region (empty values left out)."""
    env = {URL_ENV: url, TOKEN_ENV: token, PROJECT_ENV: project, REGION_ENV: region}
    return {k: v for k, v in env.items() if v}


def replica_env(
    environ: Mapping[str, str],
    pool_env: Mapping[str, str],
    contract: Mapping[str, str],
    python_paths: list[str] | None = None,
) -> dict[str, str]:
    """One replica's environment (see above); ``python_paths``: a Python pool's unpacked
    packages (None for a container pool)."""
    env = {**inherited(environ), **pool_env, **contract}
    if python_paths is not None:
        own = environ.get("PYTHONPATH")
        env["PYTHONPATH"] = os.pathsep.join([*python_paths, *filter(None, [own])])
    return env
