"""Kind `network`: recover hidden rings (a grouping of nodes) and rank their key players."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from .base import SPLIT_COLUMN, SPLITS, CsvScorer, Result, split_masks
from .csvio import Column, Table
from .errors import ScoringValidationError
from .matching import IdIndex, match_or_raise, require_unique
from .metrics import adjusted_rand_index, average_precision, f1_binary, mean_or_none, normalized_mutual_info

ROLES = ("none", "member", "controller", "broker")
KEY_ROLES = (ROLES.index("controller"), ROLES.index("broker"))


@dataclass
class NetworkTruth:
    ids: pa.Array
    index: IdIndex
    rings: np.ndarray  # int64, 0 = not in a ring
    key_players: np.ndarray  # bool
    splits: np.ndarray


class NetworkScorer(CsvScorer):
    kind = "network"
    primary_metric = "network_score"
    truth_schema = (
        Column("node_id", "id"),
        Column("ring_id", "int"),
        Column("role", "choice", ROLES),
        SPLIT_COLUMN,
    )
    submission_schema = (Column("node_id", "id"), Column("community_id", "int"), Column("score", "float"))
    # The adjusted Rand index goes below 0 (worse than chance) down to -1, so the mean that includes it may too.
    metric_bounds = {
        "member_f1": (0.0, 1.0),
        "ring_ari": (-1.0, 1.0),
        "ring_nmi": (0.0, 1.0),
        "key_player_ap": (0.0, 1.0),
        "network_score": (-1.0, 1.0),
    }
    metric_descriptions = {
        "member_f1": (
            "F1 score of the nodes you placed in a community (community_id other than 0) "
            "against the nodes that really belong to a ring."
        ),
        "ring_ari": (
            "Adjusted Rand index between your communities and the true rings over the true ring members "
            "(1.0 recovers the rings exactly, 0 is chance level)."
        ),
        "ring_nmi": (
            "Normalized mutual information between your communities and the true rings over the true ring members "
            "(1.0 recovers the rings exactly)."
        ),
        "key_player_ap": "Average precision of your score at ranking the key players (controllers and brokers) first.",
        "network_score": "Mean of ring ARI, member F1 and key-player AP, ignoring undefined values: the leaderboard metric.",
    }

    def prepare_truth(self, table: Table) -> NetworkTruth:
        if table.n_rows == 0:
            raise ScoringValidationError.of("no_data_rows", side="truth")
        ids = table["node_id"]
        index = IdIndex(ids)
        require_unique(index, noun="node_id", side="truth", whole="the truth")
        return NetworkTruth(ids, index, table["ring_id"], np.isin(table["role"], KEY_ROLES), table["split"])

    def summarize_truth(self, prepared: NetworkTruth) -> dict[str, Any]:
        splits: dict[str, Any] = {}
        warnings = []
        for name, mask in split_masks(prepared.splits).items():
            rings = prepared.rings[mask]
            in_ring = rings[rings != 0]
            splits[name] = {
                "nodes": int(mask.sum()),
                "ring_members": len(in_ring),
                "rings": len(np.unique(in_ring)),
                "key_players": int(prepared.key_players[mask].sum()),
            }
            if len(in_ring) < 2:
                warnings.append(f"split {name!r} has fewer than 2 ring members: ring_ari and ring_nmi will be null")
            if not splits[name]["key_players"]:
                warnings.append(f"split {name!r} has no key player: key_player_ap will be null")
        return {"kind": self.kind, "nodes": len(prepared.ids), "splits": splits, "warnings": warnings}

    def evaluate(self, prepared: NetworkTruth, submission: Table, params: dict[str, Any]) -> Result:
        idx = match_or_raise(prepared.index, submission["node_id"], noun="node_id")
        n = len(prepared.ids)
        communities = np.empty(n, dtype=np.int64)
        communities[idx] = submission["community_id"]
        scores = np.empty(n, dtype=np.float64)
        scores[idx] = submission["score"]
        result: Result = {}
        for name, mask in split_masks(prepared.splits).items():
            rings, predicted = prepared.rings[mask], communities[mask]
            in_ring = rings != 0
            enough = int(in_ring.sum()) >= 2
            ari = adjusted_rand_index(rings[in_ring], predicted[in_ring]) if enough else None
            nmi = normalized_mutual_info(rings[in_ring], predicted[in_ring]) if enough else None
            f1 = f1_binary(in_ring, predicted != 0)
            key_ap = average_precision(prepared.key_players[mask], scores[mask])
            result[name] = {
                "member_f1": f1,
                "ring_ari": ari,
                "ring_nmi": nmi,
                "key_player_ap": key_ap,
                "network_score": mean_or_none([ari, f1, key_ap]),
            }
        return {name: result[name] for name in SPLITS}
