"""A licence evaluation set from PyPI (issue 18): the licence files of wheels, labelled by their
own metadata — PEP 639's `License-Expression` where a wheel has it, else its unambiguous
`License ::` classifiers — split into dev and test halves by a hash of the distribution's name.
Run by Benchmarks/license-pypi.sh; nothing of it is committed.

  prepare OUT [COUNT]   downloads up to COUNT wheels (`pip download --no-deps --only-binary :all:`)
                        of the PyPI names of Debian's python3-* packages (an unbiased list of
                        real-world distributions; taken in the order of a hash of the name),
                        keeps those with a label and a licence file, and writes OUT/files/
                        (DIST__FILE), OUT/labels.json (DIST -> SPDX ids) and OUT/split.json
                        (DIST -> dev | test).
  prepare-dev OUT NAME COUNT [OFFSET]
                        a further dev sample, for tuning only: the dev-half distributions among
                        the COUNT names OFFSET names after the last one OUT's set drew from, in
                        OUT/NAME (its own files/, labels.json, split.json); its test half is
                        never drawn.
  score OUT RESULTS SPLIT
                        per-distribution recall of the labelled ids by the ids found in any of
                        its files, and the precision of the found ids the labels can name, on
                        one half; `-only`/`-or-later` are not told apart (a licence text does
                        not say which). RESULTS: `hatchery license detect` JSON lines or a
                        ScanCode JSON report.
"""
import email.parser, hashlib, json, os, re, subprocess, sys, zipfile

# Classifiers that name one licence (the ambiguous ones — "BSD License", "GNU General Public
# License (GPL)" without a version — give no label).
CLASSIFIERS = {
    "MIT License": "MIT", "MIT No Attribution License (MIT-0)": "MIT-0", "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0", "GNU General Public License v3 (GPLv3)": "GPL-3.0",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0", "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0", "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0",
    "GNU Affero General Public License v3": "AGPL-3.0", "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0",
    "Python Software Foundation License": "PSF-2.0", "The Unlicense (Unlicense)": "Unlicense",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0", "zlib/libpng License": "Zlib",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0", "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "Academic Free License (AFL)": None, "BSD License": None,
}
LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice|copyright|authors?)[^/]*$", re.I)


def normal(identifier):
    """An SPDX id without -only/-or-later/+ (GPL-2.0-or-later -> GPL-2.0)."""
    return re.sub(r"(-only|-or-later|\+)$", "", identifier)


def ids_in(expression):
    ids = {t for t in re.split(r"[\s()]+", expression or "") if t and t.upper() not in ("AND", "OR", "WITH")}
    return {normal("LicenseRef-public-domain" if "public-domain" in i.lower() else i) for i in ids}


def half(dist):
    return "test" if int(hashlib.sha1(dist.lower().encode()).hexdigest()[:8], 16) % 2 else "dev"


def names():
    packages = subprocess.run(["apt-cache", "pkgnames", "python3-"], capture_output=True, text=True).stdout.split()
    result = sorted({p[len("python3-"):] for p in packages if not re.search(r"-(dbg|doc|dev|all)$", p)})
    return sorted(result, key=lambda n: hashlib.sha1(n.encode()).hexdigest())


def labels_of(metadata):
    expression = metadata.get("License-Expression")
    if expression:
        return ids_in(expression)
    ids = set()
    for classifier in metadata.get_all("Classifier") or []:
        if classifier.startswith("License :: "):
            name = classifier.split(" :: ")[-1]
            if CLASSIFIERS.get(name):
                ids.add(CLASSIFIERS[name])
    return ids


