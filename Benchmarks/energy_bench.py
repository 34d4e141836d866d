"""Driver of Benchmarks/energy.sh: CodeCarbon around one `hatchery train` run, both told the same
country, CPU watts and memory watts; and the metering overhead: the CPU time Hatchery's sampler
spent (measured inside the process) against the run's duration."""
import argparse, csv, os, re, subprocess


def train(args, extra):
    command = [args.hatchery, "train", "-w", args.workspace, "--layers", "2", "--heads", "4", "--dim", "128", "--context", "128",
               "--batch", "8", "--steps", str(args.steps), "--eval-every", "0", "--checkpoint-every", str(args.steps),
               "--threads", "2", "--country", args.country, "--cpu-watts", str(args.cpu_watts), "--ram-watts", str(args.ram_watts)] + extra
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    run = out.strip().split("run ")[-1].strip()
    return run, out.strip().splitlines()[-1]


def row(path):
    with open(path) as f:
        return list(csv.DictReader(f))[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hatchery")
    parser.add_argument("--workspace")
    parser.add_argument("--work")
    parser.add_argument("--cpu-watts", type=float)
    parser.add_argument("--country")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--ram-watts", type=float, default=10.0)
    args = parser.parse_args()
    from codecarbon import OfflineEmissionsTracker
    tracker = OfflineEmissionsTracker(country_iso_code=args.country, tracking_mode="process", force_cpu_power=args.cpu_watts, force_ram_power=args.ram_watts,
                                      measure_power_secs=1, output_dir=args.work, save_to_file=True, log_level="error",
                                      project_name="hatchery-train")
    tracker.start()
    run, line = train(args, [])
    tracker.stop()
    ours = row(os.path.join(run, "emissions.csv"))
    theirs = row(os.path.join(args.work, "emissions.csv"))
    print(line)
    print(f"{'column':<16} {'hatchery':>14} {'codecarbon':>14} {'ratio':>8}")
    for column in ["duration", "cpu_power", "cpu_energy", "ram_power", "ram_energy", "energy_consumed", "emissions"]:
        a, b = float(ours[column]), float(theirs[column])
        print(f"{column:<16} {a:>14.6g} {b:>14.6g} {a / b if b else float('nan'):>8.3f}")
    print(f"country: hatchery {ours['country_iso_code']}, codecarbon {theirs['country_iso_code']}; "
          f"codecarbon {theirs['codecarbon_version']}, tracking mode {theirs['tracking_mode']}")

    seconds = float(ours["duration"])
    metering = float(re.search(r"metering took ([0-9.]+) ms", line).group(1)) / 1000
    print(f"overhead: the sampler took {metering * 1000:.2f} ms of CPU in a {seconds:.1f} s run = {100 * metering / seconds:.4f}%")


if __name__ == "__main__":
    main()
