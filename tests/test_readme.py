"""The README as a new user follows it: after `make run`'s setup, every `manage.py` command it shows works as written.

Runs in a fresh copy of the repository's tracked files (what a clone holds), in the environment of a new user's
shell: no SECRET_KEY, DEBUG or DATABASE_URL. `make setup` is `make run` without the server; the interpreter is
this test's (no second virtualenv). The commands are read from README.md's code blocks, so a command added
there is tested too.

The README and docs/ are also checked as a reader relies on them: the README stays a short guide, names every
setting, and its links, `make` targets and paths lead somewhere that exists.
"""

import ast
import importlib
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import read_env_file
from tests.paths import ROOT

README = ROOT / "README.md"
SHELL_BLOCK = re.compile(r"^```(?:sh|bash|shell|console)\n(.*?)^```", re.S | re.M)
# The interpreter `make run` installs into; a bare `python` is not it (nor, on Debian, anything at all).
VENV_PYTHON = ".venv/bin/python"
# Names a new user substitutes for their own: the repository's test data stands in for them.
PLACEHOLDERS = {"path/to/jekyll-site/_posts": "tests/data/jekyll-site/_posts"}
# What the issue found failing without DEBUG=1; the README must keep showing them.
DOCUMENTED = {"import_markdown", "export_markdown", "createsuperuser", "rerender_posts", "shell"}
NEW_ADMIN = {"DJANGO_SUPERUSER_USERNAME": "second-editor", "DJANGO_SUPERUSER_PASSWORD": "a-long-local-password-42",
             "DJANGO_SUPERUSER_EMAIL": "editor@example.org"}  # fmt: skip
KEY_MISSING = "SECRET_KEY must be set"
README_MAX_BYTES = 20_000
# The guides a reader may follow from the README: its own text, the docs folder and the benchmark's how-to.
GUIDES = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
FENCED_BLOCK = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)
# A code span naming a file or folder of the repository: no spaces, at least one slash (e.g. `blog/models/`).
REPO_PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*/?")
# How config/settings.py reads a variable: each takes its name first.
ENV_READERS = {"os.environ.get", "os.getenv", "env_bool", "env_list"}
# A code span naming a module or an object in it, e.g. `blog.reading.conditional.public_page`.
DOTTED_NAME = re.compile(r"(?:blog|config|deploy|bench)(?:\.\w+)+")
# The architecture maps: a plain fenced block of "name, name    what it is" lines, sub-entries indented two spaces.
MAPS = [README, ROOT / "docs" / "architecture.md"]
FENCED_WITH_INFO = re.compile(r"^```(\S*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
MAP_ENTRY = re.compile(r"^( {0,2})(\S(?:\S| (?! ))*)")


def readme_manage_commands():
    """Each `manage.py` command line in README.md's shell blocks, as a list of words."""
    commands = []
    for block in SHELL_BLOCK.findall(README.read_text(encoding="utf-8")):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if "manage.py" in words:
                commands.append(words)
    return commands


def new_users_env(**extra):
    """This process's environment less what a new user's shell would not have set (and make's own variables)."""
    unset = {"SECRET_KEY", "DEBUG", "BUNKO_ENV_FILE", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "STATIC_ROOT",
             "ALLOWED_HOSTS", "PLAIN_HTTP", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key not in unset and not key.startswith("DJANGO_")}
    env.update(extra)
    return env


def run(site, command, **extra_env):
    return subprocess.run(
        command, cwd=site, env=new_users_env(**extra_env), capture_output=True, text=True, timeout=300, check=False
    )


def make(site, target):
    """`make target` without its install step: make's $(BIN)/python is this test's interpreter (see local_site)."""
    bin_dir = site.parent / "bin"
    return run(site, ["make", target, "-o", "install", f"BIN={bin_dir}", f"PYTHON={sys.executable}"])


@pytest.fixture(scope="module")
def local_site(tmp_path_factory):
    """A copy of the tracked files after `make setup` (everything `make run` does before it serves)."""
    site = tmp_path_factory.mktemp("clone") / "bunko"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, site / name)
    # make's $(BIN)/python, standing for the .venv that `make install` would build: this test's interpreter.
    bin_dir = site.parent / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_dir / "python").chmod(0o755)
    setup = make(site, "setup")
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "Wrote .env for local development" in setup.stdout
    assert "Re-rendered 0 post(s)" in setup.stdout  # after a pull that moved RENDERER_RELEASE, the stale ones
    assert re.search(r"Admin login: http://127\.0\.0\.1:8000/admin/ user admin password \S+", setup.stdout)
    return site


