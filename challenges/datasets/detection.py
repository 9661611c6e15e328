"""Detection dataset: synthetic bank-account profiles, about 1% linked to trafficking.

Generative story (one row = one fictional account, activity summarised over 90 days):

1. Every account gets a *benign base profile* from one of seven segments: ordinary customers and
   six decoy segments that legitimately carry one red flag each (night-shift workers, online
   sellers, cash businesses, frequent travellers, shared households, savers who sweep their pay to
   another account at once).
2. Exactly 1% of accounts (rounded) are positives. A positive keeps its base profile and overlays
   one or more *typology channels* (about 2.5 on average), each modelled on public red-flag
   typologies of financial advisories on human trafficking (described generically in the data
   card): structured cash deposits just below a reporting threshold, deposits from many
   locations and third parties, payments to online classified-ad platforms at night, short-stay
   lodging close to home, rapid pass-through with few living expenses, contact details shared
   with other accounts, travel tickets bought for other people, prepaid-card purchases, a
   recently opened account.
3. Two channels only show as interactions: ad payments are normal for sellers and night activity
   for shift workers, but *both together* mark the night-ads channel; many lodging nights are
   normal for travellers and a local hotel night is normal for anyone, but *many local nights*
   mark the lodging channel. A model without interactions cannot separate these from the decoys.
4. About 4% of benign accounts also carry one channel by chance (innocent single red flags), so
   a positive that shows a single channel looks like many benign accounts.
5. A third of the accounts, drawn at random within each class, form a labelled training file
   (`train.csv`, ids `t...`); the rest are the records to score (`records.csv`, ids `r...`).
   Each file is shuffled by a random permutation before it is numbered, so neither ids nor row
   order leak anything; the scored records are split public/private 30/70 at random, stratified
   by label.

No nationality, sex, age or other demographic attribute exists in the data, not even as a hidden
variable; the only categorical input is the declared income source (an account attribute).
"""

from __future__ import annotations

import numpy as np

from challenges.datasets.common import (
    Column,
    GeneratedDataset,
    category_column,
    csv_bytes,
    float_column,
    fmt_number,
    id_column,
    int_column,
    provenance,
    split_labels,
    stratified_mask,
    streams,
)

# The random streams, in spawn order (see common.streams): never reorder, or every dataset changes.
STREAMS = ("simulate", "train", "shuffle", "split", "sample")
N_RECORDS = {"small": 20_000, "medium": 200_000, "large": 2_000_000}  # records to score
TRAIN_FRACTION = 0.5  # plus a labelled training file of half that size, from the same population
PREVALENCE = 0.01
REPORTING_THRESHOLD = 10_000  # in fictional currency units (CU); only the data card mentions it

SEGMENTS = (
    "ordinary",
    "shift_worker",
    "online_seller",
    "cash_business",
    "frequent_traveller",
    "shared_household",
    "saver",
)
SEGMENT_SHARES = np.array([0.63, 0.08, 0.06, 0.06, 0.05, 0.07, 0.05])
INCOME_SOURCES = ("salary", "shift_work", "self_employed", "gig_platform", "none_declared")
# P(income source | segment), rows follow SEGMENTS, columns follow INCOME_SOURCES.
INCOME_BY_SEGMENT = np.array(
    [
        [0.70, 0.05, 0.08, 0.07, 0.10],
        [0.15, 0.80, 0.00, 0.05, 0.00],
        [0.20, 0.00, 0.55, 0.20, 0.05],
        [0.00, 0.00, 0.90, 0.00, 0.10],
        [0.80, 0.00, 0.20, 0.00, 0.00],
        [0.45, 0.05, 0.05, 0.20, 0.25],
        [0.90, 0.00, 0.10, 0.00, 0.00],
    ]
)

# Typology channels a positive may carry, with the probability that a positive carries each.
CHANNELS = (
    "structuring",
    "many_sources",
    "night_ads",
    "local_lodging",
    "pass_through",
    "shared_contacts",
    "tickets_for_others",
    "prepaid_cards",
)
CHANNEL_PROBS = np.array([0.30, 0.30, 0.40, 0.40, 0.25, 0.20, 0.20, 0.20])
NEW_ACCOUNT_PROB = 0.4  # a positive's account is recent (weak signal, not a channel of its own)
BENIGN_FLAG_PROB = 0.04  # a benign account carries one channel by chance

