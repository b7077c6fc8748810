"""What changed in a Markdown text, paragraph by paragraph: for translators catching up with a revised source.

A translator re-translates paragraphs, not lines, so the unit is the Markdown block (a paragraph, a heading, a
list, a fenced code block). Inside a changed paragraph the changes are shown word by word for languages written
with spaces and character by character for Japanese and Chinese, which have no spaces between words.
"""

import difflib
import re
from dataclasses import dataclass

# Languages whose words are not separated by spaces: a "word" there would be a whole sentence.
CHARACTER_LANGUAGES = {"ja", "zh-hans", "zh-hant", "zh"}
WORD = re.compile(r"\w+|\s+|[^\w\s]")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Block:
    """One block of the comparison: `kind` is equal, added, removed, changed or unchanged (a run of equal ones).

    `text` is the block as it is now (as it was, for removed); a changed block carries `segments`, pairs of
    (equal | insert | delete, text); an unchanged run carries how many blocks it stands for in `count`.
    """

    kind: str
    text: str = ""
    heading: bool = False
    segments: tuple = ()
    count: int = 0


def blocks(markdown):
    """The Markdown blocks of `markdown`: separated by blank lines; a heading is a block of its own; a fenced
    code block stays whole, blank lines included."""
    found, current, fence = [], [], None

    def close():
        if current:
            found.append("\n".join(current))
            current.clear()

    for line in (markdown or "").replace("\r\n", "\n").split("\n"):
        opening = FENCE.match(line)
        if fence:
            current.append(line)
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            close()
            current.append(line)
            fence = opening.group(1)
        elif not line.strip():
            close()
        elif HEADING.match(line):
            close()
            found.append(line.strip())
        else:
            current.append(line)
    close()
    return found


def tokens(text, language):
    return list(text) if language in CHARACTER_LANGUAGES else WORD.findall(text)


def inline_diff(old, new, language):
    """(equal | insert | delete, text) pairs turning `old` into `new`, by characters or words (see tokens)."""
    before, after = tokens(old, language), tokens(new, language)
    segments = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(before[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(after[j1:j2])))
    return tuple(segments)


def diff(old, new, language):
    """The blocks of `new` compared with those of `old` (Markdown), in order, as Block values."""
    before, after = blocks(old), blocks(new)
    result = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            result.extend(Block("equal", text, is_heading(text)) for text in after[j1:j2])
            continue
        removed, added = before[i1:i2], after[j1:j2]
        # A replaced run pairs its blocks in order: the first old paragraph became the first new one, and so on.
        for old_text, new_text in zip(removed, added):
            segments = inline_diff(old_text, new_text, language)
            result.append(Block("changed", new_text, is_heading(new_text) or is_heading(old_text), segments))
        paired = min(len(removed), len(added))
        result.extend(Block("removed", text, is_heading(text)) for text in removed[paired:])
        result.extend(Block("added", text, is_heading(text)) for text in added[paired:])
    return result


def is_heading(text):
    return bool(HEADING.match(text))


def changes(blocks_compared):
    """How many blocks were added, removed or changed."""
    return sum(block.kind in {"added", "removed", "changed"} for block in blocks_compared)


def for_reading(blocks_compared):
    """The comparison as a translator reads it: equal headings kept to show where one is, runs of equal paragraphs
    folded into one "unchanged" block."""
    shown = []
    for block in blocks_compared:
        if block.kind != "equal" or block.heading:
            shown.append(block)
        elif shown and shown[-1].kind == "unchanged":
            shown[-1] = Block("unchanged", count=shown[-1].count + 1)
        else:
            shown.append(Block("unchanged", count=1))
    return shown


def sections(markdown):
    """`markdown` cut before each heading (outside fenced code), so "".join(sections(text)) == text.

    Translations keep their source's headings, so the n-th section of each covers the same part of the essay.
    """
    found, current, fence = [], [], None
    for line in (markdown or "").replace("\r\n", "\n").splitlines(keepends=True):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
        elif opening:
            fence = opening.group(1)
        elif HEADING.match(line) and current:
            found.append("".join(current))
            current = []
        current.append(line)
    if current:
        found.append("".join(current))
    return found


def joined(parts):
    """Sections written back as one text: each ends with a blank line before the next heading starts."""
    parts = [part.replace("\r\n", "\n") for part in parts if part.strip()]
    return "".join(
        part if part.endswith("\n\n") or index == len(parts) - 1 else part.rstrip("\n") + "\n\n"
        for index, part in enumerate(parts)
    )
