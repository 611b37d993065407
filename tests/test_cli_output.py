"""What `akhbar` prints on a terminal, through real `akhbar` processes: archive fields escaped,
quiet exits into a closed pipe, no store folder made by a failed `index`, config types."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from helpers import AKHBAR, write_jsonl
from ui_server import clean_env

from assistant.config import load_settings
from assistant.errors import ConfigError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a Unix tool killed by it reports (assistant.cli)

EVIL_ID = "evil-1\nwarning: the store is damaged; run akhbar index --prune"
EVIL = {
    "id": EVIL_ID,
    "title": "\x1b[2J\x1b[31mمهرجان التمور\x1b[0m",
    "date": "2021-02-10",
    "source": "Evil\rOut\u2028let",
    "url": "https://example.org/evil\x07",
    "text": "اختتم مهرجان التمور السنوي في مدينة بريدة أعماله بمشاركة واسعة من المزارعين. "
    "وقال المنظمون إن المهرجان شهد بيع كميات قياسية من تمور السكري \x1b]0;pwned\x07 هذا العام.",
}
QUESTION = "ماذا حدث في مهرجان التمور في بريدة؟"
# Long enough (about 240 KB of UTF-8) to fill a pipe whose reader has gone.
LONG = {
    "id": "long-1", "title": "تقرير طويل", "date": "2021-03-01", "source": "Long Outlet",
    "url": "",
    "text": " ".join(f"وقال التقرير في فقرته رقم {i} إن مشروع الطاقة الشمسية يتقدم." for i in
                     range(2500)),
}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`akhbar ARGS`, its output decoded as is (text=True would turn a \r into a newline)."""
    done = subprocess.run([AKHBAR, *args], capture_output=True, timeout=300,
                          env=clean_env(env or {}))
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def piped(command: str, reader: str, cwd: Path) -> tuple[int, str]:
    """`akhbar COMMAND | reader` through a real shell: akhbar's exit status and its stderr."""
    script = f"{shlex.quote(AKHBAR)} {command} 2>stderr.txt | {reader} >/dev/null; " \
             "echo ${PIPESTATUS[0]}"
    status = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                            timeout=300, cwd=cwd, env=clean_env()).stdout.strip()
    return int(status), (cwd / "stderr.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli-out")
    archive = write_jsonl(home / "evil.jsonl", [EVIL, LONG])
    indexed = run("index", str(archive), "--store", str(home / "store"), "--quiet")
    assert indexed.returncode == 0, indexed.stderr
    return home / "store"


def test_printable_escapes_control_characters() -> None:
    from assistant.cli import printable

    assert printable("a\nb\rc\td\x1b[0m\x07\x85\u2028") == \
        "a\\nb\\rc\\td\\x1b[0m\\x07\\x85\\u2028"
    assert printable("سطر\nسطر\tثان\x1b[2J", multiline=True) == "سطر\nسطر\tثان\\x1b[2J"
    assert printable("عادي · plain «quote»") == "عادي · plain «quote»"


@pytest.mark.slow
def test_search_prints_archive_fields_escaped(store: Path) -> None:
    out = run("search", QUESTION, "--store", str(store))
    assert out.returncode == 0, out.stderr
    assert "evil-1\\nwarning: the store is damaged" in out.stdout
    assert not any(line.startswith("warning:") for line in out.stdout.splitlines())
    assert "\x1b" not in out.stdout and "\r" not in out.stdout and "\x07" not in out.stdout
    assert "\\x1b[2J\\x1b[31mمهرجان التمور" in out.stdout and "Evil\\rOut\\u2028let" in out.stdout


@pytest.mark.slow
def test_ask_and_show_print_archive_fields_escaped(store: Path) -> None:
    asked = run("ask", QUESTION, "--store", str(store))
    assert asked.returncode == 0, asked.stderr
    assert "\x1b" not in asked.stdout and "\x07" not in asked.stdout
    assert "akhbar show evil-1\\nwarning: the store is damaged" in asked.stdout
    assert not any(line.startswith("warning:") for line in asked.stdout.splitlines())
    shown = run("show", EVIL_ID, "--store", str(store), "--span", "6:19")
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "id: evil-1\\nwarning: the store is damaged" in shown.stdout
    assert "\\x1b]0;pwned\\x07" in shown.stdout  # in the text too
    assert "⟦مهرجان التمور⟧" in shown.stdout  # the span still marks the same words
    stats = run("stats", "--store", str(store))
    assert "Evil\\rOut\\u2028let (1)" in stats.stdout and "\r" not in stats.stdout
    # --json stays exact: JSON escapes control characters itself
    assert json.loads(run("show", EVIL_ID, "--store", str(store), "--json").stdout)["id"] \
        == EVIL_ID


