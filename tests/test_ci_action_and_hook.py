"""The composite action (action.yml), the pre-commit hook and the pins docs/ci.md shows.

The action's scripts are run with bash against a fake runner: its ``${{ }}`` expressions
replaced as GitHub would, a ``python3`` that makes a stand-in virtual environment, and
folder names with spaces in them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, write
from icmap import __version__
from icmap.loader import surveys
from icmap.loader.discover import ORG_SUFFIXES

ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CI_DOC = ROOT / "docs" / "ci.md"


def _steps() -> list[dict[str, Any]]:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def _unquoted_expansions(script: str) -> list[str]:
    """The ``$name`` and ``${name…}`` expansions of a bash script outside double quotes
    (comments and single-quoted text skipped): each would be split into words and globbed."""
    found = []
    quote = ""
    i = 0
    while i < len(script):
        char = script[i]
        if char == "\\" and quote != "'":
            i += 2
            continue
        if not quote and char == "#" and (i == 0 or script[i - 1] in " \t\n;"):
            end = script.find("\n", i)
            i = len(script) if end < 0 else end
            continue
        if char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
        elif char == "$" and not quote:
            match = re.match(r"\$\{?([A-Za-z_]\w*)", script[i:])
            if match:
                found.append(match.group(0))
        i += 1
    return found


def test_the_unquoted_expansion_finder_finds_them() -> None:
    script = 'a "$OK" \'$SINGLE\' $BAD ${ALSO_BAD[@]} "${fine[@]}" # $COMMENT\n'
    assert _unquoted_expansions(script) == ["$BAD", "${ALSO_BAD"]


def test_no_action_input_or_expression_reaches_a_script_unquoted() -> None:
    """Inputs reach the scripts through env only, and every expansion is quoted."""
    for step in _steps():
        script = step.get("run", "")
        assert "${{" not in script, f"{step['name']}: an expression inside run: is pasted as shell"
        assert not _unquoted_expansions(script), step["name"]


def test_the_action_installs_into_a_virtual_environment_it_makes() -> None:
    install, check = _steps()
    assert install["env"]["ICMAP_VENV"] == check["env"]["ICMAP_VENV"]
    assert install["env"]["ICMAP_VENV"].startswith("${{ runner.temp }}/")
    script = install["run"]
    assert 'python3 -m venv "$ICMAP_VENV"' in script
    pips = re.findall(r"^.*pip install.*$", script, re.M)
    assert pips and all(line.strip().startswith('"$ICMAP_VENV/bin/python" -m pip') for line in pips)
    assert '"$ICMAP_VENV/bin/icmap" check' in check["run"]


def _run_action(
    tmp_path: Path, inputs: dict[str, str], icmap: str | None = None
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Both steps of action.yml run by bash as a runner would, in ``tmp_path/work space``.

    The fake ``python3`` makes a venv whose ``python`` records its arguments (pip's) and whose
    ``icmap`` runs this icmap, or the script ``icmap`` given. Returns the check step's
    result, the workspace and the venv.
    """
    runner_temp = tmp_path / "runner temp"
    workspace = tmp_path / "work space"
    fake_bin = tmp_path / "fake bin"
    for folder in (runner_temp, workspace, fake_bin):
        folder.mkdir(exist_ok=True)
    icmap = icmap or f'exec {shlex.quote(sys.executable)} -m icmap "$@"'
    fake_python = f"""#!/bin/bash
[ "$1 $2" = "-m venv" ] || {{ echo "unexpected: python3 $*" >&2; exit 9; }}
mkdir -p "$3/bin"
printf '#!/bin/bash\\nprintf "%%s\\\\n" "$@" > "$(dirname "$0")/../pip-args"\\n' > "$3/bin/python"
cat > "$3/bin/icmap" <<'EOF'
#!/bin/bash
{icmap}
EOF
chmod +x "$3/bin/python" "$3/bin/icmap"
"""
    write(fake_bin, "python3", fake_python).chmod(0o755)
    expressions = {
        "runner.temp": str(runner_temp),
        "github.action_path": str(ROOT),
        **{f"inputs.{name}": value for name, value in inputs.items()},
    }

    def substitute(value: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: expressions.get(m.group(1), ""), value)

    base = {k: v for k, v in os.environ.items() if not k.startswith(("ICMAP_", "GITHUB_"))}
    base["PATH"] = f"{fake_bin}{os.pathsep}{base['PATH']}"
    done = None
    for step in _steps():
        script = tmp_path / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = base | {name: substitute(str(value)) for name, value in step["env"].items()}
        # How GitHub runs `shell: bash`.
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            break
    assert done is not None
    return done, workspace, runner_temp / "icmap-venv"


