#!/usr/bin/env python3
"""Checks that every relative link and anchor in README.md and docs/*.md resolves.

A link resolves when its file exists (relative to the linking file) and, when it has
a `#fragment`, the target Markdown file has a heading whose GitHub anchor is that
fragment. External links (http, https, mailto) are not followed: this machine has no
network, and they are not ours to keep alive.

    python3 scripts/check-links.py            # exits 1 and lists every broken link
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"(?<!\!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)|!\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def markdown_files():
    files = [ROOT / "README.md"]
    docs = ROOT / "docs"
    if docs.is_dir():
        files.extend(sorted(docs.rglob("*.md")))
    return [f for f in files if f.exists()]


def prose_lines(path):
    """Lines outside fenced code blocks, with their numbers."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen = {}
        found = set()
        for _, line in prose_lines(path):
            match = HEADING.match(line)
            if not match:
                continue
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        for explicit in re.findall(r'<a (?:name|id)="([^"]+)"', path.read_text(encoding="utf-8")):
            found.add(explicit)
        cache[path] = found
    return cache[path]


def broken_links(path):
    for number, line in prose_lines(path):
        line = re.sub(r"`[^`]*`", "", line)
        for match in LINK.finditer(line):
            target = match.group(1) or match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue
            file_part, _, fragment = target.partition("#")
            target_path = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)}:{number}"
            if not target_path.exists():
                yield f"{where}: {target}: no such file"
            elif fragment and target_path.suffix == ".md" and fragment not in anchors(target_path):
                yield f"{where}: {target}: no heading with anchor #{fragment}"


def main():
    problems = [p for f in markdown_files() for p in broken_links(f)]
    for problem in problems:
        print(problem)
    checked = len(markdown_files())
    if problems:
        print(f"links: {len(problems)} broken in {checked} files", file=sys.stderr)
        return 1
    print(f"links: all relative links and anchors resolve in {checked} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
