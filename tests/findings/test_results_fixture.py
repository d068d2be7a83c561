"""The results fixture builds (a smoke test the other results tests rely on)."""

from findings.models import FindingState

pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]


def test_results_world_has_a_confirmed_sheet_with_evidence(results_world):
    assert results_world.sheet.state == FindingState.CONFIRMED
    assert results_world.evidence.finding_id == results_world.sheet.pk
    assert results_world.draft_sheet.state == FindingState.DRAFT
