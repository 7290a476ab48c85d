"""The ``ctnode`` command's exit (``ctnode.cli.main.run``): what Python's exit does that
anyone can see (threads waited for, ``atexit`` functions, standard output flushed, the exit
status), without taking every loaded module apart (0.15-0.3 s of CPU a command). Real
processes, as a shell runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from ctnode import __version__


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONUNBUFFERED": ""})


RUN = """
    import atexit, sys, threading, time
    from ctnode.cli.main import run

    class Torn:
        def __del__(self):
            print("torn down", flush=True)

    KEPT = Torn()  # a module global: freed when Python takes the modules apart

    def late():
        time.sleep(0.3)
        print("thread done", flush=True)

    threading.Thread(target=late).start()  # not a daemon: the exit waits for it
    atexit.register(lambda: print("atexit ran", flush=True))
    sys.argv = ["ctnode", *sys.argv[1:]]
    run()
    print("never here")
"""


def test_the_exit_waits_for_threads_runs_atexit_and_flushes() -> None:
    done = _python(RUN, "--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # the command's own output (buffered: stdout is a pipe) reaches the pipe, then the
    # threads are waited for and atexit's functions run, in Python's order
    assert lines[0].startswith(f"ctnode {__version__}")
    assert lines[1:] == ["thread done", "atexit ran"]
    # and the modules are not taken apart: the global's finaliser never runs
    assert "torn down" not in done.stdout


def test_a_plain_python_exit_would_take_them_apart() -> None:
    """The check above can fail: the same script ending with Python's own exit runs the
    global's finaliser."""
    done = _python(RUN.replace("run()", "sys.exit(0)"))
    assert done.stdout.splitlines() == ["thread done", "atexit ran", "torn down"]


def test_the_exit_status_is_the_commands() -> None:
    done = _python(RUN, "no-such-command")
    assert done.returncode == 2  # click's usage error
    assert "No such command" in done.stderr
    assert done.stdout.splitlines() == ["thread done", "atexit ran"]


def test_python_dash_m_uses_the_same_exit() -> None:
    done = _python("""
        import runpy, sys

        class Torn:
            def __del__(self):
                print("torn down", flush=True)

        KEPT = Torn()
        sys.argv = ["ctnode", "--version"]
        runpy.run_module("ctnode.cli", run_name="__main__")  # python -m ctnode.cli
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0]]
    assert done.stdout.startswith(f"ctnode {__version__}")


COLLECTOR = """
    import atexit, gc, json, sys
    from ctnode.cli.main import run

    seen = {}
    import importlib
    real_module = importlib.import_module

    def watch_module(name, *args, **kwargs):  # the collector's state as the command's module loads
        if name == "ctnode.cli.index":
            seen.setdefault("enabled_while_loading", gc.isenabled())
        return real_module(name, *args, **kwargs)

    importlib.import_module = watch_module
    atexit.register(lambda: print(json.dumps({**seen, "frozen": gc.get_freeze_count(),
                                              "enabled_after": gc.isenabled(),
                                              "loaded": "ctnode.cli.index" in sys.modules}),
                                  flush=True))
    sys.argv = ["ctnode", *sys.argv[1:]]
    run()
"""


def test_a_commands_module_loads_out_of_the_collectors_view() -> None:
    """``ctnode`` imports a command's module with the cyclic collector off, then moves what
    the import made out of its view (frozen) and runs the command with it on again."""
    before = _python("import gc, json; print(json.dumps(gc.get_freeze_count()))")
    assert json.loads(before.stdout) == 0  # nothing is frozen in a plain Python
    done = _python(COLLECTOR, "index", "--help")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["loaded"]
    assert report["enabled_while_loading"] is False
    assert report["frozen"] > 10_000  # the modules' objects
    assert report["enabled_after"] is True


def test_in_a_test_process_the_collector_is_left_alone() -> None:
    """Only the console command freezes: a process running many commands (``CliRunner``)
    keeps collecting what each leaves behind."""
    done = _python("""
        import gc, json
        from typer.testing import CliRunner
        from ctnode.cli.main import app
        r = CliRunner().invoke(app, ["index", "--help"])
        print(json.dumps([r.exit_code, gc.get_freeze_count(), gc.isenabled()]))
    """)
    assert json.loads(done.stdout.splitlines()[-1]) == [0, 0, True], done.stderr
