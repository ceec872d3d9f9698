#!/usr/bin/python3
"""Draws a sweep's comparison: learning curves per task, and the rliable figures.

    /usr/bin/python3 tools/plot_compare.py --store results/orch.db --sweep NAME --out DIR
        [--metric KEY] [--budget T] [--baseline VARIANT] [--runs 1,2,3] [--smooth N]
        [--seed S] [--reps B] [--comparison FILE]

(`orch compare --plot DIR` calls it with the runs it compared and its JSON, FILE.) Writes into
DIR, `<m>` being the metric with '/' replaced by '_', and prints each path:
- compare_<m>.png: per task one panel with one curve per variant, the mean over seeds at each
  step and a 95% band from a percentile bootstrap over the seeds (a seeded numpy generator, so
  the figure is reproducible); the x-axis in the runs' unit (episodes for TAM, environment
  steps otherwise); the legend says what each variant sets. `--smooth N` applies a trailing
  moving average of N points to each run first.
- profile_<m>.png (with FILE): the performance profile of Agarwal et al. (rliable): for each
  threshold tau, the fraction of runs whose task-normalised AUC exceeds tau, pooled over tasks,
  with a 95% band from a bootstrap over runs within each task.
- intervals_<m>.png (with FILE): per variant the IQM of the normalised AUC and P(improvement
  over the baseline), each with the 95% interval of orch compare's own bootstrap.
Runs are grouped as orch compare grouped them (its variants, or --by's parameter values).

Needs only Debian's python3 with python3-matplotlib and python3-numpy. It reads; it never writes
to the store.
"""
import argparse
import json
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


def sweep_runs(db, names):
    """The sweeps called `names` (comma-separated; the newest of each name): their runs as dicts,
    sweep by sweep in job order, each run once."""
    runs, seen = [], set()
    for name in names.split(","):
        row = db.execute("SELECT sweep_id FROM sweep WHERE name = ? ORDER BY created_at_ms DESC "
                         "LIMIT 1", (name,)).fetchone()
        if row is None:
            known = [r[0] for r in db.execute("SELECT name FROM sweep ORDER BY name")]
            sys.exit(f"plot_compare.py: no sweep '{name}' in the store (known: "
                     f"{', '.join(known) or 'none'})")
        rows = db.execute(
            "SELECT m.run_id, m.job_index, m.variant, m.task, r.variant, r.task, r.seed, "
            "r.status, r.budget_env_steps FROM sweep_run m JOIN run r ON r.run_id = m.run_id "
            "WHERE m.sweep_id = ? ORDER BY m.job_index, m.run_id", (row[0],)).fetchall()
        for run_id, job, variant, task, run_variant, run_task, seed, status, budget in rows:
            if run_id in seen:
                continue
            seen.add(run_id)
            runs.append({"run_id": run_id, "job": job, "variant": variant or run_variant,
                         "task": task or run_task, "seed": seed, "status": status,
                         "budget": budget})
    return runs


def x_unit(db, run_ids):
    """What a step counts: episodes for TAM runs, environment steps otherwise."""
    marks = ",".join("?" * len(run_ids))
    algos = {row[0] for row in db.execute(f"SELECT algo FROM run WHERE run_id IN ({marks})",
                                          list(run_ids))}
    return "episodes" if algos == {"tam"} else "environment steps"


def variant_settings(db, runs, variants):
    """Per variant, the overrides that all its runs share and not every run of the sweep has:
    what the variant sets (`head=separate, loss_weight=0.5`). What every variant but the first
    sets alike (`multi_gamma.enabled=true`) is left out when there are several, and keys are
    shortened to their last part where that is unambiguous, so that the difference between two
    arms survives the legend's width."""
    overrides = {}
    for run in runs:
        row = db.execute("SELECT overrides_json FROM run WHERE run_id = ?",
                         (run["run_id"],)).fetchone()
        overrides[run["run_id"]] = set(json.loads(row[0])) if row and row[0] else set()
    everywhere = set.intersection(*overrides.values()) if overrides else set()
    shared = {}
    for variant in variants:
        mine = [overrides[r["run_id"]] for r in runs if r["variant"] == variant]
        own = set.intersection(*mine) - everywhere if mine else set()
        shared[variant] = {o for o in own if not o.startswith("seed=")}
    treatments = [shared[v] for v in variants[1:]]
    common = set.intersection(*treatments) if len(treatments) > 1 else set()
    keys = {o.split("=", 1)[0] for own in shared.values() for o in own}
    lasts = [k.rsplit(".", 1)[-1] for k in keys]

    def short(override):
        key, _, value = override.partition("=")
        last = key.rsplit(".", 1)[-1]
        return f"{last}={value}" if lasts.count(last) == 1 else override

    settings = {}
    for variant in variants:
        text = ", ".join(sorted(short(o) for o in shared[variant] - common))
        settings[variant] = text if len(text) <= 70 else text[:67] + "..."
    return settings


