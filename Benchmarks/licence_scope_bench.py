"""Driver of Benchmarks/licence-scope.sh: scores the licences Hatchery's licence scope gave the
documents of /usr/share/doc against labels made here, independently, from every package's
machine-readable (DEP-5) copyright file: for each document, the nearest machine-readable
`copyright` file above it (within its package folder) and the last `Files` paragraph whose
patterns match its path relative to that folder (copyright-format 1.0: `*` and `?` match any
characters including `/`, `\\` escapes; a later paragraph overrides an earlier one), its
`License` short names mapped to SPDX with license_bench.py's table.

  score STORE ROOT   STORE: the workspace's hatchery.db; ROOT: the input folder (/usr/share/doc)
  texts HATCHERY ROOT
                     how well a short name's licence text reads as its licence (the scope reads the
                     text of a name with no SPDX equivalent): every licence text of ROOT's
                     machine-readable copyright files (a standalone License paragraph, or a Files
                     paragraph's own) whose name the table maps to one SPDX id, read with
                     `HATCHERY license detect` as the scope reads it (a decisive finding needed) and
                     compared with that id. Texts that only point to
                     /usr/share/common-licenses are counted apart: they name a licence, not its
                     version's "or later".
"""
import collections, glob, json, os, re, sqlite3, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(__file__))
import license_bench  # noqa: E402
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


def licence_texts(text):
    """(short name, text) of every License field with continuation lines, "." lines empty."""
    found = []
    for paragraph in re.split(r"\n[ \t]*\n", text)[1:]:
        name, body = None, []
        for line in paragraph.split("\n") + ["end:"]:
            if line[:1] in (" ", "\t"):
                body.append("" if line.strip() == "." else line.strip())
                continue
            if name and body: found.append((name, "\n".join(body)))
            name = line.split(":", 1)[1].strip() if line.lower().startswith("license:") else None
            body = []
    return found


def texts(hatchery, root):
    mapped = []
    for path in sorted(glob.glob(os.path.join(root, "*", "copyright"))):
        text = open(path, encoding="utf-8", errors="replace").read()
        if "copyright-format" not in text.split("\n\n", 1)[0]: continue
        for name, body in licence_texts(text):
            ids = spdx_ids(name)
            if ids is not None and len(ids) == 1 and " with " not in name.lower(): mapped.append((ids.pop(), body))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, (_, body) in enumerate(mapped):
            paths.append(os.path.join(folder, f"{index:06d}"))
            open(paths[-1], "w").write(body)
        report = subprocess.run([hatchery, "license", "detect", *paths], capture_output=True, text=True, check=True)
    # As the scope reads a text: only with a decisive finding (confidence 0.8 or more) or a
    # public-domain dedication (0.6 or more); then every finding's id.
    found = {}
    for line in report.stdout.splitlines():
        entry = json.loads(line)
        findings = entry.get("licenses", [])
        if any(f["confidence"] >= 0.8 or (f["spdx"] == "LicenseRef-public-domain" and f["confidence"] >= 0.6)
               for f in findings):
            found[os.path.basename(entry["file"])] = set().union(*(license_bench.ids_in(f["spdx"]) for f in findings))
    read = [found.get(f"{index:06d}", set()) for index in range(len(paths))]
    family = lambda i: re.sub(r"-(only|or-later)$", "", i)
    counts, others = collections.Counter(), collections.Counter()
    for (wanted, body), got in zip(mapped, read):
        pointer = "/usr/share/common-licenses" in body and len(body) < 400
        if got == {wanted}: counts["same"] += 1
        elif {family(i) for i in got} == {family(wanted)}: counts["pointer, version's range differs" if pointer else "range differs"] += 1
        elif wanted in got: counts["its id and more"] += 1
        elif not got: counts["nothing"] += 1
        else:
            counts["another licence"] += 1
            others[(wanted, " AND ".join(sorted(got)))] += 1
    total = len(mapped)
    print(f"licence texts of names the table maps to one id: {total}; read as")
    for key in ("same", "pointer, version's range differs", "range differs", "its id and more", "another licence", "nothing"):
        print(f"  {key}: {counts[key]} = {100 * counts[key] / max(total, 1):.2f}%")
    some = total - counts["nothing"]
    print(f"  of the {some} texts read as something: the same id {100 * counts['same'] / max(some, 1):.2f}%, "
          f"another licence {100 * counts['another licence'] / max(some, 1):.2f}%")
    print("  another licence, by name and reading: " + "; ".join(
        f"{name} as {reading} ({n})" for (name, reading), n in others.most_common(12)))


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
    # Short names with no SPDX equivalent the scope read from their licence text.
    readings = collections.Counter()
    for spdx, evidence in scope.values():
        for name in re.findall(r"; (.+?) read from its (?:text|License paragraph)", evidence):
            readings[name] += 1
    print(f"documents whose scope licence has a short name read from its licence text: "
          f"{sum(1 for _, e in scope.values() if ' read from its ' in e)}; by name: "
          + ", ".join(f"{name} {n}" for name, n in readings.most_common()))
    unknown = collections.Counter(i for spdx, _ in scope.values() for i in re.findall(r"LicenseRef-Debian-\S+", spdx))
    print("short names left without a licence (LicenseRef-Debian-…), by documents: "
          + (", ".join(f"{name} {n}" for name, n in unknown.most_common()) or "none"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "texts":
        texts(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        main()
    else:
        raise SystemExit(__doc__)
