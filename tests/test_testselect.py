"""The gate's pytest plugin (runbook.selection.testselect) follows child processes: which started
processes it can follow, what a followed Python child logs (runbook/childwatch), and what a
test's ``child_reads`` marker declares for the children it cannot follow."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import runpy
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any, cast

import pytest

from runbook.selection import childwatch, store
from runbook.selection.childpth import install_childwatch
from runbook.selection.childwatch import CHILD_ENV, WATCH_ENV, chain, with_pair
from runbook.selection.testselect import (
    OBSERVE_ENV,
    ORDER_ENV,
    SKIP_ENV,
    Controller,
    Gathering,
    Observer,
    SeenTest,
    Watch,
    declared_files,
    judge,
    resolved,
    unfollowed,
)
from support import followed

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
BIN = str(Path(sys.executable).absolute().parent)
WATCH = Watch(root="/r", log="/r/.w/current.log", bin=BIN)
OURS = {"child": with_pair(None, WATCH.root, WATCH.log), "watch": True}
PY = f"{BIN}/python"


def facts(
    found: str, *argv: str, env: dict[str, Any] | None = None, event: str = "subprocess.Popen"
) -> dict[str, Any]:
    return {
        "event": event,
        "path": found,
        "found": found,
        "argv": [found, *argv],
        "env": OURS if env is None else env,
        "by": 42,
    }


@pytest.mark.parametrize(
    ("started", "why"),
    [
        (facts("/usr/bin/git", "status"), ""),
        (facts("/usr/bin/uname", "-p"), ""),  # a pytest-xdist worker's platform.platform()
        (facts(PY, "-c", "pass"), ""),
        (facts(f"{BIN}/python3", "-X", "dev", "-m", "x"), ""),
        (facts(PY, "-I", "-c", "pass"), ""),  # -I still reads site-packages' .pth
        (facts("", "no-such-tool"), ""),  # not found: nothing starts
        (facts(PY, env={"child": "", "watch": True}), "without the gate's"),
        (facts(PY, env={"child": with_pair(None, "/r", "/other.log"), "watch": True}), "without"),
        (facts(PY, env={**OURS, "watch": False}), "without the gate's variables"),
        (facts(PY, "-bS", "x.py"), "-bS: skips site-packages"),
        (facts("/elsewhere/.venv/bin/python", "-c", "pass"), "not a Python of the tests env"),
        (facts("/x/.tools/bin/nox", "-s", "tests"), "nox"),
        (facts("/usr/bin/ruff", "check"), "ruff"),
        (facts("/bin/sh", "-c", "python -c pass", event="os.system"), "sh"),
        ({**facts("", event="os.fork"), "by": WATCH.pid}, "fork"),
        (facts("", event="os.fork"), ""),  # in a followed child: its audit hook goes on logging
    ],
)
def test_which_started_processes_can_be_followed(started: dict[str, Any], why: str) -> None:
    reason = unfollowed(started, WATCH)
    assert (why in reason) if why else reason == "", reason


def test_a_followed_child_must_log_its_start_under_its_parent_or_its_own_pid() -> None:
    assert judge(facts(PY, "-c", "pass"), WATCH) == ("", ("ppid", 42))
    assert judge(facts(PY, "-c", "pass", event="os.exec"), WATCH) == ("", ("pid", 42))


def test_a_console_script_of_the_tests_environment_is_its_python(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tool"
    script.write_text(f"#!{bin_dir}/python\nimport tool\n")
    trampoline = bin_dir / "long"
    trampoline.write_text(f'#!/bin/sh\n\'\'\'exec\' "{bin_dir}/python" "$0" "$@"\n')
    binary = bin_dir / "native"
    binary.write_bytes(b"\x7fELF\x02\x01\x01")
    watch = Watch(root="/r", log="/r/.w/current.log", bin=str(bin_dir))
    assert unfollowed(facts(str(script), "--help"), watch) == ""
    assert unfollowed(facts(str(trampoline)), watch) == ""
    assert "not a Python" in unfollowed(facts(str(binary)), watch)


def test_audit_arguments_become_plain_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PYTHONPATH": "a", CHILD_ENV: "l", "OTHER": "x", "PATH": os.environ["PATH"]}
    popen = childwatch.spawn_facts("subprocess.Popen", (None, ["git", "-c", "x"], None, env))
    assert popen["event"] == "subprocess.Popen"
    assert popen["argv"] == ["git", "-c", "x"]
    assert popen["env"] == {"child": "l", "watch": False}
    assert Path(popen["found"]).name == "git"
    assert popen["by"] == os.getpid()
    monkeypatch.setenv(CHILD_ENV, "inherited")
    system = childwatch.spawn_facts("os.system", ("make help",))
    assert system["found"] == "/bin/sh"
    assert system["env"]["child"] == "inherited"  # inherits this process's environment
    missing = childwatch.spawn_facts("subprocess.Popen", (None, ["no-such-tool-x"], None, None))
    assert missing["found"] == ""


def test_every_kind_of_start_becomes_facts() -> None:
    spawned = childwatch.spawn_facts("os.posix_spawn", ("/bin/true", ["true"], {"PATH": "/x"}))
    assert (spawned["found"], spawned["argv"], spawned["env"]["child"]) == (
        "/bin/true",
        ["true"],
        "",
    )
    assert childwatch.spawn_facts("os.exec", (b"/no/such", (b"x",), {}))["found"] == ""
    assert childwatch.spawn_facts("os.exec", ("/bin", ["d"], {}))["found"] == ""  # a directory
    assert childwatch.spawn_facts("os.spawn", (0, "/bin/true", "true", None))["argv"] == ["true"]
    assert childwatch.spawn_facts("os.spawn", (0, "/bin/true", None, None))["argv"] == []
    assert childwatch.spawn_facts("os.fork", ())["path"] == ""


def test_a_child_logs_its_start_what_it_runs_and_starts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child side, in this process: ``install`` and the audit hook it adds (a child's are
    followed end to end below, in processes coverage does not measure)."""
    log = tmp_path / "child.log"
    pairs = [(str(tmp_path), str(log)), (str(tmp_path / "other"), str(tmp_path / "no/dir.log"))]
    monkeypatch.setattr(childwatch, "_PAIRS", pairs)
    monkeypatch.chdir(tmp_path)
    hooks: list[object] = []
    process = types.SimpleNamespace()
    assert childwatch.install(pairs, hooks.append, process)
    assert not childwatch.install(pairs, hooks.append, process)  # once per process
    assert not childwatch.install([], hooks.append, types.SimpleNamespace())  # nothing to log
    assert hooks == [childwatch._audit]  # pyright: ignore[reportPrivateUsage]
    audit = childwatch._audit  # pyright: ignore[reportPrivateUsage]
    audit("exec", (compile("", str(tmp_path / "m.py"), "exec"),))
    audit("exec", (types.SimpleNamespace(co_filename=1),))  # no file name
    audit("cpython.run_file", (str(tmp_path / "s.py"),))
    audit("exec", (compile("", "<string>", "exec"),))
    audit("exec", (compile("", childwatch._SELF, "exec"),))  # pyright: ignore[reportPrivateUsage]
    audit("exec", (compile("", sys.prefix + "/lib/x.py", "exec"),))  # the environment's
    audit("exec", (compile("", "rel.py", "exec"),))  # relative to the working directory
    audit("os.system", ("true",))
    audit("open", ("f", "r", 0))  # data it reads, relative to the working directory
    audit("open", (str(tmp_path / "f"), None, 0))  # os.open: once is enough
    audit("sqlite3.connect", (str(tmp_path / "db.sqlite"),))
    audit("open", (str(tmp_path / "m.cpython-311.pyc"), "rb", 0))  # bytecode
    audit("open", (3, "r", 0))  # a file descriptor: opened already
    audit("open", (str(log), "a", 0))  # the log itself
    audit("open", (sys.prefix + "/lib/x.txt", "r", 0))  # the environment's
    audit("open", ("/elsewhere/x.txt", "r", 0))  # outside every root
    lines = log.read_text().splitlines()
    assert lines[:4] == [
        f"start {os.getpid()} {os.getppid()}",
        f"run {tmp_path / 'm.py'}",
        f"run {tmp_path / 's.py'}",
        f"run {tmp_path / 'rel.py'}",
    ]
    spawn, *reads = lines[4:]
    assert json.loads(spawn.removeprefix("spawn "))["argv"] == ["/bin/sh", "-c", "true"]
    assert reads == [f"read {tmp_path / 'f'}", f"read {tmp_path / 'db.sqlite'}"]


