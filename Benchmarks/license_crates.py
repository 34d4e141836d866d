"""A licence evaluation set from Rust crates (issue 18): the licence files of the crates Debian 12
packages (librust-*-dev ships each crate's source under /usr/share/cargo/registry/), labelled by
the crate's own Cargo.toml `license` (an SPDX expression; Cargo's old "MIT/Apache-2.0" reads as
OR), split into dev and test halves by a hash of the crate's name. The same layout as the PyPI
set, so `license_pypi.py score` scores it. Run by Benchmarks/license-crates.sh; nothing of it is
committed.

  prepare OUT   downloads every librust-*-dev package (`apt-get download`, into OUT/debs), keeps
                each crate (one version: the first package in name order) whose Cargo.toml has a
                `license` and whose top folder holds a licence file, and writes OUT/files/
                (CRATE__FILE), OUT/labels.json (CRATE -> SPDX ids, exceptions after WITH left
                out, -only/-or-later dropped as license_pypi.py does) and OUT/split.json.
"""
import glob, json, os, re, subprocess, sys, tempfile, tomllib

import license_pypi
import license_spdx

# An expression of SPDX ids, AND/OR/WITH and parentheses (Cargo's "/" separator allowed).
EXPRESSION = re.compile(r"[A-Za-z0-9.+\-() /]+")


def ids_of(expression):
    """The SPDX ids of a Cargo expression, as the PyPI set labels them (no -only/-or-later)."""
    return {license_pypi.normal(i) for i in license_spdx.ids_in(expression.replace("/", " OR "))}


def safe(name):
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def download_debs(debs, prefix, suffix):
    """Every package whose name starts with PREFIX and ends with SUFFIX, downloaded into DEBS
    (`apt-get download`, 200 at a time; those already there are kept); returns their names."""
    os.makedirs(debs, exist_ok=True)
    names = sorted(n for n in subprocess.run(["apt-cache", "pkgnames", prefix], capture_output=True,
                                             text=True).stdout.split() if n.endswith(suffix))
    have = {os.path.basename(d).split("_")[0] for d in glob.glob(os.path.join(debs, "*.deb"))}
    wanted = [n for n in names if n not in have]
    for start in range(0, len(wanted), 200):
        subprocess.run(["apt-get", "download", "-q"] + wanted[start:start + 200], cwd=debs, capture_output=True)
    return names


def prepare(out):
    debs = os.path.join(out, "debs")
    files = os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    names = download_debs(debs, "librust-", "-dev")
    labels, split = {}, {}
    for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
        with tempfile.TemporaryDirectory() as tree:
            subprocess.run(["dpkg-deb", "-x", deb, tree], check=True)
            for manifest in sorted(glob.glob(os.path.join(tree, "usr/share/cargo/registry/*/Cargo.toml"))):
                try:
                    package = tomllib.load(open(manifest, "rb")).get("package", {})
                except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                    continue
                crate, expression = package.get("name"), package.get("license")
                if not isinstance(crate, str) or not isinstance(expression, str) or crate in labels \
                        or not EXPRESSION.fullmatch(expression):
                    continue
                ids = ids_of(expression)
                folder = os.path.dirname(manifest)
                licence_files = [f for f in sorted(os.listdir(folder))
                                 if license_pypi.LICENCE_FILE.search(f) and os.path.isfile(os.path.join(folder, f))]
                if not ids or not licence_files:
                    continue
                for f in licence_files:
                    with open(os.path.join(folder, f), "rb") as source, \
                            open(os.path.join(files, safe(crate) + "__" + safe(f)), "wb") as target:
                        target.write(source.read())
                labels[crate] = sorted(ids)
                split[crate] = license_pypi.half(crate)
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1)
    print(f"{len(names)} packages, {len(labels)} crates with a label and a licence file "
          f"({sum(1 for h in split.values() if h == 'dev')} dev), {len(os.listdir(files))} files")


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    else:
        sys.exit(__doc__)
