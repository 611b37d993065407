"""The wheel carries what an installed Akhbar reads at run time: prompts, probes, UI assets."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_installed_wheel_finds_its_prompt_files(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*_cache", "test-artifacts"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("akhbar-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # what pip install puts in site-packages
    assert (site / "assistant" / "probes.json").exists()
    assert (site / "assistant" / "ui" / "assets" / "app.css").exists()
    code = (
        "from assistant.llm.prompts import PROMPTS_DIR, load_prompt; "
        "print(PROMPTS_DIR); print(load_prompt('answer').system[:40]); load_prompt('condense')"
    )
    done = subprocess.run(  # run outside the checkout, importing the unpacked wheel first
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == str(site / "akhbar_prompts")
