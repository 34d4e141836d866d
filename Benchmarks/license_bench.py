"""Licence detection on Debian's machine-readable copyright files (run by Benchmarks/license.sh).

  prepare OUT [LIMIT]   copies machine-readable /usr/share/doc/*/copyright files (sorted by package,
                        at most LIMIT) into OUT with every `License: short-name` line removed (the
                        licence texts under them stay) and writes OUT/labels.json: file -> the SPDX
                        ids of its short names (Debian names such as GPL-2+ and Expat mapped to
                        SPDX; names with no SPDX equivalent are left out of the score).
  prepare-archive OUT COUNT
                        the same from packages of the Debian archive that are NOT installed here,
                        nor built from the source of one that is (apt-get download; one binary package per source package, at most 2 MB,
                        sources in SHA-1 order, identical files once) until COUNT files are
                        labelled, and OUT/split.json: file -> dev or test by the SHA-1 of its source.
  prepare-freeform OUT COUNT
                        free-form (not machine-readable) copyright files of packages not installed
                        here, labelled by the machine-readable file Debian 13 (trixie) ships for
                        the same package at the same upstream version (the licences of the same
                        upstream code, written out by a maintainer), the free-form text as it is;
                        OUT/split.json as above.
  score LABELS RESULTS [HALF]
                        per-file recall of the labelled ids, and the precision of the reported ids
                        that the labels could name, from `hatchery license detect` JSON lines or a
                        ScanCode JSON report; HALF (dev or test) scores the files of that half of
                        split.json beside LABELS.
"""
import glob, hashlib, json, os, re, subprocess, sys

DEBIAN_TO_SPDX = {
    "gpl-1": "GPL-1.0-only", "gpl-1+": "GPL-1.0-or-later", "gpl-2": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later",
    "gpl-3": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later", "lgpl-2": "LGPL-2.0-only", "lgpl-2+": "LGPL-2.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later", "lgpl-3": "LGPL-3.0-only",
    "lgpl-3+": "LGPL-3.0-or-later", "agpl-3": "AGPL-3.0-only", "agpl-3+": "AGPL-3.0-or-later",
    "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.2+": "GFDL-1.2-or-later", "gfdl-1.3": "GFDL-1.3-only",
    "gfdl-1.3+": "GFDL-1.3-or-later", "gfdl-1.1": "GFDL-1.1-only", "gfdl-1.1+": "GFDL-1.1-or-later",
    # GFDL-NIV: with no invariant sections (copyright-format 1.0's short names), SPDX's no-invariants ids.
    "gfdl-niv-1.1": "GFDL-1.1-no-invariants-only", "gfdl-niv-1.1+": "GFDL-1.1-no-invariants-or-later",
    "gfdl-niv-1.2": "GFDL-1.2-no-invariants-only", "gfdl-niv-1.2+": "GFDL-1.2-no-invariants-or-later",
    "gfdl-niv-1.3": "GFDL-1.3-no-invariants-only", "gfdl-niv-1.3+": "GFDL-1.3-no-invariants-or-later",
    "expat": "MIT", "mit": "MIT", "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause", "isc": "ISC", "apache-2.0": "Apache-2.0",
    "apache-2": "Apache-2.0", "mpl-1.1": "MPL-1.1", "mpl-2.0": "MPL-2.0", "zlib": "Zlib",
    "public-domain": "LicenseRef-public-domain", "cc0-1.0": "CC0-1.0", "cc0": "CC0-1.0",
    "artistic-2.0": "Artistic-2.0", "psf-2": "PSF-2.0", "psf-2.0": "PSF-2.0", "unlicense": "Unlicense",
    "bsl-1.0": "BSL-1.0", "boost": "BSL-1.0", "boost-1.0": "BSL-1.0", "bsl": "BSL-1.0", "psf-license": "PSF-2.0",
    "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0",
    "wtfpl": "WTFPL",
}


def short_names(field):
    """The short names of a `License:` field's first line, lower-case ("GPL-2+ or Artistic",
    "MIT, BSD-3-clause"; an exception after "with" left out)."""
    names = re.split(r"\s+(?:or|and)\s+|,\s*", field.strip(), flags=re.I)
    return [re.sub(r"\s+with\s+.*$", "", n.strip(), flags=re.I).lower() for n in names if n.strip()]


