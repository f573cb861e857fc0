#!/usr/bin/env python3
"""The benchmark of `bench/run`: builds the trees, times each tool, prints the tables.

Every command runs RUNS times; the tables give medians. A run is timed from outside the process
(wall clock), its CPU time and peak RSS come from the kernel (wait4), and the bytes it read from
/proc/PID/io (`rchar`: every byte a read() returned, page cache or disk) while the process is a
zombie. "Cold" runs drop the page cache before each run (root only); "warm" runs follow one
unmeasured run of the same command.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Measuring one process


def run_once(cmd, stdout=None, cwd=None, env=None):
    """Runs cmd; returns wall s, cpu s, peak RSS bytes, bytes read, exit status."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    # Wait for the exit without reaping, so /proc/PID/io still holds the totals.
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    wall = time.perf_counter() - start
    rchar = 0
    try:
        for line in open(f"/proc/{p.pid}/io"):
            if line.startswith("rchar:"):
                rchar = int(line.split()[1])
    except OSError:
        pass
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "rss": ru.ru_maxrss * 1024,
        "read": rchar,
        "status": p.returncode,
    }


def drop_caches():
    try:
        subprocess.run(["sync"], check=False)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def measure(cmd, runs, cold=False, stdout=None, cwd=None, env=None, ok=(0,)):
    """Median of `runs` runs (after one warm-up run unless cold)."""
    results = []
    if not cold:
        first = run_once(cmd, stdout, cwd, env)
        if first["status"] not in ok:
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {first['status']}")
    for _ in range(runs):
        if cold and not drop_caches():
            return None
        r = run_once(cmd, stdout, cwd, env)
        if r["status"] not in ok:
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {r['status']}")
        results.append(r)
    med = {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "rss", "read")}
    med["runs"] = runs
    med["walls"] = [round(r["wall"], 3) for r in results]
    return med


def classified_at(cmd, runs):
    """Median time from the start of the scan to the end of classification, from what
    `MODELGATE_TIMINGS=1` prints on standard error, over `runs` warm runs. The stages up to
    `identify` run one after the other ("… (at 4.321 s, …)"); classification then takes turns
    with evaluation and report writing on parts of the models, and its line gives its total
    ("classify 0.812 s (part of assess)"): the end of `identify` plus that total."""
    env = dict(os.environ, MODELGATE_TIMINGS="1")
    ends = []
    for _ in range(runs):
        err = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False).stderr
        identified = classifying = None
        for line in err.decode(errors="replace").splitlines():
            m = re.match(r"modelgate: timings: identify .*\(at ([0-9.]+) s", line)
            if m:
                identified = float(m.group(1))
            m = re.match(r"modelgate: timings: classify +([0-9.]+) s \(part of", line)
            if m:
                classifying = float(m.group(1))
        if identified is not None and classifying is not None:
            ends.append(identified + classifying)
    if len(ends) != runs:
        raise RuntimeError(f"{' '.join(map(str, cmd))} printed no `identify` or `classify` timing")
    return statistics.median(ends)


# ------------------------------------------------------------------------------------------------
# Formatting


def mb(n):
    return n / 1e6


def row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = [row(header, widths), "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"]
    lines += [row(r, widths) for r in rows]
    return "\n".join(lines)


def secs(s):
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


# ------------------------------------------------------------------------------------------------
# Identification: what each tool says each licence file is, as catalogue ids


class Resolver:
    """Turns another tool's licence key or SPDX id into a modelgate catalogue id, through
    modelgate's own alias table (`licences resolve`), and a policy document into the licence it
    belongs to (`licences show`)."""

    def __init__(self, modelgate):
        self.mg = modelgate
        self.cache = {}
        self.owner_cache = {}

    def resolve(self, names):
        todo = sorted({n for n in names if n and n not in self.cache})
        if todo:
            out = subprocess.run([self.mg, "licences", "resolve", "--format", "json", *todo], capture_output=True, text=True, check=True)
            for r in json.loads(out.stdout):
                self.cache[r["name"]] = r["id"] or ("other:" + r["name"])
        return {n: self.cache.get(n) for n in names}

    def owner(self, id_):
        if id_ not in self.owner_cache:
            show = subprocess.run([self.mg, "licences", "show", id_, "--format", "json"], capture_output=True, text=True)
            owner = id_
            if show.returncode == 0:
                d = json.loads(show.stdout)
                if d.get("document") == "policy" and d.get("policy_for"):
                    owner = d["policy_for"][0]
            self.owner_cache[id_] = owner
        return self.owner_cache[id_]