def test_the_file_runs_without_following_outside_a_child() -> None:
    """What the .pth line runs, run under another name: its definitions, nothing installed
    (the gate's pytest imports the module before coverage starts: this measures its lines)."""
    namespace = runpy.run_path(childwatch.__file__, run_name="not_a_child")
    assert namespace["PTH_LINE"] == childwatch.PTH_LINE


def test_the_variable_chains_root_and_log_pairs_and_ignores_garbage() -> None:
    outer = with_pair(None, "/a", "/a.log")
    nested = with_pair(outer, "/b", "/b.log")
    assert chain(nested) == [("/a", "/a.log"), ("/b", "/b.log")]
    assert chain(with_pair(nested, "/a", "/a.log")) == [("/b", "/b.log"), ("/a", "/a.log")]
    for garbage in ("", "not json", '{"a": 1}', '[["/a"]]', "[[1, 2]]"):
        assert chain(garbage) == []


def test_a_python_child_logs_to_each_pair_its_start_its_files_and_what_it_starts(
    tmp_path: Path,
) -> None:
    outer, inner = tmp_path / "outer.log", tmp_path / "inner.log"
    assert install_childwatch() == ""
    session = os.environ.get(CHILD_ENV)  # the tests gate's own pair, when it runs this test
    pairs = with_pair(with_pair(session, str(ROOT), str(outer)), str(tmp_path), str(inner))
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        CHILD_ENV: pairs,
        WATCH_ENV: childwatch.__file__,
    }
    code = (
        "import runbook.gates.table, subprocess; subprocess.run(['git', '--version'], check=True)"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert proc.returncode == 0
    lines = outer.read_text().splitlines()
    pid, ppid = lines[0].removeprefix("start ").split()
    assert int(ppid) == os.getpid()
    assert int(pid) > 0
    assert f"run {SRC / 'runbook' / 'gates' / 'table.py'}" in lines
    assert not [line for line in lines if line.startswith("run ") and "/.nox/" in line]
    spawned = [json.loads(line[6:]) for line in lines if line.startswith("spawn ")]
    assert [s["argv"] for s in spawned] == [["git", "--version"]]
    assert spawned[0]["by"] == int(pid)
    theirs = inner.read_text().splitlines()
    assert theirs[0] == lines[0]  # the same start, and spawn, in the nested log
    assert not [line for line in theirs if line.startswith("run ")]  # nothing of its root ran


def pyc(source: bytes, code: bytes, path: Path) -> None:
    """A checked hash-based pyc for ``path`` claiming ``source``, holding the code of ``code``."""
    cache = Path(importlib.util.cache_from_source(str(path)))
    cache.parent.mkdir(exist_ok=True)
    flags = (3).to_bytes(4, "little")  # hash-based, checked
    compiled = marshal.dumps(compile(code, str(path), "exec"))
    cache.write_bytes(
        importlib.util.MAGIC_NUMBER + flags + importlib.util.source_hash(source) + compiled
    )


@pytest.mark.parametrize("bytecode", ["none", "current", "stale"])
def test_a_child_runs_the_file_from_its_bytecode_only_when_that_is_the_file_s(
    tmp_path: Path, bytecode: str
) -> None:
    """The .pth line gets the file's code as the import system would: its bytecode when it was
    made from the file's text (the gate writes src/'s), compiled from the text otherwise."""
    assert install_childwatch() == ""
    watch = tmp_path / "childwatch.py"
    text = Path(childwatch.__file__).read_bytes()
    watch.write_bytes(text)
    marked = text + b"\n_log(_PAIRS[-1][1], 'from bytecode')\n"
    if bytecode == "current":  # bytecode of the text (here: marked, to be seen)
        pyc(text, marked, watch)
    elif bytecode == "stale":  # bytecode of another text: never run
        pyc(marked, marked, watch)
    log = tmp_path / "child.log"
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        CHILD_ENV: with_pair(os.environ.get(CHILD_ENV), str(tmp_path), str(log)),
        WATCH_ENV: str(watch),
    }
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    lines = log.read_text().splitlines()
    assert lines[0].startswith("start ")
    assert ("from bytecode" in lines) is (bytecode == "current")


