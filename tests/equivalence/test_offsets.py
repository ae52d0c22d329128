"""Labour in lieu, technical-upgrade offset and instalments (amounts in fen)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equivalence import offsets as off


def test_labour_in_lieu_uncapped_and_capped():
    a = off.labour_in_lieu(20, 3, 150.5)
    assert a.person_days == 60 and a.gross_fen == 60 * 15050 and a.credited_fen == a.gross_fen and not a.capped
    b = off.labour_in_lieu(20, 3, 150.5, cap_yuan=5000)
    assert b.credited_yuan == 5000.0 and b.capped and b.gross_yuan == 9030.0
    c = off.labour_in_lieu(20, 3, 150.5, compensation_yuan=20000, cap_share=0.3, cap_yuan=8000)
    assert c.cap_fen == 600000 and c.credited_fen == 600000  # the smaller of the two caps


def test_labour_half_days_round_to_the_fen():
    a = off.labour_in_lieu(0.5, 1, 150.01)
    assert a.gross_fen == 7501  # 75.005 yuan rounds half up


@pytest.mark.parametrize("kwargs,match", [
    ({"days": -1, "persons": 2, "daily_rate_yuan": 100}, "days"),
    ({"days": 1, "persons": 1.5, "daily_rate_yuan": 100}, "persons"),
    ({"days": 1, "persons": 2, "daily_rate_yuan": "a"}, "daily_rate_yuan"),
    ({"days": 1, "persons": 2, "daily_rate_yuan": 100, "cap_share": 0.2}, "together"),
    ({"days": 1, "persons": 2, "daily_rate_yuan": 100, "cap_share": 20, "compensation_yuan": 10}, "0.3"),
])
def test_labour_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        off.labour_in_lieu(**kwargs)


def test_technical_upgrade_offset_applies_only_when_all_conditions_hold():
    ok = off.technical_upgrade_offset(2_000_000, 0.5, 1_500_000, 0.4,
                                      conditions={"beyond_legal_obligation": True, "accepted": True})
    assert ok.applied and ok.raw_offset_fen == 100_000_000 and ok.cap_fen == 60_000_000
    assert ok.offset_yuan == 600_000 and ok.capped and ok.remaining_yuan == 900_000
    small = off.technical_upgrade_offset(200_000, 0.5, 1_500_000, 0.4, conditions={"accepted": True})
    assert small.offset_yuan == 100_000 and not small.capped
    no = off.technical_upgrade_offset(2_000_000, 0.5, 1_500_000, 0.4,
                                      conditions={"beyond_legal_obligation": True, "accepted": False})
    assert not no.applied and no.offset_fen == 0 and no.unmet_conditions == ("accepted",)
    assert no.remaining_fen == no.compensation_fen


@pytest.mark.parametrize("kwargs,match", [
    ({"conditions": {}}, "at least one"),
    ({"conditions": {"accepted": "yes"}}, "True or False"),
    ({"conditions": {"a": True}, "offset_ratio": 1.5}, "offset_ratio"),
    ({"conditions": {"a": True}, "max_share": -0.1}, "max_share"),
])
def test_technical_upgrade_errors(kwargs, match):
    args = {"eligible_investment_yuan": 1000, "offset_ratio": 0.5, "compensation_yuan": 1000, "max_share": 0.3}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        off.technical_upgrade_offset(**args)


@settings(max_examples=100, deadline=None)
@given(fen=st.integers(1, 10**12), count=st.integers(1, 120), months=st.integers(1, 12),
       rem=st.sampled_from(["first", "last"]))
def test_instalments_sum_exactly(fen, count, months, rem):
    if fen < count:
        with pytest.raises(ValueError, match="too small"):
            off.instalment_schedule(f"{fen // 100}.{fen % 100:02d}", count, "2025-01-31",
                                    interval_months=months, remainder=rem)
        return
    s = off.instalment_schedule(f"{fen // 100}.{fen % 100:02d}", count, "2025-01-31", interval_months=months,
                                remainder=rem)
    t = s.table
    assert int(t["amount_fen"].sum()) == fen == s.total_fen
    assert t["amount_fen"].max() - t["amount_fen"].min() <= 1
    assert t["remaining_yuan"].iloc[-1] == 0
    assert len(t) == count


def test_instalment_dates_and_remainder():
    s = off.instalment_schedule(1000.00, 3, dt.date(2025, 1, 31), interval_months=1)
    t = s.table
    assert t["due_date"].tolist() == [dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31)]
    assert t["amount_fen"].tolist() == [33334, 33333, 33333]
    last = off.instalment_schedule(1000.00, 3, "2025-01-01", interval_days=30, remainder="last").table
    assert last["amount_fen"].tolist() == [33333, 33333, 33334]
    assert last["due_date"].iloc[1] == dt.date(2025, 1, 31)


def test_instalments_with_down_payment():
    t = off.instalment_schedule(1_000_000, 5, "2025-06-30", interval_months=6, first_share=0.3).table
    assert t["amount_yuan"].tolist() == [300_000, 175_000, 175_000, 175_000, 175_000]
    assert t["due_date"].iloc[1] == dt.date(2025, 12, 30)


@pytest.mark.parametrize("args,kwargs,match", [
    ((100.001, 2, "2025-01-01"), {"interval_months": 1}, "fractions of a fen"),
    ((0, 2, "2025-01-01"), {"interval_months": 1}, "positive"),
    ((100, 0, "2025-01-01"), {"interval_months": 1}, "count"),
    ((100, 2, "2025-01-01"), {}, "exactly one"),
    ((100, 2, "2025-01-01"), {"interval_months": 1, "interval_days": 3}, "exactly one"),
    ((100, 2, "not a date"), {"interval_months": 1}, "first_date"),
    ((100, 2, "2025-01-01"), {"interval_months": 0}, "interval_months"),
    ((100, 1, "2025-01-01"), {"interval_months": 1, "first_share": 0.3}, "count >= 2"),
    ((100, 2, "2025-01-01"), {"interval_months": 1, "remainder": "middle"}, "remainder"),
])
def test_instalment_errors(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        off.instalment_schedule(*args, **kwargs)