def labels_of(text):
    ids = set()
    for line in text.splitlines():
        if line.startswith("License:"):
            ids.update(DEBIAN_TO_SPDX[n] for n in short_names(line[len("License:"):]) if n in DEBIAN_TO_SPDX)
    return ids


def prepare(out, limit):
    os.makedirs(out, exist_ok=True)
    labels = {}
    for path in sorted(glob.glob("/usr/share/doc/*/copyright")):
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        if not text.startswith("Format:"):
            continue
        ids = labels_of(text)
        if not ids:
            continue
        write_stripped(out, path.split("/")[-2] + ".copyright", text, labels)
        if len(labels) >= limit:
            break
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1)
    print(f"{len(labels)} files, {sum(len(v) for v in labels.values())} labelled licences")


def write_stripped(out, name, text, labels):
    stripped = "\n".join(l for l in text.splitlines() if not l.startswith("License:")) + "\n"
    open(os.path.join(out, name), "w", encoding="utf-8").write(stripped)
    labels[name] = sorted(labels_of(text))


def stanzas(text):
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", stanza, flags=re.M))
        if fields.get("Package"):
            yield fields


def upstream(version):
    return version.split(":")[-1].rsplit("-", 1)[0]


def installed_names():
    """Packages installed here and the source packages they were built from (a package built from
    the same source has the same copyright file)."""
    return set(subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${source:Package}\n"], capture_output=True,
                              text=True).stdout.split())


def copyright_of(deb_path):
    tar = subprocess.run(f"dpkg-deb --fsys-tarfile '{deb_path}' | tar -xO --wildcards './usr/share/doc/*/copyright'",
                         shell=True, capture_output=True)
    return tar.stdout


