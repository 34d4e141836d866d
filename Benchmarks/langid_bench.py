"""Held-out language-identification set and scoring (run by Benchmarks/langid.sh).

  build OUT          renders this machine's translated manual pages (/usr/share/man/LANG/, and
                     /usr/share/man/man1 for English) with groff and writes their paragraphs of at
                     least 100 characters, up to 60 per language, as OUT/LANG-NNNN.txt. Manual
                     pages are a different source from the gettext catalogues the shipped model
                     was trained on.
  score OUT HATCHERY accuracy of `hatchery filter langid` JSON lines and of langid.py (restricted
                     to the same languages) on those files.
"""
import glob, gzip, json, os, re, subprocess, sys

MAN_DIRS = {"de": "de", "fr": "fr", "es": "es", "it": "it", "pt": "pt_BR", "ru": "ru", "ja": "ja", "pl": "pl",
            "nl": "nl", "sv": "sv", "cs": "cs", "ko": "ko", "tr": "tr", "da": "da", "hu": "hu", "ro": "ro",
            "id": "id", "uk": "uk", "zh": "zh_CN", "fi": "fi"}
LANGUAGES = ["bg", "cs", "da", "de", "el", "en", "es", "fi", "fr", "hu", "id", "it", "ja", "ko", "nl", "pl", "pt",
             "ro", "ru", "sv", "tr", "uk", "vi", "zh"]


def render(path):
    raw = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    result = subprocess.run(["groff", "-Kutf-8", "-Tutf8", "-mandoc", "-P-c"], input=raw, capture_output=True)
    text = re.sub(r".\x08", "", result.stdout.decode("utf-8", "replace"))
    return text


def build(out):
    os.makedirs(out, exist_ok=True)
    dirs = dict(MAN_DIRS, en=None)
    for code, folder in sorted(dirs.items()):
        pattern = "/usr/share/man/man1/*" if folder is None else f"/usr/share/man/{folder}/man*/*"
        count = 0
        for page in sorted(glob.glob(pattern)):
            for paragraph in re.split(r"\n\s*\n", render(page)):
                text = " ".join(paragraph.split())
                if len(text) < 100:
                    continue
                open(os.path.join(out, f"{code}-{count:04d}.txt"), "w", encoding="utf-8").write(text[:1000])
                count += 1
                if count >= 60:
                    break
            if count >= 60:
                break
        print(f"{code}: {count} paragraphs")


def score(out, hatchery_results):
    import langid
    langid.set_languages(LANGUAGES)
    files = sorted(glob.glob(os.path.join(out, "*.txt")))
    truth = {os.path.basename(f): os.path.basename(f).split("-")[0] for f in files}
    ours = {os.path.basename(json.loads(l)["file"]): json.loads(l)["lang"] for l in open(hatchery_results)}
    theirs = {os.path.basename(f): langid.classify(open(f, encoding="utf-8").read())[0] for f in files}
    for name, guesses in (("hatchery", ours), ("langid.py", theirs)):
        right = sum(1 for f, lang in truth.items() if guesses.get(f) == lang)
        halves = []
        for parity in (0, 1):
            half = [f for f in truth if int(f.split("-")[1][:4]) % 2 == parity]
            halves.append(f"{sum(1 for f in half if guesses.get(f) == truth[f])}/{len(half)}")
        print(f"{name}: {right}/{len(truth)} = {right / len(truth):.4f} (even half {halves[0]}, odd half {halves[1]})")
        wrong = {}
        for f, lang in truth.items():
            if guesses.get(f) != lang:
                wrong[lang] = wrong.get(lang, 0) + 1
        print(f"  errors by true language: {dict(sorted(wrong.items()))}")


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2])
    else:
        score(sys.argv[2], sys.argv[3])
