"""Each section of the digests, from a seeded database (SQLite and PostgreSQL).

Acme Sales (Bucharest) is seeded once with a week of work. Its daily digest is the one due
Monday 23 November at 18:00 (covering Friday 18:00 to then); its weekly digest the one due that
Monday at 08:00 (covering the seven days before). Another team's rows sit in the same tables
and must never show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from handlers.digest import kpis, period_ending
from handlers.digest_data import DigestData, DigestKind, DigestSchedule, StageTime
from handlers.domain import ActivityKind, ReminderStatus, Role, Stage
from handlers.messages import Reply
from reminders.digests import compose_digest
from storage.digests import SqlDigestSource
from storage.unit_of_work import SqlUnitOfWorkFactory
from tests.digests.conftest import Seed, local

MEETING, CALL, EMAIL, NOTE = ActivityKind


@dataclass(frozen=True, slots=True)
class Acme:
    team_id: int
    ana: int
    dan: int
    ion: int


async def seed_acme(seed: Seed) -> Acme:
    team = await seed.team("Acme Sales")
    await seed.rep(team, "Maria", Role.MANAGER)
    await seed.rep(team, "Boss", Role.ADMIN, platform="console")
    ana = await seed.rep(team, "Ana")
    dan = await seed.rep(team, "Dan")
    ion = await seed.rep(team, "Ion")
    company = {
        name: await seed.company(team, name)
        for name in (
            "Northwind Initrode Initech Hooli Umbrella Vandelay Soylent Stark Cyberdyne Tyrell "
            "Massive"
        ).split()
    }

    # Activities: Friday 18:00 to Monday 18:00 is the daily digest's period.
    await seed.activity(team, ana, MEETING, local(21, "10:00"), times=2)
    await seed.activity(team, ana, CALL, local(23, "09:00"), company["Stark"])
    await seed.activity(team, ana, EMAIL, local(23, "17:59"))
    await seed.activity(team, dan, CALL, local(20, "18:00"))  # at the start: in
    await seed.activity(team, dan, NOTE, local(23, "18:00"))  # at the end: out
    await seed.activity(team, ion, NOTE, local(20, "17:59"))  # before: out (in the week's)
    await seed.activity(team, ana, CALL, local(10, "12:00"), times=3)  # the week before

    # Deals, each with the stages it went through and when.
    await seed.deal(
        team,
        ana,
        company["Northwind"],
        [(Stage.NEEDS, local(2)), (Stage.OFFER, local(10)), (Stage.COMPLETED, local(21, "11:00"))],
        "12000",
    )
    await seed.deal(
        team,
        ana,
        company["Initrode"],
        [(Stage.NEGOTIATION, local(5)), (Stage.LOST, local(23, "10:00"))],
        "4000",
    )
    await seed.deal(
        team,
        dan,
        company["Initech"],
        [(Stage.NEEDS, local(12)), (Stage.OFFER, local(23, "12:00"))],
        "5000",
    )
    await seed.deal(team, dan, company["Hooli"], [(Stage.PROSPECT, local(22))])
    await seed.deal(
        team,
        ana,
        company["Umbrella"],
        [
            (Stage.NEEDS, local(1, month=9)),
            (Stage.COMPLETED, local(1, month=10)),
            (Stage.NEEDS, local(23, "09:30")),  # a repeat sale
        ],
        "3000",
        "USD",
    )
    await seed.deal(team, ana, company["Vandelay"], [(Stage.NEGOTIATION, local(1))], "8000")
    await seed.deal(team, dan, company["Soylent"], [(Stage.OFFER, local(10))], "2000")
    await seed.deal(team, ana, company["Stark"], [(Stage.CONTACT, local(1))])
    await seed.deal(
        team,
        dan,
        company["Cyberdyne"],
        [(Stage.NEEDS, local(29, month=10)), (Stage.COMPLETED, local(18))],
        "1000",
    )
    await seed.deal(
        team, dan, company["Tyrell"], [(Stage.OFFER, local(9)), (Stage.LOST, local(19))]
    )
    await seed.deal(
        team,
        ana,
        company["Massive"],
        [(Stage.NEGOTIATION, local(2)), (Stage.COMPLETED, local(12))],
        "700",
    )

    # Callbacks.
    sam = await seed.contact(team, "Sam Reed", company["Northwind"])
    await seed.reminder(team, ana, local(19, "10:00"), ReminderStatus.SENT)
    await seed.reminder(team, ana, local(23, "17:00"))
    await seed.reminder(team, dan, local(23, "11:00"))
    await seed.reminder(team, ana, local(18, "10:00"), ReminderStatus.DONE)
    await seed.reminder(team, dan, local(24, "10:00"), company_id=company["Soylent"])
    await seed.reminder(
        team,
        dan,
        local(23, "09:00"),
        ReminderStatus.FAILED,
        contact_id=sam,
        failed_at=local(23, "09:07"),
        error="Telegram: Forbidden: bot was blocked by the user",
    )
    await seed.reminder(
        team, ana, local(19, "10:00"), ReminderStatus.FAILED, failed_at=local(19, "10:05")
    )
    # Failed before failed_at was recorded: its due time places it.
    await seed.reminder(team, ana, local(21, "10:00"), ReminderStatus.FAILED, text="call Mike")
    return Acme(team, ana, dan, ion)


async def seed_other_team(seed: Seed) -> None:
    """Another team's busy weekend, in the same tables: none of it is Acme's business."""
    team = await seed.team("Globex Corp")
    olga = await seed.rep(team, "Olga")
    await seed.activity(team, olga, MEETING, local(21), times=4)
    wayne = await seed.company(team, "Wayne")
    await seed.deal(
        team, olga, wayne, [(Stage.OFFER, local(2)), (Stage.COMPLETED, local(21))], "1000000"
    )
    await seed.deal(team, olga, None, [(Stage.NEGOTIATION, local(1))], "50000", title="Big one")
    await seed.reminder(team, olga, local(20, "10:00"))
    await seed.reminder(team, olga, local(22), ReminderStatus.FAILED, failed_at=local(22))


@pytest.fixture
async def acme(seed: Seed) -> Acme:
    acme = await seed_acme(seed)
    await seed_other_team(seed)
    return acme


async def schedule_of(source: SqlDigestSource, team_id: int) -> DigestSchedule:
    return next(s for s in await source.schedules() if s.team_id == team_id)


async def digest(
    source: SqlDigestSource, team_id: int, kind: DigestKind, now: datetime
) -> tuple[DigestData, Reply]:
    schedule = await schedule_of(source, team_id)
    period = period_ending(schedule, kind, now)
    return await compose_digest(source, schedule, kind, period, now, chart=None)


def section(reply: Reply, title: str) -> list[str]:
    """The lines of the section whose first line starts with ``title``."""
    blocks = [block.splitlines() for block in reply.text.split("\n\n")]
    return next(block for block in blocks if block[0].startswith(title))


DAILY = local(23, "18:00")
WEEKLY = local(23, "08:00")


async def test_the_daily_digest_reads_as_one_short_message(
    source: SqlDigestSource, acme: Acme
) -> None:
    _, reply = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    assert reply.text == (
        "📊 Daily digest: Acme Sales, Mon 23 Nov\n"
        "From Fri 20 Nov 18:00 to Mon 23 Nov 18:00.\n"
        "\n"
        "Activity: 5 logged\n"
        "• Ana: 4 (2 meetings, 1 call, 1 e-mail)\n"
        "• Dan: 1 call\n"
        "Logged nothing: Ion\n"
        "\n"
        "Deals:\n"
        "• Won 1 (12,000 EUR): Northwind 12,000 EUR (Ana)\n"
        "• Lost 1: Initrode 4,000 EUR (Ana)\n"
        "• Advanced 1: 1 to Offer sent\n"
        "• New 1 · Moved back 1\n"
        "\n"
        "Pipeline: 6 open, 15,000 EUR + 3,000 USD\n"
        "• Prospect: 1\n"
        "• First contact: 1\n"
        "• Needs: 1 · 3,000 USD\n"
        "• Offer sent: 2 · 7,000 EUR\n"
        "• Negotiation: 1 · 8,000 EUR\n"
        "• By rep: Ana 3 (8,000 EUR + 3,000 USD) · Dan 3 (7,000 EUR)\n"
        "\n"
        "Overdue callbacks: 3\n"
        "• Ana: 2, oldest Thu 19 Nov\n"
        "• Dan: 1, oldest today\n"
        "\n"
        "Gone quiet: 1 (no news past the stage's limit, no callback)\n"
        "⚠ Vandelay (Ana): Negotiation, 22 days without news\n"
        "\n"
        "⚠ Callbacks not delivered: 2\n"
        "• Ana: “call Mike”, due Sat 21 Nov 10:00\n"
        "• Dan: Sam Reed (Northwind), due Mon 23 Nov 09:00 "
        "(Telegram: Forbidden: bot was blocked by the user)"
    )
    assert reply.image is None
    assert reply.buttons == ()


async def test_activities_are_counted_per_rep_and_kind_and_silent_reps_named(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, reply = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    counts = {(item.rep_id, item.kind): item.count for item in data.activities}
    assert counts == {(acme.ana, MEETING): 2, (acme.ana, CALL): 1, (acme.ana, EMAIL): 1,
                      (acme.dan, CALL): 1}  # fmt: skip
    assert section(reply, "Activity")[-1] == "Logged nothing: Ion"

    _, weekly = await digest(source, acme.team_id, DigestKind.WEEK, WEEKLY)
    assert section(weekly, "Activity") == [
        "Activity: 4 logged",
        "• Ana: 2 meetings",
        "• Dan: 1 call",
        "• Ion: 1 note",
    ]  # everyone logged something; the managers are never listed as silent


async def test_stage_moves_sort_into_won_lost_advanced_new_and_back(
    source: SqlDigestSource, acme: Acme
) -> None:
    _, weekly = await digest(source, acme.team_id, DigestKind.WEEK, WEEKLY)

    assert section(weekly, "Deals") == [
        "Deals:",
        "• Won 2 (13,000 EUR): Northwind 12,000 EUR (Ana) · Cyberdyne 1,000 EUR (Dan)",
        "• Lost 1: Tyrell (Dan)",
        "• New 1",
    ]


async def test_the_pipeline_is_counted_and_summed_per_stage_and_currency(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, _ = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    totals = {(total.stage, total.currency): (total.count, total.amount) for total in data.pipeline}
    assert {key: (count, str(amount)) for key, (count, amount) in totals.items()} == {
        (Stage.PROSPECT, None): (1, "None"),
        (Stage.CONTACT, None): (1, "None"),
        (Stage.NEEDS, "USD"): (1, "3000.00"),
        (Stage.OFFER, "EUR"): (2, "7000.00"),
        (Stage.NEGOTIATION, "EUR"): (1, "8000.00"),
    }


async def test_the_pipeline_is_counted_and_summed_per_owner(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, _ = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    totals = {(t.rep_id, t.currency): (t.count, str(t.amount)) for t in data.pipeline_by_rep}
    assert totals == {
        (acme.ana, None): (1, "None"),  # Stark, unpriced
        (acme.ana, "USD"): (1, "3000.00"),  # Umbrella
        (acme.ana, "EUR"): (1, "8000.00"),  # Vandelay
        (acme.dan, None): (1, "None"),  # Hooli
        (acme.dan, "EUR"): (2, "7000.00"),  # Initech and Soylent
    }  # closed deals (Northwind, Initrode, Cyberdyne...) and other teams' are not held


async def test_overdue_callbacks_are_counted_per_rep_as_of_the_digest(
    source: SqlDigestSource, acme: Acme
) -> None:
    _, daily = await digest(source, acme.team_id, DigestKind.DAY, DAILY)
    _, weekly = await digest(source, acme.team_id, DigestKind.WEEK, WEEKLY)

    assert section(daily, "Overdue") == [
        "Overdue callbacks: 3",
        "• Ana: 2, oldest Thu 19 Nov",
        "• Dan: 1, oldest today",
    ]
    # At 08:00 Monday's 11:00 and 17:00 callbacks are not due yet.
    assert section(weekly, "Overdue") == ["Overdue callbacks: 1", "• Ana: 1, oldest Thu 19 Nov"]


async def test_quiet_deals_are_the_ones_pipeline_calls_quiet(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, reply = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    # Soylent has a callback ahead and Stark news today: candidates, but not quiet.
    assert sorted(line.company_name or "" for line in data.quiet_candidates) == [
        "Soylent",
        "Stark",
        "Vandelay",
    ]
    assert section(reply, "Gone quiet")[1:] == [
        "⚠ Vandelay (Ana): Negotiation, 22 days without news"
    ]


async def test_quiet_deals_follow_the_teams_own_idle_limits(
    source: SqlDigestSource, acme: Acme, units: SqlUnitOfWorkFactory
) -> None:
    async with units() as uow:
        await uow.deals.set_idle_limit(acme.team_id, Stage.NEGOTIATION, 30)  # 22 days is fine
        await uow.commit()

    data, reply = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    assert data.idle_limits[Stage.NEGOTIATION] == 30
    assert section(reply, "Gone quiet") == ["Gone quiet: none."]


async def test_callbacks_that_failed_in_the_period_are_listed(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, _ = await digest(source, acme.team_id, DigestKind.DAY, DAILY)
    _, weekly = await digest(source, acme.team_id, DigestKind.WEEK, WEEKLY)

    assert data.failed_count == 2
    assert [item.text for item in data.failed] == ["call Mike", "call back"]
    assert section(weekly, "⚠ Callbacks not delivered") == [
        "⚠ Callbacks not delivered: 2",
        "• Ana: “call back”, due Thu 19 Nov 10:00",
        "• Ana: “call Mike”, due Sat 21 Nov 10:00",
    ]


async def test_the_weekly_digest_adds_kpis_against_the_week_before(
    source: SqlDigestSource, acme: Acme
) -> None:
    data, reply = await digest(source, acme.team_id, DigestKind.WEEK, WEEKLY)

    figures = kpis(data)
    assert (figures.activities, figures.activities_before) == (4, 3)
    assert (figures.won, figures.won_before, figures.lost) == (2, 1, 1)
    assert figures.win_rate == pytest.approx(2 / 3)
    # Northwind: 2 Nov 12:00 to 21 Nov 11:00; Cyberdyne: 29 Oct to 18 Nov, 12:00 both.
    assert figures.average_cycle_days == pytest.approx((18 + 23 / 24 + 20) / 2)
    assert [(item.stage, item.exits) for item in figures.stage_times] == [
        (Stage.NEEDS, 1),
        (Stage.OFFER, 2),
    ]
    offer = next(item for item in figures.stage_times if item.stage is Stage.OFFER)
    assert offer.average_days == pytest.approx((10 + 23 / 24 + 10) / 2)
    assert section(reply, "This week against") == [
        "This week against the week before:",
        "• Activities: 4 (3 the week before, +33%)",
        "• Won: 2 (1 the week before, +1)",
        "• Win rate: 67% (2 won, 1 lost)",
        "• Sales cycle: 19.5 days on average, created to completed (2 won)",
        "• Average time in stage: Needs 20 d · Offer sent 10.5 d",
    ]
    assert reply.text.startswith(
        "📊 Weekly digest: Acme Sales, Mon 16 Nov to Mon 23 Nov\n"
        "From Mon 16 Nov 08:00 to Mon 23 Nov 08:00.\n"
    )


async def test_the_daily_digest_has_no_kpis(source: SqlDigestSource, acme: Acme) -> None:
    data, reply = await digest(source, acme.team_id, DigestKind.DAY, DAILY)

    assert data.previous is None
    assert data.stage_times == ()
    assert "This week" not in reply.text


async def test_nothing_of_another_team_shows(source: SqlDigestSource, acme: Acme) -> None:
    for kind, now in ((DigestKind.DAY, DAILY), (DigestKind.WEEK, WEEKLY)):
        data, reply = await digest(source, acme.team_id, kind, now)

        for name in ("Olga", "Wayne", "Big one", "1,000,000", "50,000"):
            assert name not in reply.text
        assert {member.name for member in data.members} == {"Maria", "Boss", "Ana", "Dan", "Ion"}


async def test_an_empty_team_gets_a_digest_that_says_so(
    seed: Seed, source: SqlDigestSource
) -> None:
    team = await seed.team("Quiet Co", "America/New_York")
    await seed.rep(team, "Pat", Role.MANAGER)
    await seed.rep(team, "Sam")

    _, daily = await digest(source, team, DigestKind.DAY, local(23, "18:00", "America/New_York"))
    data, weekly = await digest(source, team, DigestKind.WEEK, local(23, "08:00", "UTC"))

    assert daily.text == (
        "📊 Daily digest: Quiet Co, Mon 23 Nov\n"
        "From Fri 20 Nov 18:00 to Mon 23 Nov 18:00.\n"
        "\n"
        "Activity: nothing logged.\n"
        "Logged nothing: Sam\n"
        "\n"
        "Deals: no stage moves.\n"
        "\n"
        "Pipeline: no open deals.\n"
        "\n"
        "Overdue callbacks: none.\n"
        "\n"
        "Gone quiet: none."
    )
    assert section(weekly, "This week against") == [
        "This week against the week before:",
        "• Activities: 0 (0 the week before, +0)",
        "• Won: 0 (0 the week before, +0)",
        "• Win rate: no deals closed this week",
    ]
    assert kpis(data).stage_times == ()


def test_time_in_stage_lists_stages_in_pipeline_order() -> None:
    from dataclasses import replace

    from handlers.digest_data import Period

    schedule = DigestSchedule(1, "T", "UTC", "18:00", "MON 08:00", "08:30", True, WEEKLY)
    data = DigestData(
        schedule, DigestKind.WEEK, Period(WEEKLY, DAILY), None, DAILY,
        (), (), (), (), (), (), (), (), 0,
        (StageTime(Stage.OFFER, 1, 2.0), StageTime(Stage.PROSPECT, 3, 1.25)),
    )  # fmt: skip

    assert [item.stage for item in kpis(data).stage_times] == [Stage.PROSPECT, Stage.OFFER]
    assert kpis(replace(data, stage_times=())).stage_times == ()
