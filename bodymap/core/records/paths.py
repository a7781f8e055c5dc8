"""Where the records live by default: $BODYMAP_DB, else the platform's per-user data folder.

Plain Python (no Qt's QStandardPaths), so the command line and the tests find the same file as the app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "bodymap.sqlite"


def data_dir(
    env: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None
) -> Path:
    """The per-user data folder for bodymap on this platform."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if platform == "darwin":
        return home / "Library" / "Application Support" / "bodymap"
    if platform.startswith("win"):
        appdata = env.get("APPDATA")
        return (Path(appdata) if appdata else home / "AppData" / "Roaming") / "bodymap"
    xdg = env.get("XDG_DATA_HOME", "")
    # The XDG spec says a relative path in XDG_DATA_HOME is invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"
    return base / "bodymap"


def default_database(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
    configured: str = "",
) -> str:
    """The database to open when none is given (`--db`): $BODYMAP_DB (a path or a database URL), else
    the one `configured` in the settings (Clinic settings → Records), else the data folder's file. The
    environment comes first, as a command line's would: what an administrator set for an account wins
    over what was once typed in a window."""
    env = os.environ if env is None else env
    for given in (env.get("BODYMAP_DB", "").strip(), configured.strip()):
        if given:
            return given if "://" in given else str(Path(given).expanduser())
    return str(data_dir(env, platform, home) / FILE_NAME)


def is_url(location: str) -> bool:
    return "://" in location