def first_key(expression):
    """The first licence key of a ScanCode expression (`a AND (b OR c)` → `a`)."""
    expr = (expression or "").replace("(", " ").replace(")", " ")
    for sep in (" AND ", " OR ", " WITH "):
        expr = expr.split(sep)[0]
    return expr.strip() or None


def scancode_ids(json_path, root):
    """{relative path: first key} from a ScanCode-format JSON (ScanCode, Provenant)."""
    data = json.load(open(json_path))
    out = {}
    for f in data.get("files", []):
        if f.get("type") != "file":
            continue
        path = f["path"]
        if os.path.isabs(path):
            # Provenant writes absolute paths.
            rel = os.path.relpath(path, root)
        else:
            # ScanCode's start with the scanned directory's name.
            rel = path.split("/", 1)[1] if "/" in path else path
        expr = f.get("detected_license_expression") or f.get("license_expression")
        if expr is None and f.get("license_detections"):
            expr = f["license_detections"][0].get("license_expression")
        out[rel] = first_key(expr)
    return out


def score(expected, got):
    """(correct, wrong, unknown)."""
    c = w = u = 0
    for path, exp in expected.items():
        g = got.get(path)
        if g is None:
            u += 1
        elif g == exp:
            c += 1
        else:
            w += 1
    return c, w, u