def draw_profile(comparison, variants, colours, rng, reps, path):
    """The performance profile over the compared runs' normalised AUC."""
    taus = np.linspace(0.0, 1.0, 101)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for variant, colour in zip(variants, colours):
        by_task = {}
        for run in comparison["runs"]:
            if run["variant"] == variant and run.get("normalised_auc") is not None:
                by_task.setdefault(run["task"], []).append(run["normalised_auc"])
        if not by_task:
            continue
        scores = np.concatenate([np.asarray(v) for v in by_task.values()])
        curve = (scores[None, :] > taus[:, None]).mean(axis=1)
        boots = []
        for _ in range(reps):
            resampled = np.concatenate([rng.choice(np.asarray(v), size=len(v), replace=True)
                                        for v in by_task.values()])
            boots.append((resampled[None, :] > taus[:, None]).mean(axis=1))
        low, high = np.percentile(np.asarray(boots), [2.5, 97.5], axis=0)
        ax.plot(taus, curve, color=colour, lw=1.4, label=f"{variant} (n={scores.size})")
        ax.fill_between(taus, low, high, color=colour, alpha=0.15, lw=0)
    ax.set_xlabel("task-normalised AUC threshold tau")
    ax.set_ylabel("fraction of runs with normalised AUC > tau")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="best")
    params = comparison["parameters"]
    better = "higher" if params["goal"] == "max" else "lower"
    ax.set_title(f"performance profile: {params['metric']} ({better} is better), sweep "
                 f"{params['sweep']}, T = {params['budget']}\n95% bootstrap band over runs "
                 f"within each task", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_intervals(comparison, variants, colours, path):
    """IQM of the normalised AUC and P(improvement), with orch compare's own intervals."""
    pooled = {p["variant"]: p for p in comparison["pooled"]}
    baseline = comparison["parameters"]["baseline"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.0, 0.6 * len(variants) + 1.8),
                                      sharey=True)
    for row, (variant, colour) in enumerate(zip(variants, colours)):
        entry = pooled.get(variant, {})
        if entry.get("iqm_norm_auc") is not None:
            low, high = entry.get("iqm_norm_auc_ci") or [np.nan, np.nan]
            left.plot([low, high], [row, row], color=colour, lw=6, alpha=0.45,
                      solid_capstyle="butt")
            left.plot([entry["iqm_norm_auc"]], [row], "|", color="black", ms=14)
        if variant != baseline and entry.get("p_improve") is not None:
            low, high = entry.get("p_improve_ci") or [np.nan, np.nan]
            right.plot([low, high], [row, row], color=colour, lw=6, alpha=0.45,
                       solid_capstyle="butt")
            right.plot([entry["p_improve"]], [row], "|", color="black", ms=14)
    left.set_yticks(range(len(variants)))
    left.set_yticklabels([f"{v} (baseline)" if v == baseline else v for v in variants],
                         fontsize=8)
    left.invert_yaxis()
    left.set_xlabel("IQM of task-normalised AUC (95% CI)")
    left.set_xlim(0, 1)
    right.axvline(0.5, color="grey", lw=0.8, ls="--")
    right.set_xlabel(f"P(variant improves on {baseline}) (95% CI)")
    right.set_xlim(0, 1)
    params = comparison["parameters"]
    better = "higher" if params["goal"] == "max" else "lower"
    fig.suptitle(f"{params['metric']} ({better} is better), sweep {params['sweep']}, T = "
                 f"{params['budget']}: bootstrap B = {params['reps']}, seed "
                 f"{params['bootstrap_seed']}; P(improve) counts improvements in that direction",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
    parser.add_argument("--comparison", help="orch compare's JSON (its runs' grouping and scores)")
    args = parser.parse_args()

    db = connect(args.store)
    runs = sweep_runs(db, args.sweep)
    comparison = None
    if args.comparison:
        with open(args.comparison) as f:
            comparison = json.load(f)
        # the groups of orch compare (its variants, or --by's values)
        group = {r["id"]: r["variant"] for r in comparison["runs"]}
        runs = [dict(r, variant=group[r["run_id"]]) for r in runs if r["run_id"] in group]
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
    settings = variant_settings(db, runs, variants)
    unit = x_unit(db, [r["run_id"] for r in runs])
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
            if settings.get(variant) and settings[variant] != variant:
                label += f": {settings[variant]}"
            ax.plot(grid, mean, color=colour, lw=1.2, label=f"{label}, n={len(curves)}")
            ax.fill_between(grid, low, high, color=colour, alpha=0.2, lw=0)
        ax.set_title(f"{task}\n{', '.join(counts)}", fontsize=9)
        ax.set_xlabel(unit)
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
    stem = args.metric.replace("/", "_")
    path = os.path.join(args.out, f"compare_{stem}.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)
    if comparison is not None:
        path = os.path.join(args.out, f"profile_{stem}.png")
        draw_profile(comparison, variants, colours, rng, min(args.reps, 2000), path)
        print(path)
        path = os.path.join(args.out, f"intervals_{stem}.png")
        draw_intervals(comparison, variants, colours, path)
        print(path)


if __name__ == "__main__":
    main()