def test_make_run_writes_local_settings_once_and_git_ignores_them(local_site):
    env_file = local_site / ".env"
    written = env_file.read_text()
    values = read_env_file(env_file)
    assert values["DEBUG"] == "1" and len(values["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600  # a secret: readable by its owner alone
    again = run(local_site, ["make", "local-env", f"PYTHON={sys.executable}"])
    assert again.returncode == 0 and env_file.read_text() == written  # kept: sessions survive
    assert subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False).returncode == 0


def test_the_readme_shows_the_commands_a_new_user_needs():
    names = {words[words.index("manage.py") + 1] for words in readme_manage_commands()}
    assert DOCUMENTED <= names


@pytest.mark.parametrize(
    "words", readme_manage_commands(), ids=lambda words: " ".join(words[words.index("manage.py") + 1 :][:2])
)
def test_every_manage_py_command_in_the_readme_works_on_the_local_site(local_site, words):
    assert words[:2] == [VENV_PYTHON, "manage.py"], f"run it with the interpreter make run installs into: {words}"
    args = [PLACEHOLDERS.get(word, word) for word in words[2:]]
    unknown = [word for word in args if word.startswith("path/to/")]
    assert not unknown, f"add a stand-in for {unknown} to PLACEHOLDERS"
    env = {}
    if args[0] == "createsuperuser":
        args.append("--no-input")  # as an operator scripts it; interactively it asks for the same three values
        env = NEW_ADMIN
    if args[0] == "shell":
        args += ["-c", "from blog.models import Post; print(Post.objects.published().count())"]

    result = run(local_site, [sys.executable, "manage.py", *args], **env)

    assert result.returncode == 0, f"{' '.join(words)}:\n{result.stdout}\n{result.stderr}"
    if args[0] == "shell":
        assert int(result.stdout.split()[-1]) > 0  # the demo essays that make run loaded
    if args[0] == "export_markdown":
        assert any((local_site / args[1]).rglob("*.md"))


def test_make_run_again_keeps_a_deleted_demo_essay_deleted_and_make_demo_brings_it_back(local_site):
    def shell(code):
        return run(local_site, [sys.executable, "manage.py", "shell", "--no-imports", "-c", code])

    demo_essay = "from blog.models import Post; essay = Post.objects.filter(slug='leaving-the-lab'); "

    def demo_essays():
        return int(shell(demo_essay + "print(essay.count())").stdout)

    loaded = demo_essays()
    assert loaded and shell(demo_essay + "essay.delete()").returncode == 0

    again = make(local_site, "setup")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "the demo essays were not loaded" in again.stdout and demo_essays() == 0
    demo = make(local_site, "demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert demo_essays() == loaded


def test_production_refuses_to_start_without_a_key_even_beside_a_local_env_file(local_site):
    """gunicorn imports config.wsgi, which never reads .env; manage.py reads none with BUNKO_ENV_FILE= ."""
    assert (local_site / ".env").exists()
    wsgi = run(local_site, [sys.executable, "-c", "import config.wsgi"])
    assert wsgi.returncode != 0 and KEY_MISSING in wsgi.stderr
    manage = run(local_site, [sys.executable, "manage.py", "check"], BUNKO_ENV_FILE="")
    assert manage.returncode != 0 and KEY_MISSING in manage.stderr
    # DEBUG=1 alone no longer makes a key up.
    debug = run(local_site, [sys.executable, "manage.py", "check"], BUNKO_ENV_FILE="", DEBUG="1")
    assert debug.returncode != 0 and KEY_MISSING in debug.stderr


def test_the_environment_wins_over_the_local_env_file(local_site):
    def seen(name, **env):
        code = f"from django.conf import settings; print(settings.{name})"
        return run(local_site, [sys.executable, "manage.py", "shell", "--no-imports", "-c", code], **env).stdout.strip()

    assert seen("DEBUG") == "True"
    assert seen("DEBUG", DEBUG="0") == "False"
    assert seen("SECRET_KEY") == read_env_file(local_site / ".env")["SECRET_KEY"]
    assert seen("SECRET_KEY", SECRET_KEY="from-the-environment") == "from-the-environment"


def test_env_files_are_read_as_documented(tmp_path):
    path = tmp_path / "local.env"
    path.write_text("# local\n\nDEBUG=1\nexport SECRET_KEY='a b#c'\nEMPTY=\nQUOTED=\"x\"\n")
    assert read_env_file(path) == {"DEBUG": "1", "SECRET_KEY": "a b#c", "EMPTY": "", "QUOTED": "x"}
    path.write_text("DEBUG 1\n")
    with pytest.raises(ImproperlyConfigured, match="line 1: expected NAME=value"):
        read_env_file(path)
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        read_env_file(tmp_path / "missing.env")


def prose(path):
    """A Markdown file's text outside fenced code blocks, where links and headings are Markdown."""
    return FENCED_BLOCK.sub("", path.read_text(encoding="utf-8"))


def anchor(heading):
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")


def anchors(path):
    return {anchor(heading) for heading in HEADING.findall(prose(path))}


def environment_variables_read():
    """Every variable config/settings.py and blog/ read: os.environ.get/[...], env_bool, env_list, the database URL."""
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in [ROOT / "config" / "settings.py", *(ROOT / "blog").rglob("*.py")]
    ]
    names = set()
    for node in (node for tree in trees for node in ast.walk(tree)):
        if isinstance(node, ast.Call):
            function = ast.unparse(node.func)
            if function == "dj_database_url.config":
                names.add("DATABASE_URL")  # its default variable
            # A name passed on in a variable (env_bool's own `name`) is counted at the call that spells it out.
            elif function in ENV_READERS and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Constant)
            and ast.unparse(node.value) == "os.environ"
        ):
            names.add(node.slice.value)
    return names


