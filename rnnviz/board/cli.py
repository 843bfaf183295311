"""The ``board`` subcommand of ``python -m rnnviz``: a class's posted runs, from the board's database.

    python -m rnnviz board --class KQWMTX --json     # {"class": ..., "runs": [...], "groups": [...]}
    python -m rnnviz board --class KQWMTX --csv      # one row per run
    python -m rnnviz board --class KQWMTX            # a short table

It reads the same database as the app (RNNVIZ_DATABASE_URL, or the default SQLite file; ``--database URL``
overrides both). A class code that does not exist: one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import sys


def add_commands(sub) -> None:
    p = sub.add_parser("board", help="a class's runs from the class board: nickname, settings, seed, steps, solved, scores")
    p.add_argument("--class", dest="code", required=True, metavar="CODE", help="the class code (six letters)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--csv", action="store_true", help="print the runs as CSV (the page's export)")
    p.add_argument(
        "--database", default=None, metavar="URL", help="the database (default: RNNVIZ_DATABASE_URL or the SQLite file)"
    )


def run_command(a) -> int:
    from .store import Store
    from .summary import csv_text, group_rows, groups, rows

    st = Store(a.database)
    try:
        info = st.class_info(a.code)  # UnknownClass (a ConfigError): one line, exit 2
        runs = st.runs(info.code)
    finally:
        st.close()
    if a.json:
        print(
            json.dumps(
                {
                    "class": {
                        "code": info.code,
                        "state": info.state(),
                        "created_at": info.created_at,
                        "expires_at": info.expires_at,
                        "students": info.students,
                    },
                    "runs": rows(runs),
                    "groups": group_rows(groups(runs)),
                },
                allow_nan=False,
            )
        )
    elif a.csv:
        sys.stdout.write(csv_text(runs))
    else:
        print(f"class {info.code} ({info.state()}): {info.students} students, {len(runs)} runs")
        for g in groups(runs):
            print(f"  {g.task} T={g.seq_len} {g.arch:>14s}: solved {g.solved}/{g.runs}, steps to solve {g.spread()}")
    return 0
