#!/usr/bin/env python3
"""Licence detection on source files with SPDX-License-Identifier headers (issue 18), from the
Linux kernel's source as Debian ships it (linux-source-6.1), from the headers and modules of
other Debian packages (a second source of other projects' conventions), and (a dev pool only)
from other projects' source tarballs.

  prepare WORK COUNT   unpacks WORK/debs/linux-source-*.deb, draws up to COUNT files carrying an
                       SPDX-License-Identifier line (at most 40 per distinct expression, so rare
                       ones count, files in SHA-1 order of their path) into WORK/tagged, and the
                       same files with that line removed into WORK/untagged when their first 80
                       lines still hold licence wording (a GPL boilerplate, a BSD grant …);
                       WORK/labels.json: name -> the SPDX ids of the expression (deprecated GNU
                       ids such as GPL-2.0 and GPL-2.0+ read as SPDX says: -only, -or-later;
                       exceptions after WITH left out); WORK/split.json: name -> dev or test.
  prepare-dev WORK NAME COUNT CAP
                       a further dev sample, for tuning only: up to COUNT more files of the dev half
                       (by the same SHA-1 split; none already drawn), at most CAP per expression,
                       each as the untagged files are, into WORK/NAME, labels added to
                       WORK/labels.json and WORK/split.json (all "dev"). Its test half is never drawn.
  prepare-half WORK NAME HALF [kernel|packages]
                       every file of HALF (dev or test, by the same SHA-1 split) whose text keeps licence
                       wording once its tag is removed, with no cap per expression, each as the untagged
                       files are, into WORK/NAME (labels and split added): the whole half, so its figures
                       are not those of a 50-file sample. Files already drawn keep their names and labels. With
                       `packages`, the half of the packages set's debs (as prepare-packages reads them).
  prepare-packages WORK COUNT
                       as prepare, from every .deb in WORK/debs instead of the kernel's source (names are
                       package__path; the SHA-1 of that name splits dev from test; copyright files left
                       out). The list in license-spdx.sh leaves out packages that copy kernel files.
  prepare-sources WORK CAP
                       a dev pool of other projects' sources (tuning only; it has no test half): every
                       file of the upstream tarballs in WORK/src (apt-get source) that carries a tag and
                       keeps licence wording without it, at most CAP per expression and project, untagged,
                       into WORK/untagged (names project__path). Files the kernel's source holds too (the
                       same first 40 lines, or the same last two path components; WORK/debs/linux-source-*)
                       and folders of copied kernel headers are left out, so no kernel test file leaks in;
                       so are the tagged files of the packages set's packages (WORK/pkgdebs: the same
                       first 40 lines or last two path components), so a project that set draws from
                       may be drawn too.
  score WORK SET RESULTS HALF
                       per-file recall and precision of the labelled ids on SET (tagged, untagged
                       or a dev sample) from `hatchery license detect` JSON lines or a ScanCode JSON report.
"""
import hashlib, json, os, re, shutil, subprocess, sys
from collections import Counter

import license_bench

TAG = re.compile(rb"SPDX-License-Identifier:\s*([^\n*]*?)\s*(?:\*/|-->|$)", re.M)
WORDING = re.compile(rb"licen[cs]e|GPL|permission is hereby|public domain|redistribut", re.I)
GNU = re.compile(r"^(A?GPL|LGPL|GFDL)-\d")


def sha1(text):
    return hashlib.sha1(text.encode()).hexdigest()


def normalised(identifier):
    """An SPDX id as the current list names it: GNU ids without -only/-or-later are deprecated."""
    identifier = identifier.strip()
    if GNU.match(identifier):
        if identifier.endswith("+"):
            return identifier[:-1].removesuffix("-or-later").removesuffix("-only") + "-or-later"
        if not identifier.endswith(("-only", "-or-later")):
            return identifier + "-only"
    if "public-domain" in identifier.lower():
        return "LicenseRef-public-domain"
    return identifier