def test_the_action_checks_an_org_whose_path_has_a_space(tmp_path: Path) -> None:
    """org: "my org" is one path; args are split into words; SARIF goes where sarif: says."""
    (tmp_path / "work space" / ".git").mkdir(parents=True)
    write(tmp_path / "work space" / "my org", "org.yaml", "customers: {diners: {}}\n")
    write(
        tmp_path / "work space" / "my org",
        "teams/kitchen.yaml",
        "teams:\n  waiters: {provides: [{what: Service, to: diners}]}\n"
        "  kitchen: {provides: [{what: Notes, to: waiters}]}\n  idle: {}\n",
    )
    inputs = {"org": "my org", "args": "--strict\n  --fail-on info", "sarif": "icmap results.sarif"}
    done, workspace, venv = _run_action(tmp_path, inputs)
    assert (venv / "pip-args").read_text().split("\n")[:4] == ["-m", "pip", "install", "--quiet"]
    assert (venv / "pip-args").read_text().split("\n")[4] == str(ROOT)
    assert done.returncode == 1, done.stderr  # --fail-on info: the finding fails the check
    assert "::" in done.stdout and "file=my org/teams/kitchen.yaml" in done.stdout, done.stdout
    log = json.loads((workspace / "icmap results.sarif").read_text(encoding="utf-8"))
    [location] = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert location == "my%20org/teams/kitchen.yaml"


def test_the_action_passes_args_as_words_without_interpreting_them(tmp_path: Path) -> None:
    record = 'printf "%s\\n" "$@" > "$(dirname "$0")/../icmap-args"'
    inputs = {"org": "", "args": "--select 'IC3' * $(touch pwned) ${HOME}", "sarif": ""}
    done, workspace, venv = _run_action(tmp_path, inputs, icmap=record)
    assert done.returncode == 0, done.stderr
    words = (venv / "icmap-args").read_text(encoding="utf-8").splitlines()
    assert words == [
        "check",
        "-f",
        "github",
        "--select",
        "'IC3'",
        "*",
        "$(touch",
        "pwned)",
        "${HOME}",
    ]
    assert not (workspace / "pwned").exists()


def test_the_action_says_what_to_install_when_python_cannot_make_a_venv(tmp_path: Path) -> None:
    write(tmp_path / "bin", "python3", "#!/bin/bash\nexit 1\n").chmod(0o755)
    script = write(tmp_path, "install.sh", _steps()[0]["run"])
    env = os.environ | {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "ICMAP_VENV": str(tmp_path / "venv"),
        "ICMAP_VERSION": "",
        "ICMAP_ACTION_PATH": str(ROOT),
    }
    failed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 1
    assert "::error title=icmap::" in failed.stdout and "python3-venv" in failed.stdout


@pytest.mark.parametrize(
    "path",
    [
        "org/surveys/2026-q3.csv",
        "surveys/2026-q3/kitchen.tsv",
        "surveys/2026-q4.txt",
        "surveys/2026-q4.XLSX",
        "org/teams/kitchen.yaml",
        "org.yml",
        ".icmap.yaml",
    ],
)
def test_the_hook_runs_when_a_survey_or_org_file_changes(path: str) -> None:
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert re.search(hook["files"], path)  # pre-commit matches with re.search


def test_the_hook_runs_for_every_kind_of_file_icmap_reads_and_not_for_others() -> None:
    [hook] = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    for suffix in (*ORG_SUFFIXES, *surveys.SUFFIXES, *surveys.WORKBOOKS):
        assert re.search(hook["files"], f"org/file{suffix}"), suffix
    for other in ("README.md", "src/app.py", "org/picture.svg", "notes.yaml.bak"):
        assert not re.search(hook["files"], other), other


def test_the_documented_pins_name_the_tag_of_this_version() -> None:
    """docs/ci.md pins icmap (pre-commit rev, action, git+ installs) to v<__version__>."""
    text = CI_DOC.read_text(encoding="utf-8")
    pins = re.findall(r"^\s*rev: (\S+)", text, re.M) + re.findall(r"/icmap@([^\s\"]+)", text)
    assert len(pins) >= 5
    assert set(pins) == {f"v{__version__}"}
    assert re.search(r"git tag -a v\S+ .*git push origin v\S+", text)
