"""Planner benchmark: 400 villages, 150 cadres, 20 rounds with the "1+2+N" formula.

Run from the repository root: .venv/bin/python bench/planner.py
Prints the time to plan and the plan's quality (rule violations, workload spread per slot).
"""

import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings.test")

import django  # noqa: E402

django.setup()

from rounds.planner import PlanInput, RoundSpec, plan_batch, plan_violations, workload_spread  # noqa: E402
from rounds.rules import PersonFacts, SlotFacts, TargetFacts  # noqa: E402


def synthetic(villages=400, cadres=150, rounds=20, seed=7) -> PlanInput:
    rng = random.Random(seed)
    townships = 20
    targets = [TargetFacts(id=1000 + i, name=f"村{i}") for i in range(villages)]
    people = []
    # 25 discipline cadres (leaders), 45 finance / civil affairs backbones, 80 village discipline members.
    for i in range(cadres):
        if i < 25:
            category, home = "discipline_cadre", 10 + i % townships
        elif i < 70:
            category, home = ("finance" if i % 2 else "civil_affairs"), 10 + i % townships
        else:
            category, home = "village_member", targets[rng.randrange(villages)].id
        conflicts = {targets[rng.randrange(villages)].id: "近亲属任职" for _ in range(2)}
        people.append(PersonFacts(id=i + 1, name=f"人员{i}", category=category, home_unit_id=home,
                                  conflicts=conflicts))
    slots = [
        SlotFacts(id=1, label="组长", categories=("discipline_cadre",), seats=1, is_leader=True),
        SlotFacts(id=2, label="业务骨干", categories=("finance", "civil_affairs"), seats=2),
        SlotFacts(id=3, label="村纪检委员", categories=("village_member",), seats=1),
    ]
    start = date(2026, 3, 2)
    specs = [RoundSpec(n + 1, start + timedelta(days=14 * n), start + timedelta(days=14 * n + 6))
             for n in range(rounds)]
    return PlanInput(targets=targets, rounds=specs, slots=slots, people=people)


def main() -> int:
    plan = synthetic()
    started = time.perf_counter()
    result = plan_batch(plan)
    elapsed = time.perf_counter() - started
    violations = plan_violations(plan, result) if result.ok else ["infeasible: " + "; ".join(result.problems)]
    spread = workload_spread(plan, result)
    print(f"planner_400_villages_150_cadres_20_rounds: {elapsed:.3f} s")
    print(f"planner_stations: {len(result.stations)} stations")
    print(f"planner_violations: {len(violations)} violations")
    print(f"planner_workload_spread_max: {max(spread.values()) if spread else 0} stations")
    for label, value in spread.items():
        print(f"planner_workload_spread_{label}: {value} stations")
    for line in violations[:5]:
        print("#", line, file=sys.stderr)
    return 0 if not violations else 1


if __name__ == "__main__":
    sys.exit(main())