def ids_in(expression):
    tokens = [t for t in re.split(r"[\s()]+", expression or "") if t]
    ids, skip = set(), False
    for token in tokens:
        if skip:
            skip = False
        elif token.upper() == "WITH":
            skip = True
        elif token.upper() not in ("AND", "OR"):
            ids.add(normalised(token))
    return ids


def unpacked_source(work):
    source = os.path.join(work, "source")
    if not os.path.isdir(source):
        deb = next(f for f in os.listdir(os.path.join(work, "debs")) if f.startswith("linux-source"))
        os.makedirs(source)
        subprocess.run(f"dpkg-deb --fsys-tarfile debs/{deb} | tar -x --wildcards './usr/src/*.tar.xz' -O "
                       f"| tar -xJ -C source", shell=True, cwd=work, check=True)
    return source


def tagged_files(source):
    """(SHA-1 of the relative path, path, name in the sets, tag expression) of every file whose
    first 4 KiB carry an SPDX-License-Identifier line."""
    found = []
    for root, _, files in os.walk(source):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            with open(path, "rb") as file:
                match = TAG.search(file.read(4096))
            if match:
                relative = os.path.relpath(path, source)
                found.append((sha1(relative), path, relative.replace("/", "__"),
                              match.group(1).decode("utf8", "replace")))
    return found


def untagged_text(data):
    """The file without its tag line, or None when its first 80 lines then hold no licence wording."""
    untagged = b"\n".join(line for line in data.split(b"\n") if b"SPDX-License-Identifier" not in line)
    return untagged if WORDING.search(b"\n".join(untagged.split(b"\n")[:80])) else None


