#!/usr/bin/env python3
"""Soak test: a study run through random kill -9, SIGTERM and PostgreSQL restarts.

Runs one small study twice from the same recipe:
  1. undisturbed, into a SQLite store (the reference);
  2. into a throwaway PostgreSQL server (scripts/postgres-test-server) while, for a
     bounded time, a seeded random schedule kills `mose-study run` with SIGKILL or
     SIGTERM, kills one of its worker processes with SIGKILL, or restarts the
     PostgreSQL server; a run that ended is started again. After the disturbances the
     last run finishes undisturbed.
Then it checks, and prints as JSON (also written to DIR/summary.json):
  - every trial of the study is done, in both stores, and no other trial exists;
  - every metric and every curve point equals the reference's bit for bit (timings and
    resumed_from_step apart): no trial was trained or evaluated differently,
    half-recorded or recorded twice over. (Checkpoint files are not compared byte for
    byte: they hold the wall-clock training time. Their models are compared through
    their evaluations: every loss at every width under every policy.);
  - no worker outlived its killed parent by more than --orphan-grace-s seconds;
  - every SIGTERM ended the run within --stop-limit-s seconds.
Exit code 0 when all of this holds, 1 otherwise.

  python3 bench/soak.py --mose-study build/app/mose-study --minutes 5 --seed 1 --dir /tmp/soak

Copy the binary elsewhere first if you rebuild meanwhile: a relinked binary cannot be
started while it is written. The study may finish before the disturbances' time is up;
the summary gives the disturbed run's length and every event.

Needs Debian's postgresql package (as the test suite does). Runs from any directory;
the study's data are prepared from the bundled default corpus into DIR/cache.
"""

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = REPO / "scripts" / "postgres-test-server"

# Two modes x three seeds: six training trials whose checkpoints are resumed many times,
# and eighteen evaluation trials (uniform widths and a calibrated threshold policy, whose
# calibration is long enough for a stop to land inside an evaluation).
RECIPE = """
[study]
name = "soak"

[data]
max_bytes = 400000
cache_dir = "cache"

[model]
n_layer = 2
n_head = 4
d_model = 64
seq_len = 64
n_experts = 4
d_ff = 256
dense_d_ff = 256

[train]
steps = 800
batch_size = 16
log_every = 10
checkpoint_every = 25
device = "cpu"

[train.optim]
warmup_steps = 20

[eval]
tokens = 32768
batch_size = 32

[modes.moe]
"train.width.widths" = [1.0]

[modes.mose]
"train.width.widths" = [0.25, 0.5, 0.75, 1.0]
"train.width.sampler" = "sandwich"

[sweep]
"train.seed" = [1, 2, 3]

[[policy]]
name = "uniform"
widths = [0.5, 1.0]

[[policy]]
name = "threshold"
budgets = [0.5]
"""

# What differs between any two runs of the same trials: timings (train_seconds,
# eval_tokens_per_s, attempt_*, the tokens_per_s curve) and where the last attempt
# resumed (resumed_from_step).
def is_timing(name):
    return name == "resumed_from_step" or name.endswith(("_seconds", "_per_s"))


def log(message):
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


