"""JupyterLab server for the Galata UI tests (``jlpm start``).

Every run starts clean: its files live in ``ui-tests/.jupyter-data/`` (or in
``$JUPYTER_VERTEX_UI_DATA``), which is emptied first. There: the notebook root
(a copy of the repository's ``examples/``), the extension's data dir (the
embedded Vertex's database and storage), Jupyter's runtime dir, workspaces,
user settings, the notebook trust database, IPython's dir, npm's cache and
temporary files, so a run leaves nothing in $HOME or /tmp.

The port comes from ``$JUPYTER_VERTEX_UI_PORT`` (default 8899).

``$JUPYTER_VERTEX_UI_KEEP_DATA=1`` keeps the data folder as it is (a restart on the same
data: the restart spec); ``$JUPYTER_VERTEX_UI_TOKEN`` sets a token (default: none).
"""

import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
DATA = Path(os.environ.get("JUPYTER_VERTEX_UI_DATA", HERE / ".jupyter-data")).resolve()

KEEP_DATA = os.environ.get("JUPYTER_VERTEX_UI_KEEP_DATA") == "1"

if not KEEP_DATA:
    shutil.rmtree(DATA, ignore_errors=True)
dirs = {
    name: DATA / name
    for name in (
        "tmp",
        "runtime",
        "data",
        "vertex",
        "workspaces",
        "settings",
        "ipython",
        "cache",
    )
}
for path in dirs.values():
    path.mkdir(parents=True, exist_ok=True)
ROOT = DATA / "root"
if not ROOT.exists():
    shutil.copytree(EXAMPLES, ROOT, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))

# Before Galata's helper calls mkdtemp, and before kernels start (they inherit these).
os.environ["TMPDIR"] = str(dirs["tmp"])
tempfile.tempdir = None  # re-read TMPDIR
os.environ["JUPYTER_RUNTIME_DIR"] = str(dirs["runtime"])
os.environ["IPYTHONDIR"] = str(dirs["ipython"])
os.environ["MPLCONFIGDIR"] = str(dirs["cache"] / "matplotlib")
os.environ.setdefault("XDG_CACHE_HOME", str(dirs["cache"]))
# npm writes its logs under its cache (default ~/.npm).
os.environ["npm_config_cache"] = str(dirs["cache"] / "npm")
os.environ["JUPYTERLAB_GALATA_ROOT_DIR"] = str(ROOT)

c = get_config()  # noqa: F821 (defined by the config loader)
configure_jupyter_server(c)

c.ServerApp.port = int(os.environ.get("JUPYTER_VERTEX_UI_PORT", "8899"))
if os.environ.get("JUPYTER_VERTEX_UI_TOKEN"):
    c.IdentityProvider.token = os.environ["JUPYTER_VERTEX_UI_TOKEN"]
c.ServerApp.root_dir = str(ROOT)
c.ServerApp.allow_root = True
c.FileContentsManager.delete_to_trash = False
c.LabApp.workspaces_dir = str(dirs["workspaces"])
c.LabApp.user_settings_dir = str(dirs["settings"])
c.LabServerApp.workspaces_dir = str(dirs["workspaces"])
c.LabServerApp.user_settings_dir = str(dirs["settings"])
# The notebook trust database and its secret (default: the user's data dir).
c.NotebookNotary.data_dir = str(dirs["data"])
# No language servers in these tests (autodetection also runs `npm prefix -g`).
c.LanguageServerManager.autodetect = False
c.ServerApp.log_level = "WARN"
c.LabApp.log_level = "WARN"

# The extension under test, with the embedded Vertex (its default backend).
c.VertexApp.backend = "local"
c.VertexApp.data_dir = str(dirs["vertex"])
