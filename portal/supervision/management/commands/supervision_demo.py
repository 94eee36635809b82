"""python manage.py supervision_demo: the supervision's side of the demo data, written
through its services by the demo inspector (the account ``inspector``, nation-wide):

- a finding about the outlet of the strongest open outlet alert (a burst, if there is
  one), become a rectification notice issued two weeks ago and past its deadline, still open;
- a spot check over the last 30 days' decisions, every sample re-adjudicated (most verdicts
  agreeing with the original decision, some not) and the campaign closed.

Idempotent: each is recognised by its fixed text and not written again (an interrupted spot
check is finished). ``seed_demo`` runs it after loading registrations.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.supervision.models import Finding, Notice, RiskAlert, SpotCheck, SpotCheckSample
from portal.supervision.selectors.spot_checks import Population, spot_check_population
from portal.supervision.services import notices, spot_checks

INSPECTOR = "inspector"
FINDING_TEXT = (
    "Demo: registrations at this outlet far above its usual volume; the identity checks "
    "behind them must be reviewed."
)
REQUIRED_ACTIONS = (
    "Review every registration of the busy hour, report the staff on duty and the checks made."
)
SPOT_CHECK_NAME = "Demo: monthly re-check of decisions"
SPOT_CHECK_SEED = "seed-demo-spot-check"
SPOT_CHECK_SIZE = 20
ISSUED_DAYS_AGO = 17
DEADLINE_DAYS_AGO = 3
DISAGREE_EVERY = 6  # one verdict in six goes against the original decision


class Command(BaseCommand):
    help = (
        "Write the supervision's demo records (an overdue notice, a finished spot check) "
        "through its services, as the demo inspector. Idempotent."
    )

    def handle(self, *args, **options):
        inspector = User.objects.filter(username=INSPECTOR, is_active=True).first()
        if inspector is None:
            self.stdout.write(f"no account {INSPECTOR!r}: nothing written")
            return
        self.stdout.write(self._notice(inspector))
        self.stdout.write(self._spot_check(inspector))

    def _notice(self, inspector) -> str:
        existing = Finding.objects.filter(recorded_by=inspector, description=FINDING_TEXT)
        if Notice.objects.filter(finding__in=existing).exists():
            return "overdue notice: kept"
        alert = (
            RiskAlert.objects.filter(
                status__in=RiskAlert.OPEN_STATUSES, outlet__isnull=False, province__isnull=False
            )
            .order_by("-score", "pk")
            .select_related("outlet", "operator", "province")
        )
        alert = alert.filter(signal="burst").first() or alert.first()
        if alert is None:
            return "overdue notice: no outlet alert to base it on"
        today = timezone.localdate()
        issued_on = today - timedelta(days=ISSUED_DAYS_AGO)
        with transaction.atomic():
            finding = existing.first() or notices.finding_record(
                actor=inspector,
                operator=alert.operator,
                province=alert.province,
                severity=Finding.Severity.HIGH,
                description=FINDING_TEXT,
                source_kind=Finding.SourceKind.RISK_ALERT,
                source_ref=str(alert.pk),
                registrations=list(alert.registrations.all()[:20]),
                outlets=[alert.outlet],
            )
            notice = notices.notice_issue(
                actor=inspector,
                finding=finding,
                deadline=today - timedelta(days=DEADLINE_DAYS_AGO),
                required_actions=REQUIRED_ACTIONS,
                today=issued_on,
            )
            # The demo's history: found and issued two weeks ago (the audit trail keeps the
            # real time of writing).
            issued_at = timezone.now() - timedelta(days=ISSUED_DAYS_AGO)
            Finding.objects.filter(pk=finding.pk).update(recorded_at=issued_at)
            Notice.objects.filter(pk=notice.pk).update(issued_at=issued_at)
        return f"overdue notice: {notice} issued, due {notice.deadline}"

    def _spot_check(self, inspector) -> str:
        campaign = SpotCheck.objects.filter(created_by=inspector, name=SPOT_CHECK_NAME).first()
        if campaign is not None and campaign.status == SpotCheck.Status.CLOSED:
            return "finished spot check: kept"
        if campaign is None:
            today = timezone.localdate()
            population = Population(
                decided_from=today - timedelta(days=30), decided_to=today - timedelta(days=1)
            )
            if not spot_check_population(user=inspector, population=population).exists():
                return "finished spot check: no decided registration to draw from"
            campaign = spot_checks.spot_check_create(
                actor=inspector,
                name=SPOT_CHECK_NAME,
                population=population,
                fixed_size=SPOT_CHECK_SIZE,
                seed=SPOT_CHECK_SEED,
            )
        samples = campaign.samples.order_by("operator_id", "province_id", "rank")
        for position, sample in enumerate(samples.filter(verdict="")):
            disagree = position % DISAGREE_EVERY == DISAGREE_EVERY - 1
            spot_checks.spot_check_sample_adjudicate(
                sample=sample, actor=inspector, **_verdict(sample, disagree=disagree)
            )
        spot_checks.spot_check_close(spot_check=campaign, actor=inspector)
        disagreements = sum(1 for s in campaign.samples.all() if s.agrees is False)
        return (
            f"finished spot check: {campaign.drawn_size} samples re-adjudicated, "
            f"{disagreements} disagreeing"
        )


def _verdict(sample: SpotCheckSample, *, disagree: bool) -> dict:
    Verdict = SpotCheckSample.Verdict
    approved = sample.original_decision == SpotCheckSample.Decision.APPROVED
    if not disagree:
        return {"verdict": Verdict.MATCH if approved else Verdict.NO_MATCH, "note": ""}
    if approved:
        return {
            "verdict": Verdict.NO_MATCH,
            "note": "The live face does not match the ID portrait: approved in error.",
        }
    return {
        "verdict": Verdict.MATCH,
        "note": "Same person; the capture was poor but good enough to approve.",
    }
