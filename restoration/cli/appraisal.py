"""``restoration appraisal ...``: quantify damage the way appraisals are written (损害数额量化).

    restoration appraisal abatement FILE [--json] [--xlsx OUT] [--pdf OUT]
    restoration appraisal restoration-cost FILE [--json] [--xlsx OUT]
    restoration appraisal population FILE [--json]           # lost animal-years for REA
    restoration appraisal record CASE_ID FILE --method abatement|restoration_cost|equivalence --appraiser NAME
    restoration appraisal list [CASE_ID]
    restoration appraisal workbook CASE_ID --out OUT.xlsx
    restoration appraisal coefficients                      # the coefficient table with sources
    restoration appraisal verify FILE [--public-key PUB]    # re-perform a PDF's or a manifest's calculation
    restoration appraisal keygen KEY.pem                    # an institution's Ed25519 key pair
    restoration appraisal sign MANIFEST --key KEY.pem       # sign a .manifest.json

Bad input: one message naming the file and field, exit 2, nothing written.
"""
from __future__ import annotations

from pathlib import Path

import click

from . import _context
from .types import OutputFile
from .cases import _actor, _store
from ..appraisal.common import yuan_text

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
_OUT = OutputFile(path=True)


def write_outputs(kind: str, result, *, xlsx: Path | None = None, pdf: Path | None = None, writer=None,
                  pdf_writer=None, as_json: bool = False, draws: int | None = None, seed: int | None = None) -> None:
    """Write the calculation's workbook and PDF, each with its ``<name>.manifest.json`` beside it
    (the PDF also holds the manifest as an attachment)."""
    from ..appraisal.manifest import build_manifest, export, sidecar_path
    if xlsx is None and pdf is None:
        return
    manifest = build_manifest(kind, result, draws=draws, seed=seed)
    for out, write, opt in ((xlsx, writer, "--xlsx"), (pdf, pdf_writer, "--pdf")):
        if out is None or write is None:
            continue
        done = export(out, (lambda p, w=write: w(result, p, manifest=manifest)) if write is pdf_writer
                      else (lambda p, w=write: w(result, p)), manifest, field=opt)
        click.echo(f"已写入 wrote {done}（复核清单 manifest {sidecar_path(done).name}）", err=as_json)


def _emit(result, as_json: bool, xlsx: Path | None, pdf: Path | None = None, writer=None, pdf_writer=None,
          kind: str = "abatement") -> None:
    write_outputs(kind, result, xlsx=xlsx, pdf=pdf, writer=writer, pdf_writer=pdf_writer, as_json=as_json)
    if as_json:
        _context.echo_json(result.to_dict())
    else:
        click.echo(result.summary())


@click.group("appraisal")
def appraisal_group() -> None:
    """损害数额量化 damage quantification: imputed abatement cost, restoration cost, records."""


@appraisal_group.command("abatement")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--xlsx", type=_OUT, default=None, help="Also write the calculation workbook.")
@click.option("--pdf", type=_OUT, default=None, help="Also write a printable PDF calculation sheet.")
def abatement_cmd(file: Path, as_json: bool, xlsx: Path | None, pdf: Path | None) -> None:
    """虚拟治理成本法 imputed abatement cost of FILE (GB/T 39793.1/.2-2020 or the 2017 multiplier form)."""
    from ..appraisal import appraise_abatement_file
    from ..reports.appraisal_pdf import abatement_pdf
    from ..reports.appraisal_xlsx import write_abatement_xlsx
    _emit(appraise_abatement_file(file), as_json, xlsx, pdf, write_abatement_xlsx, abatement_pdf)


@appraisal_group.command("restoration-cost")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--xlsx", type=_OUT, default=None, help="Also write the options workbook.")
def restoration_cost_cmd(file: Path, as_json: bool, xlsx: Path | None) -> None:
    """修复费用法 restoration-cost estimate of every option in FILE, compared with their equivalence result."""
    from ..appraisal import estimate_restoration_cost_file
    from ..reports.appraisal_xlsx import write_restoration_cost_xlsx
    _emit(estimate_restoration_cost_file(file), as_json, xlsx, writer=write_restoration_cost_xlsx,
          kind="restoration_cost")


