import pkgutil
import subprocess
import sys

import bodymap.core


def core_modules() -> list[str]:
    """Every module of the core, at any depth (migrations are Alembic scripts, imported by Alembic)."""
    found = pkgutil.walk_packages(bodymap.core.__path__, prefix="bodymap.core.")
    return [m.name for m in found if ".migrations" not in m.name]


def test_core_imports_no_qt():
    modules = core_modules()
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "from bodymap.core.chart.body import load_body\nload_body()\n"
        + "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        + "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # The walk reaches into the sub-packages, not only the top level.
    assert "bodymap.core.records.store" in modules and "bodymap.core.chart.body" in modules
