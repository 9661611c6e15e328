"""Network dataset: a contact/transfer graph with hidden exploitation rings, controllers and brokers.

Generative story (one node = a fictional phone number or account; one edge = 90 days of contact
and money transfers between two nodes, summarised by volume, night share and transfer share):

1. Background: nodes live in social communities of log-normal sizes and have a log-normal
   activity weight; edges are drawn mostly inside communities (85%) and partly across the city
   (15%), endpoints chosen in proportion to activity. About a fifth of the in-community ties are
   strong family ties: high volume and transfer share, but daytime.
2. Decoys that carry one signal each: night-shift teams (dense groups with a supervisor, mostly
   at night, moderate volume, almost no transfers) and hubs (businesses such as taxi firms or
   shops, linked to hundreds of unrelated nodes by small volumes; some work at night, some take
   payments).
3. Rings: a controller and 4 or more members recruited from anywhere in the graph (members lose
   half of their background activity). The controller talks to almost every member, often, at
   night, and collects transfers; members talk to each other at night. A share of ring ties look
   ordinary (daytime, low volume), so no single edge proves anything.
4. Brokers (ring id 0, role broker) link two to four rings: ties to their controllers and to a
   member or two, moderate volume and transfers.
5. Overlapping ties are resolved by keeping the most specific one (ring > broker > decoy >
   background). Node ids are then relabelled by a random permutation and the edge list sorted,
   so ids and order leak nothing. Nodes are split public/private 30/70 at random, stratified by
   role.
"""

from __future__ import annotations

import numpy as np

from challenges.datasets.common import (
    GeneratedDataset,
    csv_bytes,
    fmt_float,
    fmt_int,
    fmt_number,
    provenance,
    sequential_ids,
    split_labels,
    streams,
)

# The random streams, in spawn order (see common.streams): never reorder, or every dataset changes.
STREAMS = ("simulate", "relabel", "split", "sample")
N_NODES = {"small": 2_000, "medium": 20_000, "large": 200_000}
MEAN_BACKGROUND_DEGREE = 8.0
NODES_PER_RING = 170
NODES_PER_TEAM = 250
NODES_PER_HUB = 600
ROLES = ("none", "member", "controller", "broker")
# Layers, lowest priority first: when two layers draw the same pair, the higher one wins.
BACKGROUND, FAMILY, TEAM, HUB, BROKER, RING = range(6)


class _Edges:
    """Edges collected layer by layer: endpoints, attributes and the layer that drew them."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self, u: np.ndarray, v: np.ndarray, volume: np.ndarray, night: np.ndarray, transfer: np.ndarray, layer: int
    ) -> None:
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        self.parts.append((u, v, volume, night, transfer, np.full(u.size, layer)))

    def resolve(self, n: int) -> tuple[np.ndarray, ...]:
        """Drop self-loops, orient u < v, keep one edge per pair: the one of the highest layer."""
        u, v, volume, night, transfer, layer = (np.concatenate(col) for col in zip(*self.parts, strict=True))
        keep = u != v
        u, v, volume, night, transfer, layer = u[keep], v[keep], volume[keep], night[keep], transfer[keep], layer[keep]
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        key = lo * n + hi
        order = np.lexsort((-layer, key))  # by pair, highest layer first (lexsort is stable)
        first = np.ones(order.size, dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        pick = order[first]
        return lo[pick], hi[pick], volume[pick], night[pick], transfer[pick], layer[pick]


def _volume(rng: np.random.Generator, mean: float, size: int) -> np.ndarray:
    """Contacts in 90 days: at least 1, over-dispersed around `mean`."""
    return 1 + rng.poisson(rng.gamma(2.0, (mean - 1) / 2.0, size))


def _weighted_pick(rng: np.random.Generator, cumw: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each i, a position in `cumw` (cumulative weights) drawn in proportion to weight among
    the positions whose weight interval lies within [lo_i, hi_i)."""
    return np.minimum(np.searchsorted(cumw, lo + rng.random(lo.size) * (hi - lo), side="right"), cumw.size - 1)


