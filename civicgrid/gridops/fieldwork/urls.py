from django.urls import path

from civicgrid.gridops.fieldwork.views import activities, hub, joint, key_persons, screening, visits

app_name = "fieldwork"
urlpatterns = [
    path("", hub.hub, name="hub"),
    # 入户走访
    path("visits/", visits.visit_list, name="visit_list"),
    path("visits/new/", visits.visit_create, name="visit_create"),
    path("visits/coverage/", visits.coverage, name="coverage"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit_detail"),
    path("visits/opinions/<int:pk>/case/", visits.opinion_case, name="opinion_case"),
    # 重点人员
    path("key-persons/", key_persons.key_person_list, name="key_person_list"),
    path("key-persons/<int:pk>/", key_persons.key_person_detail, name="key_person_detail"),
    path("key-persons/<int:pk>/reveal/", key_persons.key_person_reveal, name="key_person_reveal"),
    path("key-persons/<int:pk>/follow-up/", key_persons.key_person_follow_up, name="key_person_follow_up"),
    path("key-persons/<int:pk>/end/", key_persons.key_person_end, name="key_person_end"),
    path("key-persons/assign/<int:resident_id>/<int:tag_id>/", key_persons.key_person_assign,
         name="key_person_assign"),
    # 矛盾纠纷排查
    path("screening/", screening.screening_report, name="screening_report"),
    path("screening/new/", screening.screening_create, name="screening_create"),
    path("screening/<int:pk>/", screening.screening_detail, name="screening_detail"),
    # 警网联动
    path("joint/", joint.joint_home, name="joint_home"),
    path("joint/refer/<int:case_id>/", joint.refer_case, name="refer_case"),
    path("joint/police-referral/", joint.police_referral_create, name="police_referral_create"),
    path("joint/referrals/<int:pk>/answer/", joint.referral_answer, name="referral_answer"),
    path("joint/records/new/", joint.joint_record_create, name="joint_record_create"),
    path("joint/summary/", joint.joint_summary, name="joint_summary"),
    # 普法宣传
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
]
