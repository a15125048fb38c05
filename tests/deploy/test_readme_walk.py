"""The README's "First run, step by step", line by line, in a fresh directory: each command as written
(read from the README itself), run in order; the test fails at the first one that fails.

Mapped for the test only: `.venv/bin/mutasi` is this environment's `mutasi`, and the service listens on a
free port (`MUTASI_PORT`; the demo is told with `--base-url`) instead of 8000, which may be taken here."""

from __future__ import annotations

import shlex

from tests.deploy.support import BIN, ROOT, Running, clean_environment, free_port, run, wait_until_ready

HEADING = "### First run, step by step"


def readme_walk() -> list[str]:
    """The command lines of the first ```sh block after HEADING."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in text, f"README has no section {HEADING!r}"
    block = text.split(HEADING, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_walk_works_on_a_fresh_directory(tmp_path) -> None:
    lines = readme_walk()
    words = [shlex.split(line, comments=True) for line in lines]
    assert [w[1] for w in words] == ["serve", "demo", "generate", "import", "projections", "audit", "audit"]
    port = free_port()
    env = clean_environment({"MUTASI_PORT": str(port)})
    service = None
    try:
        for line, argv in zip(lines, words, strict=True):
            assert argv[0] == ".venv/bin/mutasi", line
            argv = [str(BIN / "mutasi"), *argv[1:]]
            if argv[-1] == "&":  # the service, in the background
                service = Running(argv[:-1], env, tmp_path)
                wait_until_ready(f"http://127.0.0.1:{port}/health/ready", service, timeout=90)
                continue
            if argv[1] == "demo":
                argv += ["--base-url", f"http://127.0.0.1:{port}"]
            done = run(argv, env, tmp_path, timeout=300)
            assert done.returncode == 0, f"README line failed ({done.returncode}): {line}\n{done.stdout}\n{done.stderr}"
        assert "event store: OK" in done.stdout
    finally:
        if service is not None:
            service.stop()
            service.kill()