def simulate(rng: np.random.Generator, n: int) -> tuple[tuple[np.ndarray, ...], np.ndarray, np.ndarray]:
    """Draw the graph in original node numbering: (edges, ring_id per node, role index per node)."""
    edges = _Edges()
    ring_id = np.zeros(n, dtype=np.int64)
    role = np.zeros(n, dtype=np.int64)
    pool = rng.permutation(n)  # nodes given a special part (ring, broker, team, hub) come from here
    used = 0

    def take(count: int) -> np.ndarray:
        nonlocal used
        chosen = pool[used : used + count]
        used += count
        return chosen

    # 3a. Ring membership first: members lose half of their background activity (isolation).
    n_rings = max(3, round(n / NODES_PER_RING))
    ring_sizes = 4 + rng.poisson(6, n_rings)
    controllers = take(n_rings)
    members = [take(int(s)) for s in ring_sizes]
    for k, (boss, crew) in enumerate(zip(controllers, members, strict=True), start=1):
        ring_id[boss] = k
        ring_id[crew] = k
        role[boss] = 2
        role[crew] = 1
    n_brokers = max(1, round(n_rings / 3))
    brokers = take(n_brokers)
    role[brokers] = 3

    # 1. Background communities and activity weights.
    community = np.repeat(np.arange(n), 1 + rng.poisson(rng.lognormal(np.log(35), 0.6, n)))[:n]
    community = community[rng.permutation(n)]
    activity = rng.lognormal(0.0, 0.8, n)
    activity[role == 1] *= 0.5
    by_comm = np.argsort(community, kind="stable")
    w_sorted = activity[by_comm]
    cumw = np.cumsum(w_sorted)
    comm_sorted = community[by_comm]
    starts = np.searchsorted(comm_sorted, comm_sorted, side="left")
    ends = np.searchsorted(comm_sorted, comm_sorted, side="right")
    start_w = np.where(starts > 0, cumw[starts - 1], 0.0)
    end_w = cumw[ends - 1]

    m = int(round(n * MEAN_BACKGROUND_DEGREE / 2))
    src = _weighted_pick(rng, cumw, np.zeros(m), np.full(m, cumw[-1]))  # positions in by_comm order
    local = rng.random(m) < 0.85
    dst = _weighted_pick(rng, cumw, np.zeros(m), np.full(m, cumw[-1]))
    dst[local] = _weighted_pick(rng, cumw, start_w[src[local]], end_w[src[local]])
    u, v = by_comm[src], by_comm[dst]
    family = local & (rng.random(m) < 0.2)
    plain = ~family
    edges.add(
        u[plain],
        v[plain],
        _volume(rng, 6, plain.sum()),
        rng.beta(1.5, 8, plain.sum()),
        rng.beta(1, 12, plain.sum()),
        BACKGROUND,
    )
    nf = int(family.sum())
    edges.add(u[family], v[family], _volume(rng, 25, nf), rng.beta(1.5, 8, nf), rng.beta(2, 6, nf), FAMILY)

    # 2. Decoys: night-shift teams with a supervisor, and hubs.
    for _ in range(max(2, round(n / NODES_PER_TEAM))):
        team = take(int(6 + rng.poisson(5)))
        iu, iv = np.triu_indices(team.size, 1)
        sel = rng.random(iu.size) < 0.55
        sel[iu == 0] = True  # team[0] is the supervisor, linked to everyone
        k = int(sel.sum())
        edges.add(team[iu[sel]], team[iv[sel]], _volume(rng, 10, k), rng.beta(7, 3, k), rng.beta(0.5, 15, k), TEAM)
    for h in range(max(2, round(n / NODES_PER_HUB))):
        hub = take(1)[0]
        degree = int(min(n // 4, rng.integers(40, 300)))
        clients = rng.choice(n, degree, replace=False)
        night = rng.beta(6, 4, degree) if h % 2 == 0 else rng.beta(1.5, 8, degree)
        edges.add(np.full(degree, hub), clients, _volume(rng, 3, degree), night, rng.beta(2, 3, degree), HUB)

    # 3b. Ring ties: controller-member almost always, member-member sometimes; 20% look ordinary.
    for boss, crew in zip(controllers, members, strict=True):
        crew_links = crew[rng.random(crew.size) < 0.9]
        iu, iv = np.triu_indices(crew.size, 1)
        pair = rng.random(iu.size) < 0.3
        u = np.concatenate([np.full(crew_links.size, boss), crew[iu[pair]]])
        v = np.concatenate([crew_links, crew[iv[pair]]])
        is_boss = np.arange(u.size) < crew_links.size
        k = u.size
        volume = np.where(is_boss, _volume(rng, 30, k), _volume(rng, 12, k))
        night = np.where(is_boss, rng.beta(6, 3.5, k), rng.beta(5, 4, k))
        transfer = np.where(is_boss, rng.beta(4, 4, k), rng.beta(1, 10, k))
        ordinary = rng.random(k) < 0.2
        volume = np.where(ordinary, _volume(rng, 6, k), volume)
        night = np.where(ordinary, rng.beta(1.5, 8, k), night)
        edges.add(u, v, volume, night, transfer, RING)

    # 4. Brokers: two to four rings each, the controller and one or two members of each.
    for broker in brokers:
        rings = rng.choice(n_rings, min(n_rings, int(rng.integers(2, 5))), replace=False)
        targets = [controllers[r] for r in rings]
        for r in rings:
            targets.extend(rng.choice(members[r], int(rng.integers(1, 3)), replace=False))
        k = len(targets)
        edges.add(
            np.full(k, broker), np.array(targets), _volume(rng, 12, k), rng.beta(3, 4, k), rng.beta(3, 3, k), BROKER
        )

    return edges.resolve(n), ring_id, role


def connected_components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Component label (smallest node index in it) of every node, by min-label propagation."""
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[u], labels[v])
        new = labels.copy()
        np.minimum.at(new, u, low)
        np.minimum.at(new, v, low)
        new = new[new]  # pointer jumping: follow labels to their own labels
        if np.array_equal(new, labels):
            return labels
        labels = new


def baseline_submission(
    n: int, u: np.ndarray, v: np.ndarray, volume: np.ndarray, night: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The documented baseline: components of the "suspicious tie" graph.

    1. A tie is suspicious when `night_share >= 0.5` and `volume >= 10`.
    2. Connected components of suspicious ties with 3 to 60 nodes are predicted rings (numbered
       1..K); every other node gets community 0.
    3. Key-player score = number of suspicious ties of the node + total volume / 10,000 (tie-break).
    """
    suspicious = (night >= 0.5) & (volume >= 10)
    su, sv = u[suspicious], v[suspicious]
    labels = connected_components(n, su, sv)
    in_graph = np.zeros(n, dtype=bool)
    in_graph[su] = True
    in_graph[sv] = True
    sizes = np.bincount(labels, minlength=n)[labels]
    community = np.where(in_graph & (sizes >= 3) & (sizes <= 60), labels + 1, 0)
    # Renumber communities 1..K so labels do not echo node numbers.
    _, community = np.unique(community, return_inverse=True)
    if not (community == 0).any():
        community = community + 1
    degree = np.bincount(su, minlength=n) + np.bincount(sv, minlength=n)
    strength = np.bincount(u, weights=volume, minlength=n) + np.bincount(v, weights=volume, minlength=n)
    return community, degree + strength / 10_000


def sample_submission(rng: np.random.Generator, ids: list[str]) -> bytes:
    """`sample_submission.csv`: random communities (5% of nodes) and scores (the `sample` stream's only draws)."""
    n = len(ids)
    communities = np.where(rng.random(n) < 0.05, rng.integers(1, 21, n), 0)
    return csv_bytes(["node_id", "community_id", "score"], [ids, fmt_int(communities), fmt_float(rng.random(n), 6)])


def generate(seed: int, size: str, secret: bytes | None = None) -> GeneratedDataset:
    """Simulate the graph, relabel, split, and write the files. See the module docstring."""
    rng = streams(seed, STREAMS, secret)
    n = N_NODES[size]
    (u, v, volume, night, transfer, _layer), ring_id, role = simulate(rng["simulate"], n)

    # Relabel nodes by a random permutation; ring numbers are shuffled too.
    new_number = rng["relabel"].permutation(n)  # node i is written as node new_number[i]
    n_rings = int(ring_id.max())
    ring_perm = np.concatenate(([0], 1 + rng["relabel"].permutation(n_rings)))
    ring_id = ring_id[np.argsort(new_number)]
    ring_id = ring_perm[ring_id]
    role = role[np.argsort(new_number)]
    a, b = new_number[u], new_number[v]
    u, v = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((v, u))
    u, v, volume, night, transfer = u[order], v[order], volume[order], night[order], transfer[order]
    ids = np.array(sequential_ids("n", n), dtype=object)
    split = split_labels(role, rng["split"])

    nodes = csv_bytes(["node_id"], [list(ids)])
    edge_csv = csv_bytes(
        ["source", "target", "volume", "night_share", "transfer_share"],
        [list(ids[u]), list(ids[v]), fmt_int(volume), fmt_float(night, 3), fmt_float(transfer, 3)],
    )
    truth = csv_bytes(
        ["node_id", "ring_id", "role", "split"],
        [list(ids), fmt_int(ring_id), [ROLES[r] for r in role.tolist()], list(split)],
    )
    sample = sample_submission(rng["sample"], list(ids))
    # Rounding the night share first makes the baseline reproducible from edges.csv alone.
    base_comm, base_score = baseline_submission(n, u, v, volume, np.round(night, 3))
    baseline = csv_bytes(
        ["node_id", "community_id", "score"], [list(ids), fmt_int(base_comm), fmt_float(base_score, 4)]
    )

    key = (role == 2) | (role == 3)
    meta = {
        "n_nodes": n,
        "n_edges": int(u.size),
        "n_rings": n_rings,
        "n_ring_nodes": int((ring_id != 0).sum()),
        "n_controllers": int((role == 2).sum()),
        "n_brokers": int((role == 3).sum()),
        "n_key_players": int(key.sum()),
        "n_public": int((split == "public").sum()),
        "n_private": int((split == "private").sum()),
    }
    return GeneratedDataset(
        kind="network",
        seed=seed,
        size=size,
        public_files={
            "nodes.csv": nodes,
            "edges.csv": edge_csv,
            "sample_submission.csv": sample,
            "baseline_submission.csv": baseline,
            "DATA_CARD.md": data_card(None if secret else seed, size, meta).encode("utf-8"),
        },
        truth=truth,
        params={},
        meta=meta,
    )


def data_card(seed: int | None, size: str, meta: dict) -> str:
    """The participant-facing description of the task (Markdown)."""
    return f"""# Data card: exploitation-ring tracking in a contact network (synthetic)

{provenance("network", seed, size)}
**Every node and tie is synthetic.** No real person, phone number, account or case is in it.

## Task

The graph links {fmt_number(meta["n_nodes"])} fictional phone numbers and accounts by {fmt_number(meta["n_edges"])} ties,
each summarising 90 days of calls, messages and money transfers. Hidden in it are {meta["n_rings"]}
exploitation rings ({fmt_number(meta["n_ring_nodes"])} nodes), each run by a controller, and brokers who
connect several rings. For every node, predict:

- `community_id`: which ring it belongs to (any integer label; `0` = not in a ring). Only the
  grouping matters, not the label values.
- `score`: how likely it is a **key player** (a controller or a broker), higher = more likely.

## Files

- `nodes.csv`: `node_id`, every node once (ids were assigned at random and carry no information).
- `edges.csv`: one row per tie, undirected, `source` < `target`:

  | column | meaning |
  | --- | --- |
  | `source`, `target` | the two node ids |
  | `volume` | number of calls, messages and transfers between them in 90 days |
  | `night_share` | share of those between 22:00 and 06:00 |
  | `transfer_share` | share of those that are money transfers |

- `sample_submission.csv`: the submission format, filled with random values.
- `baseline_submission.csv`: the baseline described below.

## Submission

A CSV file `node_id,community_id,score` with every `node_id` of `nodes.csv` exactly once;
`community_id` an integer, `score` a finite decimal number. Gzip (`.csv.gz`) is accepted.

## Metric

- `member_f1`: F1 of "in a ring" (truth) against "`community_id` not 0" (prediction).
- `ring_ari`: adjusted Rand index between the true rings and your communities, over the nodes
  that truly are in a ring (1 = the rings exactly, 0 = chance).
- `ring_nmi`: normalized mutual information over the same nodes (shown, not in the primary).
- `key_player_ap`: average precision of `score` for "is a controller or broker".
- Primary: **`network_score`** = the mean of `ring_ari`, `member_f1` and `key_player_ap`.
- The public leaderboard uses a random 30% of the nodes, the final ranking the other 70%.
  Brokers belong to no ring (their truth ring is 0) but are key players.

## How the data was made

1. A background social graph: communities of varied size, people of varied activity, most ties
   inside communities; some ties are strong family ties (high volume, some transfers, daytime).
2. Decoys with one signal each: night-shift teams (dense, at night, but moderate volume and no
   money) and hubs such as taxi firms or shops (hundreds of small ties; some at night, some with
   payments). A hub looks central; it is not a key player.
3. Rings: a controller tied to almost all members, with many contacts, mostly at night, and
   frequent transfers; members tied to each other at night; members have fewer outside ties
   than others. One ring tie in five looks entirely ordinary.
4. Brokers tie two to four rings together through their controllers and a member or two.
5. Node ids were then assigned by a random permutation.

## Baseline

`baseline_submission.csv`: a tie is *suspicious* when `night_share >= 0.5` and `volume >= 10`;
connected components of suspicious ties with 3 to 60 nodes are the predicted rings (others 0);
the key-player score is the number of suspicious ties of a node (plus total volume / 10,000 to
break ties). It is fooled by night-shift teams and misses ordinary-looking ring ties; community
detection weighted by all three attributes should do better.

## Ethical limits

- Fully synthetic: every node and tie was drawn by a random generator; nothing was taken from
  real communications or bank records.
- For training and benchmarking methods only; never for labelling real people as offenders or
  victims. Network methods easily implicate family, co-workers and businesses of a suspect, as
  the decoys here show; real use needs legal authority, oversight and human review.
- No demographic attribute exists in the data, and none was used to generate it.
- Limitations: real networks are incomplete, noisy and change over time; real rings vary far more
  than this simple model, and their roles are rarely known with certainty.
"""
