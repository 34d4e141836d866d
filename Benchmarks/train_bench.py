"""PyTorch side of Benchmarks/train.sh: the same GPT-2 shape and batch trained with torch on CPU
(each thread count in its own process, so its peak memory is its own), and the parity check of a
Hatchery checkpoint loaded into transformers' GPT2LMHeadModel."""
import argparse, glob, json, os, statistics, subprocess, sys, time


def high_water_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def torch_child(threads, steps):
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=8192, n_positions=256, n_embd=256, n_layer=4, n_head=4, resid_pdrop=0.0,
                        embd_pdrop=0.0, attn_pdrop=0.0, activation_function="gelu_new")
    model = GPT2LMHeadModel(config)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95), weight_decay=0.1)
    tokens = torch.randint(0, 8192, (16, 257))
    rates = []
    for _ in range(steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        # transformers shifts the labels itself: 256 inputs, 255 predicted positions.
        loss = model(input_ids=tokens[:, :-1], labels=tokens[:, :-1], return_dict=True).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        rates.append(16 * 256 / (time.perf_counter() - start))
    print(json.dumps({"tokens_per_s": statistics.median(rates[1:]), "peak_kb": high_water_kb(),
                      "torch": torch.__version__}))


def parity(workspace, run, hatchery):
    import numpy as np
    import torch
    from transformers import GPT2LMHeadModel
    checkpoint = sorted(glob.glob(os.path.join(run, "step-*")))[-1]
    manifest = json.load(open(os.path.join(workspace, "shards", "manifest.json")))
    shard = next(s for s in manifest["shards"] if s["split"] == "val")
    raw = subprocess.run(["zstd", "-d", "-q", "-c", os.path.join(workspace, shard["path"])], check=True, capture_output=True).stdout
    tokens = np.frombuffer(raw, dtype=np.uint16 if manifest["dtype"] == "uint16" else np.uint32).astype(np.uint32)
    batch, context = 4, 256
    needed = batch * (context + 1)
    tokens = tokens[:needed]
    ids_path = os.path.join(run, "parity-ids.bin")
    tokens.astype("<u4").tofile(ids_path)
    logits_path = os.path.join(run, "parity-logits.bin")
    result = subprocess.run([hatchery, "evaluate", "--checkpoint", checkpoint, "--batch", str(batch), "--context", str(context),
                             "--threads", "1", "--logits-out", logits_path, ids_path], check=True, capture_output=True, text=True)
    ours = json.loads(result.stdout)
    model = GPT2LMHeadModel.from_pretrained(checkpoint)
    model.eval()
    windows = torch.tensor(tokens.astype(np.int64).reshape(batch, context + 1))
    with torch.no_grad():
        logits = model(input_ids=windows[:, :-1]).logits
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1)).item()
    hatchery_logits = np.fromfile(logits_path, dtype="<f4").reshape(logits.shape)
    reference = logits.numpy()
    max_difference = float(np.abs(hatchery_logits - reference).max())
    scale = float(np.abs(reference).max())
    print(f"parity ({checkpoint}): loss hatchery {float(ours['loss']):.6f} vs transformers {loss:.6f} "
          f"(relative {abs(float(ours['loss']) - loss) / loss:.2e}); logits max |difference| {max_difference:.3e}, "
          f"relative to max |logit| {scale:.3f}: {max_difference / scale:.2e}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", type=int)
    parser.add_argument("--workspace")
    parser.add_argument("--run")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--hatchery", default=".build/release/hatchery")
    args = parser.parse_args()
    if args.child:
        return torch_child(args.child, args.steps)
    for threads in (1, 2):
        out = subprocess.run([sys.executable, __file__, "--child", str(threads), "--steps", str(args.steps)], check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        print(f"pytorch {result['torch']}, {threads} thread(s): {result['tokens_per_s']:.0f} tokens/s (median of steps 2-{args.steps}), "
              f"peak {result['peak_kb'] // 1024} MB")
    if args.workspace and args.run:
        parity(args.workspace, args.run, args.hatchery)


if __name__ == "__main__":
    main()
