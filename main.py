"""Start bodymap: `python main.py` (see README.md; `make run` sets up ./.venv first)."""

import sys

from bodymap.cli import main

if __name__ == "__main__":
    sys.exit(main())
