#!/usr/bin/env python3
"""Every feature quotes, in its description, the seed sentence of every seed ID it tags.

For each features/*.feature: the description is the free text after the `機能:` line,
up to `背景:`, the first tag line or the first scenario. For each seed ID the feature
tags (FAQ-, KQ-, FLY-, TRN-, OKA-), the description must hold an entry

    ID（source）:「quote」

where `source` is one of the sources `shared/docs/requirements.md` gives for the ID
(e.g. `000 4-12`, `001 Q-3`, `002`, `004 Q1`) and `quote`, with all whitespace removed,
is a substring of the seed texts in `shared/seeds/` with all whitespace removed.
Brackets are matched by depth, so a quote may hold nested 「」; a quote must not run
across the page headers seed 000 inserts between its items. Prints one line per
missing or wrong entry and exits 1; prints nothing and exits 0 when all are fine.

Usage: scripts/check-seed-quotes.py [SHARED_DIR]   (default: ../shared next to the repo)
"""
import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
SEED_PREFIXES = ("FAQ-", "KQ-", "FLY-", "TRN-", "OKA-")
# Page headers that seed 000 repeats in the middle of its questions: a quote that holds
# one runs across a page break rather than quoting a sentence.
PAGE_HEADERS = ("4マイナンバーカードの保険証利用について", "分類番号分類名No質問回答")
STOP = ("背景:", "シナリオ", "テンプレ", "Rule:", "@")


def strip_ws(text):
    return "".join(ch for ch in text if not ch.isspace())


def seed_text():
    files = sorted(glob.glob(os.path.join(SHARED, "seeds", "*.txt")))
    if not files:
        sys.exit(f"no seed files under {SHARED}/seeds")
    return "".join(strip_ws(open(f, encoding="utf-8").read()) for f in files)


def catalogue_sources():
    """ID -> set of its sources ("000 4-9; 002" -> {"000 4-9", "002"})."""
    sources = {}
    with open(os.path.join(SHARED, "docs", "requirements.md"), encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 4 and re.fullmatch(r"[A-Z][A-Z0-9-]*", cells[0]):
                sources[cells[0]] = {s.strip() for s in cells[-1].split(";")}
    return sources


def description(lines):
    out, inside = [], False
    for line in lines:
        s = line.strip()
        if not inside:
            if s.startswith("機能:"):
                inside = True
            continue
        if s.startswith(STOP):
            break
        out.append(line)
    return "\n".join(out)


def quote_after(desc, start):
    """The text between `「` at `start` and its matching `」`, or None."""
    depth = 0
    for i in range(start, len(desc)):
        if desc[i] == "「":
            depth += 1
        elif desc[i] == "」":
            depth -= 1
            if depth == 0:
                return desc[start + 1 : i]
    return None


def main():
    seeds = seed_text()
    sources = catalogue_sources()
    problems = []
    for path in sorted(glob.glob(os.path.join(ROOT, "features", "*.feature"))):
        name = os.path.basename(path)
        text = open(path, encoding="utf-8").read()
        ids = sorted(set(re.findall(r"@([A-Z][A-Z0-9-]*)", text)))
        desc = strip_ws(description(text.splitlines()))
        for rid in ids:
            if not rid.startswith(SEED_PREFIXES):
                continue
            if rid not in sources:
                problems.append(f"{name}: {rid}: not in requirements.md")
                continue
            at = desc.find(rid + "（")
            if at < 0:
                problems.append(f"{name}: {rid}: no entry `{rid}（…）:「…」` in the description")
                continue
            m = re.match(re.escape(rid) + r"（([^）]*)）:「", desc[at:])
            if not m:
                problems.append(f"{name}: {rid}: entry is not `{rid}（source）:「…」`")
                continue
            allowed = {strip_ws(s) for s in sources[rid]}
            if m.group(1) not in allowed:
                problems.append(
                    f"{name}: {rid}: source （{m.group(1)}） is not one of {sorted(sources[rid])}"
                )
            quote = quote_after(desc, at + m.end() - 1)
            if quote is None:
                problems.append(f"{name}: {rid}: the quote's 「 has no matching 」")
            elif not quote:
                problems.append(f"{name}: {rid}: empty quote")
            elif quote not in seeds:
                problems.append(f"{name}: {rid}: not verbatim in the seeds: 「{quote}」")
            elif any(h in quote for h in PAGE_HEADERS):
                problems.append(f"{name}: {rid}: the quote runs across a page header of seed 000")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
