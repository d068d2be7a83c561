"""Fixtures of the results tests (problem leads, dispositions, recommendations, special campaigns). A module
loads them with
`pytest_plugins = ["tests.rounds.fixtures_rounds", "tests.findings.fixtures_findings", "tests.findings.fixtures_results"]`.

`results_world`: the findings world (station "A" = 水南湾村, led by users["leader"] with users["member"]; station "B"
= 柯大兴村, another team with users["other_team"]; organ 大箕铺镇, document prefix 大箕纪) plus
`results_world.sheet`: a confirmed problem sheet of station "A" with one evidence file (`results_world.evidence`),
and `results_world.draft_sheet`: a sheet of station "A" still in draft. users["target_liaison"] is the liaison of
水南湾村; users["liaison"] of another village; users["case_office"] and users["commission_leader"] see lead content."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from findings.services.findings import finding_confirm, finding_evidence_add
from rounds.models import Theme


@pytest.fixture
def results_world(findings_world, findings_make, evidence_bytes):
    world = findings_world
    users = world.users
    sheet = findings_make(title="村集体资金长期存放在出纳个人账户", category=Theme.THREE_ASSETS,
                          observed="2025年1月至9月，村集体土地流转收入12.6万元存入出纳个人银行卡，未及时入账。",
                          basis="《湖北省农村集体经济组织财务管理办法》第十二条",
                          amount=Decimal("126000.00"), responsible_person="村出纳 刘某某")
    world.evidence = finding_evidence_add(
        actor=users["member"], finding=sheet,
        upload=SimpleUploadedFile("银行流水.pdf", evidence_bytes["pdf"], content_type="application/pdf"),
        description="出纳个人银行卡流水")
    world.sheet = finding_confirm(actor=users["leader"], finding=sheet)
    world.draft_sheet = findings_make(title="低保公示期不足7天", category=Theme.SUBSIDIES,
                                      observed="2026年第三季度低保名单公示仅3天。")
    return world
