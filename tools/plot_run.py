#!/usr/bin/python3
"""Draws a run's figures as PNG files, from the results store and the run directory.

    /usr/bin/python3 tools/plot_run.py --store results/orch.db --run <uuid> [--run ...]
        [--key KEY ...] --out <dir>

(`orch plot RUN... [--key KEY]...` calls it.) Several runs share each figure, one colour each.
With --key: keys.png, one panel per key. Otherwise, by the runs' algorithm:
  TAM           tam_training.png (the 9 panels of the TAM notes, tam.md section 10),
                tam_zmap.png (the 2x2 PCA z-map: soft bind, log cone volume, lambda_bind, risk
                target, section 12.6) and tam_trail.png (the revisit trail), for the first run
  TD-MPC2       tdmpc2.png: evaluation return with its +-sd band over evaluation episodes, the
                world-model and policy losses, the value targets, and with multi-gamma heads
                their per-discount losses and errors
  anything else metrics.png: the evaluation and training curves first, then the rest
Every x-axis is in the run's unit (episodes for TAM, environment steps otherwise).

Needs only Debian's python3 and python3-matplotlib (sqlite3 and csv are in the standard library).
It reads; it never writes to the store.
"""
import argparse
import csv
import json
import math
import os
import sqlite3
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def connect(path):
    # read-only, so plotting can never disturb a store that a run is writing
    return sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True)


def find_run(db, reference):
    row = db.execute(
        "SELECT run_id, run_uuid, name, algo, task, seed, run_dir, budget_env_steps FROM run "
        "WHERE run_uuid = ? OR run_uuid LIKE ? || '%' OR name = ? OR CAST(run_id AS TEXT) = ? "
        "ORDER BY created_at_ms DESC LIMIT 1",
        (reference, reference, reference, reference)).fetchone()
    if row is None:
        sys.exit(f"plot_run.py: no run '{reference}' in the store")
    keys = ["run_id", "uuid", "name", "algo", "task", "seed", "run_dir", "budget"]
    return dict(zip(keys, row))


def series(db, run_id, key):
    rows = db.execute(
        "SELECT m.step, m.value FROM metric m JOIN metric_key k ON k.key_id = m.key_id "
        "WHERE m.run_id = ? AND k.name = ? ORDER BY m.step", (run_id, key)).fetchall()
    steps = [r[0] for r in rows]
    values = [float("nan") if r[1] is None else r[1] for r in rows]
    return steps, values


def metric_names(db, run_id):
    rows = db.execute(
        "SELECT DISTINCT k.name FROM metric_latest m JOIN metric_key k ON k.key_id = m.key_id "
        "WHERE m.run_id = ? ORDER BY k.name", (run_id,)).fetchall()
    return [r[0] for r in rows]


def config_value(db, run_id, key, default):
    row = db.execute("SELECT value_num FROM run_param WHERE run_id = ? AND key = ?",
                     (run_id, key)).fetchone()
    return default if row is None or row[0] is None else row[0]


def moving_average(values, window):
    out, total, queue = [], 0.0, []
    for v in values:
        v = 0.0 if math.isnan(v) else v
        queue.append(v)
        total += v
        if len(queue) > window:
            total -= queue.pop(0)
        out.append(total / len(queue))
    return out


