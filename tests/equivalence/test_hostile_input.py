"""Hostile scenario files: refused with exit 2 and a clear message, quickly and in bounded memory."""
from __future__ import annotations

import copy
import resource

import pytest
import yaml

import equivalence as eq

BASE = {"schema_version": 1, "method": "service", "base_year": 2020, "discount_rate": 0.03,
        "injury": {"area": 10, "area_unit": "mu", "start_year": 2020, "end_year": 2024,
                   "levels": [[2020, 0.0], [2024, 1.0]]},
        "replacement": {"start_year": 2021, "end_year": 2030, "area_unit": "mu", "levels": [[2021, 0.0], [2023, 1.0]]}}

# nine levels of nine-fold aliases: 9**9 ≈ 3.9e8 strings if expanded, in about 330 bytes
BOMB = "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9) if p else ', '.join(['x'] * 9)}]\n"
               for p, c in zip([""] + list("abcdefgh"), "abcdefghi")) + "notes: *i\n"


def _limit_memory():  # 1.5 GB address space: an expansion would fail loudly instead of swapping
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


#: "quickly" in processor time, which the machine's load does not stretch (wall-clock seconds
#: do): the platform's imports take 2-3 s; an expansion or a run of 2e9 draws would take minutes
CPU_SECONDS = 20


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


@pytest.fixture
def run_scenario(processes):
    """``restoration equivalence run ARGS`` in a process of its own, its memory bounded ->
    (exit code, output, processor seconds it used); a run past the timeout fails the test."""
    def run(*args, timeout=300):
        before = _cpu_of_children()
        out = processes.cli("equivalence", "run", *args, timeout=timeout, preexec_fn=_limit_memory)
        return out.returncode, out.stdout + out.stderr, _cpu_of_children() - before
    return run


def _write(tmp_path, name, data=None, text=None, raw=None):
    p = tmp_path / name
    if raw is not None:
        p.write_bytes(raw)
    elif text is not None:
        p.write_text(text, encoding="utf-8")
    else:
        p.write_text(yaml.safe_dump(data), encoding="utf-8")
    return p


def _with(**changes):
    scn = copy.deepcopy(BASE)
    for path, value in changes.items():
        keys = path.split("__")
        d = scn
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value
    return scn


@pytest.mark.parametrize("name, make, expect", [
    ("bomb.yaml", lambda: {"text": BOMB}, "expands to more than"),
    ("deep.yaml", lambda: {"text": "a: " + "[" * 5000 + "]" * 5000 + "\n"}, "nested"),
    ("deep.json", lambda: {"text": '{"a": ' + "[" * 100000 + "]" * 100000 + "}"}, "nested"),
    ("latin1.yaml", lambda: {"raw": "schema_version: 1\nname: 'caf\xe9'\n".encode("latin-1")}, "not UTF-8"),
    ("utf16.yaml", lambda: {"raw": yaml.safe_dump(BASE).encode("utf-16")}, "not UTF-8"),
    ("end.yaml", lambda: {"data": _with(injury__end_year=200000000)}, "injury.end_year"),
    ("far.yaml", lambda: {"data": _with(replacement__end_year=5000)}, "more than 500 years"),
    ("area.yaml", lambda: {"data": _with(injury__area=1e308)}, "Earth's surface"),
    ("km2.yaml", lambda: {"data": _with(injury__area=1e300, injury__area_unit="km2")}, "Earth's surface"),
    ("points.yaml", lambda: {"data": _with(injury__levels=[[2020 + i, 0.5] for i in range(1001)])}, "at most 1000"),
    ("shape.yaml", lambda: {"data": _with(replacement__levels={"shape": "linear", "from": [2021, 0],
                                                                 "to": [90000, 1]})}, "at most 1000"),
    ("draws.yaml", lambda: {"data": _with(uncertainty={"draws": 2000000000})}, "uncertainty.draws"),
])
def test_hostile_file_exit_2_quickly(tmp_path, name, make, expect, run_scenario):
    path = _write(tmp_path, name, **make())
    code, out, cpu = run_scenario(path)
    assert code == 2, out
    assert expect in out
    assert "Traceback" not in out and "internal error" not in out.lower()
    assert cpu < CPU_SECONDS


def test_draws_option_is_bounded(tmp_path, run_scenario):
    path = _write(tmp_path, "ok.yaml", data=BASE)
    code, out, cpu = run_scenario(path, "--draws", "2000000000")
    assert code == 2 and "at most 1,000,000" in out and cpu < CPU_SECONDS


def test_a_file_that_is_too_big_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("notes: '" + "x" * 3_000_000 + "'\n", encoding="utf-8")
    with pytest.raises(eq.ScenarioError, match="at most 2,000,000 bytes"):
        eq.load_scenario(path)


def test_alias_bomb_inside_a_mapping_given_directly_is_bounded():
    # the same expansion reached through the Python API (a dict sharing one list many times)
    leaf = ["x"] * 9
    for _ in range(8):
        leaf = [leaf] * 9
    with pytest.raises(eq.ScenarioError, match="more than 200,000 values"):
        eq.parse_scenario(_with(notes=leaf))


def test_a_result_that_overflows_is_an_error_not_infinity():
    # each input is in range but the value overflows: 5e10 ha at 1e300 yuan/ha/yr
    scn = _with(method="value", mode="value_to_cost", injury__area=5e10, injury__area_unit="ha",
                injury__unit_value=1e300, replacement={"unit_cost": 1.0})
    with pytest.raises(eq.ScenarioError, match="not a finite number"):
        eq.run_scenario(scn)