@appraisal_group.command("population")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def population_cmd(file: Path, as_json: bool) -> None:
    """Lost animal-years for an REA from a population model (keys: direct_losses, survival, fecundity,
    recovery_years, start_year, unit)."""
    from equivalence.population import lost_animal_years, lost_units_points

    from ..appraisal.common import check_keys, read_input
    from ..errors import InputError, Issue
    data, _ = read_input(file)
    check_keys(data, {"direct_losses", "survival", "fecundity", "recovery_years", "start_year", "unit", "title"},
               "", file.name)
    try:
        table = lost_animal_years(data.get("direct_losses"), data.get("survival"), data.get("fecundity"),
                                  int(data.get("recovery_years", 0)), int(data.get("start_year", 0)))
    except (TypeError, ValueError) as exc:
        raise InputError(Issue(str(exc), source=file.name)) from None
    unit = str(data.get("unit") or "animal-years")
    out = {"unit": unit, "total_undiscounted": float(table["lost"].sum()), "lost_units": lost_units_points(table),
           "table": table.to_dict(orient="records"),
           "source": "Leslie (1945) projection; bird-years as in Sperduto et al. (2003) (see docs/appraisal.md)"}
    if as_json:
        _context.echo_json(out)
    else:
        click.echo(f"损失 lost {out['total_undiscounted']:,.2f} {unit} (undiscounted) over {len(table)} years")
        click.echo(table.to_string(index=False))


@appraisal_group.command("record")
@click.argument("case_id")
@click.argument("file", type=_FILE)
@click.option("--method", type=click.Choice(["abatement", "restoration_cost", "equivalence"]), required=True)
@click.option("--appraiser", required=True, help="Who appraised it (评估人).")
@click.option("--date", "appraised_on", default=None, help="Appraisal date YYYY-MM-DD (default today).")
@click.option("--actor", default=None, help="Who records it (default: the login user).")
@click.option("--expected-version", type=click.IntRange(min=0), default=None, help="The case version you saw (optimistic lock).")
@click.option("--item", default=None, help="The claim item it feeds (赔偿范围项目; default: restoration for abatement "
              "and restoration cost, interim_loss for equivalence). `case claim scope CASE_ID` lists them.")
@click.option("--replaces", default=None, help="The appraisal this one redoes: only its claim item is replaced.")
def record_cmd(case_id, file, method, appraiser, appraised_on, actor, expected_version, item, replaces) -> None:
    """Store the appraisal of FILE with CASE_ID as a claim item; the case's damage amount is the sum
    of its items."""
    from ..appraisal import appraise_abatement_file, estimate_restoration_cost_file, record_appraisal
    from ..appraisal.manifest import build_manifest
    if method == "abatement":
        result = appraise_abatement_file(file)
    elif method == "restoration_cost":
        result = estimate_restoration_cost_file(file)
    else:
        from equivalence import run_scenario
        result = run_scenario(file)
    store = _store()
    row = record_appraisal(store, case_id, result, appraiser=appraiser, actor=_actor(actor),
                           appraised_on=appraised_on, expected_version=expected_version, item=item, replaces=replaces,
                           manifest=build_manifest(method, result))
    total = store.get("cases", case_id)["damage_amount_yuan"]
    click.echo(f"已记录 recorded {row['appraisal_id']}: {yuan_text(row['amount_yuan'])} → {case_id}；"
               f"损害数额（索赔项目合计）damage amount (sum of the claim items) {yuan_text(total)}")


@appraisal_group.command("list")
@click.argument("case_id", required=False)
@click.option("--json", "as_json", is_flag=True)
def list_cmd(case_id, as_json) -> None:
    """Appraisals stored (of one case, or all)."""
    from ..appraisal import list_appraisals
    df = list_appraisals(_store(), case_id)
    cols = ["appraisal_id", "case_id", "method", "standard", "amount_yuan", "appraiser", "appraised_on", "all_verified"]
    if as_json:
        _context.echo_json(df[cols].to_dict(orient="records"))
    elif df.empty:
        click.echo("尚无鉴定评估结果 no appraisal recorded")
    else:
        click.echo(df[cols].to_string(index=False))


@appraisal_group.command("workbook")
@click.argument("case_id")
@click.option("--out", type=_OUT, required=True)
def workbook_cmd(case_id, out) -> None:
    """The case's appraisal workbook in report order (damage confirmation … uncertainty)."""
    from ..reports.appraisal_xlsx import write_case_appraisal_xlsx
    click.echo(f"已写入 wrote {write_case_appraisal_xlsx(_store(), case_id, out)}")


@appraisal_group.command("coefficients")
@click.option("--json", "as_json", is_flag=True)
def coefficients_cmd(as_json) -> None:
    """The imputed-abatement coefficient table, every value with its source and verified flag."""
    from ..appraisal import coefficient_tables
    t = coefficient_tables()
    if as_json:
        _context.echo_json(t)
        return
    def flag(entry) -> str:
        return "已核实" if entry["verified"] else "未核实"

    def zh(entry) -> str:
        return entry.get("source_zh") or entry.get("source", "")
    for form in t["forms"].values():
        click.echo(f"{form['name_zh']}")
        for part in ("formula", "gamma"):
            click.echo(f"  {form[part]['value']}  [{flag(form[part])}] 来源：{zh(form[part])}")
        for sym, c in form.get("coefficients", {}).items():
            vals = f"分档 ≤{c['tier_upper_bounds']} → {c['tier_values']}" if "tier_values" in c else "未设定"
            click.echo(f"  {c['name_zh']}：{vals} [{flag(c)}] 来源：{zh(c)}")
        for rg in form.get("ranges", {}).values():
            vals = f"{rg['low']:g}–{rg['high']:g} 倍" if "low" in rg else "未设定（无可引用的区间）"
            click.echo(f"  {rg['name_zh']}：{vals} [{flag(rg)}] 来源：{zh(rg)}")


