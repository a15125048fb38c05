"""Peak memory of `mutasi import` as the roster grows: bounded caches should make it level off.

    python -m bench.import_memory 50000 150000 400000

For each size, a generated register is written to CSV and imported into a fresh schema by
`mutasi import` as its own process; its peak RSS comes from wait4. Target (issue 7): < 500 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from application.roster.files import write_roster
from application.roster.generate import RegisterGenerator
from bench.common import child_env, fresh_store, run_measuring_rss, save_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("employees", type=int, nargs="+")
    args = parser.parse_args()
    figures = []
    for employees in args.employees:
        with fresh_store("rss") as settings, tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "roster.csv"
            write_roster(RegisterGenerator("national", 1, employees=employees).rows(), path)
            command = [sys.executable, "-m", "api.cli.main", "import", str(path), "--no-progress"]
            run = run_measuring_rss(command, child_env(settings))
            figures.append(
                {
                    "employees": employees,
                    "status": run.status,
                    "peak_rss_mb": round(run.peak_rss_mb, 1),
                    "tree_peak_pss_mb": round(run.tree_peak_pss_mb, 1),
                    "seconds": round(run.seconds, 1),
                }
            )
            print(figures[-1], flush=True)
    save_result("import_memory", {"imports": figures, "target_peak_rss_mb": 500})


if __name__ == "__main__":
    main()
