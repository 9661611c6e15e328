"""The site's main journeys in a real browser, through the pages only (clicks and form fills):

1. an organizer creates an event with a challenge of each scored kind and an open phase, and publishes it;
2. a participant signs up, accepts the terms, creates a team; a second joins by the invite link; they
   download the data, upload a file, watch a real Celery worker score it (the page updates without a
   reload) and find their team on the leaderboard;
3. a judge scores the team's entry; the organizer publishes the results; the results pages show them.

The journey runs twice: in English at 1280 px, and in Spanish (chosen in the site's language
switcher) at 375 px, where longer texts make a narrow screen harder (two runs, not three, keep the
suite within its time budget). On every page: axe-core finds no serious or critical violation and no colour contrast left to
review inside a chart; at 375 px nothing scrolls sideways. Screenshots of the main pages go to
var/test-output/screenshots/. Only the accounts the pages cannot create are made here: the organizer
(site staff grant the right to create events).
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zoneinfo

import pytest

from challenges.models import Challenge, Event, Phase
from judging.models import Scorecard
from submissions.models import LeaderboardEntry, Submission
from tests.factories import PASSWORD, event_creator
from tests.services import celery_worker
from tests.submissions.test_real_worker import filesystem_broker, worker_env

from .visitor import PHONE_WIDTH, Visitor, assert_no_findings

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
KINDS = [
    ("detection", "Pattern detection", "Spot the recruiters"),
    ("hotspot", "Hotspot mapping", "Map the hotspots"),
    ("network", "Network tracking", "Trace the networks"),
]
EVENT = "Bogota data week"
TEAM = "Equipo Ipanema"


def log_in(visitor: Visitor, username: str):
    visitor.follow("Log in")
    visitor.fill("username", username)
    visitor.fill("Password", PASSWORD)
    visitor.press("Log in")


def sign_up(visitor: Visitor, username: str, country: str):
    visitor.fill("username", username)
    visitor.fill("email address", f"{username}@example.org")
    visitor.page.get_by_label(visitor.exactly("country")).first.select_option(value=country)
    visitor.fill("Password", PASSWORD)
    visitor.fill("Password confirmation", PASSWORD)
    visitor.press("Sign up")


def wall_clock(moment: dt.datetime) -> str:
    return moment.astimezone(BOGOTA).strftime("%Y-%m-%dT%H:%M")


def organizer_creates_and_publishes_the_event(org: Visitor) -> Event:
    org.open("/")
    org.switch_language()
    log_in(org, "organizer")
    if org.language == "es":  # the labels are the catalogue's, not English: spelled out once here
        assert org.reveal(org.page.get_by_role("link", name="Eventos", exact=True)).is_visible()
        assert org.reveal(org.page.get_by_role("link", name="Crear un evento")).is_visible()
        org.close_menu()
    org.follow("Create an event")
    org.fill("name", EVENT)
    org.fill("description", "A week of *synthetic* data against trafficking.")
    org.page.get_by_label(org.exactly("time zone")).first.select_option(value="America/Bogota")
    org.choose("visibility", "Published")
    org.press("Create the event", shot="dashboard-new")
    event = Event.objects.get(name=EVENT)
    assert event.visibility == Event.Visibility.PUBLISHED and event.timezone == "America/Bogota"

    org.follow("Data-use agreement")
    org.fill("data-use agreement", "Use the data for this event only. Never try to identify anyone.")
    org.press("Publish as a new version")
    assert event.terms.count() == 1

    now = dt.datetime.now(dt.UTC)
    for _kind, kind_label, title in KINDS:
        org.follow("Add a challenge")
        org.choose("kind", kind_label)
        org.fill("title", title)
        org.fill("seed", "7")
        org.press("Save the challenge")
        org.see(title, translated=False)
        org.follow("Add a phase", exact=False)
        org.fill("name", "Main round")
        org.page.get_by_label(org.exactly("opens at")).first.fill(wall_clock(now - dt.timedelta(hours=1)))
        org.page.get_by_label(org.exactly("closes at")).first.fill(wall_clock(now + dt.timedelta(days=7)))
        org.page.get_by_label(org.exactly("submissions per team per day")).first.fill("5")
        org.press("Save the phase")
        org.follow("Dashboard")
    challenges = {c.kind: c for c in Challenge.objects.filter(event=event)}
    assert set(challenges) == {"detection", "hotspot", "network"}
    assert all(c.has_dataset for c in challenges.values())
    assert Phase.objects.filter(challenge__event=event).count() == 3
    org.open(f"/events/{event.slug}/dashboard/", shot="dashboard")
    return event


def participant_signs_up_and_creates_a_team(ana: Visitor, event: Event) -> str:
    ana.open("/")
    ana.switch_language()
    ana.follow("Events")
    ana.follow_name(EVENT, shot="event")
    ana.follow("No account yet? Sign up")
    sign_up(ana, "ana", "BR")
    assert ana.page.url.endswith(f"/events/{event.slug}/")
    ana.follow("Register for this event")
    ana.page.get_by_role("checkbox").first.check()
    ana.press("Register")
    ana.follow("Create a team")
    ana.fill("team name", TEAM)
    ana.page.get_by_label(ana.exactly("country")).first.select_option(value="BR")
    ana.press("Create the team", shot="team")
    invite = ana.page.get_by_label(ana.exactly("Invite link")).first.input_value()
    assert f"/events/{event.slug}/join/" in invite
    return invite


def second_participant_joins_by_the_link(bia: Visitor, invite: str):
    bia.open("/")
    bia.switch_language()
    bia.page.goto(invite)  # the link as it arrived in a chat message
    bia.audit()
    bia.follow("Create an account")
    sign_up(bia, "bia", "BR")
    bia.follow("Register")
    bia.page.get_by_role("checkbox").first.check()
    bia.press("Register")
    bia.press_name(TEAM)
    bia.see(TEAM, translated=False)


def team_downloads_uploads_and_watches_it_scored(ana: Visitor, event: Event, tmp_path) -> Submission:
    ana.follow("Events")
    ana.follow_name(EVENT)
    ana.follow_name("Spot the recruiters", shot="challenge")
    with ana.page.expect_download() as download_info:
        ana.page.get_by_role("link", name=ana.containing("Download the data (zip)")).first.click()
    download = download_info.value
    assert download.failure() is None and download.suggested_filename.endswith(".zip"), download.suggested_filename
    archive = tmp_path / "data.zip"
    download.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        sample = zipped.read(next(n for n in names if n.endswith("sample_submission.csv")))
    assert any(n.endswith("DATA_CARD.md") for n in names), names
    predictions = tmp_path / "predictions.csv"
    predictions.write_bytes(sample)

    ana.follow("Submit")
    sending, env = filesystem_broker(tmp_path)
    with sending:
        ana.page.get_by_label(ana.exactly("Predictions file")).first.set_input_files(str(predictions))
        ana.press("Upload", shot="submission-queued")
        submission = Submission.objects.get(team__name=TEAM)
        assert submission.status == Submission.Status.QUEUED
        assert ana.page.get_by_role("status").get_by_text(ana.t("Queued"), exact=True).first.is_visible()
        ana.page.evaluate("() => { window.stillTheSamePage = true; }")
        with celery_worker(worker_env(tmp_path, **env), log=tmp_path / "worker.log"):
            scored = ana.page.get_by_role("status").get_by_text(ana.t("Scored"), exact=True).first
            scored.wait_for(timeout=60_000)  # the page polls the API and swaps in the result
    assert ana.page.evaluate("() => window.stillTheSamePage === true"), "the page reloaded"
    ana.audit(shot="submission")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SCORED, submission.error
    ana.follow("Leaderboard", shot="leaderboard")
    row = ana.page.get_by_role("row").filter(has_text=TEAM)
    assert row.count() == 1
    assert LeaderboardEntry.objects.filter(submission=submission, split="public").exists()
    ana.follow("My team's submissions", shot="submissions")
    ana.see("predictions.csv", translated=False)
    return submission


def judge_scores_and_organizer_publishes(org: Visitor, ana: Visitor, judge: Visitor, event: Event):
    judge.open("/")
    judge.switch_language()
    judge.follow("Sign up")
    sign_up(judge, "juez", "MX")

    org.follow("Judges and organizers")
    org.fill("username", "juez")
    org.choose("role", "Judge")
    org.press("Grant the role")
    org.follow("Judging", shot="judging")
    org.follow("Rubric")
    org.press("Add the default rubric")

    ana.follow("Events")
    ana.follow_name(EVENT)
    ana.follow_name("Spot the recruiters")
    ana.follow("Your team's project entry (optional)")
    ana.fill("title", "Recruiter radar")
    ana.fill("summary", "Flags job adverts that look like *recruitment* for exploitation.")
    ana.press("Save the entry")

    org.follow("Assignment")
    org.press("Assign")
    judge.follow("Events")
    judge.follow_name(EVENT)
    judge.follow("Your judging queue", shot="judging-queue")
    judge.follow_name("Recruiter radar", shot="scorecard")
    criteria = judge.page.get_by_role("group").filter(has=judge.page.get_by_role("radio"))
    assert criteria.count() >= 3
    for criterion in criteria.all():
        criterion.get_by_role("radio").nth(3).check()  # 4 on the 1-5 scale
    judge.press("Save the scorecard")
    assert Scorecard.objects.filter(judge__username="juez").count() == 1

    org.follow("Judging settings")
    org.press("Publish the judged results")
    org.follow("Results", shot="results")
    org.see("Recruiter radar", translated=False)
    org.follow("Dashboard")
    org.follow_name("Spot the recruiters")
    org.press("Publish the results")
    assert Phase.objects.get(challenge__event=event, challenge__kind="detection").results_published
    org.follow("Leaderboard", shot="leaderboard-published")
    assert org.page.get_by_role("row").filter(has_text=TEAM).count() == 1
    org.follow("All submissions", shot="all-submissions")
    org.see("predictions.csv", translated=False)

    ana.open(f"/events/{event.slug}/judging/results/", shot="results-public")
    ana.see("Recruiter radar", translated=False)
    ana.see(TEAM, translated=False)


@pytest.mark.parametrize(
    ("language", "width"),
    [("en", 1280), ("es", PHONE_WIDTH)],
    ids=["english-1280px", "spanish-375px"],
)
def test_an_organizer_a_team_and_a_judge_run_an_event_from_creation_to_published_results(
    live_server, chromium, tmp_path, language, width
):
    event_creator(username="organizer", email="organizer@example.org", country="CO")
    audits: list[str] = []
    findings: list[str] = []
    people = {
        who: Visitor(
            chromium, live_server.url, who=who, language=language, width=width, audits=audits, findings=findings
        )
        for who in ("organizer", "ana", "bia", "judge")
    }
    try:
        event = organizer_creates_and_publishes_the_event(people["organizer"])
        invite = participant_signs_up_and_creates_a_team(people["ana"], event)
        second_participant_joins_by_the_link(people["bia"], invite)
        team_downloads_uploads_and_watches_it_scored(people["ana"], event, tmp_path)
        judge_scores_and_organizer_publishes(people["organizer"], people["ana"], people["judge"], event)
    except BaseException:
        for visitor in people.values():
            visitor.keep_evidence(f"failure-{language}-{width}")
        raise
    finally:
        for visitor in people.values():
            visitor.close()
    assert len(audits) > 40
    assert_no_findings(findings)