def children_of(pid):
    """Process ids whose parent is `pid` (from /proc: no psutil needed)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after its closing ')' do not.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return found


def alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class Soak:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir.resolve()
        self.rng = random.Random(args.seed)
        self.events = {"kill -9 run": 0, "SIGTERM run": 0, "kill -9 worker": 0, "PostgreSQL restart": 0}
        self.launches = 0
        self.exit_codes = {}
        self.orphans = 0
        self.orphan_worst_s = 0.0
        self.stop_latencies = []
        self.problems = []
        self.worker_killed = False  # in the current launch: it then ends with 1, as it should

    def mose(self, *argv):
        return [str(self.args.mose_study), *argv]

    def run_args(self, out, storage=None):
        argv = self.mose("run", "recipe.toml", "--out", out, "--workers", "2", "--no-export",
                         "--heartbeat-timeout", "5", "--max-attempts", "1000", "--poll-interval", "0.5")
        if storage:
            argv += ["--storage", storage]
        return argv

    def start_run(self, out, storage=None):
        self.launches += 1
        logf = open(self.dir / f"{out}.log", "a")
        logf.write(f"\n===== launch {self.launches} at {time.time():.3f}\n")
        logf.flush()
        return subprocess.Popen(self.run_args(out, storage), cwd=self.dir, stdout=logf, stderr=subprocess.STDOUT)

    # ------------------------------------------------------------ the disturbed run

    def wait_for_orphans(self, workers, since):
        """After the parent died: its workers must end within the grace period."""
        deadline = since + self.args.orphan_grace_s
        while time.time() < deadline and any(alive(w) for w in workers):
            time.sleep(0.05)
        left = [w for w in workers if alive(w)]
        self.orphan_worst_s = max(self.orphan_worst_s, time.time() - since)
        if left:
            self.orphans += len(left)
            self.problems.append(f"workers {left} outlived their killed parent by {self.args.orphan_grace_s} s")
            for w in left:
                os.kill(w, signal.SIGKILL)

    def finish(self, proc, code):
        self.exit_codes[code] = self.exit_codes.get(code, 0) + 1
        expected = (0, 130, 143, -signal.SIGKILL) + ((1,) if self.worker_killed else ())
        self.worker_killed = False
        if code not in expected:
            self.problems.append(f"launch {self.launches} exited with {code} (see {self.dir / 'soak.log'})")

    def disturb(self, proc, storage):
        """One random disturbance; returns the process to go on with (or None if it ended)."""
        workers = children_of(proc.pid)
        choice = self.rng.choices(list(self.events), weights=[3, 3, 2, 2])[0]
        if choice == "kill -9 worker" and not workers:
            choice = "PostgreSQL restart"
        self.events[choice] += 1
        log(f"{choice} (run pid {proc.pid}, workers {workers})")
        if choice == "kill -9 run":
            proc.kill()
            killed = time.time()
            self.finish(proc, proc.wait())
            self.wait_for_orphans(workers, killed)
            return None
        if choice == "SIGTERM run":
            sent = time.time()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=self.args.stop_limit_s)
                self.stop_latencies.append(time.time() - sent)
            except subprocess.TimeoutExpired:
                self.problems.append(f"SIGTERM did not end the run within {self.args.stop_limit_s} s")
                proc.kill()
                code = proc.wait()
            self.finish(proc, code)
            self.wait_for_orphans(workers, time.time())
            return None
        if choice == "kill -9 worker":
            os.kill(self.rng.choice(workers), signal.SIGKILL)
            self.worker_killed = True  # its run reports "worker N ended abnormally" and exits with 1
            return proc
        subprocess.run([str(PG_SERVER), "restart", str(self.dir / "pg")], check=True, capture_output=True)
        return proc

    def disturbed_run(self, storage):
        deadline = time.time() + 60 * self.args.minutes
        proc = None
        while time.time() < deadline:
            if proc is None:
                proc = self.start_run("soak", storage)
            pause = self.rng.uniform(self.args.min_interval_s, self.args.max_interval_s)
            try:
                code = proc.wait(timeout=max(0.0, min(pause, deadline - time.time())))
                self.finish(proc, code)
                proc = None
                if code == 0:
                    log("the study finished during the disturbances")
                    return
                continue
            except subprocess.TimeoutExpired:
                pass
            if time.time() < deadline:
                proc = self.disturb(proc, storage)
        log("disturbances over; letting the study finish")
        if proc is None:
            proc = self.start_run("soak", storage)
        code = proc.wait()
        self.finish(proc, code)
        if code != 0:
            self.problems.append(f"the last, undisturbed launch exited with {code}")

    # ------------------------------------------------------------ comparison

    @staticmethod
    def read_store(path):
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        trials = {h: (kind, status, attempts) for h, kind, status, attempts in db.execute(
            "SELECT config_hash, kind, status, attempts FROM trials")}
        metrics = {(h, n): v for h, n, v in db.execute(
            "SELECT t.config_hash, m.name, m.value FROM metrics m JOIN trials t ON t.id = m.trial_id")}
        curves = {(h, n, s): v for h, n, s, v in db.execute(
            "SELECT t.config_hash, c.name, c.step, c.value FROM curves c JOIN trials t ON t.id = c.trial_id")}
        return trials, metrics, curves

    def compare(self, reference_db, soaked_db):
        ref_t, ref_m, ref_c = self.read_store(reference_db)
        soak_t, soak_m, soak_c = self.read_store(soaked_db)
        if set(ref_t) != set(soak_t):
            self.problems.append(f"trial sets differ: {sorted(set(ref_t) ^ set(soak_t))}")
        not_done = sorted(h for h in set(ref_t) & set(soak_t) if ref_t[h][1] != "done" or soak_t[h][1] != "done")
        if not_done:
            self.problems.append(f"trials not done: {not_done}")

        def same(ref, soak, what, skip):
            keys = {k for k in set(ref) | set(soak) if not skip(k)}
            differ = [k for k in keys if k not in ref or k not in soak or
                      not (ref[k] == soak[k] or (ref[k] != ref[k] and soak[k] != soak[k]))]
            if differ:
                self.problems.append(f"{len(differ)} of {len(keys)} {what} differ, e.g. "
                                     f"{[(k, ref.get(k), soak.get(k)) for k in sorted(differ)[:3]]}")
            return len(keys), len(differ)

        compared = {
            "metrics": same(ref_m, soak_m, "metrics", lambda k: is_timing(k[1])),
            "curve points": same(ref_c, soak_c, "curve points", lambda k: is_timing(k[1])),
        }
        attempts = sorted(a for (_, _, a) in soak_t.values())
        resumed = sum(1 for (h, n), v in soak_m.items() if n == "resumed_from_step" and v and v > 0)
        return soak_t, compared, attempts, resumed

    # ------------------------------------------------------------ the whole soak

    def main(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "recipe.toml").write_text(RECIPE)
        for stale in ("ref", "soak", "soak.db"):
            if (self.dir / stale).exists():
                sys.exit(f"soak: {self.dir / stale} exists; give a fresh --dir")

        log("reference run (undisturbed, SQLite)")
        started = time.time()
        ref = self.start_run("ref")
        if ref.wait() != 0:
            sys.exit(f"soak: the reference run failed; see {self.dir / 'ref.log'}")
        reference_s = time.time() - started
        self.launches = 0

        url = subprocess.run([str(PG_SERVER), "start", str(self.dir / "pg")], check=True, capture_output=True,
                             text=True).stdout.strip()
        try:
            log(f"disturbed run ({self.args.minutes} min of disturbances, PostgreSQL at {url})")
            started = time.time()
            self.disturbed_run(url)
            soak_s = time.time() - started
            subprocess.run(self.mose("migrate", "--from", url, "--to", str(self.dir / "soak.db"), "--study", "soak"),
                           cwd=self.dir, check=True, capture_output=True)
        finally:
            subprocess.run([str(PG_SERVER), "stop", str(self.dir / "pg")], capture_output=True)

        soak_t, compared, attempts, resumed = self.compare(self.dir / "ref" / "study.db", self.dir / "soak.db")
        summary = {
            "seed": self.args.seed, "minutes of disturbances": self.args.minutes,
            "reference run s": round(reference_s, 1), "disturbed run s": round(soak_s, 1),
            "launches of mose-study run": self.launches, "events": self.events, "exit codes": self.exit_codes,
            "trials (train, eval)": (sum(k == "train" for k, _, _ in soak_t.values()),
                                     sum(k == "eval" for k, _, _ in soak_t.values())),
            "claims per trial (min, median, max)": (attempts[0], attempts[len(attempts) // 2], attempts[-1]),
            "training trials that resumed from a checkpoint": resumed,
            "compared (n, differing)": compared,
            "orphan workers": self.orphans, "slowest worker exit after its parent died, s": round(self.orphan_worst_s, 2),
            "SIGTERM to exit, s (median, max)": (
                round(sorted(self.stop_latencies)[len(self.stop_latencies) // 2], 2) if self.stop_latencies else None,
                round(max(self.stop_latencies), 2) if self.stop_latencies else None),
            "problems": self.problems,
        }
        print(json.dumps(summary, indent=2))
        (self.dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        return 0 if not self.problems else 1


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mose-study", type=Path, default=REPO / "build" / "app" / "mose-study")
    parser.add_argument("--dir", type=Path, required=True, help="a fresh folder for the two studies and logs")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to disturb the second run")
    parser.add_argument("--seed", type=int, default=1, help="seed of the disturbance schedule")
    parser.add_argument("--min-interval-s", type=float, default=3.0)
    parser.add_argument("--max-interval-s", type=float, default=15.0)
    parser.add_argument("--stop-limit-s", type=float, default=30.0,
                        help="SIGTERM must end the run within this (Slurm's default KillWait)")
    parser.add_argument("--orphan-grace-s", type=float, default=30.0,
                        help="a worker must end within this after its parent is killed")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(Soak(parse_args()).main())
