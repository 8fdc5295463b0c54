"""One typst run in a process of its own: ``python -m avledger.typstrun ROOT FONT_DIR``.

typst keeps every layout it made (its memoised work) for the life of the
process, about 0.2 MB for each row of a register's table, and the Python
binding offers no way to let go of it: a TUI that printed a year's ledger
would keep a gigabyte to the end. So each run happens in a child process,
whose memory goes back to the system when it exits.

The child imports typst and lays out a line in the fonts (ROOT's
``avledger-warm-up.typ``, when there) as soon as it starts: the parent starts
the next one while it prepares the rows for it. Then it reads one job as JSON
on stdin:
``main`` (a template in ROOT), ``data`` (the JSON text handed to the
template as ``sys.inputs.data``), ``out`` (where the PDF goes), ``tags`` (a
tagged PDF) and ``query`` (a label whose metadata value the template may
leave, returned as ``found``). It writes the PDF and prints one line of
JSON: ``{"found": value}``, or ``{"error": text}`` when typst refused the
template. Only the standard library and typst are imported.
"""

from __future__ import annotations

import json
import os
import sys

WARM = "avledger-warm-up.typ"  # a line in the fonts, laid out before the job comes (see main)


def main(argv: list[str]) -> int:
    from pathlib import Path

    import typst

    root, font_dir = argv
    compiler = typst.Compiler(root=root, font_paths=[font_dir], ignore_system_fonts=True, sys_inputs={"data": "{}"})
    warm = Path(root) / WARM
    if warm.is_file():  # the fonts read and parsed while the parent still prepares the job
        try:
            compiler.compile(input=str(warm), pdf_tags=False)
        except typst.TypstError:
            pass
    job = json.loads(sys.stdin.buffer.read())
    try:
        pdf = compiler.compile(input=job["main"], sys_inputs={"data": job["data"]}, pdf_tags=job.get("tags", True))
        found = None
        if job.get("query"):  # (of the document just compiled: memoised, no second layout)
            hits = json.loads(compiler.query(job["query"], field="value"))
            found = hits[-1] if hits else None
    except typst.TypstError as exc:
        print(json.dumps({"error": str(exc).strip()}, ensure_ascii=False))
        return 0
    with open(job["out"], "wb") as fh:
        fh.write(pdf)
    print(json.dumps({"found": found}))
    return 0


def run(argv: list[str]) -> None:
    """One job, then leave: also the frozen program's way in (``avledger --avledger-typst-run ROOT FONT_DIR``,
    see :mod:`avledger.frozen`)."""
    status = main(argv)
    sys.stdout.flush()
    # the answer is out: leave without handing typst's memoised layouts back piece by piece (tens of
    # milliseconds a run, which a register printed in parts waits for)
    os._exit(status)


if __name__ == "__main__":
    run(sys.argv[1:])