@pytest.mark.slow
@pytest.mark.parametrize("command, reader", [
    ("show long-1 --store STORE", "head -1"),
    ("ask 'مشروع الطاقة الشمسية' --store STORE", "head -n 0"),
    ("search 'مشروع الطاقة الشمسية' --store STORE", "head -n 0"),
], ids=["show|head-1", "ask|head-0", "search|head-0"])
def test_a_closed_pipe_ends_quietly(store: Path, command: str, reader: str) -> None:
    status, stderr = piped(command.replace("STORE", shlex.quote(str(store))), reader,
                           cwd=store.parent)
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert status == EXIT_BROKEN_PIPE, stderr


@pytest.mark.slow
def test_a_failed_index_makes_no_store_folder(tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = run("index", str(tmp_path / "nonexistent"), "--store", str(store))
    assert out.returncode == 1
    assert f"akhbar: error: {tmp_path / 'nonexistent'}: no such file or folder" in out.stderr
    assert not store.exists()
    archive = write_jsonl(tmp_path / "a.jsonl", [LONG])
    out = run("index", str(archive), "--encoding", "klingon", "--store", str(store))
    assert out.returncode == 1 and "klingon" in out.stderr
    assert not store.exists()


# --- the TOML config: each setting of its own type, errors naming file and setting ---

def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "akhbar.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("line, message", [
    ('k = "5"', "setting 'k' must be an integer, not a string ('5')"),
    ("store = 5", "setting 'store' must be a string, not an integer (5)"),
    ('model = ["a", "b"]', "setting 'model' must be a string, not a list (['a', 'b'])"),
    ("llm_timeout = true", "setting 'llm_timeout' must be a number, not a boolean (True)"),
])
def test_config_values_of_the_wrong_type_are_named(
    tmp_path: Path, line: str, message: str,
) -> None:
    path = write_config(tmp_path, f"[akhbar]\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_settings({}, environ={}, config_file=path)
    assert str(err.value) == f"{path}: {message}"


def test_config_file_problems_are_named(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'akhbar = "store"\n')
    with pytest.raises(ConfigError, match=r"'akhbar' must be a table \(\[akhbar\]\), not a str"):
        load_settings({}, environ={}, config_file=path)
    path = write_config(tmp_path, "[akhbar\nk = 5\n")
    with pytest.raises(ConfigError, match=rf"^{path}: not valid TOML: "):
        load_settings({}, environ={}, config_file=path)
    good = write_config(tmp_path, "[akhbar]\nk = 7\nllm_timeout = 30\n")
    settings = load_settings({}, environ={}, config_file=good)
    assert (settings.k, settings.llm_timeout) == (7, 30)


@pytest.mark.slow
def test_a_missing_config_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    out = run("stats", "--store", str(tmp_path / "store"), env={"AKHBAR_CONFIG": str(missing)})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert f"akhbar: error: cannot read the config file {missing}: No such file" in out.stderr


def test_a_bug_shows_its_traceback_and_says_it_is_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    """Only domain errors become one-line messages; anything else is a bug, shown as one."""
    from assistant import cli

    def broken(args: object, settings: object) -> int:
        return {}["missing"]  # a KeyError deep in the code, not the user's doing

    monkeypatch.setattr(cli, "_stats", broken)
    assert cli.main(["stats", "--store", str(tmp_path)]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "KeyError: 'missing'" in err
    assert "this is a bug in Akhbar" in err and "akhbar: error:" not in err


def test_a_filter_error_is_one_line_naming_the_flag(store: Path) -> None:
    done = run("search", "x", "--store", str(store), "--since", "2021-03-01",
               "--until", "2021-02-01")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == ("akhbar: error: --since 2021-03-01 is after --until 2021-02-01: no "
                           "day is in between\n")
    done = run("search", "x", "--store", str(store), "--since", "yesterday")
    assert done.stderr == "akhbar: error: --since expects a date as YYYY-MM-DD, got 'yesterday'\n"