# Output columns (after record_id), with their formatting: None = integer, else decimals.
COLUMNS: tuple[tuple[str, int | None, str], ...] = (
    ("days_since_opening", None, "days since the account was opened"),
    ("income_source", -1, "declared income source: " + ", ".join(INCOME_SOURCES)),
    ("monthly_inflow", 2, "mean monthly money received, in fictional currency units (CU)"),
    ("cash_deposits_90d", None, "number of cash deposits"),
    (
        "cash_near_threshold_share",
        3,
        f"share of cash deposits between 80% and 100% of the {REPORTING_THRESHOLD:,} CU reporting threshold",
    ),
    ("deposit_locations_90d", None, "distinct branches or cash machines where cash was paid in"),
    ("third_party_payers_90d", None, "distinct other people or firms who paid money in"),
    ("pass_through_share", 3, "share of the money received that left again within 48 hours"),
    ("living_expense_share", 3, "share of spending on rent, utilities and groceries"),
    ("adplatform_payments_90d", None, "payments to online classified-advert platforms"),
    ("night_txn_share", 3, "share of card payments made between 22:00 and 05:00"),
    ("lodging_nights_90d", None, "hotel or short-stay nights paid"),
    ("lodging_local_share", 3, "share of those nights within 25 km of the holder's address (0 if none)"),
    ("transport_tickets_90d", None, "bus, rail and air tickets bought"),
    ("tickets_for_others_share", 3, "share of those tickets issued in another passenger's name (0 if none)"),
    ("prepaid_card_purchases_90d", None, "prepaid or gift cards bought"),
    ("shared_contact_accounts", None, "other accounts that share this account's phone number or e-mail"),
)

# The baseline's red-flag features: all "higher = more suspicious" in the typologies.
BASELINE_FEATURES = (
    "cash_near_threshold_share",
    "deposit_locations_90d",
    "third_party_payers_90d",
    "pass_through_share",
    "adplatform_payments_90d",
    "night_txn_share",
    "lodging_nights_90d",
    "shared_contact_accounts",
)


def _by_segment(seg: np.ndarray, values: tuple[float, ...]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)[seg]


def _beta(rng: np.random.Generator, seg: np.ndarray, a: tuple[float, ...], b: tuple[float, ...]) -> np.ndarray:
    return rng.beta(_by_segment(seg, a), _by_segment(seg, b))


def _overdispersed(rng: np.random.Generator, mean: np.ndarray | float, sigma: float, size: int) -> np.ndarray:
    """Poisson counts whose rate varies between accounts (a log-normal multiplier, mean kept)."""
    rate = np.asarray(mean, dtype=np.float64) * rng.lognormal(-0.5 * sigma**2, sigma, size)
    return rng.poisson(rate)


