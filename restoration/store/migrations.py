"""Schema versions of the store and how to get from one to the next, for every backend.

A migration is a function of a :class:`~restoration.store.backend.SchemaOps` — declarative
operations (``ops.create_layer(spec)``, ``ops.add_field(layer, field)``,
``ops.create_index(layer, columns)``) that the GeoPackage and the PostGIS backend each execute
in their own SQL. ``open_store`` runs the pending ones in one transaction, so a failed upgrade
leaves the store at its old version. To change the schema: add the layer or field to
``restoration.model`` and append a migration here that brings an existing store to that shape.
"""
from __future__ import annotations

from typing import Callable

from .. import model
from .backend import SchemaOps


def geometry_type_name(spec: model.LayerSpec) -> str:
    # polygons are promoted to MultiPolygon so GIS sees one type; sites may hold plot points too
    return "GEOMETRY" if spec.geometry == "polygon_or_point" else "MULTIPOLYGON"


def create_layer(ops: SchemaOps, spec: model.LayerSpec) -> None:
    """Create one layer (table, geometry column and spatial index, registration)."""
    ops.create_layer(spec)


def _v1(ops: SchemaOps) -> None:
    ops.init_metadata()
    for name in ("sites", "bank_projects", "cases", "case_events", "monitoring_series",
                 "indicator_targets", "audit_log", "counties", "watersheds"):
        create_layer(ops, model.LAYERS[name])
    ops.create_index("case_events", ["case_id"], "idx_case_events_case")
    ops.create_index("monitoring_series", ["site_id", "indicator"], "idx_monitoring_site")


def _v4(ops: SchemaOps) -> None:
    """Project bank: new bank_projects fields, status history, ledger, escrow, scenarios."""
    have = ops.fields("bank_projects")
    for f in model.BANK_PROJECT_EXTRA_FIELDS:
        if f.name not in have:  # a store created before migration 4 lacks them
            ops.add_field("bank_projects", f)
    for name in model.BANK_LAYERS:
        create_layer(ops, model.LAYERS[name])
    ops.create_index("bank_allocations", ["project_id", "state"], "idx_bank_allocations_project")
    ops.create_index("bank_allocations", ["case_id"], "idx_bank_allocations_case")
    ops.create_index("bank_ledger", ["project_id"], "idx_bank_ledger_project")


def _v2(ops: SchemaOps) -> None:
    """Cases and rules: classification decisions, restoration modes, funds ledger."""
    for name in model.CASE_LAYERS:
        create_layer(ops, model.LAYERS[name])
        ops.create_index(name, ["case_id"], f"idx_{name}_case")


def _v3(ops: SchemaOps) -> None:
    """Monitoring: restoration effect evaluations."""
    for name in model.MONITORING_LAYERS:
        create_layer(ops, model.LAYERS[name])
    ops.create_index("effect_evaluations", ["case_id"], "idx_effect_evaluations_case")


#: (version, description, function) in order; the store's schema version is the last applied.
MIGRATIONS: list[tuple[int, str, Callable[[SchemaOps], None]]] = [
    (1, "core layers: sites, bank_projects, cases, case_events, monitoring_series, "
        "indicator_targets, audit_log, counties, watersheds", _v1),
]

MIGRATIONS.append((4, "project bank: bank_projects start_year/status_since, bank_status_history, "
                      "bank_allocations, bank_ledger, escrow, case_scenarios", _v4))
MIGRATIONS.append((2, "cases and rules: case_classifications, case_modes, funds_ledger", _v2))
MIGRATIONS.append((3, "monitoring: effect_evaluations", _v3))


def _v5(ops: SchemaOps) -> None:
    create_layer(ops, model.LAYERS["attachments"])
    create_layer(ops, model.LAYERS["raster_sources"])


MIGRATIONS.append((5, "dashboards: attachments (inspection photos) stored with their events; "
                      "raster_sources (where raster series live, for map overlays)", _v5))


def _v6(ops: SchemaOps) -> None:
    # GeoPackage: the R-tree extension on every spatial layer; PostGIS layers carry GiST from birth
    ops.spatial_index_all()


MIGRATIONS.append((6, "R-tree spatial index on every spatial layer (GeoPackage extension)", _v6))



def _v7(ops: SchemaOps) -> None:
    """A user's own files: extra columns of an imported file kept per row as JSON."""
    for name in model.ATTRIBUTE_LAYERS:
        if "attributes" not in ops.fields(name):  # a store created before migration 7 lacks it
            ops.add_field(name, model.ATTRIBUTES_FIELD)


