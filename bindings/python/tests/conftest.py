"""The tests run against the installed wheel, never against the source folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent

# `pytest --import-mode=importlib` keeps the source folder off sys.path; make sure of it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != SOURCE]

import imedit  # noqa: E402

if Path(imedit.__file__).resolve().parent.parent == SOURCE and not os.environ.get("IMEDIT_ALLOW_SOURCE"):
    raise RuntimeError(f"imedit was imported from the source tree ({imedit.__file__}), not from the installed wheel")
