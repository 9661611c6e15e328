"""Hotspot dataset: weekly incident counts on the grid of a fictional city, to be forecast.

Generative story (one cell = 250 m x 250 m of an invented city; one count = synthetic reports of
suspected exploitation in that cell and week):

1. The city: an irregular blob on a rows x cols grid, cut by a bay on one side; cells outside the
   blob or in the water are not in the study area. A few invented centres, two highways through
   the main centre and transit hubs along them define the urban fabric; invented districts are the
   Voronoi cells of random seeds.
2. Cell covariates: lodging places, nightlife venues and transit stops (Poisson counts that grow
   near centres, highways and hubs), distance to the nearest highway, and a land-use class.
3. A stable background surface: log-intensity = covariate effects + a smooth random field,
   scaled to 40% of the mean incident rate (hotspots and near repeats make the rest); times a mild annual
   seasonality shared by all cells.
4. Hotspots appear (at a constant rate, more likely near lodging, nightlife and transit), drift
   (each has a velocity and a random-walk jitter), grow, hold and fade (a trapezoid over 7 to 32
   weeks). Each is a Gaussian bump 0.7 to 2 cells wide (wider on larger grids). Some are already
   active at week 1, some are born during the forecast weeks.
5. Near-repeat effect: every incident raises the intensity of its cell and of the eight
   neighbouring cells over the next weeks (an excitation that decays by half each week;
   about 0.3 offspring incidents per incident).
6. Counts are Poisson draws of the resulting intensity, week after week. Participants see the
   history weeks; the truth holds the next weeks: public = first forecast week, private = the sum
   of the remaining forecast weeks, for every study cell.
"""

from __future__ import annotations

import re

import numpy as np

from challenges.datasets.common import (
    GeneratedDataset,
    csv_bytes,
    fmt_float,
    fmt_int,
    fmt_number,
    provenance,
    streams,
)

# The random streams, in spawn order (see common.streams): never reorder, or every dataset changes.
STREAMS = ("city", "simulate", "sample", "names")
GRID = {"small": (40, 40), "medium": (80, 80), "large": (120, 120)}
HISTORY_WEEKS = {"small": 52, "medium": 104, "large": 156}
FORECAST_WEEKS = 4  # public = the first forecast week, private = the rest
FRACTIONS = [0.01, 0.02, 0.05, 0.10]
CELL_SIZE_M = 250
MEAN_RATE = 0.12  # mean incidents per study cell and week, all sources together
BACKGROUND_SHARE = 0.4  # of the mean rate, before near-repeat excitation
NEAR_REPEAT_ALPHA = 0.15  # offspring per incident spread over a 3x3 neighbourhood, first week
NEAR_REPEAT_DECAY = 0.5  # the excitation halves every week (about 0.3 offspring in all)
HOTSPOT_BIRTHS_PER_1000_CELLS = 0.5  # expected new hotspots per week

CITY_NAMES = ("Veridia", "Quorvale", "Marrowick", "Selvanport", "Ondrelle", "Tavisquel", "Kestrowan", "Brelmoor")
DISTRICT_NAMES = (
    "Velmora",
    "Quillan Heights",
    "Tarrow Docks",
    "Sundrel",
    "Merrowgate",
    "Oskaveld",
    "Brisk Hollow",
    "Caldmere",
    "Lintarra",
    "Fennick Row",
    "Orvasse",
    "Pellowmarsh",
    "Dunsquerry",
    "Halvenford",
    "Ysmere Park",
    "Korrin Yards",
    "Estavel",
    "Amberlane Flats",
    "Thornquay",
    "Glimmerfield",
)
LAND_USES = ("residential", "commercial", "industrial", "logistics", "parkland")
CELL_ID_RE = re.compile(r"r(\d{3,})c(\d{3,})")


def cell_id(row: int, col: int) -> str:
    """The id of the cell at (row, col), 0-based, row 0 at the top: e.g. `r012c034`."""
    if row < 0 or col < 0:
        raise ValueError(f"row and col must be >= 0, got ({row}, {col})")
    return f"r{row:03d}c{col:03d}"


