"""Many CLI runs in one process: avledger's main() once per command line read from stdin (a JSON list of
arguments a line), each answered on stdout with a JSON line ``[exit status, stdout, stderr]``.

As many ``avledger`` processes would, but without a Python start-up each: main() chooses the language
again before every parse, and every run opens and closes its own services.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys

from avledger.cli import main


def run(args: list[str]) -> list:
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["avledger", *args]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return [code, out.getvalue(), err.getvalue()]


def serve() -> None:
    answers = sys.stdout
    for line in sys.stdin:
        answers.write(json.dumps(run(json.loads(line))) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
