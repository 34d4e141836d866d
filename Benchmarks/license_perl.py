"""A licence evaluation set from Perl modules (issue 18): the main module (.pm, with its POD) of
every Perl library Debian 12 packages (lib*-perl), labelled by the licence of the package's
machine-readable copyright file's `Files: *` paragraph (the upstream licence, read by a
maintainer: Debian's "Artistic" is Perl's Artistic Licence 1.0, SPDX Artistic-1.0-Perl), split
into dev and test halves by a hash of the source package's name. What is scored is the licence
statement a module's own documentation makes ("same terms as Perl itself", "licensed under: The
Artistic License 2.0", a GPL or BSD notice …), a kind of text none of the other sets holds. Run
by Benchmarks/license-perl.sh; nothing of it is committed; scored as the SPDX sets are, except
that Debian's "Artistic" names the Artistic Licence 1.0 in any of its SPDX forms (Artistic-1.0,
-Perl, -cl8: copyright-format 1.0 has one short name for the family), so each counts as the label.

  prepare OUT [perl]
                downloads every lib*-perl package (`apt-get download`, into OUT/debs) and, for
                each source package (its first binary package in name order), keeps the module
                named as the package is (libfoo-bar-perl: Foo/Bar.pm, case aside) when its
                copyright file is machine-readable, every licence of its `Files: *` paragraph has
                an SPDX equivalent, and the module holds licence wording; writes OUT/files/
                (PACKAGE__Module-Path.pm), OUT/labels.json (file -> SPDX ids) and OUT/split.json.
  score OUT RESULTS HALF
                per-file recall and precision on HALF (dev or test) of a `hatchery license detect`
                JSON-lines output or a ScanCode JSON report.
  prepare OUT php
                a pool for tuning only (every file dev; it has no test half): the same from every
                php-* package, the first PHP file under /usr/share/php (path order, test folders
                left out) whose first 40 lines hold licence wording (its docblock: a notice, an
                `@license` tag, or a pointer to a LICENSE file that names nothing).
  prepare OUT node
                the same pool from every node-* package: the first JavaScript file under
                /usr/share/nodejs (tests and bundled node_modules left out) with licence wording
                in its first 40 lines.
"""
import glob, json, os, re, subprocess, sys, tempfile

import license_bench
import license_crates
import license_pypi
import license_spdx

MODULE = re.compile(r"usr/(?:share/perl5|lib/[^/]+/perl5/[\d.]+)/(.+)\.pm$")
# Debian's short names as copyright-format 1.0 defines them, with Perl's own licence added.
NAMES = dict(license_bench.DEBIAN_TO_SPDX, **{"artistic": "Artistic-1.0-Perl", "artistic-1.0-perl": "Artistic-1.0-Perl"})


def upstream_licence(copyright_text):
    """The SPDX ids of the `Files: *` paragraph's licence, or None when the file is not
    machine-readable, has no such paragraph, or names a licence with no SPDX equivalent."""
    if not copyright_text.startswith("Format:"):
        return None
    for paragraph in copyright_text.split("\n\n"):
        files = re.search(r"^Files:\s*(.*)$", paragraph, flags=re.M)
        licence = re.search(r"^License:\s*(.*)$", paragraph, flags=re.M)
        if not files or not licence or "*" not in files.group(1).split():
            continue
        names = license_bench.short_names(licence.group(1))
        if not names or any(n not in NAMES for n in names):
            return None
        return sorted({license_spdx.normalised(NAMES[n]) for n in names})
    return None


def perl_module(package, tree):
    """The module named as the package is (libfoo-bar-perl: Foo/Bar.pm), if it holds licence wording."""
    key = package.removeprefix("lib").removesuffix("-perl")
    for root, _, entries in os.walk(tree):
        for entry in entries:
            path = os.path.join(root, entry)
            match = MODULE.search(os.path.relpath(path, tree))
            if match and not os.path.islink(path) and match.group(1).lower().replace("/", "-") == key:
                data = open(path, "rb").read()
                return (package + "__" + match.group(1).replace("/", "-") + ".pm", data) \
                    if license_spdx.WORDING.search(data) else None
    return None


def first_with_wording(folder, extension, skipped):
    """A draw of the first file of FOLDER with EXTENSION (path order; links, folders so named and
    paths matching SKIPPED left out) whose first 40 lines hold licence wording."""
    def pick(package, tree):
        for path in sorted(glob.glob(os.path.join(tree, folder, "**", "*." + extension), recursive=True)):
            if os.path.islink(path) or not os.path.isfile(path) or re.search(skipped, path):
                continue
            data = open(path, "rb").read()
            if license_spdx.WORDING.search(b"\n".join(data.split(b"\n")[:40])):
                return package + "__" + os.path.basename(path), data
        return None
    return pick


# What each set draws: the packages (name prefix, suffix) and the file of each it keeps.
KINDS = {
    "perl": ("lib", "-perl", perl_module),
    "php": ("php-", "", first_with_wording("usr/share/php", "php", r"/[Tt]ests?/")),
    "node": ("node-", "", first_with_wording("usr/share/nodejs", "js", r"/(tests?|node_modules)/")),
}


def prepare(out, kind):
    prefix, suffix, pick = KINDS[kind]
    debs = os.path.join(out, "debs")
    files = os.path.join(out, "files")
    os.makedirs(files, exist_ok=True)
    names = license_crates.download_debs(debs, prefix, suffix)
    labels, split, sources = {}, {}, set()
    for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
        package = os.path.basename(deb).split("_")[0]
        control = subprocess.run(["dpkg-deb", "-f", deb, "Source"], capture_output=True, text=True).stdout.split()
        source = control[0] if control else package
        if source in sources:
            continue
        with tempfile.TemporaryDirectory() as tree:
            if subprocess.run(["dpkg-deb", "-x", deb, tree], capture_output=True).returncode != 0:
                continue  # a download cut short
            copyright_path = os.path.join(tree, "usr/share/doc", package, "copyright")
            if not os.path.isfile(copyright_path):
                continue
            ids = upstream_licence(open(copyright_path, encoding="utf-8", errors="replace").read())
            picked = pick(package, tree) if ids else None
            if picked is None:
                continue
            sources.add(source)
            name, data = picked
            open(os.path.join(files, name), "wb").write(data)
            labels[name] = ids
            # The PHP and Node.js files are pools for tuning only: every one is dev.
            split[name] = license_pypi.half(source) if kind == "perl" else "dev"
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(out, "split.json"), "w"), indent=1, sort_keys=True)
    dev = sum(1 for h in split.values() if h == "dev")
    print(f"{len(names)} packages, {len(labels)} files with a label and licence wording ({dev} dev, "
          f"{len(labels) - dev} test)")


# Debian's one short name for the Artistic Licence 1.0, whichever SPDX form a tool reports.
ARTISTIC_1 = {"artistic-1.0": "artistic-1.0-perl", "artistic-1.0-cl8": "artistic-1.0-perl"}


def score(out, results_path, half):
    license_spdx.score(out, "files", results_path, half, same=ARTISTIC_1)


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "prepare" and (sys.argv[3:] or ["perl"])[0] in KINDS:
        prepare(sys.argv[2], (sys.argv[3:] or ["perl"])[0])
    elif len(sys.argv) == 5 and sys.argv[1] == "score" and sys.argv[4] in ("dev", "test"):
        score(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