def makefile_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*)\s*:(?!=)", text, re.MULTILINE))


def test_the_readme_is_a_short_guide():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes: move the long parts to docs/"


def test_the_readme_names_every_variable_the_code_reads():
    names = environment_variables_read()
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "EDGE_PURGE_SECRET"} <= names
    readme = README.read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md, Configuration, does not name: {missing}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(guide):
    broken = []
    for target in LINK.findall(CODE_SPAN.sub("", prose(guide))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, fragment = target.partition("#")
        linked = (guide.parent / path).resolve() if path else guide
        if not linked.exists() or fragment and (linked.suffix != ".md" or fragment not in anchors(linked)):
            broken.append(target)
    assert not broken, f"{guide.name} links to what is not there: {broken}"


def test_every_page_of_the_docs_is_linked_from_the_readme():
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(prose(README))}
    unlinked = [path.name for path in GUIDES[1:] if path.resolve() not in linked]
    assert not unlinked, f"README.md links to none of {unlinked}"


def test_every_make_command_in_the_readme_is_a_makefile_target():
    text = README.read_text(encoding="utf-8")
    shell_lines = [line for block in SHELL_BLOCK.findall(text) for line in block.splitlines()]
    commands = [span for span in CODE_SPAN.findall(text) if span.startswith("make ")]
    commands += [line for line in shell_lines if line.startswith("make ")]
    assert commands
    named = {command.split()[1] for command in commands}
    assert not named - makefile_targets(), f"not Makefile targets: {sorted(named - makefile_targets())}"


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_repository_path_in_a_code_span_exists(guide):
    # Folders the repository holds; ignored ones (bench-results/, media/) come and go with local runs.
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    top_level = {line.split("/")[0] for line in tracked.splitlines() if "/" in line}
    paths = [span for span in CODE_SPAN.findall(prose(guide)) if REPO_PATH.fullmatch(span) and "/" in span]
    named = [span for span in paths if span.split("/")[0] in top_level]
    missing = [span for span in named if not (ROOT / span).exists()]
    assert not missing, f"{guide.name} names paths that are not in the tree: {missing}"


@pytest.mark.parametrize("guide", MAPS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_the_architecture_map_names_what_is_in_the_tree(guide):
    """Each entry of the map exists (indented ones inside the folder above), and so does each module its text names."""
    (block,) = [body for info, body in FENCED_WITH_INFO.findall(guide.read_text(encoding="utf-8")) if not info]
    missing, top, here, entries = [], ROOT, ROOT, 0
    for line in block.splitlines():
        match = MAP_ENTRY.match(line)
        if match:  # else a description carried over from the line above
            indent, names = match.groups()
            for name in names.split(", "):
                path = (top if indent else ROOT) / name
                entries += 1
                if not path.exists():
                    missing.append(name)
                    continue
                here = path if path.is_dir() else path.parent
                if not indent:
                    top = here
            line = line[match.end() :]
        missing += [module for module in re.findall(r"\b\w+\.py\b", line) if not any(here.rglob(module))]
    assert entries > 10
    assert not missing, f"{guide.name}'s map names what is not in the tree: {missing}"


def resolves(dotted):
    """Whether `dotted` names a module of the project, or an attribute reached from one."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


@pytest.mark.parametrize("guide", GUIDES, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_module_or_class_named_in_a_code_span_exists(guide):
    named = [span for span in CODE_SPAN.findall(prose(guide)) if DOTTED_NAME.fullmatch(span)]
    missing = [span for span in named if not resolves(span)]
    assert not missing, f"{guide.name} names modules or objects that are not in the code: {missing}"
