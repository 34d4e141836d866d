"""Tokenizer benchmark driver for Benchmarks/tokenizer.sh: each tool runs in its own process, so
that its wall time and peak memory (VmHWM; /usr/bin/time for Hatchery) are its own. Every
trainer reads train.txt inside its clock, one document per non-empty line: Hatchery itself, the peers from a Python generator
over the file (their streaming training API), so no tool holds the whole text in memory for the
others' sake. Encoding is timed on the held-out documents listed in docs.tsv, with the text in
memory and the tokenizer loaded."""
import argparse, array, base64, json, os, statistics, subprocess, sys, time

PATTERN_GPT4 = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"""


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [line for line in f.read().split("\n") if line]


def high_water_kb():
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that across
    fork and exec, so a child would report the driver's own peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def child(kind, args):
    """Runs inside a child process: trains one peer and prints a JSON line."""
    def lines():
        with open(args.train, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    yield line
    before = high_water_kb()
    start = time.perf_counter()
    if kind == "rustbpe":
        import rustbpe
        tok = rustbpe.Tokenizer()
        tok.train_from_iterator(lines(), args.vocab, pattern=PATTERN_GPT4)
        seconds = time.perf_counter() - start
        ranks = tok.get_mergeable_ranks()
        with open(args.out, "w") as f:
            for token, rank in sorted(ranks, key=lambda x: x[1]):
                f.write(base64.b64encode(bytes(token)).decode() + " " + str(rank) + "\n")
    else:
        from tokenizers import Tokenizer, Regex, models, pre_tokenizers, decoders, trainers
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(PATTERN_GPT4), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=args.vocab, special_tokens=["<|endoftext|>"],
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train_from_iterator(lines(), trainer=trainer)
        seconds = time.perf_counter() - start
        tok.save(args.out)
    peak = high_water_kb()
    print(json.dumps({"seconds": seconds, "peak_kb": peak, "before_kb": before}))


def run_child(kind, train, vocab, threads, out):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), RAYON_RS_NUM_THREADS=str(threads),
               TOKENIZERS_PARALLELISM="true" if threads > 1 else "false")
    result = subprocess.run([sys.executable, __file__, "--child", kind, "--train", train, "--vocab", str(vocab),
                             "--out", out], env=env, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_hatchery_train(binary, train, vocab, threads, out):
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "tokenizer", "train", "--input", train, "--lines",
                             "--vocab-size", str(vocab), "--threads", str(threads), "--output", out],
                            check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_kb": int(result.stderr.strip().splitlines()[-1]), "line": result.stdout.strip()}


def hatchery_encode(binary, tokenizer, text_path, threads, ids_out=None, ordinary=True):
    command = [binary, "tokenizer", "encode", "--tokenizer", tokenizer, "--lines", "--threads", str(threads), text_path]
    if ordinary:
        command.insert(-1, "--ordinary")
    if ids_out:
        command[-1:-1] = ["--ids-out", ids_out]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def read_ids(path):
    ids = array.array("I")
    with open(path, "rb") as f:
        ids.frombytes(f.read())
    return ids.tolist()


def load_tiktoken(path, name):
    import tiktoken
    ranks = {}
    with open(path) as f:
        for line in f:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(name=name, pat_str=PATTERN_GPT4, mergeable_ranks=ranks, special_tokens={})


def median(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--train")
    parser.add_argument("--vocab", type=int)
    parser.add_argument("--out")
    parser.add_argument("--hatchery")
    parser.add_argument("--corpus")
    parser.add_argument("--work")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vocabs", default="8192,32768")
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    if args.child:
        return child(args.child, args)

    train = os.path.join(args.corpus, "train.txt")
    heldout = os.path.join(args.corpus, "heldout.txt")
    heldout_lines = lines_of(heldout)
    heldout_bytes = sum(len(line.encode()) for line in heldout_lines)
    thread_counts = [int(t) for t in args.threads.split(",")]
    print(f"corpus: {train} ({os.path.getsize(train) / 1e6:.1f} MB), heldout {heldout_bytes / 1e6:.2f} MB in "
          f"{len(heldout_lines)} lines; {args.runs} runs, medians")
    import tiktoken
    from tokenizers import Tokenizer
    documents, document_files = heldout_documents(args.corpus, os.path.join(args.work, "docs"))
    document_bytes = sum(len(d.encode()) for d in documents)
    for vocab in [int(v) for v in args.vocabs.split(",")]:
        print(f"\n== vocabulary {vocab} ==")
        ours_json = os.path.join(args.work, f"hatchery-{vocab}.json")
        for threads in thread_counts:
            ours = [run_hatchery_train(args.hatchery, train, vocab, threads, ours_json) for _ in range(args.runs)]
            rust_out = os.path.join(args.work, f"rustbpe-{vocab}.tiktoken")
            rust = [run_child("rustbpe", train, vocab, threads, rust_out) for _ in range(args.runs)]
            hf_out = os.path.join(args.work, f"hf-{vocab}.json")
            hf = [run_child("hf", train, vocab, threads, hf_out)]
            o, r, h = (median([x["seconds"] for x in runs]) for runs in (ours, rust, hf))
            print(f"train {threads} thread(s): hatchery {o:.2f} s (peak {max(x['peak_kb'] for x in ours) / 1024:.0f} MB) | "
                  f"rustbpe {r:.2f} s (peak {max(x['peak_kb'] for x in rust) / 1024:.0f} MB, "
                  f"{max(x['before_kb'] for x in rust) / 1024:.0f} MB of it Python) | "
                  f"HF {h:.2f} s (peak {hf[0]['peak_kb'] / 1024:.0f} MB) | rustbpe/hatchery {r / o:.2f}x, HF/hatchery {h / o:.2f}x")
        print("  " + ours[-1]["line"])

        # Bytes per token on heldout, and the ids of our files in the reference libraries.
        ids_path = os.path.join(args.work, "ids.bin")
        ours_stats = hatchery_encode(args.hatchery, ours_json, heldout, 2, ids_path, ordinary=False)
        ours_ids = read_ids(ids_path)
        hf_ours = Tokenizer.from_file(ours_json)
        hf_ids = [i for e in hf_ours.encode_batch(heldout_lines, add_special_tokens=False) for i in e.ids]
        hf_trained = Tokenizer.from_file(hf_out)
        hf_trained_tokens = sum(len(e.ids) for e in hf_trained.encode_batch(heldout_lines, add_special_tokens=False))
        rust_tokens = sum(len(ids) for ids in load_tiktoken(rust_out, "rustbpe").encode_ordinary_batch(heldout_lines))
        ours_bpt = heldout_bytes / ours_stats["tokens"]
        hf_bpt = heldout_bytes / hf_trained_tokens
        print(f"bytes/token on heldout: hatchery {ours_bpt:.4f} | HF {hf_bpt:.4f} ({(ours_bpt / hf_bpt - 1) * 100:+.3f}%) | "
              f"rustbpe {heldout_bytes / rust_tokens:.4f}")
        print(f"parity: tokenizers.Tokenizer.from_file(hatchery tokenizer.json) ids == hatchery ids: "
              f"{hf_ids == ours_ids} ({len(ours_ids)} tokens)")

        ours_tiktoken = os.path.join(args.work, f"hatchery-{vocab}.tiktoken")
        subprocess.run([args.hatchery, "tokenizer", "train", "--input", train, "--lines", "--vocab-size", str(vocab),
                        "--output", ours_tiktoken], check=True, capture_output=True)
        encoding = load_tiktoken(ours_tiktoken, "hatchery")
        hatchery_encode(args.hatchery, ours_tiktoken, heldout, 2, ids_path)
        tt_ids = [i for ids in encoding.encode_ordinary_batch(heldout_lines) for i in ids]
        print(f"parity: tiktoken with hatchery .tiktoken ids == hatchery ids: {tt_ids == read_ids(ids_path)}"
              f" ({len(tt_ids)} tokens)")

        # Encoding throughput on the same tokenizer (the .tiktoken ranks both read), on the held-out
        # documents: one file each for Hatchery, a list of strings for tiktoken.
        for threads in thread_counts:
            tiktoken_rates = []
            for _ in range(max(3, args.runs)):
                start = time.perf_counter()
                encoding.encode_ordinary_batch(documents, num_threads=threads)
                tiktoken_rates.append(document_bytes / (time.perf_counter() - start) / 1e6)
            t = median(tiktoken_rates)
            line = f"tiktoken {t:.1f} MB/s (encode_ordinary_batch)"
            if threads == 1:
                loop_rates = []
                for _ in range(max(3, args.runs)):
                    start = time.perf_counter()
                    for document in documents:
                        encoding.encode_ordinary(document)
                    loop_rates.append(document_bytes / (time.perf_counter() - start) / 1e6)
                line += f", {median(loop_rates):.1f} MB/s (encode_ordinary in a loop)"
                t = max(t, median(loop_rates))
            ours_tt = [hatchery_documents(args.hatchery, ours_tiktoken, document_files, threads) for _ in range(max(3, args.runs))]
            ours_js = [hatchery_documents(args.hatchery, ours_json, document_files, threads) for _ in range(max(3, args.runs))]
            a, b = median(ours_tt), median(ours_js)
            print(f"encode {threads} thread(s), {len(documents)} documents: hatchery {a:.1f} MB/s (.tiktoken), "
                  f"{b:.1f} MB/s (tokenizer.json) | {line} | hatchery/tiktoken (best) {a / t:.2f}x")


def heldout_documents(corpus, folder):
    """The held-out documents of docs.tsv, as strings and as one file each."""
    with open(os.path.join(corpus, "heldout.txt"), "rb") as f:
        data = f.read()
    documents, files = [], []
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(corpus, "docs.tsv")) as f:
        next(f)
        for row in f:
            split, offset, length = row.split("\t")[:3]
            if split != "heldout":
                continue
            chunk = data[int(offset):int(offset) + int(length)]
            path = os.path.join(folder, f"{len(files):05d}.txt")
            with open(path, "wb") as out:
                out.write(chunk)
            files.append(path)
            documents.append(chunk.decode("utf-8"))
    return documents, files


def hatchery_documents(binary, tokenizer, files, threads):
    command = [binary, "tokenizer", "encode", "--tokenizer", tokenizer, "--ordinary", "--threads", str(threads)] + files
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)["mb_per_s"]


if __name__ == "__main__":
    main()
