#!/usr/bin/python3
"""Draws the learning curves of a sweep's variants, one panel per task, from the results store.

    /usr/bin/python3 tools/plot_compare.py --store results/orch.db --sweep NAME --out DIR
        [--metric KEY] [--budget T] [--baseline VARIANT] [--runs 1,2,3] [--smooth N]
        [--seed S] [--reps B]

(`orch compare --plot DIR` calls it with the runs it compared.) Per task one panel with one
curve per variant: the mean over seeds at each step and a 95% band from a percentile bootstrap
over the seeds (a seeded numpy generator, so the figure is reproducible). `--smooth N` applies a
trailing moving average of N points to each run before averaging (for noisy per-episode
metrics). The baseline is drawn first. Writes compare_<metric, '/' replaced by '_'>.png into
the output directory and prints its path.

Needs only Debian's python3 with python3-matplotlib and python3-numpy. It reads; it never writes
to the store.
"""
import argparse
import os
import sqlite3
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# at most this many x positions per curve: the band's bootstrap is B x points
MAX_POINTS = 2000


def connect(path):
    # read-only, so plotting can never disturb a store that a run is writing
    return sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)


def sweep_runs(db, name):
    """The newest sweep called `name`: its runs as dicts in job order."""
    row = db.execute("SELECT sweep_id FROM sweep WHERE name = ? ORDER BY created_at_ms DESC "
                     "LIMIT 1", (name,)).fetchone()
    if row is None:
        known = [r[0] for r in db.execute("SELECT name FROM sweep ORDER BY name")]
        sys.exit(f"plot_compare.py: no sweep '{name}' in the store (known: "
                 f"{', '.join(known) or 'none'})")
    rows = db.execute(
        "SELECT m.run_id, m.job_index, m.variant, m.task, r.variant, r.task, r.seed, r.status, "
        "r.budget_env_steps FROM sweep_run m JOIN run r ON r.run_id = m.run_id "
        "WHERE m.sweep_id = ? ORDER BY m.job_index, m.run_id", (row[0],)).fetchall()
    runs = []
    for run_id, job, variant, task, run_variant, run_task, seed, status, budget in rows:
        runs.append({"run_id": run_id, "job": job, "variant": variant or run_variant,
                     "task": task or run_task, "seed": seed, "status": status,
                     "budget": budget})
    return runs


def series(db, run_id, key, budget):
    rows = db.execute(
        "SELECT m.step, m.value FROM metric m JOIN metric_key k ON k.key_id = m.key_id "
        "WHERE m.run_id = ? AND k.name = ? AND m.step <= ? ORDER BY m.step",
        (run_id, key, budget)).fetchall()
    steps = np.array([r[0] for r in rows], dtype=np.int64)
    values = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
    return steps, values


def moving_average(values, window):
    """Trailing mean over the last `window` points, skipping NaNs."""
    if window <= 1 or values.size == 0:
        return values
    valid = ~np.isnan(values)
    total = np.concatenate([[0.0], np.cumsum(np.where(valid, values, 0.0))])
    count = np.concatenate([[0], np.cumsum(valid)])
    index = np.arange(1, values.size + 1)
    start = np.maximum(index - window, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total[index] - total[start]) / (count[index] - count[start])


def cell_curve(curves, rng, reps):
    """Mean over seeds per step and the 2.5/97.5 percentiles of bootstrap means over seeds."""
    grid = np.unique(np.concatenate([steps for steps, _ in curves]))
    if grid.size > MAX_POINTS:
        grid = grid[np.linspace(0, grid.size - 1, MAX_POINTS).round().astype(int)]
    matrix = np.full((len(curves), grid.size), np.nan)
    for row, (steps, values) in enumerate(curves):
        where = np.searchsorted(steps, grid)
        hit = (where < steps.size) & (steps[np.minimum(where, steps.size - 1)] == grid)
        matrix[row, hit] = values[where[hit]]
    valid = ~np.isnan(matrix)
    filled = np.where(valid, matrix, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # a step no drawn seed has is NaN in that replicate (and all-NaN columns stay NaN)
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = filled.sum(axis=0) / valid.sum(axis=0)
        # each replicate draws n seeds with replacement: counts per seed, then weighted means
        n = len(curves)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=reps).astype(float)
        boot = (counts @ filled) / (counts @ valid.astype(float))
        low, high = np.nanpercentile(boot, [2.5, 97.5], axis=0)
    return grid, mean, low, high


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--sweep", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--metric", default="eval/episode_return")
    parser.add_argument("--budget", type=int)
    parser.add_argument("--baseline")
    parser.add_argument("--runs", help="comma-separated run ids (default: completed runs)")
    parser.add_argument("--smooth", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reps", type=int, default=1000)
    args = parser.parse_args()

    db = connect(args.store)
    runs = sweep_runs(db, args.sweep)
    # the runs to draw: those given, else the completed ones
    if args.runs:
        wanted = {int(x) for x in args.runs.split(",") if x}
        runs = [r for r in runs if r["run_id"] in wanted]
    else:
        runs = [r for r in runs if r["status"] == "completed"]
    if not runs:
        sys.exit(f"plot_compare.py: sweep '{args.sweep}' has no runs to draw")
    budget = args.budget if args.budget is not None else min(r["budget"] for r in runs)

    # variants in job order with the baseline first; tasks in job order
    variants, tasks = [], []
    for run in runs:
        if run["variant"] not in variants:
            variants.append(run["variant"])
        if run["task"] not in tasks:
            tasks.append(run["task"])
    baseline = args.baseline if args.baseline in variants else variants[0]
    variants = [baseline] + [v for v in variants if v != baseline]
    colours = ["black"] + [plt.cm.tab10(i % 10) for i in range(len(variants) - 1)]

    rng = np.random.default_rng(args.seed)
    columns = min(len(tasks), 3)
    rows = (len(tasks) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(max(5.5 * columns, 7.0), 4.0 * rows + 0.5), squeeze=False)
    for task_idx, task in enumerate(tasks):
        ax = axes[task_idx // columns][task_idx % columns]
        counts = []
        for variant, colour in zip(variants, colours):
            curves = []
            for run in runs:
                if run["variant"] != variant or run["task"] != task:
                    continue
                steps, values = series(db, run["run_id"], args.metric, budget)
                if steps.size:
                    curves.append((steps, moving_average(values, args.smooth)))
            counts.append(f"{variant} n={len(curves)}")
            if not curves:
                continue
            grid, mean, low, high = cell_curve(curves, rng, args.reps)
            label = f"{variant} (baseline)" if variant == baseline else variant
            ax.plot(grid, mean, color=colour, lw=1.2, label=f"{label}, n={len(curves)}")
            ax.fill_between(grid, low, high, color=colour, alpha=0.2, lw=0)
        ax.set_title(f"{task}\n{', '.join(counts)}", fontsize=9)
        ax.set_xlabel("step")
        ax.set_ylabel(args.metric)
        ax.set_xlim(0, budget)
        ax.legend(fontsize=7, loc="best")
    for empty_idx in range(len(tasks), rows * columns):
        axes[empty_idx // columns][empty_idx % columns].axis("off")
    smoothing = f", moving average {args.smooth}" if args.smooth > 1 else ""
    fig.suptitle(f"{args.metric}: sweep {args.sweep}, budget T = {budget}\nmean over seeds with a "
                 f"95% bootstrap band over seeds{smoothing}", fontsize=10)
    fig.tight_layout()

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"compare_{args.metric.replace('/', '_')}.png")
    fig.savefig(path, dpi=110)
    print(path)


if __name__ == "__main__":
    main()
