"""A licence evaluation set from READMEs (issue 18): the README of every Rust crate Debian 12
packages (librust-*-dev: the crate's top folder under /usr/share/cargo/registry/), of every
Node.js module it packages (node-*: the README under /usr/share/doc/PACKAGE/ of the module whose
package.json names the package) and of the PyPI distributions of its first 2,000 python3-*
names (the long description a wheel's METADATA carries), labelled by the project's own metadata —
Cargo.toml's `license`, package.json's `license`, a wheel's License-Expression or unambiguous
classifiers, as the PyPI set labels — and split into dev and test halves by a hash of the name
(a crate or a distribution is in the half it is in in the crates or the PyPI set). What is scored is how a README states its licence ("## License\n\nMIT © …", "Licensed under
either of Apache License, Version 2.0 or MIT license at your option", a badge, a link to the
LICENSE file beside a name): a kind of text none of the other sets holds, and one web and code
corpora are full of. Only READMEs with licence wording are kept; one that only points to a
LICENSE file counts against both tools alike. Run by Benchmarks/license-readme.sh; nothing of it
is committed; scored as the PyPI set is (per project; `-only`/`-or-later` not told apart).

  prepare OUT   downloads every librust-*-dev and node-* package (`apt-get download`, into
                OUT/debs-rust and OUT/debs-node; those already there are kept) and the wheels
                (`pip download`, into OUT/wheels/NAME/), and writes OUT/files/
                (rust-CRATE__README…, node-MODULE__README…, pypi-DIST__README.md), OUT/labels.json
                (project -> SPDX ids; every id of the expression on the SPDX list, else the
                project is left out: "SEE LICENSE IN …", "BSD") and OUT/split.json.
  score OUT RESULTS HALF
                per-project recall and precision on HALF (dev or test) of a `hatchery license
                detect` JSON-lines output or a ScanCode JSON report, for all kinds and each.
"""
import glob, gzip, json, os, re, subprocess, sys, tempfile, tomllib

import license_crates
import license_pypi
import license_spdx

README = re.compile(r"README(\.(md|markdown|txt|rst|adoc))?(\.gz)?$", re.I)
SPDX_LIST = os.path.join(os.path.dirname(__file__), "..", "Sources/Licensing/Resources/spdx-licenses.txt")


def spdx_ids():
    """The ids of the SPDX licence list (the copy Hatchery's resources pin), GNU suffixes dropped."""
    with open(SPDX_LIST) as listing:
        return {license_pypi.normal(line.split("|")[0]).lower() for line in listing if line.split("|")[1:2] == ["l"]}


def readme_of(folder):
    """The text of FOLDER's README (decompressed), or None."""
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        if README.match(entry) and os.path.isfile(path) and not os.path.islink(path):
            data = open(path, "rb").read()
            return entry.removesuffix(".gz"), gzip.decompress(data) if entry.endswith(".gz") else data
    return None


