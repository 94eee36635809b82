"""The ministry side's pages, mounted once at the site's root."""

from django.urls import include, path

from portal.supervision.views import audit
from portal.supervision.views import directory as directory_views
from portal.supervision.views import fairness as fairness_views
from portal.supervision.views import notices as notice_views
from portal.supervision.views import operator_notices as operator_notice_views
from portal.supervision.views import overview as overview_views
from portal.supervision.views import risk as risk_views
from portal.supervision.views import spot_checks as spot_check_views

audit_patterns = [
    path("", audit.audit_list, name="list"),
    path("export.csv", audit.audit_export, name="export"),
]

finding_patterns = [
    path("", notice_views.finding_list, name="list"),
    path("new/", notice_views.finding_new, name="new"),
    path("<int:pk>/", notice_views.finding_detail, name="detail"),
    path("<int:pk>/notice/", notice_views.finding_issue_notice, name="issue-notice"),
]

notice_patterns = [
    path("", notice_views.notice_list, name="list"),
    path("<int:pk>/", notice_views.notice_detail, name="detail"),
    path("<int:pk>/accept/", notice_views.notice_accept, name="accept"),
    path("<int:pk>/reopen/", notice_views.notice_reopen, name="reopen"),
]

operator_notice_patterns = [
    path("", operator_notice_views.operator_notice_list, name="list"),
    path("<int:pk>/", operator_notice_views.operator_notice_detail, name="detail"),
    path("<int:pk>/answer/", operator_notice_views.operator_notice_answer, name="answer"),
]

risk_patterns = [
    path("", risk_views.risk_alert_list, name="list"),
    path("<int:pk>/", risk_views.risk_alert_detail, name="detail"),
    path("<int:pk>/change/", risk_views.risk_alert_change, name="change"),
]

spot_check_patterns = [
    path("", spot_check_views.spot_check_list, name="list"),
    path("new/", spot_check_views.spot_check_new, name="new"),
    path("<int:pk>/", spot_check_views.spot_check_detail, name="detail"),
    path("<int:pk>/close/", spot_check_views.spot_check_close, name="close"),
    path("<int:pk>/samples/<int:sample_pk>/", spot_check_views.spot_check_sample, name="sample"),
    path(
        "<int:pk>/samples/<int:sample_pk>/evidence/",
        spot_check_views.spot_check_sample_evidence,
        name="sample-evidence",
    ),
]

overview_patterns = [
    path("", overview_views.overview, name="page"),
    path("summary.json", overview_views.summary_json, name="summary"),
    path("export/<slug:table>.csv", overview_views.overview_export, name="export"),
    path("export/<slug:table>.xlsx", overview_views.overview_export_xlsx, name="export-xlsx"),
]

directory_patterns = [
    path("outlets/", directory_views.outlet_directory, name="outlets"),
    path("staff/", directory_views.staff_directory, name="staff"),
]

urlpatterns = [
    path("supervision/", include((overview_patterns, "overview"))),
    path("supervision/directory/", include((directory_patterns, "directory"))),
    path("operator/dashboard/", overview_views.operator_dashboard, name="operator-dashboard"),
    path("supervision/fairness/", fairness_views.fairness, name="fairness"),
    path("supervision/risk/", include((risk_patterns, "risk"))),
    path("supervision/spot-checks/", include((spot_check_patterns, "spot_checks"))),
    path("supervision/findings/", include((finding_patterns, "findings"))),
    path("supervision/notices/", include((notice_patterns, "notices"))),
    path("operator/notices/", include((operator_notice_patterns, "operator-notices"))),
    path("audit/", include((audit_patterns, "audit"))),
]
