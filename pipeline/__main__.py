"""`python -m pipeline …` (the same as the `hubscope` console script)."""

import sys

from pipeline.cli import main

if __name__ == "__main__":  # guarded: the SQL box's forkserver children re-import the main module
    sys.exit(main())
