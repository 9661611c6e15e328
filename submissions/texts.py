"""Texts that submissions stores for later (see hackplatform.texts): codes and their sentences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from hackplatform.texts import Catalogue

ERRORS = Catalogue(
    "submissions.error",
    {
        "no_truth": _(
            "This challenge has no answer key yet, so it cannot be scored. It does not count towards your "
            "limits; the organizers can re-score it once they add the answer key."
        ),
        "invalid_file": _("Your file was not accepted: %(problem)s"),
        "invalid_line": _("Your file was not accepted: line %(line)s: %(problem)s"),
        "time_limit": _(
            "Scoring took longer than %(seconds)s seconds and was stopped. Check that the file has one row per "
            "id and nothing else."
        ),
        "internal": _(
            "Scoring failed because of a problem on our side, not with your file. It does not count towards "
            "your limits; the organizers can re-score it."
        ),
        "gave_up": ngettext_lazy(
            "Your file could not be scored after %(n)s attempt: the scoring stopped before the end. "
            "It does not count towards your limits; the organizers can re-score it.",
            "Your file could not be scored after %(n)s attempts: each time the scoring stopped before the end. "
            "It does not count towards your limits; the organizers can re-score it.",
            "n",
        ),
    },
)

# Failures that are the platform's (or the organizers') doing, not the file's: they never count towards a
# team's limits, and the event's organizers are told (communication) so that they fix it and re-score.
PLATFORM_ERRORS = frozenset({"no_truth", "internal", "gave_up"})


# Human names and one-sentence descriptions of the metrics (scoring.md), in the reader's language.
# A metric at a flagged-area fraction ("pei_star@5%") is its base name with `fraction` = "5%".
METRIC_NAMES = Catalogue(
    "submissions.metric",
    {
        "average_precision": _("average precision"),
        "roc_auc": _("ROC AUC"),
        "r_precision": _("R-precision"),
        "hit_rate": _("hit rate at %(fraction)s"),
        "pai": _("PAI at %(fraction)s"),
        "pei_star": _("PEI* at %(fraction)s"),
        "mean_pei_star": _("mean PEI*"),
        "member_f1": _("member F1"),
        "ring_ari": _("ring ARI"),
        "ring_nmi": _("ring NMI"),
        "key_player_ap": _("key-player AP"),
        "network_score": _("network score"),
    },
)

METRIC_DESCRIPTIONS = Catalogue(
    "submissions.metric_description",
    {
        "average_precision": _(
            "Average precision: the precision reached each time another suspicious record is found, averaged over "
            "all of them while walking down your ranking (1.0 means every suspicious record comes first)."
        ),
        "roc_auc": _(
            "Area under the ROC curve: the chance that a randomly chosen suspicious record gets a higher score than "
            "a randomly chosen benign one, ties counting one half (0.5 is chance)."
        ),
        "r_precision": _(
            "Precision among your top R records, where R is the number of suspicious records, with records tied "
            "at the cut-off sharing the remaining places evenly."
        ),
        "hit_rate": _(
            "Hit rate at %(fraction)s: the share of all incidents that fall in your top-scored %(fraction)s of the "
            "cells."
        ),
        "pai": _(
            "Predictive Accuracy Index at %(fraction)s: the hit rate divided by the share of the area flagged "
            "(%(fraction)s), so 1.0 is no better than flagging cells at random."
        ),
        "pei_star": _(
            "Prediction Efficiency Index* at %(fraction)s: the incidents in your top-scored %(fraction)s of the "
            "cells divided by the most that any choice of that many cells could have captured (1.0 is perfect)."
        ),
        "mean_pei_star": _(
            "Mean of PEI* over the flagged area fractions, ignoring undefined values: the leaderboard metric."
        ),
        "member_f1": _(
            "F1 score of the nodes you placed in a community (community_id other than 0) against the nodes that "
            "really belong to a ring."
        ),
        "ring_ari": _(
            "Adjusted Rand index between your communities and the true rings over the true ring members (1.0 "
            "recovers the rings exactly, 0 is chance level)."
        ),
        "ring_nmi": _(
            "Normalized mutual information between your communities and the true rings over the true ring members "
            "(1.0 recovers the rings exactly)."
        ),
        "key_player_ap": _(
            "Average precision of your score at ranking the key players (controllers and brokers) first."
        ),
        "network_score": _(
            "Mean of ring ARI, member F1 and key-player AP, ignoring undefined values: the leaderboard metric."
        ),
    },
)


def _split_metric(name: str) -> tuple[str, dict]:
    base, _sep, fraction = name.partition("@")
    return base, {"fraction": fraction}


def metric_label(name: str | None) -> str:
    """A metric's human name in the active language; an unknown metric (an extra scorer's) keeps its code."""
    if not name:
        return ""
    base, params = _split_metric(name)
    return METRIC_NAMES.render(base, params) if base in METRIC_NAMES else name


def metric_description(name: str, default: str = "") -> str:
    """A metric's sentence in the active language; an unknown metric keeps the scorer's own (`default`)."""
    base, params = _split_metric(name)
    return METRIC_DESCRIPTIONS.render(base, params) if base in METRIC_DESCRIPTIONS else default


# The scorers' refusals (submissions.scoring.errors.PROBLEMS), same codes and fields, translated.
SCORING_PROBLEMS = Catalogue(
    "submissions.scoring_problem",
    {
        "empty_file": _("the file is empty"),
        "no_data_rows": _("the truth file has no data rows"),
        "header": _("the header must be exactly %(expected)s, found %(found)s"),
        "stray_cr": _("the line contains a carriage return (CR) that is not part of a CRLF line end"),
        "blank_line": _("the line is blank (only the final line end of the file may be followed by nothing)"),
        "not_utf8": _(
            "the line is not valid UTF-8 text (byte 0x%(byte)s at position %(position)s); save the file with UTF-8 "
            "encoding"
        ),
        "unclosed_quote": _("a quoted field is not closed (quoted fields cannot span lines)"),
        "quote_then_text": _("a closing double quote must be followed by a comma or the end of the line"),
        "stray_quote": _('a double quote may only appear in a field enclosed in double quotes (as "")'),
        "field_count": _("expected %(expected)s fields (%(names)s) but found %(found)s"),
        "empty_value": _("%(column)s is empty"),
        "not_finite": _("%(column)s %(value)s is not a finite number"),
        "not_number": _("%(column)s %(value)s is not a number"),
        "too_large_number": _("%(column)s %(value)s is not a finite number (it is too large)"),
        "not_whole": _("%(column)s %(value)s is not a whole number"),
        "not_count": _("%(column)s %(value)s is not a whole number of 0 or more"),
        "out_of_range": _("%(column)s %(value)s is out of range (at most 19 digits)"),
        "negative": _("%(column)s %(value)s must be 0 or more"),
        "not_a_choice": _("%(column)s %(value)s must be one of: %(choices)s"),
        "too_large_file": _("the file is larger than the limit of %(limit)s"),
        "too_large_inflated": _("once decompressed, the file is larger than the limit of %(limit)s"),
        "gzip_inconsistent": _("the gzip-compressed data could not be read consistently"),
        "gzip_corrupt": _("the gzip-compressed data is corrupt or truncated (%(detail)s)"),
        "not_gzip": _("the file name ends in .gz but its content is not gzip-compressed"),
    },
)


def scoring_problem(params: dict) -> str:
    """The scorer's refusal stored in a submission's error parameters, in the active language."""
    code = params.get("problem_code") or ""
    if code in SCORING_PROBLEMS:
        return SCORING_PROBLEMS.render(code, params.get("problem_params") or {})
    return str(params.get("problem") or "")