@appraisal_group.command("verify")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True)
@click.option("--public-key", type=_FILE, default=None,
              help="The institution's Ed25519 public key (PEM): the manifest must be signed with it.")
def verify_cmd(file: Path, as_json: bool, public_key: Path | None) -> None:
    """复核 Re-perform the calculation(s) of FILE (a calculation PDF, a report PDF or a
    ``.manifest.json``) and say whether every number is identical, or which differs and why.
    Exit 0 identical, 1 different, 2 a manifest edited by hand or unreadable."""
    from ..appraisal.manifest import describe, verify
    results = verify(file, public_key)
    if as_json:
        _context.echo_json([v.to_dict() for v in results])
    else:
        for v in results:
            for line in describe(v):
                click.echo(line)
    if not all(v.identical for v in results):
        raise SystemExit(1)


@appraisal_group.command("report")
@click.argument("case_id")
@click.option("--out", type=_OUT, default=None, help="The report as Word (.docx), for the institution to edit and sign.")
@click.option("--pdf", type=_OUT, default=None, help="The report as PDF, the appraisals' manifests attached.")
@click.option("--content", "content_file", type=_FILE, default=None,
              help="YAML/JSON of what the store does not hold: causation, investigation, institution, appraisers, "
              "licence, commissioned_by, damage, quantification_notes, conclusion, special_notes, report_date.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--draft", is_flag=True, help="Write a draft even with mandatory content missing (listed on page 1).")
def report_cmd(case_id, out, pdf, content_file, lang, draft) -> None:
    """鉴定评估报告书 the case's appraisal report (chapters after GB/T 39791.1-2020 附录A, unchecked).
    Missing mandatory content is listed (exit 2) and nothing is written."""
    from ..appraisal.common import read_input
    from ..appraisal.manifest import embed_in_pdf
    from ..appraisal.report import appraisal_report
    from ..document import to_docx, to_pdf
    from ..errors import InputError, Issue
    from ..files import write_bytes
    if out is None and pdf is None:
        raise InputError(Issue("give --out report.docx and/or --pdf report.pdf", field="--out"))
    if out is not None and out.suffix.lower() != ".docx":
        raise InputError(Issue("the Word report is written as .docx", source=str(out), field="--out"))
    content = read_input(content_file)[0] if content_file else None
    doc, manifests = appraisal_report(_store(), case_id, content, lang, draft=draft)
    if out is not None:
        click.echo(f"已写入 wrote {write_bytes(out, to_docx(doc), field='--out')}")
    if pdf is not None:
        data = to_pdf(doc)
        click.echo(f"已写入 wrote {write_bytes(pdf, embed_in_pdf(data, manifests) if manifests else data, field='--pdf')}"
                   f"（附复核清单 {len(manifests)} 份 manifests attached）")


@appraisal_group.command("keygen")
@click.argument("key_file", type=click.Path(dir_okay=False, path_type=Path))
def keygen_cmd(key_file: Path) -> None:
    """An institution's Ed25519 key pair: KEY_FILE (private, owner-only, never overwritten) and
    <name>.pub.pem (public, to hand to whoever checks the signatures)."""
    from ..appraisal.signature import generate_key
    private, public = generate_key(key_file)
    click.echo(f"已写入 wrote {private}（私钥 private key）, {public}（公钥 public key）")


@appraisal_group.command("sign")
@click.argument("manifest_file", type=_FILE)
@click.option("--key", "key_file", type=_FILE, required=True, help="The institution's Ed25519 private key (PEM).")
def sign_cmd(manifest_file: Path, key_file: Path) -> None:
    """Sign MANIFEST_FILE (a .manifest.json) with the institution's key (Ed25519 over its
    manifest_sha256); a manifest edited by hand is refused, not signed."""
    import json

    from ..appraisal.manifest import check_seal, read_manifests
    from ..appraisal.signature import sign
    from ..files import write_text
    if manifest_file.suffix.lower() == ".pdf":
        raise click.UsageError("sign the .manifest.json written beside the PDF")
    m = read_manifests(manifest_file)[0]
    check_seal(m, manifest_file.name)
    write_text(manifest_file, json.dumps(sign(m, key_file), ensure_ascii=False, indent=1))
    click.echo(f"已签名 signed {manifest_file} (Ed25519)")
