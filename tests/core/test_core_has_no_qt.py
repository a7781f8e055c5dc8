import pkgutil
import subprocess
import sys

import bodymap.core


def test_core_imports_no_qt():
    modules = [f"bodymap.core.{m.name}" for m in pkgutil.iter_modules(bodymap.core.__path__)]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "from bodymap.core.body import load_body\nload_body()\n"
        + "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        + "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(modules) >= 8