@pytest.mark.child_reads  # the child imports json only, with the gate's variables removed
def test_without_the_variables_a_child_logs_nothing(tmp_path: Path) -> None:
    assert install_childwatch() == ""
    env = {k: v for k, v in os.environ.items() if k not in {CHILD_ENV, WATCH_ENV}}
    subprocess.run([sys.executable, "-c", "import json"], env=env, check=True, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_declaration_names_files_and_a_typo_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "src" / "calc").mkdir(parents=True)
    for name in ("a.py", "b.py"):
        (tmp_path / "src" / "calc" / name).write_text("")
    assert declared_files(tmp_path, ["src/calc/*.py"]) == ({"src/calc/a.py", "src/calc/b.py"}, "")
    assert declared_files(tmp_path, []) == (set(), "")
    assert "matches no file" in declared_files(tmp_path, ["src/clac/*.py"])[1]
    assert "relative to the project root" in declared_files(tmp_path, [str(tmp_path)])[1]
    assert "relative to the project root" in declared_files(tmp_path, [3])[1]


# --- the plugin in a pytest session of its own, on a small project ------------------------------

PROJECT = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        markers = ["child_reads(*globs): declared"]
        """,
    "src/calc/__init__.py": "",
    "src/calc/core.py": "def double(x):\n    return 2 * x\n",
    "src/calc/api.py": "from calc.core import double\n",
    "tests/test_kids.py": """\
        import os
        import subprocess
        import sys

        import pytest

        COPIED = dict(os.environ)  # at import time, before any test
        IMPORT = [sys.executable, "-c", "import calc.core"]


        def test_shell_undeclared():
            subprocess.run(["sh", "-c", "true"], check=True)


        @pytest.mark.child_reads("src/calc/api.py")
        def test_shell_declared():
            subprocess.run(["sh", "-c", "true"], check=True)


        def test_python_followed():
            subprocess.run(IMPORT, check=True, env={**COPIED, "PYTHONPATH": "src"})


        @pytest.mark.child_reads("src/calc/api.py")
        def test_python_ran_an_undeclared_file():
            subprocess.run(IMPORT, check=True, env={**os.environ, "PYTHONPATH": "src"})


        def test_python_without_the_variables():
            env = {"PATH": os.environ["PATH"], "PYTHONPATH": "src"}
            subprocess.run(IMPORT, check=True, env=env)


        def test_imports_lazily():
            import colorsys  # not the project's: alone, it would not count
            import calc.api  # the project's, first imported by this test

            assert colorsys and calc.api


        def test_no_child():
            assert True
        """,
    "tests/test_a_short_one.py": "def test_short():\n    assert True\n",
}


PLUGIN = (
    "src/runbook/__init__.py",
    "src/runbook/selection/__init__.py",
    "src/runbook/selection/childwatch.py",
    "src/runbook/selection/testselect.py",
    "src/runbook/selection/handoff.py",  # the variables the gate hands it
    "src/runbook/gates/__init__.py",
    "src/runbook/gates/shards.py",  # the split, imported at collection
    "src/runbook/records/__init__.py",
    "src/runbook/records/atomic.py",  # how it writes what it saw
)


# The session's children include, on purpose, some that cannot be followed.
@pytest.mark.child_reads(*PLUGIN)
def test_the_plugin_follows_declares_and_checks_declarations(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    work = tmp_path / "work"
    work.mkdir()
    (work / "skip.json").write_text("[]")
    # The longer module (by the recorded seconds) runs first, though collected last.
    (work / "order.json").write_text(json.dumps({"tests/test_kids.py::test_no_child": 5}))
    assert install_childwatch() == ""
    env = followed(
        {
            **{k: v for k, v in os.environ.items() if not k.startswith(("COV", "RUNBOOK_"))},
            SKIP_ENV: str(work / "skip.json"),
            ORDER_ENV: str(work / "order.json"),
            OBSERVE_ENV: str(work / "observed.json"),
            WATCH_ENV: childwatch.__file__,
            "PYTHONPATH": str(SRC),
        }
    )
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "runbook.selection.testselect",
        "--runbook-children",
    ]
    proc = subprocess.run(
        [*argv, "-p", "no:cacheprovider", "-p", "no:anyio", "-p", "no:platformdirs"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    seen = json.loads((work / "observed.json").read_text())["tests"]
    assert [nodeid.split("::")[1] for nodeid in seen] == [  # in the order they ran
        "test_shell_undeclared",
        "test_shell_declared",
        "test_python_followed",
        "test_python_ran_an_undeclared_file",
        "test_python_without_the_variables",
        "test_imports_lazily",
        "test_no_child",
        "test_short",
    ]
    kids = {nodeid.split("::")[1]: test for nodeid, test in seen.items()}
    assert kids["test_shell_undeclared"]["spawns"] is True
    assert "sh (" in kids["test_shell_undeclared"]["unfollowed"][0]
    declared = kids["test_shell_declared"]
    assert (declared["spawns"], declared["declared"]) == (False, ["src/calc/api.py"])
    assert declared["child_files"] == [str(root / "src/calc/api.py")]
    followed_ = kids["test_python_followed"]
    assert (followed_["spawns"], followed_["unfollowed"]) == (False, [])
    assert str(root / "src/calc/core.py") in followed_["child_files"]
    assert kids["test_python_without_the_variables"]["spawns"] is True
    assert kids["test_no_child"] == {
        **kids["test_no_child"],
        "spawns": False,
        "child_files": [],
        "lazy_imports": False,
    }
    assert kids["test_imports_lazily"]["lazy_imports"] is True
    assert kids["test_python_ran_an_undeclared_file"]["ok"] is False
    assert "ERROR at teardown of test_python_ran_an_undeclared_file" in proc.stdout
    undeclared = "ran src/calc/__init__.py, src/calc/core.py, which its child_reads marker"
    assert undeclared in proc.stdout
    assert "8 passed, 1 error" in proc.stdout  # the error: the teardown of the undeclared run
    assert "test_shell_undeclared (always runs): sh (" in proc.stdout


@pytest.mark.parametrize("record", ['{"event": "subprocess.Popen", "pa', '{"event": 1}', "[]"])
def test_an_unreadable_spawn_record_makes_the_test_always_run(tmp_path: Path, record: str) -> None:
    """A child killed while it wrote, or a record of another format: never a followed child."""
    observer = Observer(src=SRC, root=tmp_path, skip=frozenset(), out=tmp_path / "observed.json")
    log = Path(observer.watch.log)
    log.parent.mkdir(parents=True)
    log.write_text(f"start 1 2\nspawn {record}\n")
    seen = SeenTest()
    assert observer.check_children(seen) == ""
    assert seen.unfollowed == ["a child's spawn record is unreadable"]


def _hook(observer: Observer, path: str) -> None:
    """Where the audit hook calls ``opened`` from: the opener is two frames up."""
    observer.opened(path)


def _through(filename: str) -> Any:
    """A function whose code says it is in ``filename`` that opens through ``_hook``."""
    namespace: dict[str, Any] = {"hook": _hook}
    source = "def call(observer, path):\n    hook(observer, path)\n"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (a frame of another file)
    return namespace["call"]


def test_a_file_opened_counts_for_the_test_unless_the_import_system_or_pytest_opened_it(
    tmp_path: Path,
) -> None:
    """The import system opens code to import it (not data), and data for ``pkgutil.get_data``
    (a loader's ``get_data``: data); pytest's own reads are never the test's."""
    observer = Observer(src=SRC, root=ROOT, skip=frozenset(), out=tmp_path / "observed.json")
    observer.current = "t"
    observer.tests["t"] = SeenTest()
    data, module = str(ROOT / "docs" / "ops" / "RUNBOOK.md"), str(SRC / "runbook" / "cli.py")
    importing = _through("<frozen importlib._bootstrap_external>")
    importing(observer, module)  # an import
    importing(observer, data)  # pkgutil.get_data
    _through(f"{os.sep}lib{os.sep}_pytest{os.sep}python.py")(observer, str(ROOT / "README.md"))
    _hook(observer, str(SRC / "runbook" / "__pycache__" / "cli.cpython-311.pyc"))  # bytecode
    _hook(observer, "/elsewhere/data.json")  # outside the root
    _hook(observer, str(ROOT / ".nox" / "tests" / "pyvenv.cfg"))  # the store keeps only inputs
    assert observer.tests["t"].read == [data, str(ROOT / ".nox" / "tests" / "pyvenv.cfg")]
    observer.current = None
    _hook(observer, module)  # outside any test (collection): the whole suite depends on it
    assert observer.collection_reads == [module]


def test_a_file_read_through_a_symbolic_link_counts_as_the_link_and_its_target(
    tmp_path: Path,
) -> None:
    """The link's own digest is its target's name (a retarget changes it), the target's is the
    content (an edit changes it): the reader depends on both."""
    root = tmp_path.resolve()
    (root / "data").mkdir()
    (root / "data" / "table.json").write_text("{}")
    (root / "link.json").symlink_to("data/table.json")
    inputs = {"data/table.json": "t", "link.json": "l"}
    opened = [str(root / "link.json"), "/elsewhere/x.json", str(root / "ignored.txt")]
    assert store.read_files(root, opened, inputs) == ("data/table.json", "link.json")


def test_a_module_file_is_resolved_as_pathlib_resolves_it(tmp_path: Path) -> None:
    """``resolved`` resolves each folder once; a file that is a link, a relative path and a
    name that is no file's are resolved whole: always what ``Path.resolve`` gives."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "m.py").write_text("")
    (real / "target.py").write_text("")
    (tmp_path / "linked").symlink_to(real)  # a folder reached through a link
    (real / "link.py").symlink_to(real / "target.py")  # a file that is itself a link
    names = [
        str(real / "m.py"),
        str(tmp_path / "linked" / "m.py"),
        str(tmp_path / "linked" / "link.py"),
        str(real / "link.py"),
        str(real / "missing.py"),
        str(tmp_path / "linked" / ".."),
        os.path.relpath(real / "m.py"),  # a relative name, as a module's __file__ can be
    ]
    for _ in range(2):  # the second time from the folders already resolved
        assert [resolved(name) for name in names] == [Path(name).resolve() for name in names]
    assert resolved(str(tmp_path / "linked" / "link.py")) == real / "target.py"


class FakeWorker:
    """What pytest-xdist's scheduler asks of a worker: the tests it is sent, in order."""

    def __init__(self, name: str) -> None:
        self.gateway = types.SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[int] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


class FakeConfig:
    """What pytest-xdist's file scheduler reads of the configuration: two workers."""

    def __init__(self, dist: str) -> None:
        self.dist = dist
        self.option = types.SimpleNamespace(loadscopereorder=False)

    def getoption(self, name: str) -> str:
        return {"dist": self.dist}[name]

    def getvalue(self, name: str) -> list[str]:
        return {"tx": ["2*popen"]}[name]


def run_on_two_workers(scheduler: Any, collection: list[str]) -> dict[str, list[str]]:
    """What each of two workers ran, as ``scheduler`` handed the tests out, each worker
    finishing one test in turn."""
    workers = [FakeWorker("gw0"), FakeWorker("gw1")]
    for worker in workers:
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, collection)
    scheduler.schedule()
    ran: dict[str, list[str]] = {"gw0": [], "gw1": []}
    while any(worker.sent for worker in workers):
        for worker in workers:
            if worker.sent:
                index = worker.sent.pop(0)
                ran[worker.gateway.id].append(collection[index])
                scheduler.mark_test_complete(worker, index)
    assert sorted(ran["gw0"] + ran["gw1"]) == sorted(collection)  # each test once
    return ran


