"""``restoration equivalence ...``: run equivalence scenarios (等量修复 HEA / REA / VEA).

A bad scenario raises :class:`equivalence.errors.ScenarioError`; it is deliberately not caught
here: the main CLI (``restoration.cli:main``) turns it into one line and exit code 2.
A missing file is a click usage error (exit code 2 as well).
"""
from __future__ import annotations

from pathlib import Path

import click

from equivalence import run_scenario

from .types import OutputFile


@click.group("equivalence")
def equivalence_group() -> None:
    """等量修复 equivalence analysis: equal-service (HEA), equal-resource (REA), equal-value (VEA)."""


@equivalence_group.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as one JSON object on stdout.")
@click.option("--xlsx", "xlsx", type=OutputFile(path=True), default=None,
              help="Also write an Excel workbook (sheets Inputs, Debit, Credit, Result, Uncertainty).")
@click.option("--pdf", "pdf", type=OutputFile(path=True), default=None,
              help="Also write a printable PDF calculation sheet (Chinese font embedded).")
@click.option("--draws", type=click.IntRange(min=0), default=None,
              help="Monte Carlo draws (overrides uncertainty.draws; 0 turns Monte Carlo off).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Random seed (overrides uncertainty.seed).")
def run(file: Path, as_json: bool, xlsx: Path | None, pdf: Path | None, draws: int | None,
        seed: int | None) -> None:
    """Run the scenario FILE (YAML or JSON, scenario format v1; see docs/scenario-format.md)."""
    result = run_scenario(file, draws=draws, seed=seed)
    if xlsx is not None or pdf is not None:
        from restoration.reports.appraisal_pdf import equivalence_pdf
        from restoration.reports.equivalence_xlsx import write_equivalence_xlsx

        from .appraisal import write_outputs
        write_outputs("equivalence", result, xlsx=xlsx, pdf=pdf, writer=write_equivalence_xlsx,
                      pdf_writer=equivalence_pdf, as_json=as_json, draws=draws, seed=seed)
    if as_json:
        from . import _context
        _context.echo_json(result.to_dict())
    else:
        click.echo(result.summary())
