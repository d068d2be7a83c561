"""Generate a coherent synthetic world of any size, for load tests and benches (issue 7, scale).

    manage.py synthetic_data --findings 1000000 [--seed 1] [--append] [--yes-i-know]

What it makes (deterministic for a seed on an empty database):
- a commission with 20 townships × 30 villages (made once, reused by --append);
- per run: one batch per township and year over the last 3 years, rounds of up to 30 stations (one per village),
  5–10 confirmed problem sheets per station (a few drafts and withdrawn ones), all five categories;
- an issued hand-off letter for ~60 % of the stations with a rectification item per confirmed sheet, deadlines
  spread so that items are overdue, yellow, green, with time to spare or closed;
- a few problem leads (transferred / being handled / concluded), dispositions (some with sanctions) and issued
  recommendations.

Rows are written with bulk_create in chunks of stations, so memory stays flat whatever --findings is. Signals,
audit lines and numbering services are bypassed: this is test data, never to be run against production. The command
refuses unless settings.DEBUG is on or --yes-i-know is given, and refuses on a database that has sheets unless
--append is given."""

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

TOWNSHIPS = 20
VILLAGES = 30
YEARS = 3
SHEETS_MIN, SHEETS_MAX = 5, 10
LETTER_SHARE = 0.6
ROOT_NAME = "合成数据市纪委监委"
ROOT_CODE = "SYN-ROOT"
TITLES = {
    "four_two": ["重大事项未履行“四议两公开”程序", "村民代表会议记录不全", "决议公开不及时"],
    "three_one": ["“三重一大”事项未经集体研究", "大额资金支出未经班子会议", "重要项目安排个人决定"],
    "affairs_open": ["村务公开栏内容长期未更新", "财务公开不及时", "公开内容不完整"],
    "three_assets": ["村集体收入未及时入账", "白条入账", "集体资产未经公开招标发包", "坐收坐支"],
    "subsidies": ["低保公示期不足", "补贴发放台账不全", "优亲厚友违规享受补贴"],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


class Command(BaseCommand):
    help = "生成合成数据（乡镇、批次、驻点、问题底稿、交办函、整改事项、线索、处理处分、建议书），用于压力测试。"

    def add_arguments(self, parser):
        parser.add_argument("--findings", type=int, required=True, help="问题底稿条数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（同一种子在空库上生成相同的数据）")
        parser.add_argument("--append", action="store_true", help="库中已有问题底稿时仍追加")
        parser.add_argument("--yes-i-know", action="store_true", dest="yes_i_know",
                            help="在非 DEBUG 环境下运行（仅限测试库）")
        parser.add_argument("--chunk", type=int, default=1000, help="每次写入的驻点数（约 7.5 倍的底稿）")

    def handle(self, *args, findings: int, seed: int, append: bool, yes_i_know: bool, chunk: int, **options):
        from findings.models import Finding
        from supervision.tally import tallies_rebuild_all

        if not settings.DEBUG and not yes_i_know:
            raise CommandError("拒绝运行：DEBUG 未开启。仅在测试库上使用，并加 --yes-i-know 确认。")
        if findings < 1:
            raise CommandError("--findings 须为正整数。")
        if Finding.objects.exists() and not append:
            raise CommandError("拒绝运行：库中已有问题底稿。要追加请加 --append。")
        started = time.monotonic()
        world = _World(seed=seed, today=timezone.localdate(), out=self.stdout)
        rows = world.run(findings, chunk=max(chunk, 10))
        # The rows went in with bulk_create, which the rollups' signals do not see: rebuild them.
        for name, count in tallies_rebuild_all().items():
            self.stdout.write(f"{name}: {count} rows")
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(f"synthetic_data: {world.counts['findings']} findings, {rows} rows in {elapsed:.1f} s "
                          f"({rows / elapsed:,.0f} rows/s)")


class _World:
    def __init__(self, *, seed: int, today: date, out):
        self.rng = random.Random(seed)
        self.today = today
        self.out = out
        self.counts = dict.fromkeys(
            ["units", "batches", "rounds", "stations", "findings", "letters", "items", "leads", "dispositions",
             "recommendations"], 0)

    # The unit tree and the run's batches -------------------------------------------------------------------------

    def _tree(self):
        from supervision.models import Unit, UnitKind

        root = Unit.objects.filter(code=ROOT_CODE).first()
        if root is None:
            root = Unit.objects.create(name=ROOT_NAME, kind=UnitKind.COMMISSION, code=ROOT_CODE,
                                       organ_name="中共合成市纪律检查委员会", doc_prefix="合纪")
            towns = Unit.objects.bulk_create([
                Unit(name=f"合成第{t + 1:02d}镇", kind=UnitKind.TOWNSHIP, parent=root, code=f"SYN-T{t + 1:02d}",
                     organ_name=f"中共合成第{t + 1:02d}镇纪律检查委员会", doc_prefix=f"合{t + 1:02d}纪")
                for t in range(TOWNSHIPS)])
            Unit.objects.bulk_create([
                Unit(name=f"合成第{t + 1:02d}镇第{v + 1:02d}村", kind=UnitKind.VILLAGE, parent=town,
                     code=f"SYN-T{t + 1:02d}-V{v + 1:02d}")
                for t, town in enumerate(towns) for v in range(VILLAGES)])
            self.counts["units"] = 1 + TOWNSHIPS * (1 + VILLAGES)
        towns = list(Unit.objects.filter(parent=root, kind=UnitKind.TOWNSHIP).order_by("code"))
        villages = {}
        for village in Unit.objects.filter(parent__in=towns).order_by("code"):
            villages.setdefault(village.parent_id, []).append(village)
        return root, [(town, villages[town.pk]) for town in towns]

    def run(self, total: int, *, chunk: int) -> int:
        from rounds.formulas import formulas_ensure
        from rounds.models import Batch, BatchState, TeamFormula

        with transaction.atomic():
            formulas_ensure()
            formula = TeamFormula.objects.get(code="1-2-n")
            root, tree = self._tree()
            run = Batch.objects.filter(organiser__parent=root).count() // (TOWNSHIPS * YEARS) + 1
            years = [self.today.year - YEARS + 1 + i for i in range(YEARS)]
            batches = Batch.objects.bulk_create([
                Batch(year=year, name=f"{year}年巡回驻点监督（合成{run}）", organiser=town, formula=formula,
                      state=BatchState.CLOSED if year < self.today.year else BatchState.CONFIRMED)
                for year in years for town, _villages in tree])
            self.counts["batches"] += len(batches)
        # Sheets per station drawn up front so the number of stations is known (and the same for a seed).
        sizes, left = [], total
        while left > 0:
            n = min(left, self.rng.randint(SHEETS_MIN, SHEETS_MAX))
            sizes.append(n)
            left -= n
        # Station k → batch k % B (round-robin so that every township and year gets some), then within the batch
        # the village and the round: villages fill a round before the next round starts.
        slots = []
        per_batch = [0] * len(batches)
        for k in range(len(sizes)):
            b = k % len(batches)
            j = per_batch[b]
            per_batch[b] += 1
            slots.append((b, j // VILLAGES + 1, j % VILLAGES))
        rounds_in = [(count + VILLAGES - 1) // VILLAGES for count in per_batch]
        self.sequences = self._letter_sequences(tree, years)
        self.round_ids = self._rounds(batches, rounds_in, years)
        self.tree, self.batches, self.run_no, self.root = tree, batches, run, root
        town_index = {town.pk: t for t, (town, _v) in enumerate(tree)}
        self.batch_town = [town_index[b.organiser_id] for b in batches]
        self.batch_pos = {b.pk: i for i, b in enumerate(batches)}
        rows = self.counts["batches"] + self.counts["rounds"] + self.counts["units"]
        started = time.monotonic()
        for first in range(0, len(sizes), chunk):
            with transaction.atomic():
                rows += self._chunk(first, sizes[first:first + chunk], slots[first:first + chunk])
            elapsed = max(time.monotonic() - started, 1e-6)
            self.out.write(f"  {self.counts['findings']:>10,} / {total:,} findings, {rows:,} rows, "
                           f"{rows / elapsed:,.0f} rows/s")
        with transaction.atomic():
            rows += self._recommendations(total)
        return rows

    def _letter_sequences(self, tree, years) -> dict:
        from rectification.models import HandoffLetter

        seqs = {(town.pk, year): 0 for town, _v in tree for year in years}
        for row in (HandoffLetter.objects.filter(organ__in=[town for town, _v in tree], year__in=years)
                    .values("organ_id", "year").annotate(top=Max("sequence")).order_by()):
            seqs[(row["organ_id"], row["year"])] = row["top"] or 0
        return seqs

    def _rounds(self, batches, rounds_in, years) -> dict:
        from rounds.models import Round

        objs = []
        for batch, count in zip(batches, rounds_in, strict=True):
            first, last = self._year_span(batch.year)
            span = max((last - first).days, 1)
            for number in range(1, count + 1):
                start = first + timedelta(days=span * number // count)  # the last round is the latest
                objs.append(Round(batch=batch, number=number, start_date=start, end_date=start + timedelta(days=6)))
        objs = Round.objects.bulk_create(objs, batch_size=5000)
        self.counts["rounds"] += len(objs)
        return {(r.batch_id, r.number): r for r in objs}

    def _year_span(self, year: int) -> tuple[date, date]:
        """The dates a round of that year may start on: inside the last 3 years and a week before today."""
        first = max(date(year, 1, 1), self.today - timedelta(days=365 * YEARS))
        last = min(date(year, 12, 20), self.today - timedelta(days=7))
        return first, max(first, last)

    # One chunk of stations with everything below them -----------------------------------------------------------

    def _chunk(self, first: int, sizes: list[int], slots: list[tuple]) -> int:
        from findings.models import (
            Disposition,
            DispositionForm,
            Finding,
            FindingState,
            LeadDisposal,
            LeadState,
            PartySanction,
            PersonKind,
            ProblemLead,
        )
        from rectification.deadlines import thresholds
        from rectification.models import HandoffLetter, ItemState, LetterState, RectificationItem
        from rounds.models import Station, StationState, Theme

        rng, today, run = self.rng, self.today, self.run_no
        stations = []
        for k, (b, number, v) in enumerate(slots, start=first):
            batch = self.batches[b]
            village = self.tree[self.batch_town[b]][1][v]
            stations.append(Station(round=self.round_ids[(batch.pk, number)], target=village,
                                    state=StationState.FOLLOWING_UP, public_token=f"syn{run:03d}{k:026d}"))
        stations = Station.objects.bulk_create(stations)
        sheets = []
        for k, (station, size) in enumerate(zip(stations, sizes, strict=True), start=first):
            start = station.round.start_date
            for seq in range(1, size + 1):
                category = rng.choice(Theme.values)
                roll = rng.random()
                state = (FindingState.CONFIRMED if roll < 0.96 else
                         FindingState.DRAFT if roll < 0.98 else FindingState.WITHDRAWN)
                found_on = min(start + timedelta(days=rng.randint(0, 6)), today)
                amount = Decimal(rng.randint(1000, 500000)) if category == Theme.THREE_ASSETS else None
                sheets.append(Finding(
                    station=station, number=f"SYN{run}-{k:07d}-{seq:02d}", sequence=seq,
                    title=rng.choice(TITLES.get(category, ["问题"])), observed="合成数据：问题表现。",
                    category=category, amount=amount, responsible_unit_id=station.target_id,
                    responsible_person=rng.choice(["村党支部书记", "村委会主任", "村会计", "村报账员"]),
                    found_on=found_on, state=state,
                    confirmed_at=_at(found_on) if state != FindingState.DRAFT else None,
                    withdraw_reason="合成数据：撤回。" if state == FindingState.WITHDRAWN else ""))
        sheets = Finding.objects.bulk_create(sheets, batch_size=5000)
        by_station = {}
        for sheet in sheets:
            by_station.setdefault(sheet.station_id, []).append(sheet)

        letters, pending = [], []
        for station in stations:
            confirmed = [s for s in by_station.get(station.pk, []) if s.state == FindingState.CONFIRMED]
            if not confirmed or rng.random() >= LETTER_SHARE:
                continue
            town = self.tree[self.batch_town[self._batch_index(station)]][0]
            year = station.round.batch.year
            self.sequences[(town.pk, year)] += 1
            sequence = self.sequences[(town.pk, year)]
            issued = station.round.end_date + timedelta(days=rng.randint(7, 30))
            issued = min(issued, today)
            letters.append(HandoffLetter(
                station=station, organ=town, recipient_id=station.target_id, title="关于巡回驻点监督发现问题的交办函",
                addressee="村党支部、村民委员会", basis="根据巡回驻点监督工作安排", reply_due=issued + timedelta(days=30),
                contact_name="合成联系人", contact_phone="0710-0000000", state=LetterState.ISSUED,
                number=f"{town.doc_prefix}〔{year}〕{sequence}号", year=year, sequence=sequence,
                issued_at=_at(issued)))
            pending.append(confirmed)
        letters = HandoffLetter.objects.bulk_create(letters, batch_size=5000)

        green, yellow = thresholds()
        items = []
        for letter, confirmed in zip(letters, pending, strict=True):
            issued = letter.issued_at.date()
            for sheet in confirmed:
                # Closed: most items whose deadline has passed, a few early. Open ones get a colour first (overdue,
                # yellow, green or time to spare) and a deadline to match, never earlier than a week after the letter.
                deadline = issued + timedelta(days=rng.randint(15, 120))
                roll = rng.random()
                if deadline < today and roll < 0.85 or deadline >= today and roll < 0.15:
                    state, closed = ItemState.CLOSED, _at(min(today, deadline + timedelta(days=rng.randint(-20, 15))))
                else:
                    state, closed = rng.choice([ItemState.OPEN, ItemState.IN_PROGRESS, ItemState.SUBMITTED,
                                                ItemState.RETURNED]), None
                    left = rng.choice([rng.randint(-90, -1), rng.randint(0, yellow), rng.randint(yellow + 1, green),
                                       rng.randint(green + 1, 120)])
                    deadline = max(today + timedelta(days=left), issued + timedelta(days=7))
                items.append(RectificationItem(
                    letter=letter, finding=sheet, sequence=sheet.sequence, problem=sheet.title,
                    requirement="限期整改到位，举一反三。", deadline=deadline, state=state, closed_at=closed))
        RectificationItem.objects.bulk_create(items, batch_size=5000)

        leads, dispositions = [], []
        for sheet in sheets:
            if sheet.state != FindingState.CONFIRMED:
                continue
            roll = rng.random()
            if roll < 0.005:
                state = rng.choice([LeadState.TRANSFERRED, LeadState.DISPOSING, LeadState.CONCLUDED])
                moved = _at(min(today, sheet.found_on + timedelta(days=rng.randint(3, 20))))
                leads.append(ProblemLead(
                    finding=sheet, subject_name=rng.choice(SURNAMES) + "某", subject_post=sheet.responsible_person,
                    subject_unit_id=sheet.responsible_unit_id, summary="合成数据：线索内容。", state=state,
                    organ=self.tree[self.batch_town[self._batch_index(sheet.station)]][0], transferred_at=moved,
                    disposal=LeadDisposal.VERIFY if state != LeadState.TRANSFERRED else "",
                    disposed_at=moved if state != LeadState.TRANSFERRED else None,
                    concluded_at=moved if state == LeadState.CONCLUDED else None,
                    result="合成数据：办理结果。" if state == LeadState.CONCLUDED else ""))
            elif roll < 0.008:
                form = rng.choice(DispositionForm.values)
                dispositions.append(Disposition(
                    finding=sheet, person_name=rng.choice(SURNAMES) + "某", person_post=sheet.responsible_person,
                    person_unit_id=sheet.responsible_unit_id, person_kind=PersonKind.VILLAGE_MANAGER, form=form,
                    measure="谈话提醒" if form == DispositionForm.FIRST else "",
                    party_sanction=PartySanction.WARNING if form >= DispositionForm.SECOND else "",
                    decided_on=min(today, sheet.found_on + timedelta(days=rng.randint(10, 60))),
                    decided_by="合成镇纪委"))
        ProblemLead.objects.bulk_create(leads)
        Disposition.objects.bulk_create(dispositions)
        for name, n in [("stations", len(stations)), ("findings", len(sheets)), ("letters", len(letters)),
                        ("items", len(items)), ("leads", len(leads)), ("dispositions", len(dispositions))]:
            self.counts[name] += n
        return len(stations) + len(sheets) + len(letters) + len(items) + len(leads) + len(dispositions)

    def _batch_index(self, station) -> int:
        return self.batch_pos[station.round.batch_id]

    def _recommendations(self, total: int) -> int:
        from findings.models import Recommendation, RecommendationState

        rng = self.rng
        objs = []
        for _n in range(total // 5000 + 1):
            town, villages = rng.choice(self.tree)
            village = rng.choice(villages)
            issued = self.today - timedelta(days=rng.randint(0, 365 * YEARS - 1))
            objs.append(Recommendation(
                organ=town, recipient=village, title="关于加强村级集体资金管理的纪检监察建议", facts="合成数据：事实。",
                causes="合成数据：原因。", items="严格执行收入及时入账制度\n建立集体资金收支月公开制度",
                reply_due=issued + timedelta(days=30), state=RecommendationState.ISSUED, issued_at=_at(issued)))
        Recommendation.objects.bulk_create(objs)
        self.counts["recommendations"] += len(objs)
        return len(objs)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(10, 0)))