MIGRATIONS.append((7, "imports: attributes (extra columns of imported files, JSON) on sites, "
                      "bank_projects, cases, counties, watersheds", _v7))


def _v8(ops: SchemaOps) -> None:
    """Access and disclosure: a case's handling region and joint handlers, assigned
    appraisers and public title; a site's public name; a county's city (the jurisdiction tree)."""
    added = {"cases": ("handling_region", "joint_regions", "appraisers", "public_title"),
             "sites": ("public_name",), "counties": ("city",)}
    for layer, names in added.items():
        have = ops.fields(layer)
        spec = model.LAYERS[layer]
        for name in names:
            if name not in have:  # a store created before migration 8 lacks them
                ops.add_field(layer, spec.field(name))
    # existing cases are handled where their county is (matched by name), until staff say otherwise
    ops.fill_from("cases", "handling_region", "counties", "county_id", match=("region", "name"))
    ops.fill_missing("cases", "joint_regions", "[]")
    ops.fill_missing("cases", "appraisers", "[]")


MIGRATIONS.append((8, "access and disclosure: cases handling_region, joint_regions, appraisers, "
                      "public_title; sites public_name; counties city", _v8))


def _v9(ops: SchemaOps) -> None:
    """Appraisal toolkit: appraisal results stored with the case; where a case's damage
    amount came from."""
    have = ops.fields("cases")
    for f in model.CASE_AMOUNT_FIELDS:
        if f.name not in have:  # a store created before migration 9 lacks them
            ops.add_field("cases", f)
    create_layer(ops, model.LAYERS["appraisals"])
    ops.create_index("appraisals", ["case_id"], "idx_appraisals_case")


MIGRATIONS.append((9, "appraisals: damage amounts with their method, inputs, version, date and appraiser; "
                      "cases.damage_amount_source, cases.damage_appraisal_id", _v9))


def _v10(ops: SchemaOps) -> None:
    """Procedure: where funds were used; screening reports."""
    have = ops.fields("funds_ledger")
    spec = model.LAYERS["funds_ledger"]
    for name in model.FUNDS_LEDGER_EXTRA_FIELDS:
        if name not in have:
            ops.add_field("funds_ledger", spec.field(name))
    for name in model.PROCEDURE_LAYERS:
        create_layer(ops, model.LAYERS[name])


MIGRATIONS.append((10, "procedure: funds_ledger site_id/use_kind (fund use at the damaged place); "
                       "screening_reports", _v10))

def _v11(ops: SchemaOps) -> None:
    """Satellite scenes and recovery metrics: valid-pixel fraction on monitoring values,
    recovery assessments stored with the case."""
    if "valid_fraction" not in ops.fields("monitoring_series"):  # a store created before migration 11
        ops.add_field("monitoring_series", model.LAYERS["monitoring_series"].field("valid_fraction"))
    create_layer(ops, model.LAYERS["recovery_assessments"])
    ops.create_index("recovery_assessments", ["case_id"], "idx_recovery_assessments_case")


MIGRATIONS.append((11, "satellite scenes: monitoring_series.valid_fraction, recovery_assessments", _v11))


def _v14(ops: SchemaOps) -> None:
    """Idempotent submission: each form write's request id, unique, with its result."""
    create_layer(ops, model.LAYERS["submissions"])


MIGRATIONS.append((14, "submissions: request ids of form writes (a repeated request writes nothing)", _v14))



def _v15(ops: SchemaOps) -> None:
    """Hardening: the audit log is append-only in the database itself (triggers)."""
    ops.append_only("audit_log")


MIGRATIONS.append((15, "audit_log append-only: the database refuses UPDATE, DELETE and TRUNCATE of its rows", _v15))

def _v22(ops: SchemaOps) -> None:
    """Satellite evidence: the disturbance dated per site from annual composites."""
    for name in ("site_breaks", "control_comparisons"):  # the latest migration: safe to run again
        if not ops.has_layer(name):
            create_layer(ops, model.LAYERS[name])
            ops.create_index(name, ["site_id"], f"idx_{name}_site")


MIGRATIONS.append((22, "satellite evidence: site_breaks (disturbance year, magnitude and recovery per site), "
                   "control_comparisons (recovery against matched control pixels)", _v22))