def parse_cell_id(value: str) -> tuple[int, int]:
    """(row, col) of a cell id written by `cell_id`; ValueError for anything else."""
    match = CELL_ID_RE.fullmatch(value)
    if match is None:
        raise ValueError(f"not a cell id: {value!r} (expected e.g. 'r012c034')")
    return int(match.group(1)), int(match.group(2))


def _smooth_field(rng: np.random.Generator, rows: int, cols: int, n_bumps: int, scale: float) -> np.ndarray:
    """A smooth random surface (sum of Gaussian bumps of random sign), standardised to mean 0, sd 1."""
    r = np.arange(rows)[:, None]
    c = np.arange(cols)[None, :]
    field = np.zeros((rows, cols))
    for _ in range(n_bumps):
        cr, cc = rng.uniform(0, rows), rng.uniform(0, cols)
        width = scale * rng.uniform(0.5, 1.5)
        field += rng.normal() * np.exp(-((r - cr) ** 2 + (c - cc) ** 2) / (2 * width**2))
    return (field - field.mean()) / (field.std() + 1e-12)


def _study_area(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Boolean mask of the city: a wobbly disc minus a bay on a random side."""
    r = np.arange(rows)[:, None] + 0.5
    c = np.arange(cols)[None, :] + 0.5
    cr, cc = rows / 2, cols / 2
    theta = np.arctan2(r - cr, c - cc)
    radius = 0.47 * min(rows, cols) * np.ones_like(theta)
    for k in range(2, 6):
        radius *= 1 + rng.uniform(0.02, 0.08) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    inside = np.hypot(r - cr, c - cc) < radius
    # The bay: a disc centred beyond the blob's edge eats into one side.
    angle = rng.uniform(0, 2 * np.pi)
    dist = 0.62 * min(rows, cols)
    bay_r, bay_c = cr + dist * np.sin(angle), cc + dist * np.cos(angle)
    bay = np.hypot(r - bay_r, c - bay_c) < 0.28 * min(rows, cols)
    return inside & ~bay


def _segment_distance(r: np.ndarray, c: np.ndarray, p: tuple[float, float], q: tuple[float, float]) -> np.ndarray:
    pr, pc = p
    dr, dc = q[0] - pr, q[1] - pc
    t = np.clip(((r - pr) * dr + (c - pc) * dc) / (dr * dr + dc * dc), 0.0, 1.0)
    return np.hypot(r - (pr + t * dr), c - (pc + t * dc))


def build_city(rng: np.random.Generator, rows: int, cols: int) -> dict[str, np.ndarray]:
    """Study area, districts and cell covariates (steps 1-2 of the module docstring)."""
    area = _study_area(rng, rows, cols)
    r = np.arange(rows)[:, None] + 0.5
    c = np.arange(cols)[None, :] + 0.5
    in_cells = np.argwhere(area) + 0.5
    scale = min(rows, cols) / 40  # sizes below are for a 40 x 40 grid and grow with the city

    # Centres: the main one near the middle, sub-centres anywhere in the city.
    n_centres = max(3, round(3 * scale))
    centres = [(rows / 2 + rng.normal(0, 2 * scale), cols / 2 + rng.normal(0, 2 * scale))]
    centres += [tuple(in_cells[i]) for i in rng.choice(len(in_cells), n_centres - 1, replace=False)]
    weights = np.concatenate(([1.0], rng.uniform(0.3, 0.7, n_centres - 1)))
    widths = np.concatenate(([4.0 * scale], rng.uniform(2.0, 3.5, n_centres - 1) * scale))
    urban = sum(
        w * np.exp(-((r - p[0]) ** 2 + (c - p[1]) ** 2) / (2 * s**2))
        for w, p, s in zip(weights, centres, widths, strict=True)
    )

    # Two highways through the main centre, across the whole grid.
    dist_highway = np.full((rows, cols), np.inf)
    for angle in rng.uniform(0, np.pi) + np.array([0.0, rng.uniform(0.35 * np.pi, 0.65 * np.pi)]):
        length = 2 * max(rows, cols)
        dr, dc = np.sin(angle) * length, np.cos(angle) * length
        p0, p1 = (centres[0][0] - dr, centres[0][1] - dc), (centres[0][0] + dr, centres[0][1] + dc)
        dist_highway = np.minimum(dist_highway, _segment_distance(r, c, p0, p1))
    # Transit hubs: the centres, plus a few stations on the highways.
    near_highway = np.argwhere(area & (dist_highway < 1.0)) + 0.5
    n_stations = min(len(near_highway), max(2, round(3 * scale)))
    stations = rng.choice(len(near_highway), n_stations, replace=False) if n_stations else []
    hubs = list(centres) + [tuple(near_highway[i]) for i in stations]
    hub_field = sum(np.exp(-((r - h[0]) ** 2 + (c - h[1]) ** 2) / (2 * (1.5 * scale) ** 2)) for h in hubs)

    highway_field = np.exp(-dist_highway / (1.5 * scale))
    lodging = rng.poisson(0.15 + 2.5 * urban + 0.8 * hub_field + 0.6 * highway_field)
    nightlife = rng.poisson(0.05 + 3.0 * urban**2 + 0.4 * hub_field)
    transit = rng.poisson(0.2 + 1.2 * urban + 1.5 * hub_field)

    # Land use: commercial in the cores, logistics along highways far from centres, parks and
    # industry in patches of a smooth field, residential elsewhere.
    patch = _smooth_field(rng, rows, cols, max(8, round(10 * scale**2)), 3.0 * scale)
    land = np.zeros((rows, cols), dtype=np.int64)  # residential
    land[patch > 1.2] = 4  # parkland
    land[(patch < -1.1)] = 2  # industrial
    land[(dist_highway < 1.2) & (urban < 0.25)] = 3  # logistics
    land[urban > 0.55] = 1  # commercial

    # Districts: Voronoi cells of random seeds inside the city.
    n_districts = min(len(DISTRICT_NAMES), max(6, round(6 * scale)))
    seeds = in_cells[rng.choice(len(in_cells), n_districts, replace=False)]
    d2 = (r[None] - seeds[:, 0, None, None]) ** 2 + (c[None] - seeds[:, 1, None, None]) ** 2
    district = np.argmin(d2, axis=0)
    names = rng.permutation(len(DISTRICT_NAMES))[:n_districts]

    return {
        "area": area,
        "urban": urban,
        "dist_highway_km": dist_highway * CELL_SIZE_M / 1000,
        "lodging": lodging,
        "nightlife": nightlife,
        "transit": transit,
        "land": land,
        "district": names[district],
        "smooth": _smooth_field(rng, rows, cols, max(10, round(12 * scale**2)), 4.0 * scale),
    }


def _zscore(x: np.ndarray, area: np.ndarray) -> np.ndarray:
    v = np.log1p(x.astype(np.float64))
    return (v - v[area].mean()) / (v[area].std() + 1e-12)


def _near_repeat(counts: np.ndarray) -> np.ndarray:
    """Spread counts over each cell's 3x3 neighbourhood (weights 1, 1/2, 1/4; sum 1)."""
    padded = np.pad(counts.astype(np.float64), 1)
    rows, cols = counts.shape
    out = np.zeros((rows, cols))
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            weight = (0.5 ** abs(dr)) * (0.5 ** abs(dc))
            out += weight * padded[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]
    return out / 4.0


def simulate(
    rng: np.random.Generator, city: dict[str, np.ndarray], weeks: int
) -> tuple[np.ndarray, np.ndarray, list[dict[str, float]]]:
    """Weekly counts (weeks x rows x cols), their expected values, and the hotspots (steps 3-6)."""
    area = city["area"]
    rows, cols = area.shape
    n_area = int(area.sum())

    # 3. Background surface, scaled to its share of the mean rate.
    attract = 0.5 * _zscore(city["lodging"], area) + 0.4 * _zscore(city["nightlife"], area)
    attract += (
        0.3 * _zscore(city["transit"], area) - 0.4 * city["dist_highway_km"] / city["dist_highway_km"][area].std()
    )
    log_bg = 0.5 * attract + 0.4 * city["smooth"] + 0.2 * (city["land"] == 3)
    background = np.where(area, np.exp(log_bg), 0.0)
    background *= BACKGROUND_SHARE * MEAN_RATE * n_area / background.sum()
    season = 1 + 0.15 * np.sin(2 * np.pi * (np.arange(weeks) / 52 + rng.uniform()))

    # 4. Hotspots: births at a constant rate (and some alive at the start), placed by attraction.
    scale = min(rows, cols) / 40
    place_p = np.where(area, np.exp(1.2 * attract), 0.0).ravel()
    place_p /= place_p.sum()
    rate = HOTSPOT_BIRTHS_PER_1000_CELLS * n_area / 1000
    births = list(rng.uniform(-30, 0, rng.poisson(rate * 30))) + list(rng.uniform(0, weeks, rng.poisson(rate * weeks)))
    hotspots = []
    for birth in births:
        flat = rng.choice(rows * cols, p=place_p)
        hotspots.append(
            {
                "birth": float(birth),
                "rise": float(rng.uniform(2, 6)),
                "hold": float(rng.uniform(2, 16)),
                "fade": float(rng.uniform(3, 10)),
                "peak": float(rng.lognormal(np.log(2.5), 0.5)),  # expected incidents per week at peak
                "row": flat // cols + rng.uniform(0, 1),
                "col": flat % cols + rng.uniform(0, 1),
                "v_row": float(rng.normal(0, 0.2 * scale)),
                "v_col": float(rng.normal(0, 0.2 * scale)),
                "width": float(rng.uniform(0.7, 2.0) * np.sqrt(scale)),
            }
        )

    rr = np.arange(rows) + 0.5
    cc = np.arange(cols) + 0.5
    counts = np.zeros((weeks, rows, cols), dtype=np.int64)
    expected = np.zeros((weeks, rows, cols))
    excitation = np.zeros((rows, cols))
    jitter = rng.normal(0, 0.15 * np.sqrt(scale), (len(hotspots), weeks, 2))
    for t in range(weeks):
        hot = np.zeros((rows, cols))
        for h, spot in enumerate(hotspots):
            age = t - spot["birth"]
            if age < 0:
                continue
            # Drift: move every week, by velocity plus jitter, bouncing off the grid's edges.
            spot["row"] = float(np.clip(spot["row"] + spot["v_row"] + jitter[h, t, 0], 0, rows))
            spot["col"] = float(np.clip(spot["col"] + spot["v_col"] + jitter[h, t, 1], 0, cols))
            level = min(age / spot["rise"], 1.0, 1.0 - (age - spot["rise"] - spot["hold"]) / spot["fade"])
            if level <= 0:
                continue
            g_r = np.exp(-((rr - spot["row"]) ** 2) / (2 * spot["width"] ** 2))
            g_c = np.exp(-((cc - spot["col"]) ** 2) / (2 * spot["width"] ** 2))
            bump = np.outer(g_r, g_c)
            hot += level * spot["peak"] * bump / bump.sum()
        lam = np.where(area, background * season[t] + hot + excitation, 0.0)
        expected[t] = lam
        counts[t] = rng.poisson(lam)
        # 5. Near repeat: this week's incidents excite the neighbourhood in the following weeks.
        excitation = NEAR_REPEAT_DECAY * excitation + NEAR_REPEAT_ALPHA * _near_repeat(counts[t])
    return counts, expected, hotspots


def baseline_scores(history: np.ndarray) -> np.ndarray:
    """The documented baseline: each cell's incident count over the last 13 history weeks."""
    return history[-13:].sum(axis=0).astype(np.float64)


def sample_submission(rng: np.random.Generator, ids: list[str]) -> bytes:
    """`sample_submission.csv`: every cell with a random score (the only draws of the `sample` stream)."""
    return csv_bytes(["cell_id", "score"], [ids, fmt_float(rng.random(len(ids)), 6)])


def simulate_city(
    seed: int, size: str, secret: bytes | None = None
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list[dict[str, float]], dict[str, np.random.Generator]]:
    """(city, counts, expected counts, hotspots, remaining streams) for all history + forecast weeks.

    The expected counts are the intensity the counts were drawn from: the best forecast anyone
    could make, used by the tests to show how much a model can gain over the baseline.
    """
    rng = streams(seed, STREAMS, secret)
    rows, cols = GRID[size]
    city = build_city(rng["city"], rows, cols)
    counts, expected, hotspots = simulate(rng["simulate"], city, HISTORY_WEEKS[size] + FORECAST_WEEKS)
    return city, counts, expected, hotspots, rng


def generate(seed: int, size: str, secret: bytes | None = None) -> GeneratedDataset:
    """Build the city, simulate history + forecast weeks, write the files. See the module docstring."""
    city, counts, _expected, hotspots, rng = simulate_city(seed, size, secret)
    rows, cols = GRID[size]
    history_weeks = HISTORY_WEEKS[size]
    city_name = CITY_NAMES[int(rng["names"].integers(len(CITY_NAMES)))]

    area = city["area"]
    cells_rc = np.argwhere(area)  # row-major order = sorted by cell id
    ids = [cell_id(int(r), int(c)) for r, c in cells_rc]
    sel = (cells_rc[:, 0], cells_rc[:, 1])
    n_cells = len(ids)
    history = counts[:history_weeks]
    future = counts[history_weeks:]

    cells = csv_bytes(
        [
            "cell_id",
            "row",
            "col",
            "district",
            "land_use",
            "lodging_places",
            "nightlife_venues",
            "transit_stops",
            "dist_highway_km",
        ],
        [
            ids,
            fmt_int(cells_rc[:, 0]),
            fmt_int(cells_rc[:, 1]),
            [DISTRICT_NAMES[i] for i in city["district"][sel].tolist()],
            [LAND_USES[i] for i in city["land"][sel].tolist()],
            fmt_int(city["lodging"][sel]),
            fmt_int(city["nightlife"][sel]),
            fmt_int(city["transit"][sel]),
            fmt_float(city["dist_highway_km"][sel], 3),
        ],
    )
    hist_counts = history[:, sel[0], sel[1]]  # weeks x cells
    history_csv = csv_bytes(
        ["week", "cell_id", "count"],
        [
            fmt_int(np.repeat(np.arange(1, history_weeks + 1), n_cells)),
            ids * history_weeks,
            fmt_int(hist_counts.ravel()),
        ],
    )
    public_counts = future[0][sel]
    private_counts = future[1:].sum(axis=0)[sel]
    truth = csv_bytes(
        ["cell_id", "split", "count"],
        [
            ids * 2,
            ["public"] * n_cells + ["private"] * n_cells,
            fmt_int(np.concatenate([public_counts, private_counts])),
        ],
    )
    sample = sample_submission(rng["sample"], ids)
    baseline = csv_bytes(["cell_id", "score"], [ids, fmt_float(baseline_scores(hist_counts), 1)])

    meta = {
        "city_name": city_name,
        "grid_rows": rows,
        "grid_cols": cols,
        "cell_size_m": CELL_SIZE_M,
        "n_cells": n_cells,
        "history_weeks": history_weeks,
        "forecast_weeks": FORECAST_WEEKS,
        "public_weeks": [history_weeks + 1],
        "private_weeks": list(range(history_weeks + 2, history_weeks + FORECAST_WEEKS + 1)),
        "history_incidents": int(hist_counts.sum()),
        "public_incidents": int(public_counts.sum()),
        "private_incidents": int(private_counts.sum()),
        "n_hotspots": len(hotspots),
        "districts": sorted({DISTRICT_NAMES[i] for i in city["district"][sel].tolist()}),
    }
    params = {"fractions": list(FRACTIONS)}
    return GeneratedDataset(
        kind="hotspot",
        seed=seed,
        size=size,
        public_files={
            "cells.csv": cells,
            "history.csv": history_csv,
            "sample_submission.csv": sample,
            "baseline_submission.csv": baseline,
            "DATA_CARD.md": data_card(None if secret else seed, size, meta).encode("utf-8"),
        },
        truth=truth,
        params=params,
        meta=meta,
    )


def data_card(seed: int | None, size: str, meta: dict) -> str:
    """The participant-facing description of the task (Markdown)."""
    h = meta["history_weeks"]
    fractions = ", ".join(f"{f * 100:g}%" for f in FRACTIONS)
    return f"""# Data card: hotspot forecasting in {meta["city_name"]} (synthetic)

{provenance("hotspot", seed, size)}
**{meta["city_name"]} is an invented city** and every incident is synthetic. No real place, person
or case is in the data; the district names are made up too.

## Task

{meta["city_name"]} is divided into a grid of {meta["grid_rows"]} x {meta["grid_cols"]} cells of {meta["cell_size_m"]} m x {meta["cell_size_m"]} m.
The {fmt_number(meta["n_cells"])} cells inside the city form the study area. For weeks 1 to {h} you
get the weekly number of incidents (synthetic reports of suspected exploitation) in every cell.
Forecast where incidents will concentrate in the next {meta["forecast_weeks"]} weeks (weeks {h + 1} to {h + meta["forecast_weeks"]}):
give every study cell a score, higher = more incidents expected. Only the order of the scores
matters.

## Files

- `cells.csv`: one row per study cell.

  | column | meaning |
  | --- | --- |
  | `cell_id` | `r<row>c<col>`, e.g. `r012c034`; rows from the top, columns from the left, from 0 |
  | `row`, `col` | the cell's position on the grid |
  | `district` | invented district name |
  | `land_use` | {", ".join(LAND_USES)} |
  | `lodging_places` | number of hotels and short-stay lodgings |
  | `nightlife_venues` | number of bars, clubs and late-night venues |
  | `transit_stops` | number of bus, tram and rail stops |
  | `dist_highway_km` | distance from the cell's centre to the nearest highway, in km |

- `history.csv`: `week,cell_id,count`, every study cell in every week from 1 to {h}
  (zeros included), {fmt_number(meta["history_incidents"])} incidents in all.
- `sample_submission.csv`: the submission format, filled with random scores.
- `baseline_submission.csv`: the baseline described below.

Cells of the grid that are not in `cells.csv` lie outside the city or in the bay.

## Submission

A CSV file `cell_id,score` with every `cell_id` of `cells.csv` exactly once; `score` is a finite
decimal number. Gzip-compressed uploads (`.csv.gz`) are accepted.

## Metric

The platform flags the top-scored cells covering {fractions} of the study area and counts the
incidents of the forecast weeks that fall in them (ties at the cut get fractional credit).

- `hit_rate@P%`: share of all incidents captured by the flagged cells.
- `pai@P%`: Predictive Accuracy Index, the hit rate divided by the flagged area share.
- `pei_star@P%`: Prediction Efficiency Index*, the incidents captured divided by the most any
  choice of that many cells could have captured (1 = perfect).
- Primary: **`mean_pei_star`**, the mean of `pei_star` over the fractions.
- The public leaderboard scores week {h + 1} alone; the final ranking scores the total of weeks
  {h + 2} to {h + meta["forecast_weeks"]}.

## How the data was made

1. The city: an irregular outline with a bay, a few centres, two highways and transit hubs;
   the covariates in `cells.csv` grow near centres, highways and hubs.
2. A stable background risk surface: higher near lodging, nightlife and transit, lower far from
   highways, plus a smooth random pattern; a mild yearly seasonality affects all cells alike.
3. Hotspots appear (more often near lodging, nightlife and transit), drift across the city, grow,
   hold for weeks to months, and fade. Some started before week 1, some start during the
   forecast weeks, so recent weeks tell more than old ones.
4. Near repeats: each incident makes further incidents more likely in the same and neighbouring
   cells for the next few weeks.
5. Weekly counts are random (Poisson) draws around the resulting expected values, so even a
   perfect knowledge of the risk would not reach a `mean_pei_star` of 1.

## Baseline

`baseline_submission.csv` scores each cell by its number of incidents over the last 13 history
weeks (weeks {h - 12} to {h}). It knows nothing of drift, fading, near repeats or neighbours;
smoothing over space, weighting recent weeks and using the covariates should do better.

## Ethical limits

- Fully synthetic: the city, its districts and every incident are invented by a random generator.
- For training and benchmarking forecasting methods only; never for deciding where real people
  are policed or watched. Hotspot maps can concentrate attention on places and communities and
  feed back into what gets reported; any real use needs an impact assessment.
- No demographic or residential-population attribute exists in the data.
- Limitations: real reports depend on who reports and where police look; real hotspots are rarer,
  noisier and shaped by events this simple model does not include.
"""