def pep503(name):
    """A distribution's name as PEP 503 normalises it (apt's and PyPI's spellings compare equal)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def download(name, wheels):
    """The wheel of NAME into WHEELS (a folder of its own), if PyPI has one."""
    os.makedirs(wheels, exist_ok=True)
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:", "--dest", wheels, name],
                       capture_output=True, timeout=90)
    except subprocess.TimeoutExpired:
        pass
    return sorted(os.path.join(wheels, w) for w in os.listdir(wheels) if w.endswith(".whl"))


def keep(wheel, files, labels, split, wanted_half=None, drawn=frozenset()):
    """Copies the licence files of WHEEL into FILES and labels its distribution when its metadata
    gives a label (and its half is WANTED_HALF, when given; not one of DRAWN, `pep503` names)."""
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile:
        return
    info = [n for n in archive.namelist() if n.split("/")[0].endswith(".dist-info")]
    metadata_name = next((n for n in info if n.endswith("/METADATA")), None)
    if not metadata_name:
        return
    metadata = email.parser.Parser().parsestr(archive.read(metadata_name).decode("utf-8", "replace"))
    dist = metadata.get("Name", os.path.basename(wheel).split("-")[0])
    ids = labels_of(metadata)
    licence_files = [n for n in info if LICENCE_FILE.search(n) and not n.endswith("/")]
    if not ids or not licence_files or dist in labels or pep503(dist) in drawn \
            or (wanted_half and half(dist) != wanted_half):
        return
    for n in licence_files:
        target = os.path.join(files, re.sub(r"[^A-Za-z0-9._-]", "_", dist) + "__" + re.sub(r"[^A-Za-z0-9._-]", "_", n.split(".dist-info/", 1)[1]))
        with open(target, "wb") as f:
            f.write(archive.read(n))
    labels[dist] = sorted(ids)
    split[dist] = half(dist)


def prepare(out, count):
    wheels, files = os.path.join(out, "wheels"), os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    labels, split = {}, {}
    for name in names():
        if len(labels) >= count:
            break
        before = set(os.listdir(wheels)) if os.path.isdir(wheels) else set()
        for wheel in download(name, wheels):
            if os.path.basename(wheel) not in before:
                keep(wheel, files, labels, split)
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
    dev = sum(1 for v in split.values() if v == "dev")
    print(f"{len(labels)} distributions ({dev} dev, {len(labels) - dev} test), {len(os.listdir(files))} licence files, "
          f"{sum(len(v) for v in labels.values())} labelled licences")


def prepare_dev(out, folder, count, offset=0):
    """A further dev sample, for tuning only: the dev-half distributions among the COUNT names
    OFFSET names after the last one OUT's set drew from, into OUT/FOLDER (its own labels.json,
    split.json)."""
    import concurrent.futures
    drawn = {pep503(d) for d in json.load(open(os.path.join(out, "labels.json")))}
    order = names()
    last = max(i for i, n in enumerate(order) if pep503(n) in drawn)
    target = os.path.join(out, folder)
    files = os.path.join(target, "files")
    os.makedirs(files, exist_ok=True)
    labels, split = {}, {}
    later = order[last + 1 + offset:last + 1 + offset + count]
    # Six downloads at once (each is a pip process); the wheels are read in the names' order.
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        for wheels in pool.map(lambda n: download(n, os.path.join(target, "wheels", n)), later):
            for wheel in wheels:
                keep(wheel, files, labels, split, "dev", drawn)
    json.dump(labels, open(os.path.join(target, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(target, "split.json"), "w"), indent=1, sort_keys=True)
    print(f"{len(labels)} more dev distributions of {len(later)} names, {len(os.listdir(files))} licence files")


def score(out, results_path, which, label="", kept=lambda dist: True):
    """Prints the scores on half WHICH (of the distributions KEPT says, prefixed by LABEL)."""
    labels = json.load(open(os.path.join(out, "labels.json")))
    split = json.load(open(os.path.join(out, "split.json")))
    found = {}

    def dist_of(path):
        return os.path.basename(path).split("__", 1)[0]

    text = open(results_path).read()
    if text.lstrip().startswith("{"):
        try:
            report = json.loads(text)
        except json.JSONDecodeError:
            report = None
        if report and "files" in report:
            for entry in report["files"]:
                if entry.get("type") == "file":
                    found.setdefault(dist_of(entry["path"]), set()).update(ids_in(entry.get("detected_license_expression_spdx")))
            text = ""
    for line in text.splitlines():
        entry = json.loads(line)
        ids = set()
        for finding in entry.get("licenses", []):
            ids |= ids_in(finding["spdx"])
        found.setdefault(dist_of(entry["file"]), set()).update(ids)
    safe = {re.sub(r"[^A-Za-z0-9._-]", "_", d): d for d in labels}
    vocabulary = {i for v in labels.values() for i in v}
    recalls, reported, correct = [], 0, 0
    for key, dist in safe.items():
        if split[dist] != which or not kept(dist):
            continue
        wanted = set(labels[dist])
        got = found.get(key, set())
        recalls.append(len(wanted & got) / len(wanted))
        judged = got & vocabulary
        reported += len(judged)
        correct += len(judged & wanted)
    print(f"{label}{which}: per-distribution recall {sum(recalls) / len(recalls):.4f} ({len(recalls)} distributions); "
          f"precision {correct}/{reported} = {correct / reported if reported else float('nan'):.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 300)
    elif sys.argv[1] == "prepare-dev":
        prepare_dev(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    else:
        score(sys.argv[2], sys.argv[3], sys.argv[4])