def tam_training_figure(db, run, out_dir):
    rid = run["run_id"]
    target_bind = config_value(db, rid, "tam.target_bind", 0.9)
    target_et = config_value(db, rid, "tam.target_et", 16.0)
    fig, axes = plt.subplots(9, 1, figsize=(11, 22), sharex=True)

    steps, nll = series(db, rid, "exp_nll")
    axes[0].plot(steps, [math.exp(-v) for v in nll], lw=0.6)
    axes[0].set_ylabel("agency\nexp(-exp_nll)")

    steps, cone = series(db, rid, "cone_volume")
    axes[1].plot(steps, cone, lw=0.6)
    axes[1].set_yscale("log")
    axes[1].set_ylabel("cone volume")

    steps, bind = series(db, rid, "bind_success")
    axes[2].plot(steps, moving_average(bind, 200), lw=0.9)
    axes[2].set_ylabel("bind success\n(200-ep avg)")
    axes[2].set_ylim(-0.05, 1.05)

    steps, action = series(db, rid, "avg_abs_action")
    axes[3].plot(steps, action, lw=0.6)
    axes[3].set_ylabel("avg |action|")

    steps, horizon = series(db, rid, "T")
    axes[4].plot(steps, horizon, lw=0.3, alpha=0.4, label="sampled T")
    steps_e, e_train = series(db, rid, "E_T_train")
    axes[4].plot(steps_e, moving_average(e_train, 100), lw=1.0, label="E[T]_train (100-ep avg)")
    axes[4].axhline(target_et, color="k", ls="--", lw=0.8, label=f"target {target_et:g}")
    axes[4].set_ylabel("horizon")
    axes[4].legend(loc="upper right", fontsize=7)

    steps, kl = series(db, rid, "kl")
    axes[5].plot(steps, kl, lw=0.6)
    axes[5].set_ylabel("KL")

    steps, znorm = series(db, rid, "z_norm")
    axes[6].plot(steps, znorm, lw=0.6)
    axes[6].set_ylabel("||z||")

    steps, soft = series(db, rid, "soft_bind")
    axes[7].plot(steps, soft, lw=0.3, alpha=0.4, label="soft bind")
    axes[7].plot(steps, moving_average(soft, 100), lw=1.0, label="100-ep avg")
    axes[7].axhline(target_bind, color="k", ls="--", lw=0.8, label=f"target {target_bind:g}")
    axes[7].set_ylabel("soft bind rate")
    axes[7].legend(loc="lower right", fontsize=7)

    steps, lam_bind = series(db, rid, "lambda_bind")
    steps_t, lam_t = series(db, rid, "lambda_T")
    axes[8].plot(steps, lam_bind, lw=0.8, label="lambda_bind")
    axes[8].plot(steps_t, lam_t, lw=0.8, label="lambda_T")
    axes[8].set_ylabel("multipliers")
    axes[8].legend(loc="upper right", fontsize=7)
    axes[8].set_xlabel("episode")

    # shade the regime-1 blocks so regime switches are visible in every panel
    steps_r, regime = series(db, rid, "regime")
    for ax in axes:
        start = None
        for s, r in zip(steps_r, regime):
            if r == 1 and start is None:
                start = s
            if r != 1 and start is not None:
                ax.axvspan(start, s, color="grey", alpha=0.08, lw=0)
                start = None
        if start is not None:
            ax.axvspan(start, steps_r[-1], color="grey", alpha=0.08, lw=0)

    fig.suptitle(f"TAM {run['name']} (seed {run['seed']}; shaded: regime 1)", y=0.995)
    fig.tight_layout()
    path = os.path.join(out_dir, "tam_training.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]


def tam_zmap_figure(run_dir, run, out_dir):
    points = read_csv(os.path.join(run_dir, "zmap.csv"))
    if not points:
        return []
    trail = read_csv(os.path.join(run_dir, "trail.csv"))
    analysis = {}
    if os.path.exists(os.path.join(run_dir, "analysis.json")):
        with open(os.path.join(run_dir, "analysis.json")) as f:
            analysis = json.load(f)
    pc1 = [p["pc1"] for p in points]
    pc2 = [p["pc2"] for p in points]
    panels = [("soft_bind", "soft bind"), ("log_cone_vol", "log cone volume"),
              ("lambda_bind", "lambda_bind"), ("risk", "risk target (regulariser)")]
    fig, axes = plt.subplots(2, 2, figsize=(12, 10))
    for ax, (column, title) in zip(axes.ravel(), panels):
        sc = ax.scatter(pc1, pc2, c=[p[column] for p in points], s=8, alpha=0.5)
        fig.colorbar(sc, ax=ax)
        ax.set_title(f"z-memory: {title}")
        ax.set_xlabel("PC1")
        ax.set_ylabel("PC2")
    variance = analysis.get("explained_variance")
    subtitle = f" (PC1+PC2 explain {100 * sum(variance):.0f}% of z variance)" if variance else ""
    fig.suptitle(f"TAM z-map {run['name']}{subtitle}")
    fig.tight_layout()
    path = os.path.join(out_dir, "tam_zmap.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    paths = [path]

    # the revisit trail: the recent sampled z's in order over the map, so loops show attractors
    if trail:
        fig, ax = plt.subplots(figsize=(8, 7))
        ax.scatter(pc1, pc2, color="lightgrey", s=6, alpha=0.6, label="memory records")
        xs = [t["pc1"] for t in trail]
        ys = [t["pc2"] for t in trail]
        ax.plot(xs, ys, color="k", lw=0.3, alpha=0.3)
        sc = ax.scatter(xs, ys, c=[t["episode"] for t in trail], cmap="viridis", s=6)
        fig.colorbar(sc, ax=ax, label="episode")
        ax.set_xlabel("PC1")
        ax.set_ylabel("PC2")
        ax.set_title(f"revisit trail: the last {len(trail)} sampled z's, in order")
        ax.legend(loc="upper right", fontsize=8)
        fig.tight_layout()
        trail_path = os.path.join(out_dir, "tam_trail.png")
        fig.savefig(trail_path, dpi=110)
        plt.close(fig)
        paths.append(trail_path)
    return paths


def x_label(run):
    return "episode" if run["algo"] == "tam" else "environment steps"


def label_of(db, run):
    """What tells the runs of one figure apart: variant and seed, else the name."""
    row = db.execute("SELECT variant FROM run WHERE run_id = ?", (run["run_id"],)).fetchone()
    variant = row[0] if row and row[0] else ""
    return f"{variant + ' ' if variant else ''}seed {run['seed']} ({run['uuid'][:8]})"


def overlay_panel(ax, db, runs, key, colours, band_key=None, logy=False):
    """One key's curve for every run (with a +-band from `band_key` when it exists)."""
    drawn = False
    for run, colour in zip(runs, colours):
        steps, values = series(db, run["run_id"], key)
        if not steps:
            continue
        drawn = True
        ax.plot(steps, values, lw=1.0, color=colour, label=label_of(db, run))
        if band_key:
            band_steps, band = series(db, run["run_id"], band_key)
            if band_steps == steps:
                low = [v - b for v, b in zip(values, band)]
                high = [v + b for v, b in zip(values, band)]
                ax.fill_between(steps, low, high, color=colour, alpha=0.2, lw=0)
    ax.set_title(key + (f" (band: +-{band_key.split('/')[-1]})" if band_key and drawn else ""),
                 fontsize=9)
    ax.set_xlabel(x_label(runs[0]), fontsize=8)
    ax.set_ylabel(key if len(key.split("/")[-1]) < 8 else key.split("/")[-1], fontsize=8)
    if logy and drawn:
        ax.set_yscale("log")
    return drawn


def grid_figure(db, runs, panels, title, path):
    """`panels`: (key, band_key, log y) per panel, drawn for every run."""
    if not panels:
        return None
    cols = min(3, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.4 * rows), squeeze=False)
    colours = [plt.cm.tab10(i % 10) for i in range(len(runs))]
    for ax, (key, band, logy) in zip(axes.ravel(), panels):
        overlay_panel(ax, db, runs, key, colours, band, logy)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    axes.ravel()[0].legend(fontsize=7, loc="best")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def keys_of(db, runs):
    names = []
    for run in runs:
        for name in metric_names(db, run["run_id"]):
            if name not in names:
                names.append(name)
    return names


def tdmpc2_figure(db, runs, out_dir):
    names = keys_of(db, runs)
    panels = []
    if "eval/episode_return" in names:
        panels.append(("eval/episode_return", "eval/episode_return_sd", False))
    if "train/episode_return" in names:
        panels.append(("train/episode_return", None, False))
    for key in ["train/consistency_loss", "train/reward_loss", "train/value_loss",
                "train/pi_loss", "train/total_loss", "train/td_target", "train/pi_scale",
                "train/grad_norm"]:
        if key in names:
            panels.append((key, None, key.endswith("_loss") and key != "train/pi_loss"))
    # the multi-gamma heads: their loss share and per-discount errors
    for key in ["train/aux_loss", "aux_value_ce/mean"]:
        if key in names:
            panels.append((key, None, False))
    for name in names:
        if name.startswith(("aux/rmse/", "aux_value_ce/g")):
            panels.append((name, None, False))
    title = f"TD-MPC2 {runs[0]['task']}: " + (runs[0]["name"] if len(runs) == 1
                                               else f"{len(runs)} runs")
    return grid_figure(db, runs, panels, title, os.path.join(out_dir, "tdmpc2.png"))


def generic_figure(db, runs, out_dir):
    names = [n for n in keys_of(db, runs) if not n.startswith(("acceptance/", "system/",
                                                                "params/"))]
    # what a researcher reads first: evaluation, then training curves, then the rest
    names.sort(key=lambda n: (0 if n.startswith("eval/") else 1 if n.startswith("train/") else 2))
    panels = [(n, n + "_sd" if n + "_sd" in names else None, False) for n in names
              if not n.endswith("_sd")][:12]
    title = f"{runs[0]['algo']} {runs[0]['task']}: " + (runs[0]["name"] if len(runs) == 1
                                                         else f"{len(runs)} runs")
    return grid_figure(db, runs, panels, title, os.path.join(out_dir, "metrics.png"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--run", required=True, action="append",
                        help="uuid, uuid prefix, name or id (repeatable)")
    parser.add_argument("--key", action="append", default=[],
                        help="draw only these metric keys, one panel each (repeatable)")
    parser.add_argument("--out", required=True, help="directory for the PNG files")
    args = parser.parse_args()

    db = connect(args.store)
    runs = [find_run(db, reference) for reference in args.run]
    os.makedirs(args.out, exist_ok=True)
    written = []
    if args.key:
        known = keys_of(db, runs)
        for key in args.key:
            if key not in known:
                sys.exit(f"plot_run.py: no run has metric '{key}' (keys: {', '.join(known)})")
        panels = [(k, k + "_sd" if k + "_sd" in known else None, False) for k in args.key]
        written.append(grid_figure(db, runs, panels, ", ".join(args.key),
                                   os.path.join(args.out, "keys.png")))
    elif runs[0]["algo"] == "tam":
        run = runs[0]
        run_dir = os.path.join(os.path.dirname(os.path.abspath(args.store)), run["run_dir"])
        written.append(tam_training_figure(db, run, args.out))
        written.extend(tam_zmap_figure(run_dir, run, args.out) or [])
    elif runs[0]["algo"] == "tdmpc2":
        written.append(tdmpc2_figure(db, runs, args.out))
    else:
        written.append(generic_figure(db, runs, args.out))
    for path in written:
        if path:
            print(path)


if __name__ == "__main__":
    main()