# ------------------------------------------------------------------------------------------------
# The benchmark


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the modelgate binary")
    ap.add_argument("--trees", required=True, help="the bench-trees binary")
    ap.add_argument("--work", help="where the trees go (kept; reused when their parameters match)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scancode-runs", type=int, default=1)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--models", type=int, default=200)
    ap.add_argument("--cache-models", type=int, default=2_000)
    ap.add_argument("--cards", type=int, default=50_000)
    ap.add_argument("--trees-only", default="a,b,c", help="which trees to measure (a,b,c)")
    ap.add_argument("--no-compare", action="store_true", help="leave out the other tools")
    ap.add_argument("--no-cold", action="store_true", help="warm page cache only")
    ap.add_argument("--rg", default=shutil.which("rg"))
    ap.add_argument("--askalono", default=shutil.which("askalono"))
    ap.add_argument("--provenant", default=shutil.which("provenant"))
    ap.add_argument("--scancode", default=shutil.which("scancode"))
    ap.add_argument("--json", help="also write every measurement here")
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions with callgrind on small copies of the trees, on one thread, "
                         "instead of timing (repeatable where times on shared cores are not)")
    ap.add_argument("--top", type=int, default=15, help="with --instructions: functions listed per tree")
    args = ap.parse_args()

    work = Path(args.work or tempfile.mkdtemp(prefix="modelgate-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cold_ok = not args.no_cold and drop_caches()
    which = set(args.trees_only.split(","))
    results = {"machine": machine(), "cold_possible": cold_ok}
    print(f"machine: {results['machine']}")
    if not args.no_cold and not cold_ok:
        print("cold page cache: not measured (dropping caches needs root: `sync; echo 3 > /proc/sys/vm/drop_caches`)")
    print()

    def tree(kind, name, *params):
        path = work / name
        stamp = work / f"{name}.stamp"
        key = json.dumps([kind, *params])
        if path.is_dir() and stamp.is_file() and stamp.read_text() == key:
            summary = (work / f"{name}.summary").read_text()
        else:
            log(f"building tree {name} …")
            t = time.perf_counter()
            out = subprocess.run([args.trees, kind, str(path), *params], capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"bench-trees failed: {out.stderr}")
            summary = out.stdout.strip()
            (work / f"{name}.summary").write_text(summary)
            stamp.write_text(key)
            log(f"  {summary} ({time.perf_counter() - t:.1f} s)")
        return path, dict(kv.split("=") for kv in summary.split())

    def scan_rows(label, cmd, info, files_label):
        rows = []
        for mode in ("cold", "warm"):
            if mode == "cold" and not cold_ok:
                continue
            m = measure(cmd, args.runs, cold=(mode == "cold"), stdout=work / "out.json", ok=(0, 1))
            results[f"{label} {mode}"] = m
            files = int(info["files"])
            models = int(info["models"])
            rows.append([
                f"{label}, {mode}", f"{files:,}", secs(m["wall"]), f"{files / m['wall']:,.0f}", f"{models / m['wall']:,.0f}",
                f"{mb(m['read']):,.1f}", f"{mb(m['read']) / m['wall']:,.0f}", f"{m['cpu']:.2f} s", f"{mb(m['rss']):.0f} MB",
            ])
        return rows

    if args.instructions:
        return instructions(args, work, which, tree, results)

    header = ["what", files_hdr := "files", "wall", "files/s", "models/s", "MB read", "MB/s", "CPU", "peak RSS"]
    rows = []
    targets = []
    notes = []

    if "c" in which:
        c, info = tree("cards", "cards", "--cards", str(args.cards))
        cmd_c = [args.bin, "scan", str(c), "--format", "json", "-o", str(work / "c.json")]
        rows += scan_rows(f"(c) {args.cards:,} cards", cmd_c, info, files_hdr)
        warm = results[f"(c) {args.cards:,} cards warm"]
        # The target counts parsing and classifying; the whole scan also writes the report, which
        # for 50,000 cards is 800 MB of JSON.
        classified = classified_at(cmd_c, args.runs)
        results[f"(c) {args.cards:,} cards classified"] = classified
        targets.append((f"(c) {args.cards:,} cards parsed and classified in under 5 s (warm: to the end of identification, plus classification)", classified < 5, secs(classified)))
        report_mb = mb((work / "c.json").stat().st_size)
        notes.append(f"(c) the whole scan, writing its {report_mb:,.0f} MB JSON report too: {secs(warm['wall'])} (warm)")
    if "b" in which:
        b, info = tree("hf-cache", "hf-cache", "--models", str(args.cache_models))
        rows += scan_rows(f"(b) HF cache, {args.cache_models:,} models", [args.bin, "scan", "--hf-cache", str(b), "--format", "json", "-o", str(work / "b.json")], info, files_hdr)
    if "a" in which:
        a, info_a = tree("monorepo", "monorepo", "--files", str(args.files), "--models", str(args.models))
        rows += scan_rows("(a) monorepo", [args.bin, "scan", str(a), "--format", "json", "-o", str(work / "a.json")], info_a, files_hdr)

    print("modelgate on the three trees (medians of %d runs; MB read = bytes returned by read())" % args.runs)
    print()
    print(table(header, rows))
    print()
    for label, m in results.items():
        if isinstance(m, dict) and "rss" in m:
            targets.append((f"peak memory under 200 MB: {label}", m["rss"] < 200e6, f"{mb(m['rss']):.0f} MB"))

    if "a" in which and not args.no_compare:
        compare(args, work, a, info_a, results, targets, cold_ok)

    print("targets:")
    for what, ok, value in targets:
        print(f"  [{'x' if ok else ' '}] {what}: {value}")
    for note in notes:
        print(f"  note: {note}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0 if all(ok for _, ok, _ in targets) else 1


# Small copies of the trees for --instructions: tree key -> (kind, directory, tree parameters,
# what `scan` is given). Callgrind runs the scan 30-50 times slower, so a few thousand files.
SMALL = {
    "c": ("cards", "cards-2k", ["--cards", "2000"], lambda path: [str(path)]),
    "b": ("hf-cache", "hf-cache-100", ["--models", "100"], lambda path: ["--hf-cache", str(path)]),
    "a": ("monorepo", "monorepo-5k", ["--files", "5000", "--models", "20"], lambda path: [str(path)]),
}


def instructions(args, work, which, tree, results):
    """Instructions the scan executes (callgrind, one worker thread) on a small copy of each
    tree, and the functions that execute most of them. The same build on the same tree counts the
    same to a small fraction of a per cent, so two builds can be compared on a loaded machine."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        sys.exit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    rows = []
    for key in ("c", "b", "a"):
        if key not in which:
            continue
        kind, name, params, scan_args = SMALL[key]
        path, info = tree(kind, name, *params)
        profile = work / f"{name}.callgrind"
        cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={profile}", args.bin, "scan",
               *scan_args(path), "--threads", "1", "--format", "json", "-o", str(work / f"{name}.json")]
        log(f"callgrind: {name} …")
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"the scan under callgrind failed ({run.returncode}): {run.stderr[-2000:]}")
        total = callgrind_total(profile)
        files = int(info["files"])
        results[f"{name} instructions"] = {"instructions": total, "files": files, "profile": str(profile)}
        rows.append([name, f"{files:,}", f"{total:,}", f"{total / files:,.0f}"])
        print(f"{name}: the {args.top} functions that execute most instructions themselves "
              f"(callgrind_annotate {profile}):")
        for count, share, function in top_functions(profile, args.top):
            print(f"  {count:>15,} {share:5.1f} %  {function}")
        print()
    print("instructions (callgrind, one worker thread)")
    print()
    print(table(["tree", "files", "instructions", "per file"], rows))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


def callgrind_total(profile):
    """The instruction count a callgrind output file totals."""
    for line in open(profile):
        m = re.match(r"(?:summary|totals):\s+(\d+)", line)
        if m:
            return int(m.group(1))
    sys.exit(f"{profile}: no instruction total")


def top_functions(profile, n):
    """(instructions, share %, function) of the n functions executing most instructions."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", str(profile)], capture_output=True, text=True)
    found = []
    for line in out.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*)$", line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        # "file:function [object]" -> the function, its generic arguments shortened.
        function = re.sub(r"\s+\[[^\]]*\]$", "", m.group(3))
        function = function.split(":", 1)[1] if re.match(r"^[^ :]*\.(rs|c|h|S):", function) or function.startswith("???:") else function
        found.append((int(m.group(1).replace(",", "")), float(m.group(2)), function[:110]))
        if len(found) == n:
            break
    return found


