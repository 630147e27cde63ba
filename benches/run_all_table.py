# The performance page's tables from the raw output of one benches/run-all.sh run.
# Called by run-all.sh: python3 - WORK MODE BUILD_ROUNDS ANATOMY_RUNS WHOLE_RUNS
#   UPTIME_BEFORE UPTIME_AFTER SECONDS BINARY < benches/run_all_table.py
# WORK holds builds.md (rows from benches/build_overhead), anatomy.txt (benches/anatomy.sh
# with RESULTS=), overhead.txt (benches/run_overhead.sh, once per whole run) and
# registry.md (rows from benches/registry_overhead.rs; left out when absent).
import math
import os
import platform
import re
import statistics
import subprocess
import sys

work, mode, build_rounds, anatomy_runs, whole_runs = sys.argv[1:6]
uptime_before, uptime_after, seconds, binary = sys.argv[6:10]


def median_interval(samples, level=0.95):
    """The distribution-free interval of a median (order statistics under B(n, 1/2)),
    as benches/build_overhead/interval.rs makes it; None with too few samples."""
    n = len(samples)
    ordered = sorted(samples)
    tail = (1 - level) / 2
    cumulative, k = 0.0, 0
    for i in range(n):
        cumulative += math.comb(n, i) / 2**n
        if cumulative > tail:
            break
        k = i + 1
    return (ordered[k - 1], ordered[n - k]) if k >= 1 else None


def spread(values, unit="s", digits=3):
    return f"{statistics.median(values):.{digits}f} {unit} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def ratio_cells(ratios):
    ci = median_interval(ratios)
    shown = "too few rounds" if ci is None else f"{ci[0]:.2f}–{ci[1]:.2f}"
    return statistics.median(ratios), ci, f"{statistics.median(ratios):.3f} | {shown} | {min(ratios):.2f}–{max(ratios):.2f}"


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


print(f"Mode: **{mode}**; build rounds per kind: {build_rounds}; anatomy rounds: {anatomy_runs}; "
      f"whole runs: {whole_runs}; the whole benchmark took {int(seconds) // 60} min {int(seconds) % 60} s.")
print()
print(f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), kernel {platform.release()}, "
      f"dockerd {command('docker', 'version', '-f', '{{.Server.Version}}')} "
      f"(API {command('docker', 'version', '-f', '{{.Server.APIVersion}}')}), "
      f"storage driver {command('docker', 'info', '-f', '{{.Driver}}')}; "
      f"{command(binary, '--version')}.")
print(f"- `uptime` before: `{uptime_before.strip()}`")
print(f"- `uptime` after: `{uptime_after.strip()}`")
print()

print("### Builds: basebench ÷ `docker build` (BuildKit, same daemon, alternating rounds)")
print()
print("| build | basebench, median (range) | `docker build`, median (range) | ratio, median | ratio 95 % CI | ratio range | rounds | context sent by basebench (largest, median time) | target holds |")
print("|---|---|---|---|---|---|---|---|---|")
with open(os.path.join(work, "builds.md")) as f:
    for line in f:
        if line.startswith("| build"):
            print(line.rstrip())
print()

rounds = {"export": [], "inspect": [], "pipe": []}
rss = {"export": [], "inspect": [], "pipe": []}
image_bytes = 0
with open(os.path.join(work, "anatomy.txt")) as f:
    for line in f:
        parts = line.split()
        if parts[0] == "image_bytes":
            image_bytes = int(parts[1])
        elif parts[0] in rounds:
            rounds[parts[0]].append(float(parts[1]))
            rss[parts[0]].append(int(parts[2]) / 1024)
print("### Image anatomy: `basebench inspect` ÷ `docker save IMAGE > /dev/null`")
print()
print(f"Image: {image_bytes / 1e9:.2f} GB (3 incompressible layers kept, one deleted by a later layer), "
      "built by benches/anatomy.sh. Each round runs `docker save`, then `basebench inspect IMAGE "
      "--format json --no-scan`, then `docker save | basebench inspect --archive /dev/stdin`.")
print()
print("| figure | basebench, median (range) | `docker save`, median (range) | ratio, median | ratio 95 % CI | ratio range | rounds | peak RSS, basebench / `docker save` | target holds |")
print("|---|---|---|---|---|---|---|---|---|")
for label, what in (("inspect", "`basebench inspect IMAGE` (export through the API + analysis)"),
                    ("pipe", "`docker save IMAGE \\| basebench inspect --archive /dev/stdin`")):
    ratios = [a / b for a, b in zip(rounds[label], rounds["export"])]
    med, ci, cells = ratio_cells(ratios)
    peak = max(rss[label])
    holds = ci is not None and ci[0] <= 1.05 and peak <= 32
    print(f"| {what} | {spread(rounds[label])} | {spread(rounds['export'])} | {cells} | {len(ratios)} | "
          f"{peak:.0f} MB / {max(rss['export']):.0f} MB | {'yes' if holds else '**no**'} (≤ 1.05, ≤ 32 MB) |")
print()

runs = []
with open(os.path.join(work, "overhead.txt")) as f:
    text = f.read()
for block in re.split(r"(?=\s*Command being timed|\s*User time)", text):
    user = re.search(r"User time \(seconds\): ([\d.]+)", block)
    system = re.search(r"System time \(seconds\): ([\d.]+)", block)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", block)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", block)
    if user and system and wall and peak:
        clock = [float(p) for p in wall.group(1).split(":")]
        wall_s = sum(v * 60**i for i, v in enumerate(reversed(clock)))
        runs.append((float(user.group(1)) + float(system.group(1)), wall_s, int(peak.group(1)) / 1024))
print("### basebench's own CPU over a whole run")
print()
print("`basebench run` of four variants of the static test app (a working one, a slow one, a broken "
      "build, one that exits at start; 3 startup runs each, anatomy included), measured with "
      "`/usr/bin/time -v`: only the basebench process, not Docker's work.")
print()
print("| figure | basebench CPU (user + sys) | wall time | CPU ÷ wall, median (range) | runs | peak RSS | target holds |")
print("|---|---|---|---|---|---|---|")
shares = [c / w for c, w, _ in runs]
print(f"| basebench's own CPU over a whole `basebench run` | {spread([r[0] for r in runs], digits=2)} | "
      f"{spread([r[1] for r in runs], digits=1)} | {100 * statistics.median(shares):.2f} % "
      f"({100 * min(shares):.2f}–{100 * max(shares):.2f} %) | {len(runs)} | {max(r[2] for r in runs):.0f} MB | "
      f"{'yes' if statistics.median(shares) <= 0.02 else '**no**'} (≤ 2 %) |")

registry = os.path.join(work, "registry.md")
if os.path.exists(registry):
    print()
    print("### Push and pull: basebench ÷ `docker push` / `docker pull` (same daemon, local registry, alternating rounds)")
    print()
    print("The image: `FROM scratch` with two layers of random data, built by the benchmark with the "
          "classic builder. Each side, each round: the registry's storage emptied, the push timed, "
          "the image removed from the daemon, the pull timed.")
    print()
    print("| figure | basebench, median (range) | docker CLI, median (range) | ratio, median | ratio 95 % CI | ratio range | rounds | target holds (median ≤ 1.05) |")
    print("|---|---|---|---|---|---|---|---|")
    with open(registry) as f:
        for line in f:
            if line.startswith("| pu"):
                print(line.rstrip())