def _v19(ops: SchemaOps) -> None:
    """Offline field inspection: store id, packages, imported inspections, photo evidence, conflicts."""
    for name in model.FIELD_LAYERS:
        create_layer(ops, model.LAYERS[name])
    ops.create_index("field_photos", ["case_id"], "idx_field_photos_case")
    ops.create_index("field_conflicts", ["status"], "idx_field_conflicts_status")


MIGRATIONS.append((19, "field inspection: field_store, field_packages, field_inspections, field_photos, "
                       "field_conflicts", _v19))


def _v18(ops: SchemaOps) -> None:
    """Project bank as a register: release schedules and milestones, securement and management
    plans, polygon reviews."""
    for name in model.BANK_REGISTER_LAYERS:
        create_layer(ops, model.LAYERS[name])
    ops.create_index("bank_tranches", ["project_id"], "idx_bank_tranches_project")
    ops.create_index("bank_milestones", ["project_id"], "idx_bank_milestones_project")
    ops.create_index("bank_polygon_reviews", ["project_id"], "idx_bank_polygon_reviews_project")


MIGRATIONS.append((18, "project bank register: bank_tranches, bank_milestones, bank_securements, bank_plans, "
                       "bank_polygon_reviews", _v18))


def _v17(ops: SchemaOps) -> None:
    """The claim item by item: what a case's damage amount is made of."""
    create_layer(ops, model.LAYERS["claim_items"])
    ops.create_index("claim_items", ["case_id"], "idx_claim_items_case")


MIGRATIONS.append((17, "claim_items: the damage amount item by item (compensation scope), appraisals feed their own",
                   _v17))

def _v24(ops: SchemaOps) -> None:
    """Field photos made public one by one: who decided, when and why."""
    have = ops.fields("field_photos")
    for f in model.PHOTO_PUBLICATION_FIELDS:  # the latest migration: safe to run again
        if f.name not in have:
            ops.add_field("field_photos", f)


MIGRATIONS.append((24, "field photos: public_reason, published_by, published_at (a photo shown on the public page "
                   "only once marked public, with the reason)", _v24))

def _v20(ops: SchemaOps) -> None:
    """Raster runs: a large ingest as a task table of tiles × periods (resumable)."""
    for name in ("raster_runs", "raster_run_tasks"):  # safe to run again
        if not ops.has_layer(name):
            create_layer(ops, model.LAYERS[name])
    ops.create_index("raster_run_tasks", ["run_id", "state"], "idx_raster_run_tasks_run")


MIGRATIONS.append((20, "raster runs: raster_runs and raster_run_tasks (a large ingest planned as tiles x periods, "
                   "resumable; state, attempts, rows written, bytes read)", _v20))

def _v16(ops: SchemaOps) -> None:
    """Stored per-case deadlines: what each case's history derives, kept at write time so the
    register's questions read them instead of replaying every case. Safe to run again. The rows
    themselves are derived by ``restoration.cases.case_state`` (a store without them is derived
    on its first read or by ``restoration db upgrade``)."""
    for name in model.CASE_STATE_LAYERS:
        if not ops.has_layer(name):
            create_layer(ops, model.LAYERS[name])
    ops.create_index("case_deadlines", ["case_id"], "idx_case_deadlines_case")  # IF NOT EXISTS


MIGRATIONS.append((16, "case_states, case_deadlines: every case's deadlines derived at write time", _v16))

def _v25(ops: SchemaOps) -> None:
    """Clues from imagery: protected areas (imported) and the register of candidate clues."""
    for name in model.CLUE_LAYERS:  # safe to run again
        if not ops.has_layer(name):
            create_layer(ops, model.LAYERS[name])
    ops.create_index("clue_candidates", ["status"], "idx_clue_candidates_status")


MIGRATIONS.append((25, "clues from imagery: protected_areas (imported sensitive areas), clue_candidates "
                       "(the screening register of disturbed patches inside sensitive areas)", _v25))

# Later migrations are appended above this line (one per feature area, in version order).
MIGRATIONS.sort(key=lambda m: m[0])
LATEST = MIGRATIONS[-1][0]


def migrate(ops: SchemaOps, applied: set[int], now: str) -> list[int]:
    """Apply every migration not yet applied, in version order (a version that arrived later
    with a lower number is still applied); the versions applied."""
    done = []
    for version, description, fn in MIGRATIONS:
        if version not in applied:
            fn(ops)
            ops.record_version(version, now, description)
            done.append(version)
    return done
