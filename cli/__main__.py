"""Run the command line as ``python -m helping_process.cli``."""

from __future__ import annotations

from ._app import main

if __name__ == "__main__":
    main(prog_name="helping-process")
