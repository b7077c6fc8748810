"""What changed in a Markdown text, paragraph by paragraph: for translators catching up with a revised source.

A translator re-translates paragraphs, not lines, so the unit is the Markdown block (a paragraph, a heading, a
list, a fenced code block). Inside a changed paragraph the changes are shown word by word for languages written
with spaces and character by character for Japanese and Chinese, which have no spaces between words.

A paragraph largely rewritten is shown whole, as it was and as it is: edits interleaved across a new text read as
nonsense. The work is bounded whatever the input: diff-match-patch aligns blocks, then words, within a time budget,
and a paragraph whose changed stretch is longer than INLINE_LIMIT is shown whole without a word-level diff.
"""

import itertools
import re
import time
from collections import Counter
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from blog.content.languages import counted_by_character

WORD = re.compile(r"\w+|\s+|[^\w\s]")
HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

# A paragraph whose changed stretch (what lies between its unchanged start and end) is longer than this many tokens
# (words, spaces and punctuation; characters in Japanese and Chinese) on either side is shown whole: no reader
# follows edits strewn over so much text.
INLINE_LIMIT = 10_000
# A changed paragraph keeping less than this share of its text is shown whole, as it was and as it is.
REWRITTEN_BELOW = 0.5
# Two blocks of a replaced run are taken for old and new versions of one paragraph from this likeness on (likeness).
SAME_PARAGRAPH_FROM = 0.5
# Above this many (removed × added) candidates in one replaced run, its blocks are paired in order.
PAIRING_LIMIT = 100
# How much of each block likeness() reads: enough to tell two paragraphs apart, and cheap for a 100 KB one.
LIKENESS_SAMPLE = 5_000
# Seconds one diff() may spend; paragraphs it has not reached by then are shown whole.
TIME_BUDGET = 0.5
OPERATIONS = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_DELETE: "delete",
    diff_match_patch.DIFF_INSERT: "insert",
}
SURROGATES = range(0xD800, 0xE000)


@dataclass(frozen=True)
class Block:
    """One block of the comparison: `kind` is equal, added, removed, changed, rewritten or unchanged (a run of equal
    ones).

    `text` is the block as it is now (as it was, for removed); a changed block carries `segments`, pairs of
    (equal | insert | delete, text); a rewritten one carries its previous text whole in `before`; an unchanged run
    carries how many blocks it stands for in `count`.
    """

    kind: str
    text: str = ""
    heading: bool = False
    segments: tuple = ()
    count: int = 0
    before: str = ""


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
    # Where words are not separated by spaces, a "word" would be a whole sentence.
    return list(text) if counted_by_character(language) else WORD.findall(text)


def as_characters(*sequences):
    """Each sequence of hashable items as a string of one character per item, equal items as equal characters:
    diff-match-patch compares characters, and this lets it compare words or whole blocks (its "line mode")."""
    codes = {}

    def code(item):
        number = codes.setdefault(item, len(codes))
        return chr(number + len(SURROGATES) if number >= SURROGATES.start else number)

    return ["".join(map(code, sequence)) for sequence in sequences]


def aligned(before, after, deadline, readable=False):
    """(equal | delete | insert, items) runs turning the list `before` into `after`, found by diff-match-patch by
    `deadline` (time.time()); past it, what is left is one deletion and one insertion. `readable` drops matches
    too short to mean anything (diff-match-patch's semantic cleanup), so an edit reads as whole words."""
    engine = diff_match_patch()
    # No timeout of its own: that would also turn on its "half match" speed-up, which no deadline bounds and which
    # is quadratic on repetitive text. The deadline passed to diff_main bounds the rest.
    engine.Diff_Timeout = 0
    old, new = as_characters(before, after)
    found = engine.diff_main(old, new, False, deadline)
    if readable:
        engine.diff_cleanupSemantic(found)
    runs, at_old, at_new = [], 0, 0
    for operation, characters in found:
        size = len(characters)
        if operation == diff_match_patch.DIFF_INSERT:
            runs.append(("insert", after[at_new : at_new + size]))
            at_new += size
            continue
        runs.append((OPERATIONS[operation], before[at_old : at_old + size]))
        at_old += size
        at_new += size if operation == diff_match_patch.DIFF_EQUAL else 0
    return runs


