"""Alternative ways of discharging a compensation liability (多元化履责方式).

* :func:`labour_in_lieu` — 劳务代偿: days × persons × daily rate, with a cap.
* :func:`technical_upgrade_offset` — 技改抵扣 (技改生态效益代偿): eligible investment × offset
  ratio, capped at a share of the compensation, applied only when every stated condition holds.
* :func:`instalment_schedule` — 分期赔付: an amount split into dated instalments that sum exactly.

The caps, ratios and conditions are parameters: the provincial values (e.g. the Zhejiang and
Guangxi implementing opinions named in shared/seeds) live in the platform's case rules, not here.
All money is computed in integer fen (分, 0.01 yuan) so totals add up exactly; yuan figures are
derived from fen. Bad input raises ``ValueError`` with the parameter name.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

import pandas as pd

FEN_PER_YUAN = 100


def to_fen(amount_yuan: Any, name: str = "amount_yuan", *, exact: bool = True) -> int:
    """Yuan → integer fen. With ``exact=True`` an amount with fractions of a fen is an error."""
    if isinstance(amount_yuan, bool):
        raise ValueError(f"{name} must be a number of yuan, got {amount_yuan!r}")
    try:
        d = Decimal(str(amount_yuan))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number of yuan, got {amount_yuan!r}") from None
    if not d.is_finite():
        raise ValueError(f"{name} must be finite, got {amount_yuan!r}")
    fen = (d * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if exact and fen != d * FEN_PER_YUAN:
        raise ValueError(f"{name} = {amount_yuan!r} has fractions of a fen (0.01 yuan)")
    return int(fen)


def fen_to_yuan(fen: int) -> float:
    """Integer fen → yuan (float, exact to the fen for amounts below ~10^13 yuan)."""
    return fen / FEN_PER_YUAN


def _non_negative(x: Any, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, Decimal)):
        raise ValueError(f"{name} must be a number, got {x!r}")
    if not x >= 0:
        raise ValueError(f"{name} must be >= 0, got {x!r}")
    return float(x)


def _share(x: Any, name: str) -> float:
    v = _non_negative(x, name)
    if v > 1:
        raise ValueError(f"{name} is a share between 0 and 1, got {x!r} (write 30% as 0.3)")
    return v


# -- labour in lieu (劳务代偿) ----------------------------------------------------------------
@dataclass(frozen=True)
class LabourOffset:
    """Labour in lieu: what the labour is worth and how much of it is credited (fen)."""

    days: float
    persons: int
    daily_rate_fen: int
    person_days: float
    gross_fen: int
    cap_fen: int | None
    credited_fen: int
    capped: bool

    @property
    def gross_yuan(self) -> float:
        return fen_to_yuan(self.gross_fen)

    @property
    def credited_yuan(self) -> float:
        return fen_to_yuan(self.credited_fen)


def labour_in_lieu(days: float, persons: int, daily_rate_yuan: float, *, cap_yuan: float | None = None,
                   compensation_yuan: float | None = None, cap_share: float | None = None) -> LabourOffset:
    """Value of labour in lieu (劳务代偿): ``days × persons × daily_rate``, capped.

    Parameters
    ----------
    days : float
        Working days per person (d); half days allowed.
    persons : int
        Number of persons.
    daily_rate_yuan : float
        Yuan per person-day (e.g. the local daily wage standard the case rules set).
    cap_yuan : float, optional
        Absolute cap (yuan) on the credited amount.
    compensation_yuan, cap_share : float, optional
        Cap as a share (0..1) of the compensation amount; both must be given together.

    Returns
    -------
    LabourOffset
        ``credited = min(gross, cap_yuan, cap_share × compensation)``; gross rounded half-up to the fen.
    """
    days = _non_negative(days, "days")
    if isinstance(persons, bool) or not isinstance(persons, int) or persons < 0:
        raise ValueError(f"persons must be a whole number >= 0, got {persons!r}")
    rate_fen = to_fen(_non_negative(daily_rate_yuan, "daily_rate_yuan"), "daily_rate_yuan", exact=False)
    person_days = days * persons
    gross = int((Decimal(str(days)) * persons * rate_fen).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    caps = []
    if cap_yuan is not None:
        caps.append(to_fen(_non_negative(cap_yuan, "cap_yuan"), "cap_yuan", exact=False))
    if (compensation_yuan is None) != (cap_share is None):
        raise ValueError("cap_share and compensation_yuan go together: the cap is cap_share × compensation_yuan")
    if cap_share is not None:
        comp = to_fen(_non_negative(compensation_yuan, "compensation_yuan"), "compensation_yuan", exact=False)
        caps.append(int((Decimal(comp) * Decimal(str(_share(cap_share, "cap_share")))).to_integral_value(
            rounding=ROUND_HALF_UP)))
    cap = min(caps) if caps else None
    credited = gross if cap is None else min(gross, cap)
    return LabourOffset(days, persons, rate_fen, person_days, gross, cap, credited, credited < gross)


# -- technical-upgrade offset (技改抵扣) ------------------------------------------------------
@dataclass(frozen=True)
class TechUpgradeOffset:
    """Technical-upgrade offset: the deduction from the compensation (fen) and why."""

    eligible_investment_fen: int
    offset_ratio: float
    raw_offset_fen: int
    cap_fen: int
    offset_fen: int
    compensation_fen: int
    remaining_fen: int
    applied: bool
    capped: bool
    unmet_conditions: tuple[str, ...]

    @property
    def offset_yuan(self) -> float:
        return fen_to_yuan(self.offset_fen)

    @property
    def remaining_yuan(self) -> float:
        return fen_to_yuan(self.remaining_fen)


def technical_upgrade_offset(eligible_investment_yuan: float, offset_ratio: float, compensation_yuan: float,
                             max_share: float, *, conditions: Mapping[str, bool]) -> TechUpgradeOffset:
    """Technical-upgrade offset (技改抵扣): ``min(investment × ratio, max_share × compensation)``.

    Applied only when every entry of ``conditions`` is ``True`` (e.g.
    ``{"beyond_legal_obligation": True, "accepted_by_agency": True}`` — the names and the rule set
    come from the case rules); otherwise the offset is 0 and ``unmet_conditions`` lists why.

    Parameters
    ----------
    eligible_investment_yuan : float
        Investment in the upgrade that the rules count as eligible (yuan).
    offset_ratio : float
        Share of that investment that may be deducted (0..1).
    compensation_yuan : float
        The compensation (yuan) the offset is deducted from.
    max_share : float
        Cap as a share of the compensation (0..1).
    conditions : mapping of str to bool
        The stated conditions; at least one, each a real bool.
    """
    inv = to_fen(_non_negative(eligible_investment_yuan, "eligible_investment_yuan"), "eligible_investment_yuan",
                 exact=False)
    comp = to_fen(_non_negative(compensation_yuan, "compensation_yuan"), "compensation_yuan", exact=False)
    ratio = _share(offset_ratio, "offset_ratio")
    share = _share(max_share, "max_share")
    if not isinstance(conditions, Mapping) or not conditions:
        raise ValueError("conditions: state at least one condition, e.g. {'beyond_legal_obligation': True}")
    for k, v in conditions.items():
        if not isinstance(v, bool):
            raise ValueError(f"conditions[{k!r}] must be True or False, got {v!r}")
    unmet = tuple(k for k, v in conditions.items() if not v)
    raw = int((Decimal(inv) * Decimal(str(ratio))).to_integral_value(rounding=ROUND_HALF_UP))
    cap = int((Decimal(comp) * Decimal(str(share))).to_integral_value(rounding=ROUND_HALF_UP))
    applied = not unmet
    offset = min(raw, cap) if applied else 0
    return TechUpgradeOffset(inv, ratio, raw, cap, offset, comp, comp - offset, applied,
                             applied and raw > cap, unmet)


# -- instalments (分期赔付) -----------------------------------------------------------------
@dataclass(frozen=True)
class InstalmentSchedule:
    """Instalments: ``table`` has one row per instalment; ``amount_fen`` sums to ``total_fen``."""

    total_fen: int
    table: pd.DataFrame

    @property
    def total_yuan(self) -> float:
        return fen_to_yuan(self.total_fen)


def _as_date(x: Any, name: str) -> _dt.date:
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    try:
        return pd.Timestamp(x).date()
    except (ValueError, TypeError):
        raise ValueError(f"{name} must be a date (e.g. '2025-03-31'), got {x!r}") from None


def instalment_schedule(amount_yuan: Any, count: int, first_date: Any, *, interval_months: int | None = None,
                        interval_days: int | None = None, first_share: float | None = None,
                        remainder: str = "first") -> InstalmentSchedule:
    """Split ``amount_yuan`` into ``count`` instalments (分期赔付) that sum to it exactly.

    Parameters
    ----------
    amount_yuan : number or str
        Total (yuan, at most 2 decimals).
    count : int
        Number of instalments (>= 1).
    first_date : date or ISO str
        Due date of the first instalment.
    interval_months, interval_days : int
        Exactly one: spacing of due dates. Month steps are counted from the first date and keep
        its day of month where it exists (31 Jan + 1 month → 28/29 Feb).
    first_share : float, optional
        Share (0..1) of the total due with the first instalment (a down payment); the rest is
        split equally over the remaining ``count - 1``.
    remainder : {"first", "last"}
        Where the fen left over by an equal split go: one fen each on the first or the last
        instalments of the equal part.

    Returns
    -------
    InstalmentSchedule
        ``table`` columns: number, due_date, amount_fen, amount_yuan, cumulative_yuan, remaining_yuan.
    """
    total = to_fen(amount_yuan, "amount_yuan")
    if total <= 0:
        raise ValueError(f"amount_yuan must be positive, got {amount_yuan!r}")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a whole number >= 1, got {count!r}")
    if (interval_months is None) == (interval_days is None):
        raise ValueError("give exactly one of interval_months or interval_days")
    step = interval_months if interval_months is not None else interval_days
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ValueError(f"{'interval_months' if interval_months is not None else 'interval_days'} must be a "
                         f"whole number >= 1, got {step!r}")
    if remainder not in ("first", "last"):
        raise ValueError(f"remainder must be 'first' or 'last', got {remainder!r}")
    first = _as_date(first_date, "first_date")

    amounts: list[int] = []
    rest, n_equal = total, count
    if first_share is not None:
        share = _share(first_share, "first_share")
        if count < 2:
            raise ValueError("first_share needs count >= 2 (a down payment plus instalments)")
        down = int((Decimal(total) * Decimal(str(share))).to_integral_value(rounding=ROUND_HALF_UP))
        amounts.append(down)
        rest, n_equal = total - down, count - 1
    base, extra = divmod(rest, n_equal)
    equal = [base] * n_equal
    idx = range(extra) if remainder == "first" else range(n_equal - extra, n_equal)
    for i in idx:
        equal[i] += 1
    amounts += equal
    if min(amounts) <= 0:
        raise ValueError(f"amount_yuan {amount_yuan!r} is too small for {count} instalments of at least 1 fen")

    ts = pd.Timestamp(first)
    if interval_months is not None:
        dates = [(ts + pd.DateOffset(months=k * step)).date() for k in range(count)]
    else:
        dates = [first + _dt.timedelta(days=k * step) for k in range(count)]
    cum = pd.Series(amounts).cumsum()
    table = pd.DataFrame({
        "number": range(1, count + 1),
        "due_date": dates,
        "amount_fen": amounts,
        "amount_yuan": [fen_to_yuan(a) for a in amounts],
        "cumulative_yuan": [fen_to_yuan(int(c)) for c in cum],
        "remaining_yuan": [fen_to_yuan(total - int(c)) for c in cum],
    })
    assert int(table["amount_fen"].sum()) == total  # the whole point of working in fen
    return InstalmentSchedule(total, table)