def draw(work, candidates, count):
    """Up to COUNT of the candidates (SHA-1, path, name, expression), at most 40 per expression, in
    SHA-1 order: as they are into WORK/tagged, untagged into WORK/untagged when wording is left."""
    per_expression = Counter()
    labels, split = {}, {}
    for directory in ("tagged", "untagged"):
        os.makedirs(os.path.join(work, directory), exist_ok=True)
    for digest, path, name, expression in sorted(candidates):
        ids = ids_in(expression)
        key = " ".join(sorted(ids))
        if not ids or not all(re.fullmatch(r"[A-Za-z0-9.+-]+", i) for i in ids) or per_expression[key] >= 40 or len(labels) >= count:
            continue
        per_expression[key] += 1
        data = open(path, "rb").read()
        open(os.path.join(work, "tagged", name), "wb").write(data)
        untagged = untagged_text(data)
        if untagged is not None:
            open(os.path.join(work, "untagged", name), "wb").write(untagged)
        labels[name] = sorted(ids)
        split[name] = "dev" if int(digest[-1], 16) % 2 == 0 else "test"
    json.dump(labels, open(os.path.join(work, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(work, "split.json"), "w"), indent=1, sort_keys=True)
    untagged = len(os.listdir(os.path.join(work, "untagged")))
    print(f"{len(labels)} tagged files ({len(per_expression)} expressions), {untagged} with licence wording "
          f"besides the tag")


def prepare(work, count):
    source = unpacked_source(work)
    draw(work, tagged_files(source), count)
    shutil.rmtree(source)


def package_candidates(work):
    """The tagged files of every .deb in WORK/debs, unpacked under WORK/source (the caller removes
    it), named package__path; a file whose text two packages ship is drawn once."""
    source = os.path.join(work, "source")
    candidates, seen = [], set()
    for deb in sorted(f for f in os.listdir(os.path.join(work, "debs")) if f.endswith(".deb")):
        package = deb.split("_")[0]
        tree = os.path.join(source, package)
        os.makedirs(tree, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", os.path.join(work, "debs", deb), tree], check=True)
        for digest, path, name, expression in tagged_files(tree):
            if name.startswith("usr__share__doc__"):
                continue  # copyright files hold several expressions; the archive sets score those
            text = hashlib.sha1(open(path, "rb").read()).hexdigest()
            if text in seen:
                continue
            seen.add(text)
            name = f"{package}__{name}"
            candidates.append((sha1(name), path, name, expression))
    return candidates


def prepare_packages(work, count):
    draw(work, package_candidates(work), count)
    shutil.rmtree(os.path.join(work, "source"))


def header_print(data):
    """The SHA-1 of a file's first 40 lines without its tag, blanks collapsed."""
    lines = [line for line in data.split(b"\n") if b"SPDX-License-Identifier" not in line][:40]
    return sha1(re.sub(rb"\s+", b" ", b" ".join(lines)).decode("utf8", "replace"))


def held_files(tree, held, every_path):
    """Adds to HELD the header print of every tagged file under TREE, and its last two path
    components (of every file when EVERY_PATH, else of the tagged ones)."""
    for root, _, files in os.walk(tree):
        for name in files:
            path = os.path.join(root, name)
            if os.path.islink(path):
                continue
            data = open(path, "rb").read()
            tagged = TAG.search(data[:4096])
            if tagged:
                held.add(header_print(data))
            if tagged or every_path:
                held.add("/".join(path.split("/")[-2:]))


def prepare_sources(work, cap):
    source = unpacked_source(work)
    held = set()
    held_files(source, held, True)
    shutil.rmtree(source)
    # The packages set's files (both halves) are left out too, so a project whose binaries it
    # draws from may give a pool without a copy of one of its test files.
    for deb in sorted(os.listdir(os.path.join(work, "pkgdebs"))):
        tree = os.path.join(work, "pkgtree")
        subprocess.run(["dpkg-deb", "-x", os.path.join(work, "pkgdebs", deb), tree], check=True)
        held_files(tree, held, False)
        shutil.rmtree(tree)
    copied = re.compile(r"linux-headers|uapi|standard-headers|__linux__|__kernel__", re.I)
    tree = os.path.join(work, "tree")
    for tarball in sorted(os.listdir(os.path.join(work, "src"))):
        if ".orig.tar." in tarball and not tarball.endswith(".asc"):
            project = os.path.join(tree, tarball.split("_")[0])
            os.makedirs(project, exist_ok=True)
            subprocess.run(["tar", "-xf", os.path.join(work, "src", tarball), "-C", project, "--strip-components=1"],
                           stderr=subprocess.DEVNULL)
    os.makedirs(os.path.join(work, "untagged"), exist_ok=True)
    labels, split, left_out = {}, {}, 0
    for project in sorted(os.listdir(tree)):
        per_expression = Counter()
        for digest, path, name, expression in sorted(tagged_files(os.path.join(tree, project))):
            data = open(path, "rb").read()
            if copied.search(name) or header_print(data) in held or "/".join(path.split("/")[-2:]) in held:
                left_out += 1
                continue
            ids = ids_in(expression)
            group = " ".join(sorted(ids))
            if not ids or not all(re.fullmatch(r"[A-Za-z0-9.+-]+", i) for i in ids) or per_expression[group] >= cap:
                continue
            untagged = untagged_text(data)
            if untagged is None:
                continue
            per_expression[group] += 1
            key = f"{project}__{name}"
            open(os.path.join(work, "untagged", key), "wb").write(untagged)
            labels[key], split[key] = sorted(ids), "dev"
    shutil.rmtree(tree)
    json.dump(labels, open(os.path.join(work, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(work, "split.json"), "w"), indent=1, sort_keys=True)
    print(f"{len(labels)} dev files of {len(os.listdir(os.path.join(work, 'src')))} downloaded source files; "
          f"{left_out} left out as the kernel's or the packages set's")


def prepare_dev(work, folder, count, cap):
    source = unpacked_source(work)
    labels = json.load(open(os.path.join(work, "labels.json")))
    split = json.load(open(os.path.join(work, "split.json")))
    candidates = [c for c in tagged_files(source) if int(c[0][-1], 16) % 2 == 0 and c[2] not in labels]
    os.makedirs(os.path.join(work, folder), exist_ok=True)
    per_expression, drawn = Counter(), 0
    for digest, path, key, expression in sorted(candidates):
        ids = ids_in(expression)
        group = " ".join(sorted(ids))
        if not ids or not all(re.fullmatch(r"[A-Za-z0-9.+-]+", i) for i in ids) or per_expression[group] >= cap:
            continue
        untagged = untagged_text(open(path, "rb").read())
        if untagged is None:
            continue
        per_expression[group] += 1
        open(os.path.join(work, folder, key), "wb").write(untagged)
        labels[key], split[key] = sorted(ids), "dev"
        drawn += 1
        if drawn >= count:
            break
    json.dump(labels, open(os.path.join(work, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(work, "split.json"), "w"), indent=1, sort_keys=True)
    shutil.rmtree(source)
    print(f"{drawn} more dev files ({len(per_expression)} expressions)")


def prepare_half(work, folder, half, kind):
    if kind == "packages":
        candidates, source = package_candidates(work), os.path.join(work, "source")
    else:
        source = unpacked_source(work)
        candidates = tagged_files(source)
    labels = json.load(open(os.path.join(work, "labels.json")))
    split = json.load(open(os.path.join(work, "split.json")))
    parity = 0 if half == "dev" else 1
    os.makedirs(os.path.join(work, folder), exist_ok=True)
    drawn = 0
    for digest, path, key, expression in sorted(candidates):
        ids = ids_in(expression)
        if int(digest[-1], 16) % 2 != parity or not ids or not all(re.fullmatch(r"[A-Za-z0-9.+-]+", i) for i in ids):
            continue
        untagged = untagged_text(open(path, "rb").read())
        if untagged is None:
            continue
        open(os.path.join(work, folder, key), "wb").write(untagged)
        labels[key], split[key] = sorted(ids), half
        drawn += 1
    json.dump(labels, open(os.path.join(work, "labels.json"), "w"), indent=1, sort_keys=True)
    json.dump(split, open(os.path.join(work, "split.json"), "w"), indent=1, sort_keys=True)
    shutil.rmtree(source)
    print(f"{drawn} files of the {half} half")


def score(work, which, results_path, half, same=None):
    """`same` maps (lowercase) ids to the one a set's labels cannot tell them from."""
    labels = json.load(open(os.path.join(work, "labels.json")))
    split = json.load(open(os.path.join(work, "split.json")))
    names = [n for n in os.listdir(os.path.join(work, which)) if split[n] == half]
    found = license_bench.found_ids(results_path, ids_in)
    # SPDX ids match case-insensitively (SPDX 2.3, annex D.2): a tag may write "BSD-2-clause".
    same = same or {}
    labels = {n: {same.get(i.lower(), i.lower()) for i in ids} for n, ids in labels.items()}
    found = {n: {same.get(i.lower(), i.lower()) for i in ids} for n, ids in found.items()}
    recall = sum(len(labels[n] & found.get(n, set())) / len(labels[n]) for n in names) / len(names)
    reported = sum(len(found.get(n, set())) for n in names)
    correct = sum(len(labels[n] & found.get(n, set())) for n in names)
    print(f"{which} {half}: per-file recall {recall:.4f} ({len(names)} files); precision {correct}/{reported} = "
          f"{correct / reported if reported else float('nan'):.4f}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "prepare-packages":
        prepare_packages(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "prepare-dev":
        prepare_dev(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "prepare-half" and sys.argv[4] in ("dev", "test"):
        kind = sys.argv[5] if len(sys.argv) == 6 else "kernel"
        if kind not in ("kernel", "packages"):
            raise SystemExit(__doc__)
        prepare_half(sys.argv[2], sys.argv[3], sys.argv[4], kind)
    elif len(sys.argv) == 4 and sys.argv[1] == "prepare-sources":
        prepare_sources(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 6 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit(__doc__)