def inline_diff(old, new, language, deadline=None):
    """(equal | insert | delete, text) pairs turning `old` into `new`, by characters or words (see tokens); None
    when they would not help a reader: the paragraph was largely rewritten, its changed stretch is longer than
    INLINE_LIMIT, or `deadline` (time.time(); default: TIME_BUDGET from now) came first."""
    deadline = deadline or time.time() + TIME_BUDGET
    if time.time() > deadline:
        return None
    before, after = tokens(old, language), tokens(new, language)
    start = common_start(before, after)
    end = common_start(before[start:][::-1], after[start:][::-1])
    if max(len(before), len(after)) - start - end > INLINE_LIMIT:
        return None
    segments = tuple((operation, "".join(items)) for operation, items in aligned(before, after, deadline, True))
    kept = sum(len(text) for operation, text in segments if operation == "equal")
    return segments if 2 * kept / (len(old) + len(new)) >= REWRITTEN_BELOW else None


def common_start(before, after):
    """How many items the sequences `before` and `after` begin with in common."""
    count = 0
    for old, new in zip(before, after):
        if old != new:
            break
        count += 1
    return count


def diff(old, new, language, deadline=None):
    """The blocks of `new` compared with those of `old` (Markdown), in order, as Block values; paragraphs not reached
    by `deadline` (time.time(); default: TIME_BUDGET from now) are shown whole."""
    deadline = deadline or time.time() + TIME_BUDGET
    result, removed, added = [], [], []
    for operation, items in [*aligned(blocks(old), blocks(new), deadline), ("equal", [])]:
        if operation == "delete":
            removed.extend(items)
        elif operation == "insert":
            added.extend(items)
        else:
            result.extend(replaced(removed, added, language, deadline))
            removed, added = [], []
            result.extend(Block("equal", text, is_heading(text)) for text in items)
    return result


def replaced(removed, added, language, deadline):
    """Blocks for a run where the blocks `removed` gave way to `added`: each old paragraph beside its new version."""
    for old_text, new_text in paired(removed, added):
        if new_text is None:
            yield Block("removed", old_text, is_heading(old_text))
        elif old_text is None:
            yield Block("added", new_text, is_heading(new_text))
        else:
            heading = is_heading(new_text) or is_heading(old_text)
            segments = inline_diff(old_text, new_text, language, deadline)
            if segments is None:
                yield Block("rewritten", new_text, heading, before=old_text)
            else:
                yield Block("changed", new_text, heading, segments)


def paired(removed, added):
    """(old, new) pairs of a replaced run, None for a side a block lacks, in order.

    A block is paired with the most alike block on the other side (likeness, keeping the order), so a paragraph
    inserted before an edited one is shown as added and the edited one as changed, not the first as a change of
    the second. Blocks left between those pairs are paired in order: a paragraph rewritten in place.
    """
    pairs = alike(removed, added) if 1 < len(removed) * len(added) <= PAIRING_LIMIT else []
    result, old_at, new_at = [], 0, 0
    for old_index, new_index in [*pairs, (len(removed), len(added))]:
        olds, news = removed[old_at:old_index], added[new_at:new_index]
        result.extend(zip(olds, news))
        result.extend((text, None) for text in olds[len(news) :])
        result.extend((None, text) for text in news[len(olds) :])
        if old_index < len(removed):
            result.append((removed[old_index], added[new_index]))
        old_at, new_at = old_index + 1, new_index + 1
    return result


def alike(removed, added):
    """(index in removed, index in added) of the alike pairs, in order, with the greatest total likeness."""
    grams = [[bigrams(text) for text in side] for side in (removed, added)]
    best = [[0.0] * (len(added) + 1) for _ in range(len(removed) + 1)]
    for i, old in enumerate(grams[0], start=1):
        for j, new in enumerate(grams[1], start=1):
            score = likeness(old, new)
            matched = best[i - 1][j - 1] + score if score >= SAME_PARAGRAPH_FROM else 0.0
            best[i][j] = max(best[i - 1][j], best[i][j - 1], matched)
    pairs, i, j = [], len(removed), len(added)
    while i and j:
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


def bigrams(text):
    sample = text[:LIKENESS_SAMPLE]
    return Counter(itertools.pairwise(sample)) or Counter(sample)


def likeness(old, new):
    """How alike two texts are by their bigrams (as bigrams() counts them), from 0 to 1: cheap, and close to what a
    full diff would say about two versions of one paragraph."""
    total = old.total() + new.total()
    return 2 * (old & new).total() / total if total else 1.0


def is_heading(text):
    return bool(HEADING.match(text))


def changed_count(old, new):
    """How many blocks of the Markdown `new` were added, removed or changed since `old`, counted without a diff
    (for pages listing many texts): the larger of the number of blocks only `new` has and of those only `old` has."""
    before, after = Counter(blocks(old)), Counter(blocks(new))
    return max((after - before).total(), (before - after).total())


def new_blocks(old, new):
    """The blocks of the Markdown `new` that `old` lacks: the paragraphs added or changed, found without a diff."""
    return set(blocks(new)) - set(blocks(old))


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