def test_the_controller_hands_each_together_group_to_one_worker_as_one_unit() -> None:
    """pytest-xdist's file scheduler, with [tool.runbook] together's groups (handed over in
    ``TOGETHER_ENV``) as units: a group's files all go to the worker that takes it, in
    collection order (pytest-xdist's own scheduler gives b and d to the two workers here).
    Without groups, or for another ``--dist``, pytest-xdist chooses its own."""
    from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415

    collection = [
        "tests/test_a.py::t1",
        "tests/test_b.py::t1",
        "tests/test_d.py::t1",
        "tests/test_d.py::t2",
        "tests/test_c.py::t1",
        "tests/test_e.py::t1",
    ]
    config = cast(pytest.Config, FakeConfig("loadfile"))
    together = [["tests/test_b.py", "tests/test_d.py"]]
    grouped = collection[1:4]

    def holding(ran: dict[str, list[str]]) -> list[list[str]]:
        return [
            [n for n in tests if n in grouped]
            for tests in ran.values()
            if set(grouped) & set(tests)
        ]

    gathering = Gathering(out=Path("unused"))
    ours = Controller(gathering, together).pytest_xdist_make_scheduler(config, None)
    assert holding(run_on_two_workers(ours, collection)) == [grouped]
    plain = run_on_two_workers(LoadFileScheduling(config), collection)
    assert len(holding(plain)) == 2
    for dist, groups in (("loadfile", []), ("load", together)):
        other = cast(pytest.Config, FakeConfig(dist))
        assert Controller(gathering, groups).pytest_xdist_make_scheduler(other, None) is None