def crates(tree, package):
    for manifest in sorted(glob.glob(os.path.join(tree, "usr/share/cargo/registry/*/Cargo.toml"))):
        try:
            metadata = tomllib.load(open(manifest, "rb")).get("package", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        yield metadata.get("name"), metadata.get("license"), readme_of(os.path.dirname(manifest))


def node_modules(tree, package):
    for manifest in sorted(glob.glob(os.path.join(tree, "usr/share/nodejs/*/package.json"))
                           + glob.glob(os.path.join(tree, "usr/share/nodejs/@*/*/package.json"))):
        try:
            metadata = json.load(open(manifest, "rb"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        name = metadata.get("name") if isinstance(metadata, dict) else None
        # The package's documentation folder holds the README of the module it is named after.
        if isinstance(name, str) and "node-" + name.lstrip("@").replace("/", "-").lower() == package:
            docs = os.path.join(tree, "usr/share/doc", package)
            yield name, metadata.get("license"), readme_of(docs) if os.path.isdir(docs) else None


KINDS = {"rust": ("librust-", "-dev", crates), "node": ("node-", "", node_modules)}
# The PyPI distributions drawn: the first names of Debian's python3-* packages in the PyPI set's
# order (a hash of the name).
PYPI_NAMES = 2000


def pypi_wheels(out):
    """The wheels of the first PYPI_NAMES names (`pip download`, six at a time, into OUT/wheels/
    NAME/; a name whose folder holds a wheel is not downloaded again)."""
    import concurrent.futures
    root = os.path.join(out, "wheels")

    def fetch(name):
        folder = os.path.join(root, name)
        have = glob.glob(os.path.join(folder, "*.whl"))
        return sorted(have) if have else license_pypi.download(name, folder)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        return [w for wheels in pool.map(fetch, license_pypi.names()[:PYPI_NAMES]) for w in wheels]


def pypi_projects(wheel):
    """A wheel's distribution, its label (PEP 639's License-Expression, else its unambiguous
    classifiers, as the PyPI set labels) and its long description (the METADATA's body: the
    README as PyPI shows it)."""
    import email.parser, zipfile
    try:
        archive = zipfile.ZipFile(wheel)
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8", "replace"))
    except (zipfile.BadZipFile, StopIteration, KeyError, OSError):
        return
    body = metadata.get_payload()
    if isinstance(body, str) and body.strip():
        ids = license_pypi.labels_of(metadata)
        yield metadata.get("Name"), " OR ".join(sorted(ids)) if ids else None, ("README.md", body.encode())


def prepare(out):
    files = os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    known = spdx_ids()
    labels, split, counts = {}, {}, {}

    def keep(kind, name, expression, readme):
        """Writes README (file name, bytes) of KIND's project NAME, labelled by EXPRESSION, when
        both are usable and the README holds licence wording."""
        if not isinstance(name, str) or not isinstance(expression, str) or readme is None \
                or not license_crates.EXPRESSION.fullmatch(expression):
            return
        project = kind + "-" + name
        ids = license_crates.ids_of(expression)
        if project in labels or not ids or any(i.lower() not in known for i in ids) \
                or not license_spdx.WORDING.search(readme[1]):
            return
        with open(os.path.join(files, license_crates.safe(project) + "__" + license_crates.safe(readme[0])), "wb") as f:
            f.write(readme[1])
        labels[project] = sorted(ids)
        split[project] = license_pypi.half(name)
        counts[kind] = counts.get(kind, 0) + 1
    for kind, (prefix, suffix, projects) in KINDS.items():
        debs = os.path.join(out, "debs-" + kind)
        license_crates.download_debs(debs, prefix, suffix)
        for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
            package = os.path.basename(deb).split("_")[0]
            with tempfile.TemporaryDirectory() as tree:
                if subprocess.run(["dpkg-deb", "-x", deb, tree], capture_output=True).returncode != 0:
                    continue  # a download cut short
                for name, expression, readme in projects(tree, package):
                    keep(kind, name, expression, readme)
    for wheel in pypi_wheels(out):
        for name, expression, readme in pypi_projects(wheel):
            keep("pypi", name, expression, readme)
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
    dev = sum(1 for h in split.values() if h == "dev")
    print(f"{len(labels)} READMEs with a label and licence wording ({', '.join(f'{n} {k}' for k, n in counts.items())}; "
          f"{dev} dev, {len(labels) - dev} test)")


def score(out, results_path, half):
    """Both kinds together, then each alone."""
    license_pypi.score(out, results_path, half)
    labels = json.load(open(os.path.join(out, "labels.json")))
    for kind in list(KINDS) + ["pypi"]:
        if any(project.startswith(kind + "-") for project in labels):
            license_pypi.score(out, results_path, half, f"  {kind} ", lambda project: project.startswith(kind + "-"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "score" and sys.argv[4] in ("dev", "test"):
        score(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
