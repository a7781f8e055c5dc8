import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile  # noqa: E402

# Tests never touch the user's cache: derived geometry goes to a folder of this run.
os.environ.setdefault("BODYMAP_CACHE_DIR", tempfile.mkdtemp(prefix="bodymap-test-cache-"))