def prepare_archive(out, count):
    os.makedirs(os.path.join(out, "debs"), exist_ok=True)
    installed = installed_names()
    by_source = {}
    for fields in stanzas(subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True).stdout):
        name = fields["Package"]
        if name in installed or int(fields.get("Size", "0")) > 2 << 20:
            continue
        source = fields.get("Source", name).split()[0]
        if source not in installed:
            by_source.setdefault(source, name)
    sources = sorted(by_source, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    labels, split, seen = {}, {}, set()
    for start in range(0, len(sources), 40):
        if len(labels) >= count:
            break
        batch = sources[start:start + 40]
        debs = os.path.join(out, "debs")
        subprocess.run(["apt-get", "download"] + [by_source[s] for s in batch], cwd=debs, capture_output=True)
        for deb in os.listdir(debs):
            package = deb.split("_")[0]
            source = next((s for s in batch if by_source[s] == package), package)
            data = copyright_of(os.path.join(debs, deb))
            os.remove(os.path.join(debs, deb))
            text = data.decode("utf-8", "replace")
            digest = hashlib.sha256(data).hexdigest()
            if not text.startswith("Format:") or digest in seen or not labels_of(text) or len(labels) >= count:
                continue
            seen.add(digest)
            name = source + ".copyright"
            write_stripped(out, name, text, labels)
            split[name] = "dev" if int(hashlib.sha1(source.encode()).hexdigest()[-1], 16) % 2 == 0 else "test"
    os.rmdir(os.path.join(out, "debs"))
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
    dev = sum(1 for v in split.values() if v == "dev")
    print(f"{len(labels)} files ({dev} dev, {len(labels) - dev} test), "
          f"{sum(len(v) for v in labels.values())} labelled licences")


def prepare_freeform(out, count):
    import lzma
    import urllib.request
    mirror = "http://deb.debian.org/debian/"
    debs = os.path.join(out, "debs")
    os.makedirs(debs, exist_ok=True)
    installed = installed_names()
    index = urllib.request.urlopen(mirror + "dists/trixie/main/binary-amd64/Packages.xz", timeout=120).read()
    trixie = {f["Package"]: f for f in stanzas(lzma.decompress(index).decode("utf-8", "replace"))}
    by_source = {}
    for fields in stanzas(subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True).stdout):
        name = fields["Package"]
        later = trixie.get(name)
        if name in installed or later is None or int(fields.get("Size", "0")) > 2 << 20 \
                or int(later.get("Size", "0")) > 2 << 20 or upstream(fields["Version"]) != upstream(later["Version"]):
            continue
        source = fields.get("Source", name).split()[0]
        if source not in installed:
            by_source.setdefault(source, (name, later["Filename"]))
    sources = sorted(by_source, key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    labels, split, seen = {}, {}, set()
    for start in range(0, len(sources), 100):
        if len(labels) >= count:
            break
        batch = sources[start:start + 100]
        print(f"{start} of {len(sources)} sources read, {len(labels)} files", file=sys.stderr)
        # Written after every batch: a run stopped early leaves a usable set.
        json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
        json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
        subprocess.run(["apt-get", "download"] + [by_source[s][0] for s in batch], cwd=debs, capture_output=True)
        for source in batch:
            name, later_file = by_source[source]
            deb = next((f for f in os.listdir(debs) if f.startswith(name + "_")), None)
            if deb is None:
                continue
            text = copyright_of(os.path.join(debs, deb))
            os.remove(os.path.join(debs, deb))
            digest = hashlib.sha256(text).hexdigest()
            if not text or text.startswith(b"Format:") or digest in seen or len(labels) >= count:
                continue
            later_path = os.path.join(debs, "later.deb")
            try:
                open(later_path, "wb").write(urllib.request.urlopen(mirror + later_file, timeout=60).read())
            except OSError:
                continue
            later_text = copyright_of(later_path).decode("utf-8", "replace")
            os.remove(later_path)
            if not later_text.startswith("Format:") or not labels_of(later_text):
                continue
            seen.add(digest)
            file_name = source + ".copyright"
            open(os.path.join(out, file_name), "wb").write(text)
            labels[file_name] = sorted(labels_of(later_text))
            split[file_name] = "dev" if int(hashlib.sha1(source.encode()).hexdigest()[-1], 16) % 2 == 0 else "test"
    for leftover in os.listdir(debs):
        os.remove(os.path.join(debs, leftover))
    os.rmdir(debs)
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
    dev = sum(1 for v in split.values() if v == "dev")
    print(f"{len(labels)} files ({dev} dev, {len(labels) - dev} test), "
          f"{sum(len(v) for v in labels.values())} labelled licences")


def ids_in(expression):
    """Licence ids of an expression; every tool's public-domain reference counts as one id."""
    ids = {t for t in re.split(r"[\s()]+", expression or "") if t and t.upper() not in ("AND", "OR", "WITH")}
    return {"LicenseRef-public-domain" if "public-domain" in i.lower() else i for i in ids}


def found_ids(results_path, ids_of=ids_in):
    """File name -> the licence ids a tool reported, from `hatchery license detect` JSON lines or
    a ScanCode JSON report; `ids_of` reads an expression."""
    found = {}
    text = open(results_path).read()
    if text.lstrip().startswith("{\"headers\"") or text.lstrip().startswith("{\n"):
        for entry in json.loads(text)["files"]:
            if entry.get("type") == "file":
                found[os.path.basename(entry["path"])] = ids_of(entry.get("detected_license_expression_spdx"))
    else:
        for line in text.splitlines():
            entry = json.loads(line)
            ids = set()
            for finding in entry.get("licenses", []):
                ids |= ids_of(finding["spdx"])
            found[os.path.basename(entry["file"])] = ids
    return found


def score(labels_path, results_path, half=None):
    labels = json.load(open(labels_path))
    if half:
        split = json.load(open(os.path.join(os.path.dirname(labels_path), "split.json")))
        labels = {name: ids for name, ids in labels.items() if split[name] == half}
    found = found_ids(results_path)
    # Precision can only be judged on ids the labels can name: those of the Debian mapping.
    vocabulary = set(DEBIAN_TO_SPDX.values())
    recalls, hits, total, reported, correct = [], 0, 0, 0, 0
    for name, wanted in labels.items():
        got = found.get(name, set())
        hit = len(set(wanted) & got)
        hits += hit
        total += len(wanted)
        recalls.append(hit / len(wanted))
        judged = got & vocabulary
        reported += len(judged)
        correct += len(judged & set(wanted))
    print(f"per-file recall {sum(recalls) / len(recalls):.4f} (mean of {len(recalls)} files), "
          f"all labels {hits}/{total} = {hits / total:.4f}; "
          f"precision {correct}/{reported} = {correct / reported if reported else float('nan'):.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10**9)
    elif sys.argv[1] == "prepare-archive":
        prepare_archive(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "prepare-freeform":
        prepare_freeform(sys.argv[2], int(sys.argv[3]))
    else:
        score(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
