"""A refused submission's message depends on the participant-facing ids only, never on the hidden truth."""

from __future__ import annotations

import pytest

from submissions.scoring import ScoringValidationError, score_file

IDS = {"detection": [f"r{i:03d}" for i in range(40)], "network": [f"n{i:03d}" for i in range(40)]}
IDS["hotspot"] = [f"r{r:03d}c{c:03d}" for r in range(5) for c in range(8)]


def truth(kind: str, pattern: int) -> bytes:
    ids = IDS[kind]
    if kind == "detection":
        rows = [
            f"{x},{int((i * pattern) % 7 == 0)},{'public' if (i + pattern) % 3 == 0 else 'private'}"
            for i, x in enumerate(ids)
        ]
        return ("record_id,label,split\n" + "\n".join(rows) + "\n").encode()
    if kind == "hotspot":
        rows = [f"{x},{split},{(i * pattern) % 5}" for split in ("public", "private") for i, x in enumerate(ids)]
        return ("cell_id,split,count\n" + "\n".join(rows) + "\n").encode()
    rows = [
        f"{x},{(i * pattern) % 4},{'controller' if i % (pattern + 3) == 0 else 'member'},"
        f"{'public' if (i + pattern) % 3 == 0 else 'private'}"
        for i, x in enumerate(ids)
    ]
    return ("node_id,ring_id,role,split\n" + "\n".join(rows) + "\n").encode()


def bad_submissions(kind: str) -> list[bytes]:
    ids = IDS[kind]
    header, value = {
        "detection": ("record_id,score", "0.5"),
        "hotspot": ("cell_id,score", "1"),
        "network": ("node_id,community_id,score", "1,0.5"),
    }[kind]

    def file(rows: list[str]) -> bytes:
        return (header + "\n" + "\n".join(rows) + "\n").encode()

    return [
        file([f"{x},{value}" for x in ids[:-3]]),  # three ids missing
        file([f"{x},{value}" for x in ids] + [f"zz999,{value}"]),  # an unknown id
        file([f"{x},{value}" for x in ids] + [f"{ids[5]},{value}"]),  # a duplicate
        file([f"{x},{value}" for x in ids[:-1]] + [f"{ids[-1]},nan"]),  # a bad number
        file([f"{x},{value}" for x in ids[1:]] + [f"zz1,{value}", f"zz2,{value}"]),  # missing and unknown at once
    ]


@pytest.mark.parametrize("kind", ["detection", "hotspot", "network"])
def test_refusal_messages_are_the_same_whatever_the_hidden_truth(kind):
    for submission in bad_submissions(kind):
        messages = []
        for pattern in (1, 2):
            with pytest.raises(ScoringValidationError) as refused:
                score_file(kind, truth(kind, pattern), submission)
            messages.append(str(refused.value))
        assert messages[0] == messages[1]
        assert "public" not in messages[0] and "private" not in messages[0]
