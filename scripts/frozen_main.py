"""The frozen program's entry point (scripts/bundle hands it to PyInstaller as ``avledger``).

``avledger ARGS`` is the CLI (and the TUI without arguments), as in a checkout. A typst run in a child
process (avledger.typstrun) is this same program started with avledger.frozen.TYPST_RUN first.
"""

from __future__ import annotations

import sys

from avledger.frozen import TYPST_RUN

if len(sys.argv) > 1 and sys.argv[1] == TYPST_RUN:
    from avledger.typstrun import run

    run(sys.argv[2:])

from avledger.cli import main  # noqa: E402 - only when this is not a typst run

main()