def simulate(n: int, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Draw `n` accounts in generation order; return (feature columns, labels). See the module docstring."""
    n_pos = int(round(PREVALENCE * n))
    label = np.zeros(n, dtype=np.int64)
    label[rng.choice(n, n_pos, replace=False)] = 1
    pos = label == 1

    # 1. Benign base profile for everyone (positives included: they live ordinary lives too).
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARES)
    cum = INCOME_BY_SEGMENT.cumsum(axis=1)[seg]
    income = np.minimum((rng.random(n)[:, None] > cum).sum(axis=1), len(INCOME_SOURCES) - 1)

    #            ordinary shift  seller  cash   travel  house  saver
    opened = rng.lognormal(np.log(1400.0), 0.8, n)
    inflow = rng.lognormal(np.log(_by_segment(seg, (2400, 2200, 3500, 9000, 5200, 1900, 4000))), 0.5)
    cash = _overdispersed(rng, _by_segment(seg, (1.0, 1.0, 2.0, 22.0, 0.5, 2.0, 0.5)), 0.6, n)
    near = _beta(rng, seg, (0.3, 0.3, 0.3, 1.5, 0.3, 0.3, 0.3), (12, 12, 12, 8, 12, 12, 12))
    locations = 1 + rng.poisson(_by_segment(seg, (0.5, 0.5, 0.8, 1.5, 1.0, 1.0, 0.3)))
    payers = _overdispersed(rng, _by_segment(seg, (1.5, 1.0, 25.0, 4.0, 1.5, 4.0, 1.0)), 0.5, n)
    passthru = _beta(rng, seg, (2, 2, 3, 3, 2, 2, 8), (8, 8, 6, 6, 7, 6, 2))
    living = _beta(rng, seg, (6, 6, 4, 4, 4, 6, 1.5), (5, 5, 6, 6, 6, 4, 8))
    ads = _overdispersed(rng, _by_segment(seg, (0.15, 0.15, 30.0, 0.3, 0.15, 0.3, 0.15)), 0.6, n)
    night = _beta(rng, seg, (1.2, 6, 1.2, 1.5, 1.5, 1.5, 1.2), (14, 4, 14, 12, 12, 10, 14))
    nights = _overdispersed(rng, _by_segment(seg, (0.4, 0.3, 0.5, 0.4, 18.0, 0.3, 0.4)), 0.6, n)
    local = _beta(rng, seg, (0.6, 0.6, 0.6, 0.6, 0.8, 0.6, 0.6), (0.6, 0.6, 0.6, 0.6, 8, 0.6, 0.6))
    tickets = _overdispersed(rng, _by_segment(seg, (1.0, 1.5, 1.0, 1.0, 10.0, 1.5, 1.0)), 0.6, n)
    others = _beta(rng, seg, (0.5, 0.5, 0.5, 0.5, 0.4, 1.5, 0.5), (6, 6, 6, 6, 8, 3, 6))
    prepaid = rng.poisson(_by_segment(seg, (0.2, 0.3, 1.0, 0.3, 0.2, 0.5, 0.2)))
    shared = rng.poisson(_by_segment(seg, (0.05, 0.05, 0.05, 0.05, 0.05, 1.8, 0.05)))

    # 2. Typology channels: every positive carries at least one; some benign accounts carry one.
    carries = (rng.random((n, len(CHANNELS))) < CHANNEL_PROBS) & pos[:, None]
    none = pos & ~carries.any(axis=1)
    carries[none, rng.integers(0, len(CHANNELS), n)[none]] = True
    innocent = (~pos) & (rng.random(n) < BENIGN_FLAG_PROB)
    carries[innocent, rng.integers(0, len(CHANNELS), n)[innocent]] = True
    ch = {name: carries[:, i] for i, name in enumerate(CHANNELS)}

    def overlay(mask: np.ndarray, target: np.ndarray, values: np.ndarray) -> None:
        target[mask] = values[mask]

    overlay(ch["structuring"], cash, cash + 4 + _overdispersed(rng, 16.0, 0.5, n))
    overlay(ch["structuring"], near, rng.beta(3, 5, n))
    overlay(ch["many_sources"], cash, cash + _overdispersed(rng, 8.0, 0.5, n))
    overlay(ch["many_sources"], locations, locations + 1 + rng.poisson(3, n))
    overlay(ch["many_sources"], payers, payers + 3 + _overdispersed(rng, 10.0, 0.5, n))
    # Night ads: moderate on each margin (sellers post more adverts, shift workers are out later).
    overlay(ch["night_ads"], ads, 2 + _overdispersed(rng, 6.0, 0.4, n))
    overlay(ch["night_ads"], night, rng.beta(4.5, 5.5, n))
    overlay(ch["local_lodging"], nights, 3 + _overdispersed(rng, 8.0, 0.5, n))
    overlay(ch["local_lodging"], local, rng.beta(7, 2, n))
    overlay(ch["pass_through"], passthru, rng.beta(9, 2, n))
    overlay(ch["pass_through"], living, rng.beta(1.5, 9, n))
    overlay(ch["shared_contacts"], shared, 1 + rng.poisson(2, n))
    overlay(ch["tickets_for_others"], tickets, tickets + 2 + rng.poisson(5, n))
    overlay(ch["tickets_for_others"], others, rng.beta(3, 3, n))
    overlay(ch["prepaid_cards"], prepaid, prepaid + 1 + rng.poisson(2, n))
    recent = pos & (rng.random(n) < NEW_ACCOUNT_PROB)
    opened[recent] = rng.lognormal(np.log(200.0), 0.7, n)[recent]
    inflow[pos] *= rng.lognormal(np.log(1.4), 0.4, n)[pos]

    # 3. Consistency: shares of nothing are 0, locations cannot exceed deposits.
    near[cash == 0] = 0.0
    locations = np.where(cash == 0, 0, np.minimum(locations, cash))
    local[nights == 0] = 0.0
    others[tickets == 0] = 0.0
    columns = {
        "days_since_opening": np.clip(np.round(opened), 7, 12_000),
        "income_source": income,
        "monthly_inflow": inflow,
        "cash_deposits_90d": cash,
        "cash_near_threshold_share": near,
        "deposit_locations_90d": locations,
        "third_party_payers_90d": payers,
        "pass_through_share": passthru,
        "living_expense_share": living,
        "adplatform_payments_90d": ads,
        "night_txn_share": night,
        "lodging_nights_90d": nights,
        "lodging_local_share": local,
        "transport_tickets_90d": tickets,
        "tickets_for_others_share": others,
        "prepaid_card_purchases_90d": prepaid,
        "shared_contact_accounts": shared,
    }
    return columns, label


def percentile_rank(values: np.ndarray) -> np.ndarray:
    """Mid-rank of each value among all values, scaled to (0, 1); ties share one rank."""
    values = np.asarray(values, dtype=np.float64)
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    below = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return (below + 0.5 * counts)[inverse] / values.size


def baseline_scores(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The documented baseline: mean percentile rank of eight single red-flag features.

    Each feature is ranked among all records (ties share a rank) and the ranks are averaged; no
    label is used. It rewards accounts that are unusual on many flags at once, but it cannot tell a
    decoy's single extreme flag from a real pattern, nor see an interaction.
    """
    return np.mean([percentile_rank(columns[name]) for name in BASELINE_FEATURES], axis=0)


def _format_column(name: str, values: np.ndarray, decimals: int | None) -> Column:
    if name == "income_source":
        return category_column(values, INCOME_SOURCES)
    if decimals is None:
        return int_column(values)
    return float_column(values, decimals)


def sample_submission(rng: np.random.Generator, ids: Column | list[str]) -> bytes:
    """`sample_submission.csv`: every record with a random score (the only draws of the `sample` stream)."""
    return csv_bytes(["record_id", "score"], [ids, float_column(rng.random(len(ids)), 6)])


def generate(seed: int, size: str, secret: bytes | None = None) -> GeneratedDataset:
    """Simulate, set aside the training file, shuffle, split, and write. See the module docstring."""
    rng = streams(seed, STREAMS, secret)
    n = N_RECORDS[size]
    n_train = int(round(TRAIN_FRACTION * n))
    columns, label = simulate(n + n_train, rng["simulate"])
    is_train = stratified_mask(label, rng["train"], n_train / (n + n_train))

    # Shuffle before numbering: row i of a file is record i, in an order that means nothing.
    train_rows = rng["shuffle"].permutation(np.flatnonzero(is_train))
    test_rows = rng["shuffle"].permutation(np.flatnonzero(~is_train))
    train_columns = {name: values[train_rows] for name, values in columns.items()}
    columns = {name: values[test_rows] for name, values in columns.items()}
    train_label, label = label[train_rows], label[test_rows]
    train_ids = id_column("t", train_rows.size)
    ids = id_column("r", test_rows.size)
    split = split_labels(label, rng["split"])

    def feature_columns(cols: dict[str, np.ndarray]) -> list[Column]:
        return [_format_column(name, cols[name], decimals) for name, decimals, _ in COLUMNS]

    header = [name for name, _, _ in COLUMNS]
    records = csv_bytes(["record_id", *header], [ids, *feature_columns(columns)])
    train = csv_bytes(
        ["record_id", *header, "label"], [train_ids, *feature_columns(train_columns), int_column(train_label)]
    )
    truth = csv_bytes(["record_id", "label", "split"], [ids, int_column(label), split])
    sample = sample_submission(rng["sample"], ids)
    baseline = csv_bytes(["record_id", "score"], [ids, float_column(baseline_scores(columns), 6)])

    meta = {
        "n_records": len(ids),
        "n_positive": int(label.sum()),
        "prevalence": round(float(label.mean()), 6),
        "n_public": int((split == "public").sum()),
        "n_private": int((split == "private").sum()),
        "n_positive_public": int(label[split == "public"].sum()),
        "n_positive_private": int(label[split == "private"].sum()),
        "n_train": len(train_ids),
        "n_train_positive": int(train_label.sum()),
        "columns": ["record_id", *header],
    }
    return GeneratedDataset(
        kind="detection",
        seed=seed,
        size=size,
        public_files={
            "records.csv": records,
            "train.csv": train,
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
    column_rows = "\n".join(f"| `{name}` | {text} |" for name, _, text in COLUMNS)
    return f"""# Data card: suspicious-account detection (synthetic)

{provenance("detection", seed, size)}
**Every record is synthetic.** No real person, account, bank, company, advert or case is in it.

## Task

Each row of `records.csv` is a fictional bank account, summarised over 90 days of activity.
About {meta["prevalence"] * 100:.1f}% of them ({fmt_number(meta["n_positive"])} of {fmt_number(meta["n_records"])})
were generated as linked to human trafficking (for example an account used to collect the
earnings of exploited people or to pay for their adverts, rooms and travel). Give every account a score: higher means more suspicious. A labelled sample of other
accounts (`train.csv`) lets you learn what the positives look like.

## Files

- `records.csv`: the {fmt_number(meta["n_records"])} accounts to score, one row each, in random order.
- `train.csv`: {fmt_number(meta["n_train"])} other accounts from the same population, with the same
  columns plus `label` (`1` = linked to trafficking; {fmt_number(meta["n_train_positive"])} of them).
  Their ids start with `t`; they are not scored.
- `sample_submission.csv`: the submission format, filled with random scores.
- `baseline_submission.csv`: the baseline described below.

| column | meaning |
| --- | --- |
| `record_id` | record id; ids were assigned after a random shuffle and carry no information |
{column_rows}

Counts are over the 90-day window. A share of nothing (for instance `lodging_local_share` of an
account with no lodging) is written as `0`.

## Submission

A CSV file `record_id,score` with every `record_id` of `records.csv` exactly once; `score` is a
finite decimal number, higher = more suspicious. Gzip-compressed uploads (`.csv.gz`) are accepted.

## Metric

- Primary: **average precision** (`average_precision`): the mean of the precision measured at each
  true positive when accounts are taken in descending score order (scikit-learn's definition).
- Also shown: `roc_auc` (probability that a random positive outranks a random negative) and
  `r_precision` (precision among the top R accounts, R = number of positives).
- The public leaderboard uses a random 30% of the accounts, the final ranking the other 70%
  (the split is stratified, so both parts keep the same prevalence). Random scores get an average
  precision close to the prevalence, about {meta["prevalence"]:.2f}.

## How the data was made

1. Every account first gets an ordinary life from one of seven segments: ordinary customers and
   six *decoy* segments that legitimately show one red flag each: night-shift workers (night card
   payments), online sellers (many classified-ad payments, many people paying in), cash businesses
   (many cash deposits), frequent travellers (many hotel nights and tickets), shared households
   (shared phone numbers) and savers (money moved out at once, few living expenses).
2. The positive accounts keep that life and add one or more patterns (two or three on average)
   inspired by public red-flag typologies of financial advisories on human trafficking (such as
   the US FinCEN advisories), described here generically:
   - many cash deposits just below a reporting threshold (structuring);
   - accounts funded from many third parties and many deposit locations;
   - payments to online classified-ad platforms at night;
   - hotel or short-stay lodging spending close to home, night after night;
   - rapid pass-through of money with few ordinary living expenses;
   - contact details shared across several accounts;
   - travel tickets bought in other people's names; prepaid-card purchases;
   - a recently opened account (weak).
3. Some patterns only show as **interactions**: many ad payments are normal for a seller and
   night activity is normal for a shift worker, but the two together are not; many hotel nights
   are normal for a traveller, a local night for anyone, but many local nights are not.
4. About 4% of the other accounts also carry one of these patterns by chance, so no single flag
   proves anything; noise is added everywhere.
5. A third of the accounts became `train.csv`, the rest `records.csv` (same share of positives
   in both); rows were shuffled, then numbered; the public/private split was drawn at random.

There is no nationality, sex, age, ethnicity or any other demographic attribute in the data,
and none was used to generate it.

## Baseline

`baseline_submission.csv` scores each account by the mean percentile rank (among the accounts of
`records.csv`, ties sharing a rank) of eight single red-flag features:
{", ".join(f"`{name}`" for name in BASELINE_FEATURES)}.
It uses no label; it beats random scores but is fooled by the decoys and cannot see interactions. A model trained
on `train.csv` that can combine features should do clearly better.

## Ethical limits

- Fully synthetic: the generator draws every value from invented distributions; no real data
  was used or can be recovered from it.
- For training and benchmarking methods only. It is not a profile of real victims, offenders or
  customers, and must never be used to score, flag or profile real people.
- No demographic attribute exists in the data; a method that needs one is out of scope.
- Limitations: real activity is messier, patterns change over time, and real positives are rarer
  and far less clearly labelled. Strong results here do not show that a method works on real
  accounts, and the typologies are simplified.
"""
