"""A secret mixed into the seed: same (seed, secret) -> same files; without the secret nothing matches."""

from __future__ import annotations

import json

import pytest

from challenges.datasets import KINDS, generate, meta_json
from challenges.datasets.common import sha256
from tests.datasets.helpers import dataset

SECRET = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_seed_and_secret_give_byte_identical_files(kind):
    one, two = generate(kind, 11, "small", SECRET), generate(kind, 11, "small", SECRET)
    assert one.public_files == two.public_files and one.truth == two.truth


@pytest.mark.parametrize("kind", KINDS)
def test_the_seed_without_the_secret_gives_other_files(kind):
    keyed, plain = generate(kind, 11, "small", SECRET), dataset(kind, 11)
    assert keyed.truth != plain.truth
    for name in set(keyed.public_files) - {"nodes.csv"}:  # the network's node list depends on the size only
        assert sha256(keyed.public_files[name]) != sha256(plain.public_files[name]), name
    other = generate(kind, 11, "small", bytes(reversed(SECRET)))
    assert other.truth != keyed.truth


@pytest.mark.parametrize("kind", KINDS)
def test_a_keyed_dataset_names_neither_the_seed_nor_the_secret(kind):
    keyed = generate(kind, 987654321, "small", SECRET)
    card = keyed.public_files["DATA_CARD.md"].decode()
    assert "987654321" not in card and "seed 987654321" not in card and "secret held by the server" in card
    assert "seed" not in keyed.meta
    document = meta_json(keyed).decode()
    assert "987654321" not in document and SECRET.hex() not in document
    assert json.loads(document)["meta"]["kind"] == kind
    for blob in [*keyed.public_files.values(), keyed.truth]:
        assert SECRET not in blob and SECRET.hex().encode() not in blob


def test_it_refuses_a_weak_or_mistyped_secret():
    with pytest.raises(ValueError, match="secret"):
        generate("network", 1, "small", b"short")
    with pytest.raises(TypeError, match="secret"):
        generate("network", 1, "small", SECRET.hex())  # type: ignore[arg-type]
