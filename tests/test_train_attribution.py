"""The training script's time limit stops its ``spacy train`` child, even one that
ignores SIGINT as a child started in the background does."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))
from train_attribution import run_limited  # noqa: E402

DEAF = "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(60)"


def test_a_child_that_ignores_sigint_is_terminated_past_the_limit() -> None:
    started = time.monotonic()
    run_limited([sys.executable, "-c", DEAF], dict(os.environ), max_minutes=0.02, grace=1.0)
    assert time.monotonic() - started < 20


def test_a_child_that_finishes_in_time_is_left_to_finish(tmp_path: Path) -> None:
    done = tmp_path / "done"
    command = [sys.executable, "-c", f"open({str(done)!r}, 'w').write('yes')"]
    run_limited(command, dict(os.environ), max_minutes=1.0)
    assert done.read_text() == "yes"
