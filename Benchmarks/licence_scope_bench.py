"""Driver of Benchmarks/licence-scope.sh: scores the licences Hatchery's licence scope gave the
documents of /usr/share/doc against labels made here, independently, from every package's
machine-readable (DEP-5) copyright file: for each document, the nearest machine-readable
`copyright` file above it (within its package folder) and the last `Files` paragraph whose
patterns match its path relative to that folder (copyright-format 1.0: `*` and `?` match any
characters including `/`, `\\` escapes; a later paragraph overrides an earlier one), its
`License` short names mapped to SPDX with license_bench.py's table.

  score STORE ROOT   STORE: the workspace's hatchery.db; ROOT: the input folder (/usr/share/doc)
"""
import json, os, re, sqlite3, sys

sys.path.insert(0, os.path.dirname(__file__))
from license_bench import DEBIAN_TO_SPDX  # noqa: E402


def glob_regex(pattern):
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out += re.escape(pattern[i + 1]); i += 2; continue
        out += ".*" if c == "*" else "." if c == "?" else re.escape(c)
        i += 1
    return re.compile(out + r"\Z", re.S)


def parse_dep5(text):
    paragraphs, current, field = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if current: paragraphs.append(current)
            current, field = {}, None
        elif line[0] in " \t":
            if field: current[field] += "\n" + line.strip()
        elif ":" in line:
            field, value = line.split(":", 1)
            field = field.strip().lower(); current[field] = value.strip()
    if current: paragraphs.append(current)
    if not paragraphs or "copyright-format" not in paragraphs[0].get("format", ""):
        return None
    stanzas = []
    for p in paragraphs[1:]:
        if "files" in p and p.get("license", "").strip():
            stanzas.append(([glob_regex(x) for x in p["files"].split()], p["license"].split("\n")[0].strip()))
    return stanzas


def spdx_ids(short):
    """The SPDX ids of a License line, or None when a name has no SPDX equivalent in the table."""
    ids = set()
    for name in re.split(r"\s+(?:or|and)\s+|,\s*", short, flags=re.I):
        name = re.sub(r"\s+with\s+.*$", "", name.strip(), flags=re.I).lower()
        if not name: continue
        if name not in DEBIAN_TO_SPDX: return None
        ids.add(DEBIAN_TO_SPDX[name])
    return ids


def main():
    store, root = sys.argv[2], sys.argv[3]
    parent = os.path.dirname(root.rstrip("/"))
    db = sqlite3.connect(store)
    docs = db.execute("SELECT id, path FROM document_rows").fetchall()
    scope = {}
    for doc, spdx, evidence in db.execute("SELECT document_id, spdx, evidence FROM license_findings WHERE method = 'scope'"):
        scope[doc] = (spdx, evidence)
    cache = {}

    def dep5_at(directory):
        if directory not in cache:
            path = os.path.join(parent, directory, "copyright")
            try:
                cache[directory] = parse_dep5(open(path, encoding="utf-8", errors="replace").read())
            except OSError:
                cache[directory] = None
        return cache[directory]

    labelled = equal = unmappable = uncovered = 0
    mismatches = []
    for doc, path in docs:
        parts = path.split("/")
        if len(parts) < 3 or parts[-1] == "copyright": continue
        # The nearest machine-readable copyright file, within the package folder (doc/<package>).
        found = None
        for depth in range(len(parts) - 1, 1, -1):
            directory = "/".join(parts[:depth])
            stanzas = dep5_at(directory)
            if stanzas is not None:
                found = (directory, stanzas); break
        if not found: continue
        directory, stanzas = found
        relative = path[len(directory) + 1:]
        match = None
        for patterns, short in stanzas:
            if any(p.match(relative) for p in patterns): match = short
        if match is None: continue
        ids = spdx_ids(match)
        if ids is None:
            unmappable += 1; continue
        labelled += 1
        if doc not in scope:
            uncovered += 1; mismatches.append((path, match, None)); continue
        got = set(re.findall(r"[A-Za-z0-9.+-]+", scope[doc][0])) - {"OR", "AND", "WITH"}
        if got == ids:
            equal += 1
        else:
            mismatches.append((path, match, scope[doc][0]))
    print(f"documents with a DEP-5 label mappable to SPDX: {labelled} (labels with a name outside the table, left out: {unmappable})")
    print(f"inherited licence equal to the label (same SPDX ids): {equal} = {100 * equal / max(labelled, 1):.2f}%; "
          f"no scope licence at all: {uncovered}")
    for path, label, got in mismatches[:12]:
        print(f"  mismatch: {path}: label {label!r}, scope {got!r}")


if __name__ == "__main__":
    main()
