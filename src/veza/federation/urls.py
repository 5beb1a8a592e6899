from django.urls import path

from veza.federation import pages, referral_views, views

app_name = "federation"

urlpatterns = [
    path("federation/inbox/", views.inbox, name="inbox"),
    path("federation/", pages.peers, name="peers"),
    path("federation/cases/<int:case_pk>/refer/", referral_views.refer, name="refer"),
    path("federation/referrals/", referral_views.referral_list, name="referrals"),
    path("federation/referrals/<int:pk>/", referral_views.referral_detail, name="referral"),
]