def compare(args, work, a, info_a, results, targets, cold_ok):
    """Tree (a) side by side: ripgrep over the tree; ScanCode, Provenant, askalono and modelgate on
    its licence files."""
    runs = args.runs
    licences_dir = a.with_name(a.name + ".licences")
    expected = {}
    for line in (a.with_name(a.name + ".licences.tsv")).read_text().splitlines()[1:]:
        path, lic = line.split("\t")
        expected[path] = lic
    files = sorted(expected)
    n = len(files)
    resolver = Resolver(args.bin)
    rows = []

    def add(tool, what, m, correct=None, note=""):
        rows.append([tool, what, secs(m["wall"]), f"{m['cpu']:.2f} s", f"{mb(m['rss']):.0f} MB", f"{mb(m['read']):,.1f}", correct or "", note])

    # Whole tree: ripgrep (the floor) vs modelgate.
    floor = mg_tree = None
    if args.rg:
        floor = measure([args.rg, "-c", "licen[cs]e", str(a)], runs, stdout=work / "rg.out", ok=(0, 1))
        results["ripgrep tree (a) warm"] = floor
        add("ripgrep 'licen[cs]e'", f"tree (a), {int(info_a['files']):,} files", floor, note="the floor: reads every file")
        if cold_ok:
            fc = measure([args.rg, "-c", "licen[cs]e", str(a)], runs, cold=True, stdout=work / "rg.out", ok=(0, 1))
            results["ripgrep tree (a) cold"] = fc
            add("ripgrep 'licen[cs]e', cold", "tree (a)", fc)
    else:
        rows.append(["ripgrep", "not installed: `apt-get install ripgrep` or `cargo install ripgrep`", "", "", "", "", "", ""])
    mg_tree = results["(a) monorepo warm"]
    add("modelgate scan", "tree (a)", mg_tree, note=f"{mg_tree['wall'] / floor['wall']:.2f}× the floor" if floor else "")
    if cold_ok and "(a) monorepo cold" in results:
        mc = results["(a) monorepo cold"]
        fc = results.get("ripgrep tree (a) cold")
        add("modelgate scan, cold", "tree (a)", mc, note=f"{mc['wall'] / fc['wall']:.2f}× the cold floor" if fc else "")
    if floor:
        targets.append(("(a) modelgate within 1.5× of the ripgrep floor (warm)", mg_tree["wall"] <= 1.5 * floor["wall"], f"{mg_tree['wall'] / floor['wall']:.2f}×"))

    # The licence files: modelgate.
    mg_out = work / "mg-licences.json"
    mg = measure([args.bin, "licences", "identify", "--format", "json", *[str(licences_dir / f) for f in files]], runs, stdout=mg_out)
    got = {}
    for f in json.load(open(mg_out)):
        rel = os.path.relpath(f["file"], licences_dir)
        got[rel] = resolver.owner(f["matches"][0]["id"]) if f["matches"] else None
    mg_score = score(expected, got)
    results["modelgate licence files"] = {**mg, "score": mg_score}
    add("modelgate licences identify", f"{n} licence files", mg, f"{mg_score[0]}/{n}", "wrong %d, unknown %d" % mg_score[1:])

    def other(tool, cmd, parse, tool_runs=runs, cold=False):
        m = measure(cmd, tool_runs, cold=cold, stdout=work / f"{tool}.stdout", ok=(0, 1))
        ids = parse()
        names = sorted({v for v in ids.values() if v})
        mapped = resolver.resolve(names)
        got = {k: (mapped.get(v) if v else None) for k, v in ids.items()}
        s = score(expected, got)
        results[f"{tool} licence files"] = {**m, "score": s}
        ratio = m["wall"] / mg["wall"]
        add(tool, f"{n} licence files", m, f"{s[0]}/{n}", f"{ratio:,.0f}× modelgate's time; wrong {s[1]}, unknown {s[2]}")
        return m, s

    if args.askalono:
        def parse_askalono():
            ids = {}
            for line in open(work / "askalono.stdout"):
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                rel = os.path.relpath(d.get("path", "").strip(), licences_dir)
                res = d.get("result") or {}
                lic = (res.get("license") or {}).get("name")
                ids[rel] = lic
            return ids
        listing = work / "licence-files.txt"
        listing.write_text("".join(f"{licences_dir / f}\n" for f in files))
        other("askalono", ["sh", "-c", f"{args.askalono} --format json identify --optimize --batch < {listing}"], parse_askalono)
    else:
        rows.append(["askalono", "not installed: `cargo install askalono-cli`", "", "", "", "", "", ""])

    if args.provenant:
        pj = work / "provenant.json"
        pm, ps = other("Provenant 0.2.0", [args.provenant, "--json", str(pj), "--license", "-n", "2", str(licences_dir)], lambda: scancode_ids(pj, licences_dir))
        targets.append(("faster than Provenant on the licence files", mg["wall"] < pm["wall"], f"{pm['wall'] / mg['wall']:.1f}× faster"))
        targets.append(("identification equal to or better than Provenant's", mg_score[0] >= ps[0], f"{mg_score[0]} vs {ps[0]} correct"))
    else:
        rows.append(["Provenant", "not installed: `cargo install provenant-cli --version 0.2.0`", "", "", "", "", "", ""])

    if args.scancode:
        sj = work / "scancode.json"
        sm, ss = other("ScanCode Toolkit", [args.scancode, "--license", "-n", "2", "--quiet", "--json", str(sj), str(licences_dir)], lambda: scancode_ids(sj, licences_dir), tool_runs=args.scancode_runs)
        targets.append(("at least 100× faster than ScanCode on the licence files", sm["wall"] >= 100 * mg["wall"], f"{sm['wall'] / mg['wall']:,.0f}×"))
        targets.append(("identification equal to or better than ScanCode's", mg_score[0] >= ss[0], f"{mg_score[0]} vs {ss[0]} correct"))
    else:
        rows.append(["ScanCode Toolkit", "not installed: `pip install scancode-toolkit 'pluggy<1.6'` in a venv", "", "", "", "", "", ""])

    print(f"side by side on tree (a) (medians of {runs} runs; ScanCode {args.scancode_runs}; correct = the licence "
          "the corpus manifest names, other tools' ids mapped through `modelgate licences resolve`)")
    print()
    print(table(["tool", "input", "wall", "CPU", "peak RSS", "MB read", "correct", "note"], rows))
    print()


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return f"{os.cpu_count()} cores ({cpu}), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"


if __name__ == "__main__":
    sys.exit(main())
